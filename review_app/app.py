"""The Flask application factory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Response, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from review_app.api import bp as api_bp
from review_app.api.errors import (
    error_response,
    handle_docloop_error,
    handle_http_error,
    handle_unexpected,
    is_api_request,
)
from review_app.api.limits import init_limits
from review_app.exceptions import DocloopError
from review_app.models import User
from review_app.runtime import get_runtime
from review_app.settings import Settings, load_settings
from review_app.web import admin, auth, dashboard, exports, gold, models_admin, ops, queue, review
from review_app.web.context import EXTENSION, close_db, db
from review_app.web.jobs import init_rq_dashboard

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
csrf = CSRFProtect()


class IdConverter(BaseConverter):
    """Row ids in URLs: 1 to 999,999,999 by pattern alone (no range check after matching, which werkzeug
    would report as a 405 on other methods), so a huge or zero id is a plain 404, never an overflow."""

    regex = r"[1-9][0-9]{0,8}"
    weight = 50

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the web app from settings (read from DOCLOOP_* when `config` is None)."""
    settings = config if isinstance(config, Settings) else load_settings(**(config or {}))
    app = Flask(__name__)
    app.url_map.converters["id"] = IdConverter
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + settings.max_words_json_bytes + 1024 * 1024,
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]  (keep fields in schema order)
    app.extensions[EXTENSION] = get_runtime(settings)
    app.teardown_appcontext(close_db)

    csrf.init_app(app)
    csrf.exempt(api_bp)  # the API authenticates every request with a bearer key, not a cookie
    _init_login(app)
    init_limits(app, settings, api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(queue.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(gold.bp)
    app.register_blueprint(models_admin.bp)
    init_rq_dashboard(app, settings, csrf)
    app.register_blueprint(ops.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(exports.bp)
    _init_errors(app)
    app.after_request(_security_headers)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    return app


def _init_login(app: Flask) -> None:
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = "Please log in to continue."
    login.session_protection = "strong"

    @login.user_loader
    def load_user(user_id: str) -> User | None:
        user = db().get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None


def _init_errors(app: Flask) -> None:
    @app.errorhandler(DocloopError)
    def docloop_error(error: DocloopError):  # type: ignore[no-untyped-def]
        if is_api_request() or request.accept_mimetypes.best == "application/json":
            return handle_docloop_error(error)
        return render_template("error.html", code=error.code, message=error.message), error.status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        if request.accept_mimetypes.best == "application/json":
            return error_response("csrf_failed", error.description, 400)
        return render_template(
            "error.html",
            code="csrf_failed",
            message="The form expired or did not come from this site. Reload and try again.",
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if is_api_request():
            return handle_http_error(error)
        return error

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        if isinstance(error, HTTPException):
            return http_error(error)
        if is_api_request():
            return handle_unexpected(error)
        app.logger.exception("unhandled error on %s", request.path)
        return render_template(
            "error.html",
            code="internal_error",
            message="Something went wrong on our side; it has been logged.",
        ), 500


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/api/") or not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
