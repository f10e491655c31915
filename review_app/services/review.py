"""What a reviewer does to a document: approve or correct its fields, reject it, skip or escalate it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from extractors.normalize import normalize
from extractors.schema import Schema
from extractors.validate import validate
from review_app.db import utcnow
from review_app.exceptions import Conflict, ValidationFailed
from review_app.models import Document, DocumentStatus, FieldStatus, ReviewTask, TaskStatus, User
from review_app.services import audit
from review_app.services.gold import is_gold_copy, score_copy
from review_app.services.memory import remember
from review_app.services.tasks import held_task, open_review_task, release
from review_app.services.webhooks import emit
from review_app.settings import Settings

REJECT_REASONS = {
    "illegible": "Illegible",
    "wrong_document_type": "Wrong document type",
    "duplicate": "Duplicate",
    "other": "Other",
}


@dataclass(frozen=True)
class SubmitResult:
    """What a submit led to: the document's new status and whether a second approval is now needed."""

    status: DocumentStatus
    second_review: bool
    corrected: tuple[str, ...]


def normalize_submitted(
    schema: Schema, submitted: Mapping[str, str | None], date_order: str
) -> dict[str, str | None]:
    """Normalise a reviewer's values by field type; collects every format error before refusing."""
    errors: dict[str, str] = {}
    values: dict[str, str | None] = {}
    for spec in schema.fields:
        if spec.name not in submitted:
            continue
        raw = (submitted[spec.name] or "").strip()
        if not raw:
            if spec.required:
                errors[spec.name] = "This field is required."
            values[spec.name] = None
            continue
        if spec.type in {"table", "pairs"}:
            values[spec.name] = raw
            continue
        value = normalize(spec.type, raw, date_order="DMY" if date_order == "auto" else date_order)
        if value is None:
            errors[spec.name] = _format_hint(spec.type)
        values[spec.name] = value
    if errors:
        raise ValidationFailed(
            "Some values do not have the right format.",
            code="invalid_field_values",
            details={"fields": errors},
        )
    return values


def _format_hint(field_type: str) -> str:
    return {
        "date": "Not a date (use e.g. 2024-03-31 or 31/03/2024).",
        "amount": "Not an amount (use e.g. 1234.50).",
        "currency": "Not a currency code (use e.g. USD, EUR, MYR).",
    }.get(field_type, "Not a valid value.")


def submit(
    session: Session,
    task_id: int,
    user: User,
    settings: Settings,
    schema: Schema,
    submitted: Mapping[str, str | None],
    *,
    expected_version: int,
    accept_warnings: bool = False,
) -> SubmitResult:
    """Approve or correct the fields of a held task; stale or invalid input is refused (409 or 400)."""
    task = held_task(session, task_id, user)
    document = session.get(Document, task.document_id, with_for_update=True)
    if document is None or document.version != expected_version:
        raise Conflict(
            "This document was changed by someone else since you opened it. Your input is kept on "
            "the page; reload to see the current values before submitting again.",
            code="stale_document",
            details={"current_version": document.version if document else None},
        )
    values = normalize_submitted(schema, submitted, schema.date_order)
    final = {f.name: values.get(f.name, f.final_value or f.normalized) for f in document.fields}
    issues = validate(schema, final)
    if issues and not accept_warnings:
        raise ValidationFailed(
            "The values break the document type's rules. Fix them or confirm to submit anyway.",
            code="rule_violations",
            details={
                "rules": [{"rule": i.rule, "fields": list(i.fields), "message": i.message} for i in issues]
            },
        )
    now = utcnow()
    corrected = []
    for field in document.fields:
        new_value = final.get(field.name)
        before = field.final_value if task.stage > 1 else field.normalized
        is_correction = new_value != before
        if is_correction:
            corrected.append(field.name)
        audit.record(
            session,
            document.id,
            "correct" if is_correction else "approve",
            user_id=user.id,
            task_id=task.id,
            field=field.name,
            before=before,
            after=new_value,
        )
        field.final_value = new_value
        field.corrected = new_value != field.normalized
        field.status = FieldStatus.CORRECTED if field.corrected else FieldStatus.APPROVED
        field.reviewed_by_id = user.id
        field.reviewed_at = now
    _finish_task(task, user, TaskStatus.DONE, now)
    gold_copy = is_gold_copy(session, document.id)
    if gold_copy:
        score_copy(session, document, user, final)
    # A gold copy ends with its one review: its answers are known, and a second reviewer would see a score.
    needs_second = document.high_consequence and task.stage == 1 and not gold_copy
    if needs_second:
        open_review_task(
            session,
            document,
            [
                {
                    "code": "high_consequence",
                    "field": None,
                    "detail": "second approval by a different reviewer",
                }
            ],
            stage=2,
            settings=settings,
            excluded_user_id=user.id,
        )
    else:
        document.status = DocumentStatus.COMPLETED
        document.finalized_at = now
    document.touch()
    if document.status == DocumentStatus.COMPLETED:
        emit(session, document, "document.completed", settings)
        if not gold_copy:
            # A person confirmed these values: the next document of the same vendor can use them at once.
            remember(session, document.id, schema, final)
    audit.record(
        session,
        document.id,
        "submitted",
        user_id=user.id,
        task_id=task.id,
        after={"status": str(document.status), "corrected": corrected},
        handling_seconds=task.handling_seconds,
        stage=task.stage,
    )
    return SubmitResult(status=document.status, second_review=needs_second, corrected=tuple(corrected))


def reject(
    session: Session,
    task_id: int,
    user: User,
    settings: Settings,
    *,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
) -> None:
    """End a document as rejected with a reason code (and free text for 'other')."""
    if reason not in REJECT_REASONS:
        raise ValidationFailed(
            f"Unknown reject reason '{reason}'.",
            code="invalid_reject_reason",
            details={"allowed": sorted(REJECT_REASONS)},
        )
    if reason == "other" and not note.strip():
        raise ValidationFailed("Say why the document is rejected.", code="reject_note_required")
    task = held_task(session, task_id, user)
    document = session.get(Document, task.document_id, with_for_update=True)
    if expected_version is not None and document is not None and document.version != expected_version:
        raise Conflict(
            "This document was changed by someone else since you opened it.", code="stale_document"
        )
    now = utcnow()
    _finish_task(task, user, TaskStatus.REJECTED, now)
    score_copy(session, document, user, {}, rejected=True)
    document.status = DocumentStatus.REJECTED
    document.finalized_at = now
    document.error_code = f"rejected_{reason}"
    document.error_message = note.strip()[:2000] or REJECT_REASONS[reason]
    document.touch()
    emit(session, document, "document.rejected", settings)
    audit.record(
        session,
        document.id,
        "rejected",
        user_id=user.id,
        task_id=task.id,
        after={"reason": reason, "note": note.strip()[:2000]},
        handling_seconds=task.handling_seconds,
    )


def skip(session: Session, task_id: int, user: User) -> None:
    """Put a held task back for someone else."""
    release(session, held_task(session, task_id, user), user, action="skipped")


def escalate(session: Session, task_id: int, user: User, note: str = "") -> None:
    """Hand a task to the admins (only they can claim escalated tasks)."""
    task = held_task(session, task_id, user)
    task.status = TaskStatus.ESCALATED
    task.assignee_id = None
    task.lease_expires_at = None
    audit.record(
        session,
        task.document_id,
        "escalated",
        user_id=user.id,
        task_id=task.id,
        after={"note": note.strip()[:2000]},
    )


def _finish_task(task: ReviewTask, user: User, status: TaskStatus, now) -> None:  # type: ignore[no-untyped-def]
    task.status = status
    task.completed_at = now
    task.completed_by_id = user.id
    task.handling_seconds = (now - task.claimed_at).total_seconds() if task.claimed_at else None
    task.assignee_id = None
    task.lease_expires_at = None
