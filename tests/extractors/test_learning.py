"""Learning from confirmed documents: the ranker generalises to unseen vendors and survives a round trip."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest

from extractors.extract import extract
from extractors.learning import LabelledPages, candidate_rights, fit_model
from extractors.schema import load_schemas
from extractors.scoring import MEMORY_WEIGHTS, ScoringModel, with_memory_weights
from extractors.types import Candidate, Page, Word

RECEIPT = load_schemas()["receipt"]


def _receipt(rng: random.Random, vendor: int) -> LabelledPages:
    """A receipt as words: name, address, date, items, a subtotal, a total, cash and change (distractors)."""
    lines: list[str] = [
        f"SHOP {vendor} TRADING SDN BHD",
        f"NO {vendor}, JALAN {vendor}",
        f"5{vendor:04d} KUALA LUMPUR",
        f"TEL 03-{rng.randint(1000, 9999)}",
    ]
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    lines.append(f"DATE: {day:02d}/{month:02d}/2019 {rng.randint(8, 21)}:{rng.randint(10, 59)}")
    items = [Decimal(rng.randint(100, 5000)) / 100 for _ in range(rng.randint(2, 5))]
    lines += [f"ITEM {i} {price:.2f}" for i, price in enumerate(items)]
    total = sum(items)
    cash = Decimal(int(total) + rng.randint(1, 50))
    lines += [
        f"SUBTOTAL {total - Decimal('0.50'):.2f}",
        f"TOTAL {total:.2f}",
        f"CASH {cash:.2f}",
        f"CHANGE {cash - total:.2f}",
    ]
    if vendor % 2:  # half the vendors print the total first under another label
        lines.insert(-4, f"AMOUNT DUE {total:.2f}")
    words = tuple(
        Word(text, (10.0, 20.0 * i, 10.0 + 8 * len(text), 20.0 * i + 12)) for i, text in enumerate(lines)
    )
    page = Page(1, 400.0, 20.0 * len(lines) + 20, words, "supplied")
    expected = {
        "company": lines[0],
        "date": f"2019-{month:02d}-{day:02d}",
        "address": " ".join(lines[1:3]),
        "total": f"{total:.2f}",
    }
    return LabelledPages((page,), expected, f"V{vendor}")


def test_fitted_ranker_finds_totals_of_vendors_it_never_saw():  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    train = [_receipt(rng, vendor) for vendor in range(8) for _ in range(5)]
    test = [_receipt(rng, vendor) for vendor in range(20, 26) for _ in range(3)]
    model = fit_model(train, RECEIPT, version="test")
    right = {"total": 0, "date": 0}
    for document in test:
        extraction = extract(document.pages, RECEIPT, model)
        for name in right:
            right[name] += extraction.field(name).normalized == document.expected[name]
    assert right["total"] / len(test) >= 0.9
    assert right["date"] / len(test) >= 0.9
    assert {"total", "date", "company", "address"} <= set(model.fields)
    assert model.fields["total"].confidence_weights, "a confidence model is fitted out of fold"


def test_model_json_round_trip_keeps_scores_and_confidences():  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    model = fit_model([_receipt(rng, v) for v in range(6) for _ in range(4)], RECEIPT, version="rt")
    again = ScoringModel.from_json(json.loads(json.dumps(model.to_json())))
    document = _receipt(rng, 40)
    first, second = extract(document.pages, RECEIPT, model), extract(document.pages, RECEIPT, again)
    for a, b in zip(first.fields, second.fields, strict=True):
        assert a.normalized == b.normalized
        assert a.confidence == pytest.approx(b.confidence)
    assert again.fields["total"].confidence_weights == model.fields["total"].confidence_weights
    assert again.fields["company"].lexicon == model.fields["company"].lexicon


def test_shipped_receipt_models_load_and_differ_by_reading():  # type: ignore[no-untyped-def]
    from extractors.scoring import load_model

    words, ocr = load_model("receipt", "text"), load_model("receipt", "ocr")
    assert words.version != "default" and ocr.version != "default"
    assert words.version != ocr.version
    assert words.fields["total"].calibrator is not None


def _candidate(value: str) -> Candidate:
    return Candidate("company", value, value, 1, (0.0, 0.0, 1.0, 1.0), ("test",))


def test_ranker_learns_exact_values_over_near_misses_when_the_page_has_both():  # type: ignore[no-untyped-def]
    company = RECEIPT.field("company")
    near, exact = _candidate("SHOP ONE TRADING SDN BHD"), _candidate("SHOP ONE TRADING SDN. BHD")
    other = _candidate("ITEM 1 4.50")
    # Both readings are within a reviewer's tolerance of the label; only the exact one is taught as right.
    assert candidate_rights(company, [near, exact, other], "SHOP ONE TRADING SDN. BHD") == [
        False,
        True,
        False,
    ]
    # With no exact reading on the page, the near miss is still the right one to learn.
    assert candidate_rights(company, [near, other], "SHOP ONE TRADING SDN. BHD") == [True, False]
    assert candidate_rights(company, [other], "SHOP ONE TRADING SDN. BHD") == [False]


def test_a_model_fitted_before_unread_proposals_keeps_their_hand_set_weight():  # type: ignore[no-untyped-def]
    learned = {"bias": -1.0, "mem_value": 3.0, "mem_candidate": 2.0}
    assert with_memory_weights(learned)["mem_unread"] == MEMORY_WEIGHTS["mem_unread"] < 0
    assert with_memory_weights({**learned, "mem_unread": 1.5})["mem_unread"] == 1.5
    assert with_memory_weights({"bias": 0.0}) == {"bias": 0.0, **MEMORY_WEIGHTS}
