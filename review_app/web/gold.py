"""Admin pages for gold documents and the reviewer accuracy they measure (admins only)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from review_app.exceptions import DocloopError
from review_app.models import GoldCopy, GoldDocument, Role, User
from review_app.services.gold import insert_copy, mark_gold, reviewer_accuracy
from review_app.web.access import me, roles_required
from review_app.web.context import db, runtime

bp = Blueprint("gold", __name__, url_prefix="/admin")


def attempt(action: Callable[[], str]) -> None:
    """Run a change and commit it, flashing its message; a refused change is rolled back and explained."""
    try:
        message = action()
        db().commit()
        flash(message, "success")
    except DocloopError as e:
        db().rollback()
        flash(e.message, "error")


@bp.get("/gold")
@roles_required(Role.ADMIN)
def index():  # type: ignore[no-untyped-def]
    """Gold documents, how many copies went out, and how many came back scored."""
    golds = db().scalars(select(GoldDocument).order_by(GoldDocument.id.desc())).all()
    scored = dict(
        db()
        .execute(
            select(GoldCopy.gold_id, func.count())
            .where(GoldCopy.scored_at.is_not(None))
            .group_by(GoldCopy.gold_id)
        )
        .all()
    )
    return render_template("admin_gold.html", golds=golds, scored=scored, rate=runtime().settings.gold_rate)


@bp.post("/gold")
@roles_required(Role.ADMIN)
def mark():  # type: ignore[no-untyped-def]
    """Mark a reviewed document as gold (its final values become the known answers)."""
    raw = request.form.get("document_id", "")
    if not raw.isdigit():
        flash("Give the number of a reviewed document.", "error")
        return redirect(url_for("gold.index"))
    attempt(lambda: f"Document #{mark_gold(db(), int(raw), me()).document_id} is gold.")
    return redirect(url_for("gold.index"))


@bp.post("/gold/<id:gold_id>/active")
@roles_required(Role.ADMIN)
def set_active(gold_id: int):  # type: ignore[no-untyped-def]
    """Stop or resume inserting copies of a gold document (scores already given stay)."""
    gold = db().get(GoldDocument, gold_id)
    if gold is None or (request.form.get("active") == "1" and not gold.answers):
        flash("That gold document no longer exists or was erased.", "error")
        return redirect(url_for("gold.index"))
    gold.active = request.form.get("active") == "1"
    db().commit()
    flash(f"Gold #{gold.id} is {'active' if gold.active else 'paused'}.", "success")
    return redirect(url_for("gold.index"))


@bp.post("/gold/<id:gold_id>/copy")
@roles_required(Role.ADMIN)
def copy_now(gold_id: int):  # type: ignore[no-untyped-def]
    """Put one copy of a gold document in the queue now, instead of waiting for the rate to draw it."""
    gold = db().get(GoldDocument, gold_id)
    if gold is None:
        flash("No such gold document.", "error")
        return redirect(url_for("gold.index"))

    def queue_copy() -> str:
        copy = insert_copy(db(), gold, runtime().settings)
        return f"A copy of gold #{gold.id} waits in the queue as document #{copy.id}."

    attempt(queue_copy)
    return redirect(url_for("gold.index"))


@bp.get("/reviewers")
@roles_required(Role.ADMIN)
def reviewers():  # type: ignore[no-untyped-def]
    """Each reviewer's accuracy on gold copies, per field, with its 95% interval."""
    table = reviewer_accuracy(db())
    people = {u.id: u for u in db().scalars(select(User).where(User.id.in_(table))).all()} if table else {}
    fields = sorted({name for per_field in table.values() for name in per_field if name != "*"})
    return render_template("admin_reviewers.html", table=table, people=people, fields=fields)
