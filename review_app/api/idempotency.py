"""Idempotency-Key: the same key with the same request gets the first answer again; with a different
request it is a 409. Concurrent repeats wait for the first to finish rather than doing the work twice."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from review_app.api.auth import current_key
from review_app.db import read_only
from review_app.exceptions import Conflict, DocloopError, ValidationFailed
from review_app.models import IdempotencyRecord
from review_app.web.context import db, runtime

HEADER = "Idempotency-Key"
MAX_KEY = 255
WAIT_SECONDS = 15.0


def request_fingerprint() -> str:
    """A hash of what makes two requests the same: method, path, query, form fields and file contents."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.query_string.decode()}\n".encode())
    for name in sorted(request.form):
        for value in request.form.getlist(name):
            digest.update(f"form:{name}={value}\n".encode())
    for name in sorted(request.files):
        for part in request.files.getlist(name):
            content = part.stream.read()
            part.stream.seek(0)
            digest.update(f"file:{name}:{part.filename}:{hashlib.sha256(content).hexdigest()}\n".encode())
    if request.is_json:
        digest.update(request.get_data())
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = jsonify(record.response_body)
    response.status_code = record.response_status or 200
    if record.response_location:
        response.headers["Location"] = record.response_location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _wait_for(api_key_id: int, key: str) -> IdempotencyRecord | None:
    """Poll (read-only, so the first request can write) until the first request with this key is done."""
    deadline = time.monotonic() + WAIT_SECONDS
    query = select(IdempotencyRecord.__table__).where(
        IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key
    )
    while time.monotonic() < deadline:
        with read_only(runtime().database_url) as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        if row["state"] == "done":
            return IdempotencyRecord(**dict(row))
        time.sleep(0.05)
    return None


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a POST endpoint honour the Idempotency-Key header."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not key.strip() or len(key) > MAX_KEY:
            raise ValidationFailed(
                f"{HEADER} must be 1 to {MAX_KEY} characters.", code="invalid_idempotency_key"
            )
        api_key_id = current_key().id
        fingerprint = request_fingerprint()
        record = IdempotencyRecord(
            api_key_id=api_key_id, key=key, request_hash=fingerprint, state="processing"
        )
        db().add(record)
        try:
            db().commit()
        except IntegrityError:
            db().rollback()
            existing = _wait_for(api_key_id, key)
            if existing is None:
                raise Conflict(
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    code="idempotency_key_in_progress",
                ) from None
            if existing.request_hash != fingerprint:
                raise Conflict(
                    "This Idempotency-Key was used with a different request.", code="idempotency_key_reused"
                ) from None
            return _replay(existing)
        try:
            response = view(*args, **kwargs)
        except DocloopError as e:
            if e.status >= 500:
                _forget(api_key_id, key)
                raise
            response = jsonify(e.to_dict())
            response.status_code = e.status
        except BaseException:
            _forget(api_key_id, key)  # an unexpected failure may be retried with the same key
            raise
        _remember(api_key_id, key, response)
        return response

    return wrapped


def _remember(api_key_id: int, key: str, response: Response) -> None:
    db().rollback()
    record = db().scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key
        )
    )
    if record is not None:
        record.state = "done"
        record.response_status = response.status_code
        record.response_body = response.get_json(silent=True)
        record.response_location = response.headers.get("Location")
        db().commit()


def _forget(api_key_id: int, key: str) -> None:
    db().rollback()
    db().execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key
        )
    )
    db().commit()
