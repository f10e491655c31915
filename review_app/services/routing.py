"""The routing policy: a pure function from an extraction to auto-approve or review, with every reason."""

from __future__ import annotations

import random
from dataclasses import dataclass

from extractors.schema import Schema
from extractors.types import Extraction
from review_app.models import Route

# Reason codes, stable: they are stored, filtered on and returned by the API.
LOW_CONFIDENCE = "low_confidence"
MISSING_REQUIRED = "missing_required"
VALIDATION_FAILED = "validation_failed"
HIGH_CONSEQUENCE = "high_consequence"
AUDIT_SAMPLE = "audit_sample"
PAGE_WITHOUT_TEXT = "page_without_text"
REASON_LABELS = {
    LOW_CONFIDENCE: "Low confidence",
    MISSING_REQUIRED: "Missing required field",
    VALIDATION_FAILED: "Failed validation",
    HIGH_CONSEQUENCE: "High consequence (second reviewer)",
    AUDIT_SAMPLE: "Random audit sample",
    PAGE_WITHOUT_TEXT: "Page without text",
}


@dataclass(frozen=True)
class Reason:
    """Why a document waits for a person."""

    code: str
    field: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "detail": self.detail}


@dataclass(frozen=True)
class Decision:
    """The route and the reasons behind it."""

    route: Route
    reasons: tuple[Reason, ...]
    high_consequence: bool
    audit_sample: bool


def decide(
    schema: Schema,
    extraction: Extraction,
    *,
    audit_rate: float,
    rng: random.Random,
    default_threshold: float | None = None,
    flagged_pages: tuple[int, ...] = (),
) -> Decision:
    """Auto-approve only when every field is sure, present if required, valid, and nothing is at stake."""
    reasons: list[Reason] = []
    for result in extraction.fields:
        spec = schema.field(result.name)
        if spec is None:
            continue
        if result.normalized is None:
            if spec.required:
                reasons.append(Reason(MISSING_REQUIRED, result.name, f"{result.name} was not found"))
            continue
        threshold = spec.threshold if default_threshold is None else max(spec.threshold, default_threshold)
        if result.confidence < threshold:
            reasons.append(
                Reason(
                    LOW_CONFIDENCE, result.name, f"confidence {result.confidence:.2f} below {threshold:.2f}"
                )
            )
    for issue in extraction.issues:
        reasons.append(Reason(VALIDATION_FAILED, ",".join(issue.fields), issue.message))
    for page in flagged_pages:
        reasons.append(Reason(PAGE_WITHOUT_TEXT, None, f"no text was found on page {page}"))
    high_consequence = bool(extraction.high_consequence)
    if high_consequence:
        reasons.append(Reason(HIGH_CONSEQUENCE, None, ", ".join(extraction.high_consequence)))
    # The audit draw happens for every document, so the sample is uniform over what would go straight through.
    audit = rng.random() < audit_rate
    if audit and not reasons:
        reasons.append(
            Reason(AUDIT_SAMPLE, None, f"random {audit_rate:.0%} sample of straight-through documents")
        )
    route = Route.REVIEW if reasons else Route.AUTO
    return Decision(
        route=route,
        reasons=tuple(reasons),
        high_consequence=high_consequence,
        audit_sample=audit and route == Route.REVIEW and reasons[-1].code == AUDIT_SAMPLE,
    )
