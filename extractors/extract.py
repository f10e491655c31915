"""From pages to fields: find candidates, score them, pick one per field, validate. Reads top to bottom."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from extractors.candidates.address import address_candidates
from extractors.candidates.pairs import key_value_candidates
from extractors.candidates.tables import line_item_candidates
from extractors.candidates.typed import typed_candidates
from extractors.candidates.vendor import vendor_candidates
from extractors.compare import values_match
from extractors.memory import (
    TEXT_MATCH,
    Memory,
    Neighbour,
    add_memory_features,
    remembered_candidates,
    retrieve,
    squash,
)
from extractors.schema import FieldSpec, Schema
from extractors.scoring import FieldModel, ScoringModel, load_model
from extractors.types import Candidate, Extraction, FieldResult, Page
from extractors.validate import consequences, validate
from extractors.view import DocumentView

EXTRACTOR_VERSION = "0.1.0"

Finder = Callable[[DocumentView, FieldSpec], list[Candidate]]
FINDERS: dict[str, Finder] = {
    "vendor": vendor_candidates,
    "address": address_candidates,
    "line_items": line_item_candidates,
    "key_value": key_value_candidates,
}
LOW_OCR_CONFIDENCE = 0.6
# Characters that rarely stand in a printed value but often in a misread one.
ODD_CHARACTERS = set("_?|~{}[]<>\\^`¥§©®°±×÷“”‘’;!")
AMBIGUITY_MARGIN = 0.1


def extract(
    pages: tuple[Page, ...],
    schema: Schema,
    model: ScoringModel | None = None,
    consequence_overrides: Mapping[str, float] | None = None,
    memory: Memory | None = None,
) -> Extraction:
    """Extract every field of `schema` from `pages`, with confidences, validation issues and consequences;
    with a retrieval `memory`, confirmed documents like this one lend their evidence."""
    model = model or load_model(schema.name)
    view = DocumentView(pages, date_order_hint=schema.date_order)
    neighbours = retrieve(memory, view, schema.name) if memory is not None else []
    results = []
    for spec in schema.fields:
        candidates = candidates_for(view, spec, neighbours)
        result, best = choose(spec, candidates, model.for_field(spec))
        results.append(result)
        if best is not None:
            view.chosen[anchor_name(spec)] = best
    values = {r.name: r.normalized for r in results}
    issues = validate(schema, values)
    fired = consequences(schema, values, consequence_overrides)
    return Extraction(
        doc_type=schema.name,
        fields=tuple(results),
        issues=tuple(issues),
        high_consequence=tuple(rule.name for rule in fired),
        extractor_version=EXTRACTOR_VERSION,
        strategy=model.strategy,
    )


def anchor_name(spec: FieldSpec) -> str:
    """Under which name a chosen value is kept for later finders (its finder, else its field name)."""
    return spec.finder or spec.name


def candidates_for(
    view: DocumentView, spec: FieldSpec, neighbours: list[Neighbour] | None = None
) -> list[Candidate]:
    """The candidates of one field, from its named finder or its type's parser, plus what remembered
    documents propose, each carrying the memory's evidence."""
    candidates = _found(view, spec)
    if view.other_readings:
        candidates = pooled_readings([candidates] + [_found(other, spec) for other in view.other_readings])
    if neighbours:
        if spec.type in {"text", "address"}:
            remembered = remembered_candidates(view, spec.name, neighbours)
            lend_page_evidence(view, remembered, candidates)
            candidates += remembered
        add_memory_features(view, spec.name, candidates, neighbours)
    return candidates


def _found(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    finder = FINDERS.get(spec.finder, typed_candidates)
    candidates = finder(view, spec)
    if spec.label_required:
        candidates = [
            c for c in candidates if c.features.get("label_same_line") or c.features.get("label_above")
        ]
    return candidates


def pooled_readings(readings: list[list[Candidate]]) -> list[Candidate]:
    """The candidates of every reading of the page together, each with what the other readings say of it:
    the share of them that found the same value (`read_alike`: readings rarely misread a value the same
    way), how near their nearest values come on average (`read_near`: a line that is text in one reading
    and noise in another is likelier noise), and whether it comes from a further reading
    (`other_reading`), so the ranker can weigh the readings it trusts less. Its cues say so too."""
    values = [{squash(c.normalized) for c in candidates} - {""} for candidates in readings]
    pooled = []
    for index, candidates in enumerate(readings):
        others = [v for k, v in enumerate(values) if k != index]
        for candidate in candidates:
            value = squash(candidate.normalized)
            alike = sum(1 for other in others if value in other) / len(others) if value else 0.0
            near = [
                process.extractOne(value, other, scorer=Levenshtein.normalized_similarity) for other in others
            ]
            candidate.features["read_near"] = sum(n[1] for n in near if n) / len(others) if value else 0.0
            cues = candidate.cues
            if alike:
                candidate.features["read_alike"] = alike
                cues += ("readings agree",)
            if index:
                candidate.features["other_reading"] = 1.0
                cues += (f"reading {index + 1}",)
            pooled.append(replace(candidate, cues=cues))
    return pooled


def lend_page_evidence(view: DocumentView, remembered: list[Candidate], found: list[Candidate]) -> None:
    """Give each remembered value the page evidence of the OCR reading that comes closest to it (in place).

    On a page read by OCR, a remembered value close to a candidate is most often that candidate as it
    was printed, before OCR misread it: it stands where the candidate stands and deserves the same
    evidence (a name's place and size, an address's postcode), so that the ranker weighs the two only by
    what memory adds. Text layers and supplied words are exact, so there a near value is another value
    (another branch), and lending it the page's evidence cost 0.6 points of F1 (BENCHMARKS.md).
    """
    for candidate in remembered:
        if candidate.features.get("mem_unread"):
            continue  # the page does not show it: no candidate there is a reading of it
        target = squash(candidate.normalized)
        scored = [
            (Levenshtein.normalized_similarity(target, squash(c.normalized)), c)
            for c in found
            if view.page(c.page).source == "ocr"
        ]
        similarity, reading = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        if reading is None or similarity < TEXT_MATCH:
            continue
        for name, value in reading.features.items():
            candidate.features.setdefault(name, value)


def locate(pages: tuple[Page, ...], schema: Schema, values: Mapping[str, str | None]) -> dict[str, Candidate]:
    """For confirmed values, the candidate of each field that carries it (where it stood on the page)."""
    view = DocumentView(pages, date_order_hint=schema.date_order)
    located: dict[str, Candidate] = {}
    for spec in schema.fields:
        value = values.get(spec.name)
        if not value or spec.type in {"table", "pairs"}:
            continue
        candidates = candidates_for(view, spec)
        found = next(
            (c for c in candidates if values_match(spec.type, c.normalized, value, tolerant=True)), None
        )
        if found is not None:
            located[spec.name] = found
            view.chosen[anchor_name(spec)] = found
    return located


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def confidence_features(
    best_score: float,
    runner_up: float,
    best: Candidate,
    candidates: list[Candidate],
    lexicon: dict[str, int] | None = None,
) -> dict[str, float]:
    """What the confidence model sees of a choice: the ranker's score and margin, the reader's confidence,
    how many candidates agree, how many of its words the lexicon knows, and the candidate's own features."""
    agreeing = sum(1 for c in candidates if c.normalized == best.normalized)
    # Another reading one character away ("2018-01-25" beside "2018-01-26") is a sign of an OCR slip.
    near = {
        c.normalized
        for c in candidates
        if c.normalized != best.normalized
        and len(c.normalized) == len(best.normalized)
        and Levenshtein.distance(c.normalized, best.normalized, score_cutoff=1) <= 1
    }
    words = best.normalized.split()
    features = {
        "score_logit": _logit(best_score),
        "margin": _logit(best_score) - _logit(runner_up) if runner_up > 0 else 10.0,
        "ocr_confidence": best.ocr_confidence,
        "candidates": math.log1p(len(candidates)),
        "agreeing": math.log1p(agreeing),
        "odd_characters": float(sum(1 for ch in best.normalized if ch in ODD_CHARACTERS)),
        "near_conflicts": float(len(near)),
    }
    if lexicon:
        known = sum(1 for w in words if w.strip(".,:;()").upper() in lexicon)
        features["lexicon_known"] = known / max(1, len(words))
    features.update({f"c:{name}": value for name, value in best.features.items()})
    return features


def choose(
    spec: FieldSpec, candidates: list[Candidate], model: FieldModel
) -> tuple[FieldResult, Candidate | None]:
    """The best-scoring candidate, with a confidence that accounts for the runner-up and the reader."""
    if not candidates:
        return FieldResult(
            name=spec.name, type=spec.type, value=None, normalized=None, confidence=0.0, flags=("not_found",)
        ), None
    scored = sorted(((model.score(c), c) for c in candidates), key=lambda pair: pair[0], reverse=True)
    best_score, best = scored[0]
    runner_up = next((s for s, c in scored[1:] if c.normalized != best.normalized), 0.0)
    fallback = best_score * (1.0 - 0.5 * runner_up) * (0.5 + 0.5 * best.ocr_confidence)
    features = confidence_features(best_score, runner_up, best, candidates, model.lexicon)
    confidence = model.confidence(features, fallback)
    flags = []
    if best.ocr_confidence < LOW_OCR_CONFIDENCE:
        flags.append("low_ocr_confidence")
    if best_score - runner_up < AMBIGUITY_MARGIN:
        flags.append("ambiguous")
    return FieldResult(
        name=spec.name,
        type=spec.type,
        value=best.text,
        normalized=best.normalized,
        confidence=max(0.0, min(1.0, confidence)),
        page=best.page,
        box=best.box,
        cues=best.cues,
        flags=tuple(flags),
    ), best
