"""Parsing of the API's form fields, each with an error that names the field and what it should be."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as date_parser

from review_app.exceptions import ValidationFailed

MAX_METADATA_BYTES = 16 * 1024


def optional_datetime(name: str, raw: str | None) -> datetime | None:
    """An ISO 8601 timestamp (UTC when it carries no zone), or None when absent."""
    if not raw:
        return None
    try:
        value = date_parser.isoparse(raw)
    except (ValueError, OverflowError) as e:
        raise ValidationFailed(
            f"{name} must be an ISO 8601 timestamp such as 2026-12-01T17:00:00Z.", code=f"invalid_{name}"
        ) from e
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def optional_int(name: str, raw: str | None, low: int, high: int, default: int = 0) -> int:
    """An integer within bounds, or the default when absent."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as e:
        raise ValidationFailed(
            f"{name} must be a whole number from {low} to {high}.", code=f"invalid_{name}"
        ) from e
    if not low <= value <= high:
        raise ValidationFailed(f"{name} must be a whole number from {low} to {high}.", code=f"invalid_{name}")
    return value


def optional_json_object(name: str, raw: str | None) -> dict[str, Any]:
    """A JSON object (at most 16 KiB), or an empty one when absent."""
    if not raw:
        return {}
    if len(raw.encode()) > MAX_METADATA_BYTES:
        raise ValidationFailed(
            f"{name} is larger than {MAX_METADATA_BYTES // 1024} KiB.", code=f"invalid_{name}"
        )
    try:
        value = json.loads(raw)
    except ValueError as e:
        raise ValidationFailed(f"{name} must be a JSON object.", code=f"invalid_{name}") from e
    if not isinstance(value, dict):
        raise ValidationFailed(f"{name} must be a JSON object.", code=f"invalid_{name}")
    return value
