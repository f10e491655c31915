"""The admins' model page: registered versions per document type, promote one, roll back."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from review_app.models import Role
from review_app.services import model_registry
from review_app.web.access import me, roles_required
from review_app.web.context import db, runtime
from review_app.web.gold import attempt

bp = Blueprint("models", __name__, url_prefix="/admin/models")


@bp.get("/")
@roles_required(Role.ADMIN)
def index():  # type: ignore[no-untyped-def]
    """Every type with what serves it, its versions and its promotion history."""
    session = db()
    types = []
    for doc_type in sorted(runtime().schemas):
        types.append(
            {
                "doc_type": doc_type,
                "serving": model_registry.serving_version_id(session, doc_type),
                "versions": model_registry.versions(session, doc_type),
                "history": model_registry.history(session, doc_type)[:10],
            }
        )
    return render_template("admin_models.html", types=types)


@bp.post("/<id:version_id>/promote")
@roles_required(Role.ADMIN)
def promote(version_id: int):  # type: ignore[no-untyped-def]
    """Put a version in production for its type."""

    def change() -> str:
        promotion = model_registry.promote(db(), version_id, f"web:{me().email}")
        return (
            f"{promotion.doc_type}: version {version_id} now serves; workers switch at their next document."
        )

    attempt(change)
    return redirect(url_for("models.index"))


@bp.post("/rollback/<doc_type>")
@roles_required(Role.ADMIN)
def rollback(doc_type: str):  # type: ignore[no-untyped-def]
    """Serve again what served before the last promotion."""
    if doc_type not in runtime().schemas:
        flash("Unknown document type.", "error")
        return redirect(url_for("models.index"))

    def change() -> str:
        promotion = model_registry.rollback(db(), doc_type, f"web:{me().email}")
        serving = promotion.model_version_id
        return f"{doc_type}: now served by {f'version {serving}' if serving else 'the shipped model'}."

    attempt(change)
    return redirect(url_for("models.index"))
