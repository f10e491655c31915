"""`docloop recalibrate`: fit the serving model's confidences to what reviewers found; register the result.

The outcomes are the values people approved or corrected on completed documents that the serving model
extracted (a value another model served says nothing of this one's confidences). They are split by vendor,
deterministically: the map is fitted on one part and measured on the other, so the report says whether it
helps on vendors it did not see; the version registered is then fitted on every outcome. Promotion stays an
admin's decision (`docloop models promote`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from extractors.recalibration import Outcome, recalibrate, recalibrated_confidence
from extractors.schema import Schema
from extractors.scoring import ScoringModel, load_model
from review_app.evaluation.metrics import Judgement, automation_at, reliability
from review_app.models import Document, DocumentStatus, Extraction, FieldStatus, FieldValue, ModelVersion
from review_app.services import model_registry
from review_app.services.strategies import vendor_key

TEST_SHARE = 0.3  # of the vendors, held out to measure the fitted map


@dataclass(frozen=True)
class Recalibration:
    """What a recalibration found and did."""

    base_version: str
    vendors: int  # vendor groups among the reviewed documents (a document without a vendor is its own)
    values: int
    fitted: dict[str, int]  # field -> reviewed values its map was fitted on
    held_out_values: int
    ece_before: float | None  # on the held-out vendors, as served
    ece_after: float | None  # on the held-out vendors, with the map fitted on the others
    automation_before: float | None  # share of held-out values that could go straight through at <= 1% error
    automation_after: float | None
    version_id: int | None  # the registered version, None when no field had enough outcomes


def serving_model(session: Session, doc_type: str, reading: str) -> ScoringModel:
    """The model serving a type: the promoted version, else the one shipped for this reading."""
    version_id = model_registry.serving_version_id(session, doc_type)
    if version_id is not None:
        version = session.get(ModelVersion, version_id)
        if version is not None:
            return ScoringModel.from_json(version.artifact)
    return load_model(doc_type, reading)


def reviewed_outcomes(
    session: Session, schema: Schema, label: str
) -> tuple[list[Outcome], list[str], set[int]]:
    """Every value a person approved or corrected on completed documents extracted under `label`, the
    vendor group of each (its document's confirmed vendor, else the document itself), and the documents."""
    vendor_field = next((s.name for s in schema.fields if s.finder == "vendor"), None)
    rows = session.execute(
        select(
            FieldValue.document_id,
            FieldValue.name,
            FieldValue.normalized,
            FieldValue.confidence,
            FieldValue.corrected,
            FieldValue.final_value,
        )
        .join(Document, Document.id == FieldValue.document_id)
        .join(Extraction, Extraction.document_id == Document.id)
        .where(
            Document.doc_type == schema.name,
            Document.status == DocumentStatus.COMPLETED,
            Extraction.strategy == label,
            FieldValue.status.in_((FieldStatus.APPROVED, FieldStatus.CORRECTED)),
        )
        .order_by(FieldValue.document_id, FieldValue.name)
    ).all()
    vendors = {
        row.document_id: vendor_key(schema, {row.name: row.final_value})
        for row in rows
        if row.name == vendor_field
    }
    outcomes, groups, documents = [], [], set()
    for row in rows:
        # A field the model left empty was served no confidence worth the name.
        if row.normalized is None or schema.field(row.name) is None:
            continue
        outcomes.append(Outcome(row.name, float(row.confidence), not row.corrected))
        groups.append(vendors.get(row.document_id) or f"document-{row.document_id}")
        documents.add(row.document_id)
    return outcomes, groups, documents


def held_out(group: str) -> bool:
    """Is this vendor group among the held-out ones (a stable share of `TEST_SHARE`)?"""
    # A stable hash, not Python's salted one: the same vendors are held out on every run.
    return int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 100 < TEST_SHARE * 100


def measure(outcomes: list[Outcome], confidences: list[float]) -> tuple[float | None, float | None]:
    """Expected calibration error, and automation at <= 1% error, of these confidences."""
    if not outcomes:
        return None, None
    judgements = [
        Judgement(o.field, None, None, max(0.0, min(1.0, c)), o.right, o.right)
        for o, c in zip(outcomes, confidences, strict=True)
    ]
    return reliability(judgements)[0], automation_at(judgements)["automation"]


def _already_fitted(session: Session, schema: Schema, base: ScoringModel, values: int) -> bool:
    """Was a recalibration of this model already registered on as many reviewed values?"""
    for version in model_registry.versions(session, schema.name):
        trained = version.trained_on or {}
        if trained.get("recalibrated_from") == base.version and trained.get("reviewed_values", 0) >= values:
            return True
    return False


def run(
    session: Session,
    schema: Schema,
    *,
    reading: str = "text",
    by: str,
    register: bool = True,
    automatic: bool = False,
) -> Recalibration:
    """Measure a recalibration on held-out vendors, then fit it on every outcome and register it.

    `automatic` (the sweeper's periodic run) registers only when reviews arrived since the last
    recalibration of the serving model and the map lowered the calibration error on held-out vendors."""
    base = serving_model(session, schema.name, reading)
    outcomes, groups, documents = reviewed_outcomes(
        session, schema, Extraction.stored_strategy(base.strategy)
    )
    groups_count = len(set(groups))
    if automatic and _already_fitted(session, schema, base, len(outcomes)):
        # Nothing reviewed since the last recalibration: the sweeper has nothing to fit or to measure.
        return Recalibration(
            base_version=base.version,
            vendors=groups_count,
            values=len(outcomes),
            fitted={},
            held_out_values=0,
            ece_before=None,
            ece_after=None,
            automation_before=None,
            automation_after=None,
            version_id=None,
        )
    held = [held_out(g) for g in groups]
    train = [o for o, h in zip(outcomes, held, strict=True) if not h]
    test = [o for o, h in zip(outcomes, held, strict=True) if h]
    trial, _ = recalibrate(base, schema, train, version=f"{base.version}+trial")
    ece_before, automation_before = measure(test, [o.confidence for o in test])
    ece_after, automation_after = measure(
        test, [recalibrated_confidence(trial, schema, o, base) for o in test]
    )
    version = f"{base.version}+recal-{len(outcomes)}"
    model, fitted = recalibrate(base, schema, outcomes, version=version)
    version_id = None
    # Per-field maps also reorder fields against each other: a map that calibrates better on average can
    # still put a wrong value among the surest, so the sweeper wants both figures no worse.
    if automatic and not (
        ece_before is not None
        and ece_after is not None
        and ece_after < ece_before
        and (automation_after or 0.0) >= (automation_before or 0.0)
    ):
        register = False
    if fitted and register:
        version_id = model_registry.register(
            session,
            schema.name,
            model.to_json(),
            trained_on={
                "documents": len(documents),
                "vendors": groups_count,
                "recalibrated_from": base.version,
                "reviewed_values": len(outcomes),
                "fields": fitted,
                "held_out_ece_before": ece_before,
                "held_out_ece_after": ece_after,
                "held_out_automation_before": automation_before,
                "held_out_automation_after": automation_after,
            },
            by=by,
        ).id
    return Recalibration(
        base_version=base.version,
        vendors=groups_count,
        values=len(outcomes),
        fitted=fitted,
        held_out_values=len(test),
        ece_before=ece_before,
        ece_after=ece_after,
        automation_before=automation_before,
        automation_after=automation_after,
        version_id=version_id,
    )
