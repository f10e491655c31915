"""Gold documents: an admin vouches for a reviewed document; copies of it wait in the queue unmarked, and
what a reviewer settles on is scored field by field against the known answers."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, inspect, select, update
from sqlalchemy.orm import Session

from extractors.compare import values_match
from review_app.db import utcnow
from review_app.exceptions import Conflict, NotFound
from review_app.models import (
    Document,
    DocumentStatus,
    FieldStatus,
    GoldCopy,
    GoldDocument,
    GoldScore,
    User,
)
from review_app.services import audit
from review_app.services.routing import AUDIT_SAMPLE
from review_app.services.stats import wilson_interval
from review_app.services.tasks import open_review_task
from review_app.settings import Settings

PERSON_STATUSES = (FieldStatus.APPROVED, FieldStatus.CORRECTED)


def not_a_gold_copy(document_id: ColumnElement[int] | None = None) -> ColumnElement[bool]:
    """A WHERE clause keeping gold copies out of figures, exports, listings and duplicate checks, on a
    document id column (Document.id unless another table's is given)."""
    column = Document.id if document_id is None else document_id
    return column.not_in(select(GoldCopy.document_id))


def is_gold_copy(session: Session, document_id: int) -> bool:
    """True when the document is a gold copy (admins may know; reviewers are not told)."""
    return session.get(GoldCopy, document_id) is not None


def mark_gold(session: Session, document_id: int, admin: User) -> GoldDocument:
    """Freeze a completed, person-reviewed document's final values as the known answers."""
    document = session.get(Document, document_id)
    if document is None or document.deleted_at is not None:
        raise NotFound("No such document.", code="document_not_found")
    if is_gold_copy(session, document_id):
        raise Conflict("A gold copy cannot itself be gold.", code="gold_copy")
    if document.status != DocumentStatus.COMPLETED or not document.fields:
        raise Conflict("Only completed documents with fields can be gold.", code="not_completed")
    unreviewed = [f.name for f in document.fields if f.status not in PERSON_STATUSES]
    if unreviewed:
        raise Conflict(
            "Only documents a person reviewed can be gold; not reviewed: " + ", ".join(unreviewed) + ".",
            code="not_reviewed",
        )
    existing = session.scalar(select(GoldDocument).where(GoldDocument.document_id == document_id))
    if existing is not None:
        existing.active = True
        return existing
    gold = GoldDocument(
        document_id=document_id,
        doc_type=document.doc_type,
        answers={f.name: f.final_value for f in document.fields},
        active=True,
        copies_inserted=0,
        created_by_id=admin.id,
    )
    session.add(gold)
    session.flush()
    # No event in the document's history, which reviewers read: the gold row itself says who and when.
    return gold


@dataclass(frozen=True)
class GoldStanding:
    """What an admin sees about a document and gold: is it gold, a copy of one, or could it become gold."""

    gold: GoldDocument | None
    copy_of: GoldDocument | None
    can_mark: bool


def gold_standing(session: Session, document: Document) -> GoldStanding:
    """The document's relation to gold documents, for its page."""
    copy = session.get(GoldCopy, document.id)
    if copy is not None:
        return GoldStanding(gold=None, copy_of=session.get(GoldDocument, copy.gold_id), can_mark=False)
    gold = session.scalar(select(GoldDocument).where(GoldDocument.document_id == document.id))
    reviewed = bool(document.fields) and all(f.status in PERSON_STATUSES for f in document.fields)
    can_mark = document.status == DocumentStatus.COMPLETED and reviewed and (gold is None or not gold.active)
    return GoldStanding(gold=gold, copy_of=None, can_mark=can_mark and document.deleted_at is None)


def insert_copy(session: Session, gold: GoldDocument, settings: Settings) -> Document:
    """Queue a copy of a gold document that looks like any other document waiting for review."""
    source = session.get(Document, gold.document_id)
    if source is None or source.deleted_at is not None or not gold.active:
        raise Conflict("This gold document is not active.", code="gold_inactive")
    now = utcnow()
    copy = Document(
        sha256=source.sha256,
        filename=source.filename,
        media_type=source.media_type,
        size_bytes=source.size_bytes,
        page_count=source.page_count,
        doc_type=source.doc_type,
        status=DocumentStatus.REVIEW,
        meta={},
        processed_at=now,
        created_at=now,
    )
    session.add(copy)
    session.flush()
    for page in source.pages:
        session.add(_clone(page, document_id=copy.id))
    # The machine's proposal again, not the answer: the reviewer must do the same work as the first time.
    for field in source.fields:
        session.add(
            _clone(
                field,
                document_id=copy.id,
                status=FieldStatus.PENDING,
                final_value=None,
                corrected=False,
                reviewed_by_id=None,
                reviewed_at=None,
            )
        )
    reasons = _review_reasons(source)
    if source.extraction is not None:
        session.add(
            _clone(source.extraction, document_id=copy.id, route="review", reasons=reasons, created_at=now)
        )
    session.add(GoldCopy(document_id=copy.id, gold_id=gold.id, created_at=now))
    session.flush()
    session.refresh(copy, ["fields"])
    # The copy's trail reads like any processed document's: the review page shows it to the reviewer.
    audit.record(
        session, copy.id, "processed", after={"route": "review", "reasons": [r["code"] for r in reasons]}
    )
    open_review_task(session, copy, reasons, stage=1, settings=settings)
    gold.copies_inserted += 1
    gold.last_inserted_at = now
    return copy


def _clone(row: Any, **changes: Any) -> Any:
    """A new row of the same model with the same column values (a new id), some of them changed."""
    values = {c.key: getattr(row, c.key) for c in inspect(type(row)).column_attrs if c.key != "id"}
    return type(row)(**{**values, **changes})


def _review_reasons(source: Document) -> list[dict[str, Any]]:
    reasons = list(source.extraction.reasons) if source.extraction is not None else []
    # A document that went straight through reached a person only as an audit sample; say the same.
    return reasons or [
        {"code": AUDIT_SAMPLE, "field": None, "detail": "random sample of straight-through documents"}
    ]


def maybe_insert_copy(
    session: Session, settings: Settings, rng: random.Random | None = None
) -> Document | None:
    """With probability `gold_rate`, queue a copy of the least-used active gold document."""
    if settings.gold_rate <= 0 or (rng or random).random() >= settings.gold_rate:
        return None
    gold = session.scalar(
        select(GoldDocument)
        .where(GoldDocument.active.is_(True))
        .order_by(GoldDocument.copies_inserted, GoldDocument.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return None if gold is None else insert_copy(session, gold, settings)


def score_copy(
    session: Session,
    document: Document,
    user: User,
    final: Mapping[str, str | None],
    *,
    rejected: bool = False,
) -> list[GoldScore]:
    """Score what a reviewer settled on a gold copy; a rejection gets every field wrong."""
    copy = session.get(GoldCopy, document.id)
    if copy is None or copy.scored_at is not None:
        return []
    gold = session.get(GoldDocument, copy.gold_id)
    if gold is None:
        return []
    scores = []
    for field in document.fields:
        expected = gold.answers.get(field.name)
        given = None if rejected else final.get(field.name)
        correct = not rejected and values_match(field.field_type, given, expected)
        score = GoldScore(
            copy_document_id=document.id,
            gold_id=gold.id,
            user_id=user.id,
            field=field.name,
            expected=expected,
            given=given,
            correct=correct,
        )
        session.add(score)
        scores.append(score)
    copy.scored_at = utcnow()
    return scores


@dataclass(frozen=True)
class Accuracy:
    """How often a reviewer's value matched the known answer."""

    scored: int
    correct: int

    @property
    def rate(self) -> float | None:
        """Share of scored fields that were right."""
        return self.correct / self.scored if self.scored else None

    @property
    def interval(self) -> list[float] | None:
        """The rate's 95% Wilson interval: a handful of gold fields says little, and the page shows it."""
        return wilson_interval(self.correct, self.scored)


def reviewer_accuracy(session: Session) -> dict[int, dict[str, Accuracy]]:
    """Per reviewer, per field (and "*" for all fields): gold fields scored and how many were right."""
    rows = session.execute(
        select(
            GoldScore.user_id,
            GoldScore.field,
            func.count(GoldScore.id),
            func.sum(case((GoldScore.correct.is_(True), 1), else_=0)),
        ).group_by(GoldScore.user_id, GoldScore.field)
    ).all()
    table: dict[int, dict[str, Accuracy]] = {}
    for user_id, field, scored, correct in rows:
        per_field = table.setdefault(user_id, {})
        per_field[field] = Accuracy(int(scored), int(correct or 0))
        total = per_field.get("*", Accuracy(0, 0))
        per_field["*"] = Accuracy(total.scored + int(scored), total.correct + int(correct or 0))
    return table


def retire_for_erasure(session: Session, document_id: int) -> list[int]:
    """Erasing a gold document or a copy: no answer or scored value of it stays; returns the live copies of a
    gold document, which must be erased with it."""
    blank = {"expected": None, "given": None}
    session.execute(update(GoldScore).where(GoldScore.copy_document_id == document_id).values(**blank))
    gold = session.scalar(select(GoldDocument).where(GoldDocument.document_id == document_id))
    if gold is None:
        return []
    gold.active = False
    gold.answers = {}
    session.execute(update(GoldScore).where(GoldScore.gold_id == gold.id).values(**blank))
    return list(
        session.scalars(
            select(GoldCopy.document_id)
            .join(Document, Document.id == GoldCopy.document_id)
            .where(GoldCopy.gold_id == gold.id, Document.deleted_at.is_(None))
        )
    )
