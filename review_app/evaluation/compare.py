"""`docloop evaluate`: the strategies side by side on one frozen split, a learning curve, and a verdict on
whether retrieval over past corrections is enough or fine-tuning is worth its cost."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from extractors.schema import Schema
from review_app.evaluation.loading import Item
from review_app.evaluation.runner import EvalReport, expected_values, predict, teach
from review_app.services.export import split_for_key
from review_app.services.strategies import (
    BaselineStrategy,
    RetrievalStrategy,
    Strategy,
    TrainedStrategy,
    vendor_key,
)
from review_app.settings import Settings

CURVE_POINTS = (0, 10, 25, 50, 100, 200)
# Fine-tuning must beat retrieval by this much micro F1 (points) to be worth a training pipeline.
WORTH_IT_POINTS = 2.0


@dataclass(frozen=True)
class Split:
    """Which labelled documents teach and which are measured."""

    train: list[Item]
    test: list[Item]


def split_items(items: list[Item], schema: Schema, test_share: float) -> Split:
    """The snapshot's own split for items that carry one, else one by vendor hash, the way exports split:
    no vendor on both sides, the same on every run."""
    train, test = [], []
    for item in items:
        if item.split is not None:
            side = item.split
        else:
            vendor = vendor_key(schema, expected_values(schema, item.expected_raw))
            side = split_for_key(f"{schema.name}:{vendor or item.stem}", test_share)
        (test if side == "test" else train).append(item)
    return Split(train, test)


@dataclass
class Row:
    """One strategy's figures on the test documents."""

    name: str
    description: str
    summary: dict[str, Any]
    training_seconds: float
    latency_ms: float


def _run(
    name: str,
    description: str,
    make: Callable[[], Strategy],
    split: Split,
    schema: Schema,
    settings: Settings,
    *,
    train_count: int | None = None,
    replay: bool = False,
) -> Row:
    strategy = make()
    taught = split.train if train_count is None else split.train[:train_count]
    started = time.perf_counter()
    if taught:
        teach(strategy, taught, schema)
    if isinstance(strategy, TrainedStrategy) and taught:
        fitted = strategy.fit(schema)
        if replay:
            # The fitted model in production: the memory of each correction on top of it, from empty.
            strategy = RetrievalStrategy(models={schema.name: fitted})
    training = time.perf_counter() - started
    report = predict(split.test, schema, strategy, settings, replay=replay, report=EvalReport())
    read = [i for i in split.test if i.pages is not None]
    return Row(name, description, report.summary(), training, report.seconds * 1000 / max(1, len(read)))


STRATEGIES: tuple[tuple[str, str, Callable[[], Strategy], bool], ...] = (
    ("baseline", "the shipped model, no corrections", BaselineStrategy, False),
    ("retrieval", "shipped model + memory of the training corrections", RetrievalStrategy, False),
    (
        "retrieval + replay",
        "as in production: each test document's correction is remembered for the next",
        RetrievalStrategy,
        True,
    ),
    ("trained", "a ranker and calibration fitted on the training corrections", TrainedStrategy, False),
    (
        "trained + replay",
        "the fitted model in production: each test document's correction remembered for the next",
        TrainedStrategy,
        True,
    ),
)


def evaluate(items: list[Item], schema: Schema, settings: Settings, split: Split) -> dict[str, Any]:
    """Every strategy on the test documents, the learning curve, and the verdict, as one JSON-ready dict."""
    strategies = list(STRATEGIES)
    if settings.llm_url:
        from review_app.services.llm_strategy import LLMStrategy

        description = f"the chat model {settings.llm_model or '(default)'} at {settings.llm_url}, prompted"
        strategies.append(("llm", description, lambda: LLMStrategy(settings), False))
    rows = [
        _run(name, description, make, split, schema, settings, replay=replay)
        for name, description, make, replay in strategies
    ]
    curve = learning_curve(split, schema, settings)
    return {
        "doc_type": schema.name,
        "documents": {"train": len(split.train), "test": len(split.test)},
        "strategies": [
            {
                "name": r.name,
                "description": r.description,
                "micro_f1": r.summary["micro"]["f1"],
                "per_field_f1": {f: s["f1"] for f, s in r.summary["per_field"].items()},
                "automation_1pct": r.summary["automation_1pct"],
                "ece": r.summary["ece"],
                "reliability": r.summary["reliability"],
                "training_seconds": round(r.training_seconds, 3),
                "latency_ms_per_document": round(r.latency_ms, 2),
            }
            for r in rows
        ],
        "learning_curve": curve,
        "recommendation": recommend(rows, curve),
    }


def learning_curve(split: Split, schema: Schema, settings: Settings) -> list[dict[str, Any]]:
    """Micro F1 and automation on the test documents with 0, 10, 25, 50, 100, 200 and all corrections."""
    points = sorted({n for n in CURVE_POINTS if n < len(split.train)} | {len(split.train)})
    curve = []
    for n in points:
        for name, make in (("retrieval", RetrievalStrategy), ("trained", TrainedStrategy)):
            row = _run(name, "", make, split, schema, settings, train_count=n)
            curve.append(
                {
                    "strategy": name,
                    "corrections": n,
                    "micro_f1": row.summary["micro"]["f1"],
                    "automation": row.summary["automation_1pct"]["automation"],
                }
            )
    return curve


def recommend(rows: list[Row], curve: list[dict[str, Any]]) -> dict[str, Any]:
    """A plain-language verdict with the numbers it rests on."""
    by_name = {r.name: r for r in rows}

    def f1(row: Row) -> float:
        return float(row.summary["micro"]["f1"])

    retrieval = max(by_name["retrieval"], by_name["retrieval + replay"], key=f1)
    trained = max(by_name["trained"], by_name["trained + replay"], key=f1)
    gain = (trained.summary["micro"]["f1"] - retrieval.summary["micro"]["f1"]) * 100
    auto_gain = (
        trained.summary["automation_1pct"]["automation"] - retrieval.summary["automation_1pct"]["automation"]
    ) * 100
    worth_it = gain >= WORTH_IT_POINTS and auto_gain >= 0
    reasons = [
        f"Best retrieval ({retrieval.name}): micro F1 {retrieval.summary['micro']['f1']:.3f}, "
        f"{retrieval.summary['automation_1pct']['automation']:.0%} of fields automated at <= 1% error.",
        f"Best fine-tuned ({trained.name}): micro F1 {trained.summary['micro']['f1']:.3f}, "
        f"{trained.summary['automation_1pct']['automation']:.0%} automated; training took "
        f"{trained.training_seconds:.1f} s.",
        f"Fine-tuning {'gains' if gain >= 0 else 'loses'} {abs(gain):.1f} F1 points and "
        f"{'gains' if auto_gain >= 0 else 'loses'} {abs(auto_gain):.1f} automation points against retrieval "
        f"(worth it from {WORTH_IT_POINTS:g} F1 "
        "points with no loss of automation).",
    ]
    for name in ("retrieval", "trained"):
        points = [p for p in curve if p["strategy"] == name]
        if len(points) >= 2:
            last, before = points[-1], points[-2]
            slope = (last["micro_f1"] - before["micro_f1"]) * 100
            reasons.append(
                f"{name.capitalize()}: from {before['corrections']} to {last['corrections']} corrections, "
                f"micro F1 moved {slope:+.1f} points"
                + (" - more corrections still help." if slope > 0.5 else " - the curve has flattened.")
            )
    verdict = (
        "Fine-tuning is worth its cost here: train a model on the corrections, promote it, and keep the "
        "retrieval memory on top."
        if worth_it
        else "Retrieval over past corrections is enough here: it needs no training pipeline, learns from "
        "each correction at once, and fine-tuning does not beat it by enough to pay for one."
    )
    return {"verdict": verdict, "fine_tuning_worth_it": worth_it, "reasons": reasons}
