"""API key authentication: `Authorization: Bearer dl_...`, with scopes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request

from review_app.db import utcnow
from review_app.exceptions import Unauthorized
from review_app.models import ApiKey
from review_app.services.accounts import authenticate_api_key, require_scope
from review_app.web.context import db


def current_key() -> ApiKey:
    """The API key of the current request (set by `api_key_required`)."""
    return g.api_key


def api_key_required(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Authenticate the request's bearer key and require `scope`."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized(
                    "Send an API key as 'Authorization: Bearer dl_...'.", code="missing_api_key"
                )
            key = authenticate_api_key(db(), token)
            require_scope(key, scope)
            g.api_key = key
            now = utcnow()
            # Bounded write rate: record use at most once a minute per key.
            if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
                key.last_used_at = now
            # End the authentication's transaction: services open their own, and on SQLite an open
            # one here would hold the write lock they need.
            db().commit()
            return view(*args, **kwargs)

        wrapped.required_scope = scope  # type: ignore[attr-defined]
        return wrapped

    return decorator
