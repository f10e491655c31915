"""The steps a worker runs on a document, shared with `docloop eval` so both use exactly the same code."""

from __future__ import annotations

import random
from typing import Protocol

from extractors.context import ReadContext
from extractors.extract import extract
from extractors.reading import read_document
from extractors.reading.document import NO_TEXT_FLAG
from extractors.reading.words_json import parse_words_json
from extractors.schema import Schema
from extractors.scoring import ScoringModel, load_model
from extractors.types import Extraction, Page
from review_app.services.routing import Decision, decide
from review_app.settings import Settings


def read_pages(
    ctx: ReadContext, data: bytes | None, media_type: str | None, words: bytes | None = None
) -> tuple[Page, ...]:
    """Pages from supplied words when given (bring your own OCR), else from the document itself."""
    if words is not None:
        return parse_words_json(words, max_pages=ctx.max_pages)
    if data is None or media_type is None:
        raise ValueError("either words or the document bytes are needed")
    return read_document(data, media_type, ctx)


class Strategy(Protocol):
    """How fields are extracted, and how it learns from confirmed values (reviews, --train, --replay)."""

    name: str

    def extract(self, pages: tuple[Page, ...], schema: Schema) -> Extraction:
        """Fields of one document."""
        ...

    def learn(self, pages: tuple[Page, ...], schema: Schema, final: dict[str, str | None]) -> None:
        """Take in one document's confirmed values."""
        ...


class BaselineStrategy:
    """The shipped (or promoted) scoring model; it does not learn from feedback."""

    name = "baseline"

    def __init__(
        self,
        models: dict[str, ScoringModel] | None = None,
        consequence_overrides: dict[str, float] | None = None,
    ) -> None:
        self._models = dict(models or {})
        self._overrides = consequence_overrides or {}

    def model(self, doc_type: str) -> ScoringModel:
        """The scoring model of a document type (loaded once)."""
        if doc_type not in self._models:
            self._models[doc_type] = load_model(doc_type)
        return self._models[doc_type]

    def extract(self, pages: tuple[Page, ...], schema: Schema) -> Extraction:
        """Fields of one document with the scoring model of its type."""
        return extract(pages, schema, self.model(schema.name), consequence_overrides=self._overrides)

    def learn(self, pages: tuple[Page, ...], schema: Schema, final: dict[str, str | None]) -> None:
        """The baseline keeps its model as it is."""


def consequence_overrides(settings: Settings) -> dict[str, float]:
    """Consequence thresholds the operator set, by rule name."""
    return {"high_value": settings.high_value_total}


def route(
    schema: Schema, extraction: Extraction, pages: tuple[Page, ...], settings: Settings, rng: random.Random
) -> Decision:
    """The routing decision for an extraction, with pages where nothing was read flagged."""
    flagged = tuple(p.number for p in pages if NO_TEXT_FLAG in p.flags)
    return decide(schema, extraction, audit_rate=settings.audit_rate, rng=rng, flagged_pages=flagged)
