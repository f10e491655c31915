"""Programmatic review: the same tasks, leases and stale-submit rules as the workspace, for custom UIs.

Every call names the `reviewer` (the email of an active reviewer or admin) on whose behalf the key acts,
so claims, four-eyes and the audit trail stay per person.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import func, select

from review_app.api import bp
from review_app.api.auth import api_key_required, current_key
from review_app.api.forms import optional_int
from review_app.exceptions import Conflict, Forbidden, NotFound, ValidationFailed
from review_app.models import ReviewTask, Role, User
from review_app.services import review as review_service
from review_app.services.documents import document_view
from review_app.services.queue_view import QueueFilter, list_tasks
from review_app.services.tasks import claim_next, claim_task, held_task, release, renew
from review_app.web.context import db, runtime


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("Send a JSON object.", code="invalid_json")
    return body


def _reviewer(body: dict[str, Any]) -> User:
    email = body.get("reviewer")
    if not isinstance(email, str) or not email:
        raise ValidationFailed("Name the reviewer (their email) in 'reviewer'.", code="missing_reviewer")
    user = db().scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active or user.role not in (Role.REVIEWER, Role.ADMIN):
        raise Forbidden(f"{email} is not an active reviewer.", code="reviewer_not_allowed")
    return user


def task_view(task: ReviewTask) -> dict[str, Any]:
    """A review task as the API returns it (with its document)."""
    assignee = db().get(User, task.assignee_id) if task.assignee_id else None
    return {
        "id": task.id,
        "document_id": task.document_id,
        "stage": task.stage,
        "status": str(task.status),
        "reasons": task.reasons,
        "priority": task.priority,
        "due_at": task.due_at.isoformat(),
        "lease_expires_at": task.lease_expires_at.isoformat() if task.lease_expires_at else None,
        "assignee": assignee.email if assignee else None,
        "document": document_view(db(), task.document),
    }


def _task_of_key(task_id: int) -> ReviewTask:
    task = db().get(ReviewTask, task_id)
    if task is None or task.document.api_key_id != current_key().id:
        raise NotFound(f"Review task {task_id} does not exist.", code="task_not_found")
    return task


@bp.get("/review-tasks")
@api_key_required("reviews:write")
def list_review_tasks():  # type: ignore[no-untyped-def]
    """Live tasks in working order (this key's documents), filtered by `doc_type`, `reason`, `status`."""
    args = request.args
    f = QueueFilter(
        doc_type=args.get("doc_type") or None,
        reason=args.get("reason") or None,
        status=args.get("status") or None,
    )
    page = optional_int("page", args.get("page"), 1, 100_000, default=1)
    tasks = [t for t in list_tasks(db(), f, page) if t.document.api_key_id == current_key().id]
    return jsonify({"data": [task_view(t) for t in tasks]})


@bp.post("/review-tasks/claim")
@api_key_required("reviews:write")
def claim_next_task():  # type: ignore[no-untyped-def]
    """Claim the top task for the reviewer under a lease; 409 `queue_empty` when nothing waits."""
    body = _body()
    user = _reviewer(body)
    task = claim_next(
        db(), user, runtime().settings, doc_type=body.get("doc_type"), api_key_id=current_key().id
    )
    if task is None:
        db().rollback()
        raise Conflict("No task waits for this reviewer.", code="queue_empty")
    db().commit()
    return jsonify(task_view(task))


@bp.post("/review-tasks/<id:task_id>/claim")
@api_key_required("reviews:write")
def claim_one_task(task_id: int):  # type: ignore[no-untyped-def]
    """Claim one task (renews the lease when the reviewer holds it already)."""
    user = _reviewer(_body())
    _task_of_key(task_id)
    task = claim_task(db(), task_id, user, runtime().settings)
    db().commit()
    return jsonify(task_view(task))


@bp.post("/review-tasks/<id:task_id>/heartbeat")
@api_key_required("reviews:write")
def heartbeat_task(task_id: int):  # type: ignore[no-untyped-def]
    """Renew the reviewer's lease; 409 `lease_lost` when it ended."""
    user = _reviewer(_body())
    _task_of_key(task_id)
    task = held_task(db(), task_id, user)
    renew(db(), task, user, runtime().settings)
    db().commit()
    return jsonify(task_view(task))


@bp.post("/review-tasks/<id:task_id>/release")
@api_key_required("reviews:write")
def release_task(task_id: int):  # type: ignore[no-untyped-def]
    """Give the task back to the queue."""
    user = _reviewer(_body())
    task = _task_of_key(task_id)
    release(db(), task, user)
    db().commit()
    return jsonify(task_view(task))


@bp.post("/review-tasks/<id:task_id>/submit")
@api_key_required("reviews:write")
def submit_task(task_id: int):  # type: ignore[no-untyped-def]
    """Approve or correct fields: `fields` (name to value; omitted fields keep the proposed value),
    `version` (the document version the reviewer saw). Stale versions and lost leases are a 409."""
    body = _body()
    user = _reviewer(body)
    task = _task_of_key(task_id)
    fields = body.get("fields", {})
    version = body.get("version")
    if not isinstance(fields, dict) or not all(isinstance(v, str | type(None)) for v in fields.values()):
        raise ValidationFailed("'fields' must map field names to string values.", code="invalid_fields")
    if not isinstance(version, int):
        raise ValidationFailed(
            "'version' (the document version you reviewed) is required.", code="missing_version"
        )
    result = review_service.submit(
        db(),
        task_id,
        user,
        runtime().settings,
        runtime().schema(task.document.doc_type),
        fields,
        expected_version=version,
        accept_warnings=bool(body.get("accept_warnings")),
    )
    db().commit()
    return jsonify(
        {
            "status": str(result.status),
            "second_review": result.second_review,
            "corrected": list(result.corrected),
            "document": document_view(db(), task.document),
        }
    )


@bp.post("/review-tasks/<id:task_id>/reject")
@api_key_required("reviews:write")
def reject_task(task_id: int):  # type: ignore[no-untyped-def]
    """Reject the document: `reason` (illegible, wrong_document_type, duplicate, other) and `note`."""
    body = _body()
    user = _reviewer(body)
    task = _task_of_key(task_id)
    version = body.get("version")
    review_service.reject(
        db(),
        task_id,
        user,
        runtime().settings,
        reason=str(body.get("reason", "")),
        note=str(body.get("note", "")),
        expected_version=version if isinstance(version, int) else None,
    )
    db().commit()
    return jsonify({"status": "rejected", "document": document_view(db(), task.document)})
