"""The quality dashboard for analysts and admins: the page, and its figures as JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from review_app.exceptions import ValidationFailed
from review_app.models import Role
from review_app.services.dashboard import Period, figures
from review_app.web.access import roles_required
from review_app.web.context import db, runtime

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
PERIODS = (7, 30, 90, 365)


def _period() -> Period:
    raw = request.args.get("days", "30")
    if not raw.isdigit() or int(raw) not in PERIODS:
        raise ValidationFailed(f"days must be one of {', '.join(map(str, PERIODS))}.", code="invalid_period")
    return Period.last_days(int(raw), request.args.get("doc_type") or None)


@bp.get("")
@roles_required(Role.ANALYST, Role.ADMIN)
def page():  # type: ignore[no-untyped-def]
    """The dashboard page; its charts load the figures from `data`."""
    period = _period()
    data = figures(db(), runtime().settings, period)
    return render_template(
        "dashboard.html", data=data, periods=PERIODS, days=request.args.get("days", "30"), period=period
    )


@bp.get("/data")
@roles_required(Role.ANALYST, Role.ADMIN)
def data():  # type: ignore[no-untyped-def]
    """The dashboard's figures as JSON (`days` 7, 30, 90 or 365; optional `doc_type`)."""
    return jsonify(figures(db(), runtime().settings, _period()))
