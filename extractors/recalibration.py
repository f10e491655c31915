"""Recalibration: confidences brought back in line with what reviewers found, without refitting the ranker.

A model's confidences drift from the truth when the documents change (new vendors, another scanner), and
a type scored by hand-set weights (invoices until a model is fitted) never had calibrated ones. Every
value a person approved or corrected says whether the confidence it came with was deserved. Per field, an
isotonic map from the confidence served to the share of such values that were right is fitted and added
to the model as a last step; the ranking, and so every value, stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from extractors.schema import Schema
from extractors.scoring import Calibrator, ScoringModel

# Fewer reviewed values of a field than this leave its confidences as they are: an isotonic map on a few
# dozen points follows their noise.
MIN_VALUES = 50


@dataclass(frozen=True)
class Outcome:
    """One reviewed value: its field, the confidence it was served with, and whether a person kept it."""

    field: str
    confidence: float
    right: bool


def fit_recalibrator(outcomes: Sequence[Outcome]) -> Calibrator | None:
    """The isotonic map from served confidence to the share right, or None when the outcomes cannot
    support one (too few, or all right or all wrong)."""
    if len(outcomes) < MIN_VALUES or len({o.right for o in outcomes}) < 2:
        return None
    return Calibrator.fitted(
        [min(1.0, max(0.0, o.confidence)) for o in outcomes], [o.right for o in outcomes]
    )


def recalibrate(
    model: ScoringModel, schema: Schema, outcomes: Sequence[Outcome], version: str
) -> tuple[ScoringModel, dict[str, int]]:
    """`model` with a recalibration step on every field that has enough reviewed values; also how many
    values each recalibrated field was fitted on."""
    fields = dict(model.fields)
    fitted: dict[str, int] = {}
    for spec in schema.fields:
        own = [o for o in outcomes if o.field == spec.name]
        recalibrator = fit_recalibrator(own)
        if recalibrator is None:
            continue
        base = model.for_field(spec)
        fields[spec.name] = replace(base, recalibrators=(*base.recalibrators, recalibrator))
        fitted[spec.name] = len(own)
    return ScoringModel(doc_type=model.doc_type, version=version, fields=fields), fitted


def recalibrated_confidence(
    model: ScoringModel, schema: Schema, outcome: Outcome, base: ScoringModel
) -> float:
    """The confidence `model` would serve for a value `base` served with `outcome.confidence`: the
    recalibration steps `model` adds to `base`, applied in order."""
    spec = schema.field(outcome.field)
    if spec is None:
        return outcome.confidence
    return model.for_field(spec).recalibrated(
        outcome.confidence, skip=len(base.for_field(spec).recalibrators)
    )
