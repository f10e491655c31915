"""Per-key rate limits (Flask-Limiter, counters in Redis): over the limit is a 429 with Retry-After."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter

from review_app.queue import redis_url_for
from review_app.settings import Settings


def rate_limit_key() -> str:
    """Who is counted: the API key's public prefix (dl_<prefix>_...), else the client address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    parts = token.strip().split("_", 2)
    if scheme.lower() == "bearer" and len(parts) == 3 and parts[0] == "dl":
        return f"key:{parts[1]}"
    return f"addr:{request.remote_addr}"


def storage_uri(settings: Settings) -> str:
    """The limits library's URI for our Redis (unix sockets use its redis+unix scheme)."""
    url = redis_url_for(settings)
    if url.startswith("unix://"):
        return "redis+unix://" + url.removeprefix("unix://")
    return url


def init_limits(app: Flask, settings: Settings, blueprint) -> Limiter:  # type: ignore[no-untyped-def]
    """Limit every API route per key; the web workspace is not limited."""
    limiter = Limiter(
        key_func=rate_limit_key,
        app=app,
        storage_uri=storage_uri(settings),
        headers_enabled=True,
        strategy="moving-window",
        storage_options={"socket_connect_timeout": 2, "socket_timeout": 2},
        swallow_errors=True,
    )
    limiter.limit(lambda: settings.api_rate_limit)(blueprint)
    return limiter
