"""Errors of the application; each carries a stable machine code and a message a person can act on."""

from __future__ import annotations

from typing import Any


class DocloopError(Exception):
    """Base error: `code` is stable for machines, `message` is for people, `status` is the HTTP answer."""

    code = "internal_error"
    status = 500

    def __init__(
        self, message: str, *, code: str | None = None, status: int | None = None, details: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The one JSON error shape of the API."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class ConfigurationError(DocloopError):
    code = "configuration_error"


class ValidationFailed(DocloopError):
    code = "invalid_request"
    status = 400


class Unauthorized(DocloopError):
    code = "unauthorized"
    status = 401


class Forbidden(DocloopError):
    code = "forbidden"
    status = 403


class NotFound(DocloopError):
    code = "not_found"
    status = 404


class Conflict(DocloopError):
    code = "conflict"
    status = 409


class PayloadTooLarge(DocloopError):
    code = "payload_too_large"
    status = 413


class UnsupportedMediaType(DocloopError):
    code = "unsupported_media_type"
    status = 415


class QueueUnavailable(DocloopError):
    code = "queue_unavailable"
    status = 503
