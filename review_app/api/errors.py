"""One JSON error shape for the whole API: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from review_app.exceptions import DocloopError

log = logging.getLogger(__name__)


def error_response(code: str, message: str, status: int, details: object = None) -> Response:
    """A JSON error response in the API's one shape."""
    response = jsonify({"error": {"code": code, "message": message, "details": details}})
    response.status_code = status
    return response


def is_api_request() -> bool:
    """True for requests to the JSON API (they get JSON errors, never HTML)."""
    return request.path.startswith("/api/")


def handle_docloop_error(error: DocloopError) -> Response:
    """Our own errors carry their code and status."""
    return error_response(error.code, error.message, error.status, error.details)


def handle_http_error(error: HTTPException) -> Response:
    """Werkzeug's errors (404, 405, 413...) in the same shape, with a stable snake_case code."""
    code = (error.name or "error").lower().replace(" ", "_")
    if error.code == 413:
        code = "payload_too_large"
    if error.code == 429:
        return _rate_limited(error)
    return error_response(code, error.description or error.name, error.code or 500)


def _rate_limited(error: HTTPException) -> Response:
    response = error_response(
        "rate_limited",
        f"Too many requests for this API key ({error.description}); wait as Retry-After says, then retry.",
        429,
        {"limit": error.description},
    )
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def handle_unexpected(error: Exception) -> Response:
    """Anything else: logged with its traceback, answered without internals."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response("internal_error", "Something went wrong on our side; it has been logged.", 500)


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul_characters() -> Response | None:
    """NUL characters cannot be stored (PostgreSQL text refuses them): answer 400 before any work."""
    values: list[object] = [
        request.path,
        *request.args.values(),
        *request.form.values(),
        *(f.filename or "" for f in request.files.values()),
    ]
    if request.is_json:
        values.append(request.get_json(silent=True))
    if (
        any(_has_nul(v) for v in values)
        or any(_has_nul(k) for k in request.args)
        or any(_has_nul(k) for k in request.form)
    ):
        return error_response("invalid_characters", "Text may not contain NUL (\\u0000) characters.", 400)
    return None
