"""The review screen: the page with its boxes beside the fields; approve, correct, reject, skip, escalate."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, session, url_for
from sqlalchemy import select

from review_app.exceptions import Conflict, DocloopError, ValidationFailed
from review_app.models import Document, Page, ReviewEvent, ReviewTask, Role, User
from review_app.services import review as review_service
from review_app.services.documents import get_document
from review_app.services.gold import gold_standing
from review_app.services.page_images import page_image_path
from review_app.services.routing import REASON_LABELS
from review_app.services.tasks import claim_next, claim_task, held_task, release, renew
from review_app.web.access import EVERYONE, REVIEWERS, me, roles_required
from review_app.web.context import db, runtime
from review_app.web.queue import SKIPPED_KEY

bp = Blueprint("review", __name__)


def _page_payload(pages: list[Page]) -> list[dict[str, Any]]:
    return [
        {
            "number": p.number,
            "width": p.width,
            "height": p.height,
            "source": p.source,
            "flags": p.flags,
            "words": [[w[0], w[1], w[2], w[3], w[4]] for w in p.words],
        }
        for p in pages
    ]


def document_history(document_id: int) -> tuple[list[ReviewEvent], dict[int, User]]:
    """A document's audit events in order, and the users who appear in them."""
    events = list(
        db().scalars(
            select(ReviewEvent).where(ReviewEvent.document_id == document_id).order_by(ReviewEvent.id)
        )
    )
    ids = {e.user_id for e in events if e.user_id}
    users = {u.id: u for u in db().scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return events, users


def _rules_payload(schema) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The schema's cross-field rules, for checking values in the browser as they are typed."""
    return [{"name": r.name, "kind": r.kind, "message": r.message, **r.params} for r in schema.rules]


def _render(
    task: ReviewTask,
    *,
    status: int = 200,
    submitted: dict[str, str] | None = None,
    error: DocloopError | None = None,
):  # type: ignore[no-untyped-def]
    document = task.document
    schema = runtime().schema(document.doc_type)
    events, users = document_history(document.id)
    return render_template(
        "review.html",
        task=task,
        document=document,
        schema=schema,
        fields=document.fields,
        pages=_page_payload(document.pages),
        submitted=submitted or {},
        error=error,
        reason_labels=REASON_LABELS,
        reject_reasons=review_service.REJECT_REASONS,
        lease_seconds=runtime().settings.lease_minutes * 60,
        events=events,
        users=users,
        rules=_rules_payload(schema),
        date_order=schema.date_order,
    ), status


@bp.get("/review/<id:task_id>")
@roles_required(*REVIEWERS)
def show(task_id: int):  # type: ignore[no-untyped-def]
    """Open a task (claiming it when it is free)."""
    task = claim_task(db(), task_id, me(), runtime().settings)
    db().commit()
    return _render(task)


def _submitted_values(task: ReviewTask) -> dict[str, str]:
    return {
        f.name: request.form.get(f"field-{f.name}", "")
        for f in task.document.fields
        if f"field-{f.name}" in request.form
    }


@bp.post("/review/<id:task_id>/submit")
@roles_required(*REVIEWERS)
def submit(task_id: int):  # type: ignore[no-untyped-def]
    """Approve or correct the fields; a stale or invalid submit is refused and the input stays on screen."""
    task = db().get(ReviewTask, task_id)
    if task is None:
        raise Conflict("This task does not exist any more.", code="task_missing")
    submitted = _submitted_values(task)
    version = request.form.get("version", "")
    try:
        result = review_service.submit(
            db(),
            task_id,
            me(),
            runtime().settings,
            runtime().schema(task.document.doc_type),
            submitted,
            expected_version=int(version) if version.isdigit() else -1,
            accept_warnings=request.form.get("accept_warnings") == "1",
        )
    except (Conflict, ValidationFailed) as e:
        db().rollback()
        return _render(db().get(ReviewTask, task_id), status=e.status, submitted=submitted, error=e)
    db().commit()
    if result.second_review:
        flash("Approved. This document needs a second approval by a different reviewer.", "info")
    else:
        flash(
            f"Document {task.document_id} is final"
            + (f" ({len(result.corrected)} field(s) corrected)." if result.corrected else "."),
            "success",
        )
    return _continue()


def _continue():  # type: ignore[no-untyped-def]
    """After finishing a task, go straight to the next one, as a reviewer working a queue expects."""
    if request.form.get("then") == "queue":
        return redirect(url_for("queue.index"))
    task = claim_next(db(), me(), runtime().settings, exclude_ids=session.get(SKIPPED_KEY, []))
    db().commit()
    if task is None:
        flash("The queue is empty. Nothing else waits for you.", "info")
        return redirect(url_for("queue.index"))
    return redirect(url_for("review.show", task_id=task.id))


@bp.post("/review/<id:task_id>/reject")
@roles_required(*REVIEWERS)
def reject(task_id: int):  # type: ignore[no-untyped-def]
    """Reject the document with a reason code."""
    task = db().get(ReviewTask, task_id)
    version = request.form.get("version", "")
    try:
        review_service.reject(
            db(),
            task_id,
            me(),
            runtime().settings,
            reason=request.form.get("reason", ""),
            note=request.form.get("note", ""),
            expected_version=int(version) if version.isdigit() else None,
        )
    except (Conflict, ValidationFailed) as e:
        db().rollback()
        if task is None:
            raise
        return _render(
            db().get(ReviewTask, task_id), status=e.status, submitted=_submitted_values(task), error=e
        )
    db().commit()
    flash(f"Document {task.document_id if task else ''} rejected.", "success")
    return _continue()


@bp.post("/review/<id:task_id>/skip")
@roles_required(*REVIEWERS)
def skip(task_id: int):  # type: ignore[no-untyped-def]
    """Put the task back and move on; it is not offered to you again this session."""
    review_service.skip(db(), task_id, me())
    db().commit()
    session[SKIPPED_KEY] = [*session.get(SKIPPED_KEY, [])[-200:], task_id]
    return _continue()


@bp.post("/review/<id:task_id>/escalate")
@roles_required(*REVIEWERS)
def escalate(task_id: int):  # type: ignore[no-untyped-def]
    """Hand the task to an admin."""
    review_service.escalate(db(), task_id, me(), request.form.get("note", ""))
    db().commit()
    flash("Escalated to an admin.", "info")
    return _continue()


@bp.post("/review/<id:task_id>/heartbeat")
@roles_required(*REVIEWERS)
def heartbeat(task_id: int):  # type: ignore[no-untyped-def]
    """Renew the lease while the page stays open."""
    task = held_task(db(), task_id, me())
    renew(db(), task, me(), runtime().settings)
    db().commit()
    return jsonify({"lease_expires_at": task.lease_expires_at.isoformat()})


@bp.post("/review/<id:task_id>/release")
@roles_required(*REVIEWERS)
def release_task(task_id: int):  # type: ignore[no-untyped-def]
    """Release the task when the reviewer leaves the page (sent as a beacon)."""
    task = db().get(ReviewTask, task_id)
    if task is not None:
        release(db(), task, me())
        db().commit()
    return ("", 204)


@bp.get("/documents/<id:document_id>/pages/<id:number>.jpg")
@roles_required(*EVERYONE)
def page_image(document_id: int, number: int):  # type: ignore[no-untyped-def]
    """One page as an image (rendered once, then served from the cache)."""
    document = get_document(db(), document_id)
    path = page_image_path(runtime(), document, number)
    return send_file(path, mimetype="image/jpeg", max_age=3600)


@bp.get("/documents/<id:document_id>")
@roles_required(*EVERYONE)
def document_detail(document_id: int):  # type: ignore[no-untyped-def]
    """A document's fields and its full history: who did what, when, before and after."""
    document: Document = get_document(db(), document_id)
    events, users = document_history(document_id)
    tasks = (
        db()
        .scalars(select(ReviewTask).where(ReviewTask.document_id == document_id).order_by(ReviewTask.id))
        .all()
    )
    return render_template(
        "document.html",
        document=document,
        events=events,
        users=users,
        tasks=tasks,
        reason_labels=REASON_LABELS,
        # Only admins learn which documents are gold or gold copies; reviewers would spot the copies.
        gold=gold_standing(db(), document) if me().role == Role.ADMIN else None,
    )
