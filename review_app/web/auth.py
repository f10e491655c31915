"""Log in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from review_app.services.accounts import authenticate
from review_app.web.access import EVERYONE, roles_required
from review_app.web.context import db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("queue.index")


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """The login page; the only page (with health checks) that needs no login."""
    if current_user.is_authenticated:
        return redirect(url_for("queue.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db(), form.email.data or "", form.password.data or "")
        if user is not None:
            db().commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("Unknown email or wrong password, or the account is disabled.", "error")
    return render_template("login.html", form=form), 200 if request.method == "GET" else 401


@bp.post("/logout")
@roles_required(*EVERYONE)
def logout():  # type: ignore[no-untyped-def]
    """End the session (POST with CSRF, so a link elsewhere cannot log people out)."""
    logout_user()
    return redirect(url_for("auth.login"))
