"""Learning from labelled documents: a candidate ranker and a confidence calibrator per field.

The ranker is a logistic regression over each candidate's features (is this candidate the right value?).
The confidence of the chosen value is a second, small logistic model over how the ranker saw it (its
score, its margin over the runner-up, the reader's confidence), fitted on out-of-fold predictions so that
it learns how often the ranker is right on documents it has not seen, then smoothed by isotonic
regression. Groups (vendors) never straddle folds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from extractors.compare import values_match
from extractors.extract import anchor_name, candidates_for, confidence_features, locate
from extractors.lexicon import learn_lexicon
from extractors.memory import Memory, Neighbour, build_entry, retrieve
from extractors.schema import FieldSpec, Schema
from extractors.scoring import Calibrator, FieldModel, ScoringModel
from extractors.types import Candidate, Page
from extractors.view import DocumentView

INNER_FOLDS = 5
MIN_DOCUMENTS = 8


@dataclass(frozen=True)
class LabelledPages:
    """A document's pages with its confirmed (normalised) values and its group (vendor) for splitting."""

    pages: tuple[Page, ...]
    expected: dict[str, str | None]
    group: str


@dataclass
class _FieldData:
    candidates: list[list[Candidate]]  # per document
    correct: list[list[bool]]
    groups: list[str]
    expected: list[str | None]


def _right(spec: FieldSpec, candidate: Candidate, expected: str | None) -> bool:
    # Train on what a reviewer would accept: labels carry typos and punctuation slips of their own.
    return values_match(spec.type, candidate.normalized, expected, tolerant=True)


def candidate_rights(spec: FieldSpec, candidates: list[Candidate], expected: str | None) -> list[bool]:
    """Which candidates are right: the exact value where a candidate carries it, so that the ranker learns
    to prefer it to near misses; else any a reviewer would accept."""
    exact = [values_match(spec.type, c.normalized, expected) for c in candidates]
    return exact if any(exact) else [_right(spec, c, expected) for c in candidates]


def _anchor_earlier_fields(
    view: DocumentView,
    schema: Schema,
    spec: FieldSpec,
    document: LabelledPages,
    base: ScoringModel,
    neighbours: list[Neighbour],
) -> None:
    """Give later finders the values earlier fields would anchor them to: the labelled one when it was
    found (as a reviewer confirmed it), else what the base model picks."""
    for earlier in schema.fields:
        if earlier.name == spec.name:
            return
        candidates = candidates_for(view, earlier, neighbours)
        if not candidates:
            continue
        expected = document.expected.get(earlier.name)
        right = next((c for c in candidates if _right(earlier, c, expected)), None)
        model = base.for_field(earlier)
        view.chosen[anchor_name(earlier)] = right or max(candidates, key=model.score)


def _collect(
    documents: Sequence[LabelledPages],
    schema: Schema,
    spec: FieldSpec,
    base: ScoringModel,
    neighbours: dict[int, list[Neighbour]],
) -> _FieldData:
    data = _FieldData([], [], [], [])
    for index, document in enumerate(documents):
        if spec.name not in document.expected:
            continue
        view = DocumentView(document.pages, date_order_hint=schema.date_order)
        around = neighbours.get(index, [])
        _anchor_earlier_fields(view, schema, spec, document, base, around)
        candidates = candidates_for(view, spec, around)
        expected = document.expected[spec.name]
        data.candidates.append(candidates)
        data.correct.append(candidate_rights(spec, candidates, expected))
        data.groups.append(document.group)
        data.expected.append(expected)
    return data


def _feature_names(rows: Iterable[list[Candidate]]) -> list[str]:
    names: set[str] = set()
    for candidates in rows:
        for candidate in candidates:
            names.update(candidate.features)
    return sorted(names)


def _matrix(candidates: list[Candidate], names: list[str]) -> np.ndarray:
    return np.array([[c.features.get(n, 0.0) for n in names] for c in candidates], dtype=float)


def _fit_ranker(data: _FieldData, indices: Sequence[int], names: list[str]) -> dict[str, float] | None:
    rows = [c for i in indices for c in data.candidates[i]]
    labels = [y for i in indices for y in data.correct[i]]
    if not rows or len(set(labels)) < 2:
        return None
    x = _matrix(rows, names)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    model.fit((x - mean) / std, np.array(labels))
    # Fold the standardisation into the weights, so scoring needs no scaler.
    weights = model.coef_[0] / std
    bias = float(model.intercept_[0] - np.sum(model.coef_[0] * mean / std))
    fitted = {name: float(w) for name, w in zip(names, weights, strict=True) if abs(w) > 1e-9}
    fitted["bias"] = bias
    return fitted


def _top_rows(data: _FieldData, i: int, spec: FieldSpec, model: FieldModel) -> tuple[list[float], bool]:
    """Confidence features of the value chosen on document i, and whether it is right (strictly: the
    confidence promises an exact value, not a near miss)."""
    candidates = data.candidates[i]
    if not candidates:
        return [], False
    scored = sorted(((model.score(c), c) for c in candidates), key=lambda t: t[0], reverse=True)
    best_score, best = scored[0]
    runner_up = next((s for s, c in scored[1:] if c.normalized != best.normalized), 0.0)
    right = values_match(spec.type, best.normalized, data.expected[i])
    return confidence_features(best_score, runner_up, best, candidates, model.lexicon), right


def _confidence_logit(rows: list[dict[str, float]], outcomes: list[bool]) -> dict[str, float]:
    names = sorted({name for row in rows for name in row})
    x = np.array([[row.get(n, 0.0) for n in names] for row in rows])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    model = LogisticRegression(C=0.3, max_iter=3000)
    model.fit((x - mean) / std, np.array(outcomes))
    weights = model.coef_[0] / std
    coefficients = {n: float(w) for n, w in zip(names, weights, strict=True) if abs(w) > 1e-9}
    coefficients["bias"] = float(model.intercept_[0] - np.sum(model.coef_[0] * mean / std))
    return coefficients


def _fit_confidence(
    rows: list[dict[str, float]], outcomes: list[bool], groups: list[str]
) -> tuple[dict[str, float], Calibrator | None]:
    """A logistic model of "the chosen value is right", then isotonic smoothing fitted on its predictions
    for vendors it did not see, so that 0.99 means right 99 times in 100 on new vendors."""
    if len(set(outcomes)) < 2:
        rate = sum(outcomes) / max(1, len(outcomes))
        return {"bias": math.log(max(rate, 1e-3) / max(1 - rate, 1e-3))}, None
    coefficients = _confidence_logit(rows, outcomes)
    held_out_scores: list[float] = []
    held_out_outcomes: list[bool] = []
    folds = min(INNER_FOLDS, len(set(groups)))
    if folds >= 2:
        for train, test in GroupKFold(n_splits=folds).split(rows, groups=np.array(groups)):
            train_outcomes = [outcomes[i] for i in train]
            if len(set(train_outcomes)) < 2:
                continue
            fold = FieldModel(
                weights={}, confidence_weights=_confidence_logit([rows[i] for i in train], train_outcomes)
            )
            for i in test:
                held_out_scores.append(fold.confidence(rows[i], 0.0))
                held_out_outcomes.append(outcomes[i])
    if len(set(held_out_outcomes)) < 2:
        return coefficients, None
    return coefficients, Calibrator.fitted(held_out_scores, held_out_outcomes)


def fit_field(
    documents: Sequence[LabelledPages],
    schema: Schema,
    spec: FieldSpec,
    base: ScoringModel,
    neighbours: dict[int, list[Neighbour]] | None = None,
) -> FieldModel | None:
    """A ranker and calibrated confidence for one field; None when the labels cannot support one."""
    data = _collect(documents, schema, spec, base, neighbours or {})
    if len(data.candidates) < MIN_DOCUMENTS:
        return None
    names = _feature_names(data.candidates)
    everything = list(range(len(data.candidates)))
    weights = _fit_ranker(data, everything, names) or dict(base.for_field(spec).weights)
    wants_lexicon = spec.type in {"text", "address"}
    # Out-of-fold: how the ranker does on vendors it did not see decides what its scores mean.
    confidence_rows: list[dict[str, float]] = []
    outcomes: list[bool] = []
    row_groups: list[str] = []
    groups = np.array(data.groups)
    folds = min(INNER_FOLDS, len(set(data.groups)))
    if folds >= 2:
        for train, test in GroupKFold(n_splits=folds).split(everything, groups=groups):
            fold_weights = _fit_ranker(data, list(train), names) or weights
            fold_lexicon = (
                learn_lexicon((data.expected[j], data.groups[j]) for j in train) if wants_lexicon else {}
            )
            fold_model = FieldModel(weights=fold_weights, lexicon=fold_lexicon)
            for i in test:
                row, ok = _top_rows(data, int(i), spec, fold_model)
                if row:
                    confidence_rows.append(row)
                    outcomes.append(ok)
                    row_groups.append(data.groups[int(i)])
    lexicon = learn_lexicon(zip(data.expected, data.groups, strict=True)) if wants_lexicon else {}
    if not confidence_rows:
        return FieldModel(weights=weights, lexicon=lexicon)
    coefficients, calibrator = _fit_confidence(confidence_rows, outcomes, row_groups)
    return FieldModel(
        weights=weights, confidence_weights=coefficients, calibrator=calibrator, lexicon=lexicon
    )


def remembered_neighbours(documents: Sequence[LabelledPages], schema: Schema) -> dict[int, list[Neighbour]]:
    """For each document, what a retrieval memory of all the others would return: the ranker then learns
    how much to trust the memory's evidence (leave one out, so no document remembers itself)."""
    memory = Memory(max_per_vendor=len(documents) + 1)
    for index, document in enumerate(documents):
        entry = build_entry(
            str(index),
            document.pages,
            schema.name,
            document.group,
            document.expected,
            locate(document.pages, schema, document.expected),
        )
        memory.add(entry)
    return {
        index: retrieve(memory, DocumentView(document.pages), schema.name, exclude=str(index))
        for index, document in enumerate(documents)
    }


def fit_model(
    documents: Sequence[LabelledPages],
    schema: Schema,
    version: str,
    base: ScoringModel | None = None,
    with_memory: bool = True,
) -> ScoringModel:
    """Learn every field of a schema that the labels cover; other fields keep the base model. With memory,
    the ranker and confidence also learn to weigh what retrieval of other confirmed documents says."""
    base = base or ScoringModel(doc_type=schema.name)
    fields = dict(base.fields)
    neighbours = remembered_neighbours(documents, schema) if with_memory else {}
    for spec in schema.fields:
        if spec.finder in {"line_items", "key_value"}:
            continue  # structured values are judged as a whole; there is nothing to rank
        fitted = fit_field(documents, schema, spec, base, neighbours)
        if fitted is not None:
            fields[spec.name] = fitted
    return ScoringModel(doc_type=schema.name, version=version, fields=fields)
