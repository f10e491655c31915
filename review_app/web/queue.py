"""The queue page and "next task"."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from review_app.db import utcnow
from review_app.services.queue_view import LIVE, QueueFilter, list_tasks, queue_totals, reason_counts
from review_app.services.routing import REASON_LABELS
from review_app.services.tasks import claim_next
from review_app.web.access import EVERYONE, REVIEWERS, me, roles_required
from review_app.web.context import db, runtime

bp = Blueprint("queue", __name__)
SKIPPED_KEY = "skipped_tasks"


def _filter_from_args() -> QueueFilter:
    older = request.args.get("older_than_hours", "")
    return QueueFilter(
        doc_type=request.args.get("doc_type") or None,
        reason=request.args.get("reason") or None,
        status=request.args.get("status") or None,
        older_than_hours=float(older) if older.replace(".", "", 1).isdigit() else None,
    )


@bp.get("/")
@roles_required(*EVERYONE)
def index():  # type: ignore[no-untyped-def]
    """The review queue with filters, counts per reason, and past-due tasks marked."""
    f = _filter_from_args()
    page = request.args.get("page", "1")
    tasks = list_tasks(db(), f, int(page) if page.isdigit() else 1)
    return render_template(
        "queue.html",
        tasks=tasks,
        filter=f,
        counts=reason_counts(db(), f),
        totals=queue_totals(db()),
        reason_labels=REASON_LABELS,
        now=utcnow(),
        doc_types=sorted(runtime().schemas),
        statuses=[str(s) for s in LIVE],
    )


@bp.post("/queue/next")
@roles_required(*REVIEWERS)
def next_task():  # type: ignore[no-untyped-def]
    """Claim the top task under a lease and open it."""
    skipped = session.get(SKIPPED_KEY, [])
    task = claim_next(
        db(), me(), runtime().settings, doc_type=request.form.get("doc_type") or None, exclude_ids=skipped
    )
    if task is None and skipped:
        # Only skipped tasks are left: offer them again rather than report an empty queue.
        session[SKIPPED_KEY] = []
        task = claim_next(db(), me(), runtime().settings, doc_type=request.form.get("doc_type") or None)
    db().commit()
    if task is None:
        flash("The queue is empty. Nothing waits for review.", "info")
        return redirect(url_for("queue.index"))
    return redirect(url_for("review.show", task_id=task.id))
