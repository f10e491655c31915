"""Score candidates with a per-field linear model and turn the winner's score into a calibrated confidence."""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.schema import FieldSpec
from extractors.types import Candidate, Page

# Hand-set starting weights per kind of finder; learned models (extractors/models/*.json) replace them.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "date": {
        "bias": -1.5,
        "label_same_line": 2.5,
        "label_above": 1.5,
        "label_strength": 1.0,
        # Outweighs the label it qualifies: "Due date", "Date limite de paiement" are not the issue date.
        "excluded_same_line": -3.0,
        "rel_y": -1.0,
        "repeat": 0.3,
        "first_page": 0.5,
    },
    "amount": {
        "bias": -3.0,
        "label_same_line": 3.0,
        "label_strength": 1.5,
        "excluded_same_line": -3.5,
        "label_above": 1.5,
        "excluded_above": -1.5,
        "label_column": 1.5,  # a label heading the value's column a few lines up: as one right above
        "repeat": 0.5,
        "height_ratio": 0.3,
        "right_end": 0.5,
        "zero": -2.0,
    },
    "identifier": {
        "bias": -1.0,
        "label_same_line": 2.0,
        "label_above": 1.5,
        "label_strength": 2.0,
        "excluded_same_line": -2.0,
        "rel_y": -0.5,
    },
    "text": {
        "bias": -1.0,
        "label_same_line": 2.0,
        "label_above": 1.0,
        "label_strength": 1.0,
        "excluded_same_line": -2.0,
    },
    "currency": {"bias": 0.5, "repeat": 1.0},
    "vendor": {
        "bias": -2.0,
        "legal_suffix": 2.5,
        "suffix_last": 0.5,
        "business_word": 1.0,
        "not_a_name": -2.5,
        "columns_inside": -2.0,
        "line_index": 2.0,
        "two_lines": -1.0,
        "height_ratio": 0.8,
        "digit_ratio": -3.0,
        "upper_ratio": 0.5,
        "short": -2.0,
        # "Sold By : WS Retail Services Pvt. Ltd.": the label is not part of the name (the variant after it
        # has no colon).
        "has_colon": -1.0,
    },
    "address": {
        "bias": -4.0,
        "postcode": 2.0,
        "street": 2.0,
        "region": 1.5,
        "commas": 0.5,
        "stop_inside": -4.0,
        "legal_inside": -3.0,
        "next_is_stop": 1.5,
        "prev_is_vendor": 1.5,
        "prev_is_addressy": -2.0,
        "next_is_addressy": -2.0,
        "lines": 0.5,
        "start_index": 0.5,
        "last_has_postcode_or_region": 1.0,
    },
    "line_items": {"bias": 0.0, "rows": 2.0},
    "key_value": {"bias": 0.0, "pairs": 2.0},
}

# Hand-set weights for the evidence of retrieval memory (extractors.memory): a value a person confirmed on
# a document like this one, where it stood and what labelled it. Added to every kind of default weights
# and to learned models fitted without memory, so a correction counts at once, before any retraining.
MEMORY_WEIGHTS: dict[str, float] = {
    "mem_candidate": 1.0,
    "mem_text_match": 2.0,
    "mem_similarity": 1.0,
    "mem_votes": 1.0,
    "mem_value": 4.0,
    "mem_label": 1.0,
    "mem_position": 1.5,
    "mem_unread": -2.0,
}


# Memory evidence added after models were already being fitted: a model fitted before (or on documents
# where it never varied) has no weight for it and keeps the hand-set one, rather than none at all.
LATER_MEMORY_FEATURES = ("mem_unread",)


def with_memory_weights(weights: dict[str, float]) -> dict[str, float]:
    """The weights, plus the hand-set memory weights when none of memory's features has a weight yet (and
    the hand-set weight of any later memory feature the model has none for)."""
    if any(name.startswith("mem_") for name in weights):
        later = {name: MEMORY_WEIGHTS[name] for name in LATER_MEMORY_FEATURES if name not in weights}
        return {**weights, **later}
    return {**weights, **MEMORY_WEIGHTS}


# What a field's `prefer` adds to hand-set weights: a total is the largest amount and stands low on the page;
# a subtotal or a tax is neither, so the largest amount is no evidence for it.
PREFERENCE_WEIGHTS: dict[str, dict[str, float]] = {
    "largest": {"is_max": 1.0, "amount_rank": 0.5},
    "bottom": {"rel_y": 0.5},
    "top": {"rel_y": -0.5},
}


def default_weights(spec: FieldSpec) -> dict[str, float]:
    """The hand-set weights of a field: its kind's, with what its `prefer` words add."""
    weights = dict(DEFAULT_WEIGHTS.get(weights_key(spec), {"bias": 0.0}))
    for word in spec.prefer.replace(",", " ").split():
        for name, value in PREFERENCE_WEIGHTS.get(word, {}).items():
            weights[name] = weights.get(name, 0.0) + value
    return weights


def weights_key(spec: FieldSpec) -> str:
    """Which default weights a field starts from: its finder, else its type."""
    return spec.finder or spec.type


TIE_BREAK = 0.02  # share of the raw confidence blended into the isotonic map


@dataclass(frozen=True)
class Calibrator:
    """A monotone map from a raw score to the probability that the value is right (isotonic steps)."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    @classmethod
    def fitted(cls, scores: Sequence[float], outcomes: Sequence[bool]) -> Calibrator:
        """Isotonic regression of outcomes (right or not) on scores, kept as the points where it bends."""
        # Imported here: the worker and the sweeper load this module, and only fitting needs scikit-learn.
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, outcomes)
        points = [
            (round(float(x), 6), round(float(y), 6))
            for x, y in zip(iso.X_thresholds_, iso.y_thresholds_, strict=True)
        ]
        # Points inside a flat step add nothing to the interpolation.
        kept = [
            p
            for i, p in enumerate(points)
            if i in (0, len(points) - 1) or p[1] != points[i - 1][1] or p[1] != points[i + 1][1]
        ]
        return cls(tuple(p[0] for p in kept), tuple(p[1] for p in kept))

    def __call__(self, raw: float) -> float:
        if not self.xs:
            return raw
        # A small share of the raw probability keeps the map strictly increasing: isotonic regression
        # is flat across each block, and fields tied on a flat block could only be let through or held
        # back all together, whatever the model knew that set them apart.
        return (1 - TIE_BREAK) * self._steps(raw) + TIE_BREAK * raw

    def _steps(self, raw: float) -> float:
        i = bisect.bisect_left(self.xs, raw)
        if i <= 0:
            return self.ys[0]
        if i >= len(self.xs):
            return self.ys[-1]
        x0, x1, y0, y1 = self.xs[i - 1], self.xs[i], self.ys[i - 1], self.ys[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)


@dataclass(frozen=True)
class FieldModel:
    """Ranking weights, and the confidence model (logistic, then isotonic) of one field."""

    weights: dict[str, float]
    confidence_weights: dict[str, float] = field(default_factory=dict)  # over named confidence features
    calibrator: Calibrator | None = None
    lexicon: dict[str, int] = field(default_factory=dict)  # words of confirmed values (a confidence cue)
    # Maps fitted later on what reviewers found (`docloop recalibrate`), applied in order after the rest.
    recalibrators: tuple[Calibrator, ...] = ()

    def confidence(self, features: dict[str, float], fallback: float) -> float:
        """Probability that the chosen value is right; `fallback` when no confidence model is fitted."""
        if not self.confidence_weights:
            raw = fallback
        else:
            z = self.confidence_weights.get("bias", 0.0) + sum(
                self.confidence_weights.get(name, 0.0) * value for name, value in features.items()
            )
            raw = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return self.recalibrated(self.calibrator(raw) if self.calibrator else raw)

    def recalibrated(self, value: float, skip: int = 0) -> float:
        """A confidence through the recalibration steps after the first `skip`, in order."""
        for recalibrator in self.recalibrators[skip:]:
            value = recalibrator(max(0.0, min(1.0, value)))
        return value

    def score(self, candidate: Candidate) -> float:
        """Probability-like ranking score of a candidate (a logistic over its features)."""
        z = self.weights.get("bias", 0.0)
        for name, value in candidate.features.items():
            z += self.weights.get(name, 0.0) * value
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class ScoringModel:
    """Field models for one document type; fields without a learned model use the default weights."""

    doc_type: str
    version: str = "default"
    fields: dict[str, FieldModel] = field(default_factory=dict)

    @property
    def strategy(self) -> str:
        """How extractions by this model are labelled: "baseline" for hand-set weights, else its version."""
        return "baseline" if self.version == "default" else f"model:{self.version}"

    def for_field(self, spec: FieldSpec) -> FieldModel:
        """The learned model of a field, else the default weights of its kind."""
        model = self.fields.get(spec.name)
        if model is not None:
            return model
        return FieldModel(weights=with_memory_weights(default_weights(spec)))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, the inverse of `from_json`."""
        return {
            "doc_type": self.doc_type,
            "version": self.version,
            "fields": {
                name: {
                    "weights": m.weights,
                    "confidence_weights": m.confidence_weights,
                    "calibrator": {"xs": list(m.calibrator.xs), "ys": list(m.calibrator.ys)}
                    if m.calibrator
                    else None,
                    "lexicon": m.lexicon,
                    "recalibrators": [{"xs": list(r.xs), "ys": list(r.ys)} for r in m.recalibrators],
                }
                for name, m in self.fields.items()
            },
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> ScoringModel:
        """Rebuild a model written by `to_json`."""
        fields = {}
        for name, entry in document.get("fields", {}).items():
            cal = entry.get("calibrator")
            fields[name] = FieldModel(
                weights=with_memory_weights(dict(entry["weights"])),
                confidence_weights=dict(entry.get("confidence_weights", {})),
                lexicon=dict(entry.get("lexicon", {})),
                calibrator=Calibrator(tuple(cal["xs"]), tuple(cal["ys"])) if cal else None,
                recalibrators=tuple(
                    Calibrator(tuple(r["xs"]), tuple(r["ys"])) for r in entry.get("recalibrators", [])
                ),
            )
        return cls(
            doc_type=document["doc_type"], version=str(document.get("version", "default")), fields=fields
        )


BUILTIN_MODEL_DIR = Path(__file__).parent / "models"


READING_KINDS = ("text", "ocr", "ocr-readings")
# Where a reading without a shipped model of its own borrows one: pooled readings from single OCR.
_BORROWS_FROM = {"ocr-readings": "ocr"}


def reading_kind(pages: tuple[Page, ...]) -> str:
    """ "ocr" when most pages were read by OCR ("ocr-readings" when most of those were read several times,
    their candidates pooled), else "text" (text layer or supplied words): they read differently enough
    that each has its own shipped model and calibration."""
    ocr = [p for p in pages if p.source == "ocr"]
    if not pages or len(ocr) * 2 <= len(pages):
        return "text"
    return "ocr-readings" if sum(1 for p in ocr if p.alternates) * 2 > len(ocr) else "ocr"


def load_model(doc_type: str, reading: str = "text", path: Path | None = None) -> ScoringModel:
    """A model from `path`, else the one shipped for this type and reading (or the reading it borrows
    from), else default weights."""
    readings = [reading, _BORROWS_FROM[reading]] if reading in _BORROWS_FROM else [reading]
    candidates = (
        [path]
        if path
        else [BUILTIN_MODEL_DIR / f"{doc_type}.{kind}.json" for kind in readings]
        + [BUILTIN_MODEL_DIR / f"{doc_type}.json"]
    )
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return ScoringModel.from_json(json.loads(candidate.read_text()))
    return ScoringModel(doc_type=doc_type)
