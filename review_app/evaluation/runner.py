"""`docloop eval`: run the worker's extraction on a labelled folder and measure it."""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from extractors.compare import normalize_expected, values_match
from extractors.context import ReadContext
from extractors.exceptions import ExtractionError
from extractors.schema import Schema
from extractors.sniff import sniff_media_type
from extractors.types import Extraction, Page
from review_app.evaluation.dataset import LabelledDocument, list_labelled
from review_app.evaluation.metrics import (
    Judgement,
    automation_at,
    micro_scores,
    per_field_scores,
    reliability,
)
from review_app.services.pipeline import Strategy, read_pages, route
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


def _read_one(
    args: tuple[LabelledDocument, ReadContext, bool],
) -> tuple[str, tuple[Page, ...] | None, str | None]:
    """Read one labelled document's pages (runs in a worker process)."""
    document, ctx, words_only = args
    try:
        if words_only and document.words_path is not None:
            return document.stem, read_pages(ctx, None, None, document.words_path.read_bytes()), None
        if document.document_path is None:
            if document.words_path is not None:
                return document.stem, read_pages(ctx, None, None, document.words_path.read_bytes()), None
            return document.stem, None, "no document or words file"
        data = document.document_path.read_bytes()
        return document.stem, read_pages(ctx, data, sniff_media_type(data[:16])), None
    except ExtractionError as e:
        return document.stem, None, f"{e.code}: {e.message}"


def read_all(
    documents: list[LabelledDocument], ctx: ReadContext, words_only: bool, jobs: int
) -> Iterator[tuple[LabelledDocument, tuple[Page, ...] | None, str | None]]:
    """Pages of every document in order, read in `jobs` processes (OCR dominates the cost)."""
    by_stem = {d.stem: d for d in documents}
    tasks = [(d, ctx, words_only) for d in documents]
    if jobs <= 1:
        for task in tasks:
            stem, pages, error = _read_one(task)
            yield by_stem[stem], pages, error
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for stem, pages, error in pool.map(_read_one, tasks, chunksize=1):
            yield by_stem[stem], pages, error


def only_of_type(documents: list[LabelledDocument], doc_type: str) -> list[LabelledDocument]:
    """In a folder that mixes types by naming stems `<type>-...` (as sample_docs/ does), keep one type."""
    prefixed = [d for d in documents if d.stem.startswith(f"{doc_type}-")]
    return prefixed or documents


def evaluate_folder(
    directory: Path,
    schema: Schema,
    strategy: Strategy,
    settings: Settings,
    ctx: ReadContext,
    *,
    words_only: bool = False,
    replay: bool = False,
    predictions: TextIO | None = None,
    jobs: int = 1,
    limit: int | None = None,
) -> EvalReport:
    """Predict every document of a labelled folder, compare with its labels, and collect the figures."""
    documents = only_of_type(list_labelled(directory), schema.name)[:limit]
    report = EvalReport()
    started = time.perf_counter()
    rng = random.Random(0)
    eval_settings = settings.with_overrides(audit_rate=0.0)  # the audit draw is not part of accuracy
    for document, pages, error in read_all(documents, ctx, words_only, jobs):
        report.documents += 1
        expected_raw = document.expected()
        if pages is None:
            report.failed.append({"stem": document.stem, "error": error or "unreadable"})
            _judge_missing(report, schema, expected_raw)
            continue
        extraction = strategy.extract(pages, schema)
        decision = route(schema, extraction, pages, eval_settings, rng)
        report.auto_routed += decision.route == "auto"
        expected = _judge(report, schema, extraction, expected_raw)
        if predictions is not None:
            predictions.write(
                json.dumps(
                    {
                        "stem": document.stem,
                        "fields": extraction.as_dict(),
                        "route": str(decision.route),
                        "reasons": [r.as_dict() for r in decision.reasons],
                    }
                )
                + "\n"
            )
        if replay:
            strategy.learn(pages, schema, expected)
    report.seconds = time.perf_counter() - started
    return report


def _judge(
    report: EvalReport, schema: Schema, extraction: Extraction, expected_raw: dict[str, Any]
) -> dict[str, str | None]:
    expected_values: dict[str, str | None] = {}
    for spec in schema.fields:
        if spec.name not in expected_raw:
            continue
        expected = normalize_expected(spec.type, expected_raw[spec.name], schema.date_order)
        expected_values[spec.name] = expected
        result = extraction.field(spec.name)
        predicted = result.normalized if result else None
        confidence = result.confidence if result and predicted is not None else 0.0
        if spec.type == "pairs":
            _judge_pairs(report, predicted, expected_raw[spec.name])
        report.judgements.append(
            Judgement(
                field=spec.name,
                predicted=predicted,
                expected=expected,
                confidence=confidence,
                correct=values_match(spec.type, predicted, expected),
                correct_tolerant=values_match(spec.type, predicted, expected, tolerant=True),
            )
        )
    return expected_values


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
    if "pairs" in summary:
        p = summary["pairs"]
        w(
            f"\nkey-value pairs: precision {p['precision']:.3f} recall {p['recall']:.3f} F1 {p['f1']:.3f} "
            f"({p['predicted']} predicted, {p['expected']} expected)\n"
        )
