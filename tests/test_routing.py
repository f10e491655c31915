"""The routing policy: every reason is recorded, only sure and valid documents go straight through."""

from __future__ import annotations

import random

from extractors.schema import load_schemas
from extractors.types import Extraction, FieldResult, ValidationIssue
from review_app.services.routing import decide

RECEIPT = load_schemas()["receipt"]


def _extraction(confidence: float = 0.99, total: str | None = "10.00", issues=(), consequence=()):  # type: ignore[no-untyped-def]
    values = {
        "company": "ACME SDN BHD",
        "date": "2024-01-02",
        "address": "1 JALAN X",
        "total": total,
        "tax": None,
        "currency": "MYR",
    }
    fields = tuple(
        FieldResult(
            name=n, type=RECEIPT.field(n).type, value=v, normalized=v, confidence=confidence if v else 0.0
        )
        for n, v in values.items()
    )
    return Extraction(
        doc_type="receipt", fields=fields, issues=tuple(issues), high_consequence=tuple(consequence)
    )


def test_sure_valid_document_goes_straight_through():  # type: ignore[no-untyped-def]
    decision = decide(RECEIPT, _extraction(), audit_rate=0.0, rng=random.Random(1))
    assert decision.route == "auto" and decision.reasons == ()


def test_every_reason_is_recorded():  # type: ignore[no-untyped-def]
    extraction = _extraction(
        confidence=0.5,
        total=None,
        issues=[ValidationIssue("tax_below_total", ("tax", "total"), "Tax must be less")],
        consequence=["high_value"],
    )
    decision = decide(RECEIPT, extraction, audit_rate=0.0, rng=random.Random(1))
    codes = {(r.code, r.field) for r in decision.reasons}
    assert ("missing_required", "total") in codes
    assert ("low_confidence", "company") in codes
    assert ("validation_failed", "tax,total") in codes
    assert ("high_consequence", None) in codes
    assert decision.route == "review" and decision.high_consequence


def test_audit_sample_is_random_and_only_of_straight_through_documents():  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    decisions = [decide(RECEIPT, _extraction(), audit_rate=0.1, rng=rng) for _ in range(2000)]
    audited = sum(d.audit_sample for d in decisions)
    assert 140 <= audited <= 260  # 10% of 2000, well inside chance
    assert all(
        d.route == "review" and d.reasons[0].code == "audit_sample" for d in decisions if d.audit_sample
    )
