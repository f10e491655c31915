"""`docloop eval`: run the worker's extraction on a labelled folder and measure it."""

from __future__ import annotations

import io
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from sklearn.model_selection import GroupKFold

from extractors.compare import normalize_expected, values_match
from extractors.learning import LabelledPages, fit_model
from extractors.schema import Schema
from extractors.types import Extraction
from review_app.evaluation.loading import Item
from review_app.evaluation.metrics import (
    Judgement,
    automation_at,
    micro_scores,
    per_field_scores,
    reliability,
)
from review_app.services.pipeline import route
from review_app.services.strategies import RetrievalStrategy, Strategy, vendor_key
from review_app.settings import Settings


@dataclass
class EvalReport:
    """Every figure of one evaluation run."""

    documents: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)
    pair_counts: dict[str, int] = field(default_factory=lambda: {"tp": 0, "predicted": 0, "expected": 0})
    auto_routed: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict."""
        strict_ece, strict_table = reliability(self.judgements)
        tolerant_ece, _ = reliability(self.judgements, tolerant=True)
        summary: dict[str, Any] = {
            "documents": self.documents,
            "failed": len(self.failed),
            "per_field": per_field_scores(self.judgements),
            "micro": micro_scores(self.judgements),
            "micro_tolerant": micro_scores(self.judgements, tolerant=True),
            "automation_1pct": automation_at(self.judgements, 0.01),
            "automation_1pct_tolerant": automation_at(self.judgements, 0.01, tolerant=True),
            "ece": strict_ece,
            "ece_tolerant": tolerant_ece,
            "reliability": strict_table,
            "routed_auto": self.auto_routed,
            "seconds": self.seconds,
        }
        seen = [j for j in self.judgements if j.seen_vendor]
        if seen:
            summary["seen_vendors"] = {
                "fields": len(seen),
                "micro": micro_scores(seen),
                "micro_tolerant": micro_scores(seen, tolerant=True),
                "automation_1pct": automation_at(seen, 0.01),
                "automation_1pct_tolerant": automation_at(seen, 0.01, tolerant=True),
            }
        if self.pair_counts["expected"] or self.pair_counts["predicted"]:
            tp, p, e = (self.pair_counts[k] for k in ("tp", "predicted", "expected"))
            precision, recall = (tp / p if p else 0.0), (tp / e if e else 0.0)
            summary["pairs"] = {
                "precision": precision,
                "recall": recall,
                "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
                "expected": e,
                "predicted": p,
            }
        return summary


def predict(
    items: list[Item],
    schema: Schema,
    strategy: Strategy,
    settings: Settings,
    *,
    replay: bool = False,
    predictions: TextIO | None = None,
    report: EvalReport | None = None,
) -> EvalReport:
    """Predict every read document with `strategy`, compare with its labels, and collect the figures.

    With `replay`, each document's labels are fed back to the strategy right after it was predicted,
    as a reviewer's confirmation would be in production.
    """
    report = report or EvalReport()
    started = time.perf_counter()
    rng = random.Random(0)
    eval_settings = settings.with_overrides(audit_rate=0.0)  # the audit draw is not part of accuracy
    seen: set[str] = set()
    for item in items:
        report.documents += 1
        if item.pages is None:
            report.failed.append({"stem": item.stem, "error": item.error or "unreadable"})
            _judge_missing(report, schema, item.expected_raw)
            continue
        extraction = strategy.extract(item.pages, schema)
        decision = route(schema, extraction, item.pages, eval_settings, rng)
        report.auto_routed += decision.route == "auto"
        vendor = vendor_key(schema, expected_values(schema, item.expected_raw))
        expected = _judge(
            report, schema, extraction, item.expected_raw, seen_vendor=replay and vendor in seen
        )
        seen.add(vendor)
        if predictions is not None:
            predictions.write(
                json.dumps(
                    {
                        "stem": item.stem,
                        "fields": extraction.as_dict(),
                        "route": str(decision.route),
                        "reasons": [r.as_dict() for r in decision.reasons],
                    }
                )
                + "\n"
            )
        if replay:
            strategy.learn(item.pages, schema, expected)
    report.seconds += time.perf_counter() - started
    return report


def expected_values(schema: Schema, expected_raw: dict[str, Any]) -> dict[str, str | None]:
    """A label file's values in normalised form, for the fields the schema knows."""
    return {
        spec.name: normalize_expected(spec.type, expected_raw[spec.name], schema.date_order)
        for spec in schema.fields
        if spec.name in expected_raw
    }


def labelled_examples(items: list[Item], schema: Schema) -> list[LabelledPages]:
    """The readable items as training examples, grouped by vendor."""
    examples = []
    for item in items:
        if item.pages is not None:
            expected = expected_values(schema, item.expected_raw)
            examples.append(LabelledPages(item.pages, expected, vendor_key(schema, expected)))
    return examples


def teach(strategy: Strategy, items: list[Item], schema: Schema) -> int:
    """Give a strategy every readable labelled document as if reviewers had confirmed it (--train)."""
    taught = 0
    for item in items:
        if item.pages is not None:
            strategy.learn(item.pages, schema, expected_values(schema, item.expected_raw))
            taught += 1
    return taught


def cross_validate(
    items: list[Item],
    schema: Schema,
    settings: Settings,
    folds: int,
    *,
    make_strategy: Callable[[], Strategy],
    predictions: TextIO | None = None,
    replay: bool = False,
) -> EvalReport:
    """Vendor-grouped cross-validation: every document is predicted by a strategy that learned only from
    other vendors' documents, so no vendor is in both the fitting and the measured part.

    With `replay`, each held-out fold is replayed in stem order through a retrieval memory (that starts
    empty) on top of a model fitted on the other folds: the production loop, measured on unseen vendors.
    """
    groups = [vendor_key(schema, expected_values(schema, item.expected_raw)) or item.stem for item in items]
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    report = EvalReport()
    order: dict[str, str] = {}
    buffer = io.StringIO()
    for fold, (train_index, test_index) in enumerate(splitter.split(items, groups=groups)):
        train = [items[i] for i in train_index]
        if replay:
            model = fit_model(labelled_examples(train, schema), schema, version=f"fold-{fold}")
            strategy: Strategy = RetrievalStrategy(models={schema.name: model})
        else:
            strategy = make_strategy()
            teach(strategy, train, schema)
        predict(
            [items[i] for i in test_index],
            schema,
            strategy,
            settings,
            predictions=buffer,
            report=report,
            replay=replay,
        )
    if predictions is not None:
        for line in buffer.getvalue().splitlines():
            order[json.loads(line)["stem"]] = line
        for item in items:
            if item.stem in order:
                predictions.write(order[item.stem] + "\n")
    return report


def _judge(
    report: EvalReport,
    schema: Schema,
    extraction: Extraction,
    expected_raw: dict[str, Any],
    seen_vendor: bool = False,
) -> dict[str, str | None]:
    expected = expected_values(schema, expected_raw)
    for name, want in expected.items():
        spec = schema.field(name)
        result = extraction.field(name)
        predicted = result.normalized if result else None
        confidence = result.confidence if result and predicted is not None else 0.0
        if spec.type == "pairs":
            _judge_pairs(report, predicted, expected_raw[name])
        report.judgements.append(
            Judgement(
                field=name,
                predicted=predicted,
                expected=want,
                confidence=confidence,
                correct=values_match(spec.type, predicted, want),
                correct_tolerant=values_match(spec.type, predicted, want, tolerant=True),
                seen_vendor=seen_vendor,
            )
        )
    return expected


def _judge_missing(report: EvalReport, schema: Schema, expected_raw: dict[str, Any]) -> None:
    for spec in schema.fields:
        if spec.name in expected_raw:
            expected = normalize_expected(spec.type, expected_raw[spec.name], schema.date_order)
            if spec.type == "pairs":
                report.pair_counts["expected"] += len(expected_raw[spec.name] or [])
            report.judgements.append(
                Judgement(spec.name, None, expected, 0.0, expected is None, expected is None)
            )


def _judge_pairs(report: EvalReport, predicted: str | None, expected: list[dict[str, str]]) -> None:
    """Key-value pairs: a predicted pair is right when both key and value match an expected pair."""
    predicted_pairs = json.loads(predicted) if predicted else []
    remaining = list(expected or [])
    report.pair_counts["predicted"] += len(predicted_pairs)
    report.pair_counts["expected"] += len(remaining)
    for pair in predicted_pairs:
        for i, want in enumerate(remaining):
            if values_match("text", pair.get("key"), want.get("key"), tolerant=True) and values_match(
                "text", pair.get("value"), want.get("value"), tolerant=True
            ):
                report.pair_counts["tp"] += 1
                del remaining[i]
                break


def print_report(summary: dict[str, Any], out: TextIO | None = None) -> None:
    """The human-readable figures `docloop eval` prints."""
    w = (out or sys.stdout).write
    w(
        f"documents: {summary['documents']}  failed to read: {summary['failed']}  "
        f"routed straight through: {summary['routed_auto']}  time: {summary['seconds']:.1f} s\n\n"
    )
    w(f"{'field':<16}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}\n")
    for name, s in summary["per_field"].items():
        w(f"{name:<16}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>10.3f}{s['support']:>10}\n")
    m, mt = summary["micro"], summary["micro_tolerant"]
    w(f"{'micro':<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}\n")
    w(
        f"{'micro tolerant':<16}{mt['precision']:>10.3f}{mt['recall']:>10.3f}{mt['f1']:>10.3f}"
        "   (text within 1 character in 20)\n\n"
    )
    a, at = summary["automation_1pct"], summary["automation_1pct_tolerant"]
    w(
        f"automation at <= 1% residual error: {a['automation']:.1%} of fields "
        f"(threshold {a['threshold']:.3f}, error {a['error']:.2%}); tolerant: {at['automation']:.1%}\n"
    )
    w(f"expected calibration error: {summary['ece']:.3f} (tolerant: {summary['ece_tolerant']:.3f})\n\n")
    w(f"{'confidence':<12}{'count':>8}{'mean conf':>12}{'accuracy':>10}\n")
    for row in summary["reliability"]:
        if row["count"]:
            w(f"{row['bin']:<12}{row['count']:>8}{row['confidence']:>12.3f}{row['accuracy']:>10.3f}\n")
    if "seen_vendors" in summary:
        s = summary["seen_vendors"]
        w(
            f"\ndocuments of vendors confirmed earlier in the stream ({s['fields']} fields): "
            f"micro F1 {s['micro']['f1']:.3f} (tolerant {s['micro_tolerant']['f1']:.3f}); "
            f"automation at <= 1% residual error {s['automation_1pct']['automation']:.1%} "
            f"(tolerant {s['automation_1pct_tolerant']['automation']:.1%})\n"
        )
    if "pairs" in summary:
        p = summary["pairs"]
        w(
            f"\nkey-value pairs: precision {p['precision']:.3f} recall {p['recall']:.3f} F1 {p['f1']:.3f} "
            f"({p['predicted']} predicted, {p['expected']} expected)\n"
        )
