"""Admin pages: users (add, disable, re-role) and API keys (create, shown once; revoke)."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from review_app.exceptions import DocloopError
from review_app.models import ApiKey, Role, User
from review_app.services.accounts import (
    ALL_SCOPES,
    create_api_key,
    create_user,
    revoke_api_key,
    set_active,
    set_role,
)
from review_app.web.access import me, roles_required
from review_app.web.context import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():  # type: ignore[no-untyped-def]
    """Everyone who can log in, with their role and state."""
    people = db().scalars(select(User).order_by(User.email)).all()
    return render_template("admin_users.html", users=people, roles=[r.value for r in Role])


@bp.post("/users")
@roles_required(Role.ADMIN)
def add_user():  # type: ignore[no-untyped-def]
    """Add a user; a generated password is shown once."""
    password = request.form.get("password") or secrets.token_urlsafe(12)
    try:
        user = create_user(
            db(),
            request.form.get("email", ""),
            password,
            request.form.get("role", "reviewer"),
            request.form.get("name", ""),
        )
        db().commit()
    except DocloopError as e:
        db().rollback()
        flash(e.message, "error")
        return redirect(url_for("admin.users"))
    shown = "" if request.form.get("password") else f" Password (shown once): {password}"
    flash(f"Added {user.role} {user.email}.{shown}", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/role")
@roles_required(Role.ADMIN)
def change_role(user_id: int):  # type: ignore[no-untyped-def]
    """Give a user another role."""
    try:
        user = set_role(db(), user_id, request.form.get("role", ""), me())
        db().commit()
        flash(f"{user.email} is now {user.role}.", "success")
    except (DocloopError, ValueError) as e:
        db().rollback()
        flash(getattr(e, "message", "Unknown role."), "error")
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/active")
@roles_required(Role.ADMIN)
def change_active(user_id: int):  # type: ignore[no-untyped-def]
    """Disable or re-enable a user."""
    try:
        user = set_active(db(), user_id, request.form.get("active") == "1", me())
        db().commit()
        flash(f"{user.email} is {'enabled' if user.active else 'disabled'}.", "success")
    except DocloopError as e:
        db().rollback()
        flash(e.message, "error")
    return redirect(url_for("admin.users"))


@bp.get("/api-keys")
@roles_required(Role.ADMIN)
def api_keys():  # type: ignore[no-untyped-def]
    """API keys (never their secrets)."""
    keys = db().scalars(select(ApiKey).order_by(ApiKey.id.desc())).all()
    return render_template("admin_api_keys.html", keys=keys, scopes=ALL_SCOPES)


@bp.post("/api-keys")
@roles_required(Role.ADMIN)
def add_api_key():  # type: ignore[no-untyped-def]
    """Create a key; its secret is shown on the next page once and never again."""
    try:
        new = create_api_key(
            db(),
            request.form.get("name", ""),
            request.form.getlist("scopes") or list(ALL_SCOPES),
            created_by_id=me().id,
        )
        db().commit()
    except DocloopError as e:
        db().rollback()
        flash(e.message, "error")
        return redirect(url_for("admin.api_keys"))
    keys = db().scalars(select(ApiKey).order_by(ApiKey.id.desc())).all()
    return render_template(
        "admin_api_keys.html", keys=keys, scopes=ALL_SCOPES, new_secret=new.secret, new_key=new.key
    )


@bp.post("/api-keys/<id:key_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_key(key_id: int):  # type: ignore[no-untyped-def]
    """Revoke a key for good."""
    try:
        key = revoke_api_key(db(), key_id)
        db().commit()
        flash(f"Revoked API key #{key.id} ({key.name}).", "success")
    except DocloopError as e:
        db().rollback()
        flash(e.message, "error")
    return redirect(url_for("admin.api_keys"))
