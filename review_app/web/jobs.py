"""rq-dashboard, mounted at /admin/rq for admins: the job queue, workers and failed jobs as RQ sees them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import rq_dashboard
from flask import Flask, Response, abort, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from review_app.models import Role
from review_app.queue import redis_url_for
from review_app.settings import Settings
from review_app.web.access import roles_required

PREFIX = "/admin/rq"
# rq-dashboard also requeues every failed job on a GET; a link on another site must not do that.
CHANGES_ON_GET = {"rq_dashboard.requeue_all"}
# rq-dashboard's pages carry inline scripts and styles and compile underscore templates (eval); only its
# own admin-only pages get this policy.
RQ_DASHBOARD_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def init_rq_dashboard(app: Flask, settings: Settings, csrf: CSRFProtect) -> None:
    """Mount rq-dashboard on the app's Redis, behind admin login and a same-origin check."""
    app.config.from_object(rq_dashboard.default_settings)
    app.config["RQ_DASHBOARD_REDIS_URL"] = redis_url_for(settings)
    rq_dashboard.web.setup_rq_connection(app)
    # Its pages post with jQuery and no CSRF token; an Origin (or Referer) check stands in for the token.
    csrf.exempt(rq_dashboard.blueprint)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=PREFIX)
    # Each of its views is wrapped, so they declare their role like ours (the route-access tests check
    # every route); hooks on the shared blueprint object are not possible once any app registered it.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("rq_dashboard."):
            app.view_functions[endpoint] = roles_required(Role.ADMIN)(_from_this_site_when_changing(view))
    app.before_request(_guard)
    app.after_request(_dashboard_policy)


def _guard() -> Any:
    """Runs before rq-dashboard's own hook, which fails with a 500 on an instance number it does not know:
    strangers are sent to log in, other roles refused, and an unknown instance is a 404."""
    if request.blueprint != "rq_dashboard":
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.role != Role.ADMIN:
        abort(403)
    if (request.view_args or {}).get("instance_number", 0) > 0:
        abort(404)
    return None


def _from_this_site_when_changing(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        changes = request.method not in {"GET", "HEAD", "OPTIONS"} or request.endpoint in CHANGES_ON_GET
        if changes and not _same_origin():
            abort(403, "This request did not come from this site.")
        return view(*args, **kwargs)

    return wrapped


def _same_origin() -> bool:
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(source)
    return bool(parts.netloc) and parts.netloc == request.host and parts.scheme == request.scheme


def _dashboard_policy(response: Response) -> Response:
    if request.blueprint == "rq_dashboard":
        response.headers["Content-Security-Policy"] = RQ_DASHBOARD_POLICY
    return response
