"""Figures of an evaluation: per-field P/R/F1, micro F1, automation at a residual error, calibration."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Judgement:
    """One (document, field) comparison."""

    field: str
    predicted: str | None
    expected: str | None
    confidence: float
    correct: bool
    correct_tolerant: bool
    seen_vendor: bool = False  # in a replay: a document of this vendor was confirmed earlier in the stream


def per_field_scores(judgements: list[Judgement], tolerant: bool = False) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 per field (a field counts as predicted when it has a value)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "predicted": 0, "expected": 0})
    for j in judgements:
        right = j.correct_tolerant if tolerant else j.correct
        c = counts[j.field]
        c["predicted"] += j.predicted is not None
        c["expected"] += j.expected is not None
        c["tp"] += right and j.predicted is not None and j.expected is not None
    return {
        name: _prf(c["tp"], c["predicted"], c["expected"]) | {"support": c["expected"]}
        for name, c in sorted(counts.items())
    }


def micro_scores(judgements: list[Judgement], tolerant: bool = False) -> dict[str, float]:
    """Precision, recall and F1 over all fields together."""
    tp = sum(
        1
        for j in judgements
        if (j.correct_tolerant if tolerant else j.correct)
        and j.predicted is not None
        and j.expected is not None
    )
    return _prf(
        tp, sum(j.predicted is not None for j in judgements), sum(j.expected is not None for j in judgements)
    )


def _prf(tp: int, predicted: int, expected: int) -> dict[str, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def automation_at(
    judgements: list[Judgement], max_error: float = 0.01, tolerant: bool = False
) -> dict[str, float]:
    """The largest share of fields that could go straight through, ranked by confidence, with at most
    `max_error` of them wrong; and the confidence threshold that achieves it."""
    if not judgements:
        return {"automation": 0.0, "threshold": 1.0, "error": 0.0, "count": 0}
    ranked = sorted(judgements, key=lambda j: j.confidence, reverse=True)
    best_k, wrong, best_wrong = 0, 0, 0
    for k, j in enumerate(ranked, start=1):
        wrong += not (j.correct_tolerant if tolerant else j.correct)
        # Only cut between distinct confidences: a threshold cannot split tied fields.
        if k < len(ranked) and ranked[k].confidence == j.confidence:
            continue
        if wrong / k <= max_error:
            best_k, best_wrong = k, wrong
    threshold = ranked[best_k - 1].confidence if best_k else 1.0
    return {
        "automation": best_k / len(ranked),
        "threshold": threshold,
        "error": best_wrong / best_k if best_k else 0.0,
        "count": best_k,
    }


def reliability(
    judgements: list[Judgement], bins: int = 10, tolerant: bool = False
) -> tuple[float, list[dict]]:
    """Expected calibration error and the reliability table (confidence bins against observed accuracy)."""
    table = []
    total = len(judgements)
    ece = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [
            j for j in judgements if low <= j.confidence < high or (b == bins - 1 and j.confidence == 1.0)
        ]
        if not members:
            table.append({"bin": f"{low:.1f}-{high:.1f}", "count": 0, "confidence": None, "accuracy": None})
            continue
        confidence = sum(j.confidence for j in members) / len(members)
        accuracy = sum(1 for j in members if (j.correct_tolerant if tolerant else j.correct)) / len(members)
        ece += len(members) / total * abs(confidence - accuracy)
        table.append(
            {
                "bin": f"{low:.1f}-{high:.1f}",
                "count": len(members),
                "confidence": confidence,
                "accuracy": accuracy,
            }
        )
    return ece, table
