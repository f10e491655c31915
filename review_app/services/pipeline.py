"""The steps a worker runs on a document, shared with `docloop eval` so both use exactly the same code."""

from __future__ import annotations

import random

from extractors.context import ReadContext
from extractors.reading import read_document
from extractors.reading.document import NO_TEXT_FLAG
from extractors.reading.words_json import parse_words_json
from extractors.schema import Schema
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


def consequence_overrides(settings: Settings) -> dict[str, float]:
    """Consequence thresholds the operator set, by rule name."""
    return {"high_value": settings.high_value_total}


def route(
    schema: Schema, extraction: Extraction, pages: tuple[Page, ...], settings: Settings, rng: random.Random
) -> Decision:
    """The routing decision for an extraction, with pages where nothing was read flagged."""
    flagged = tuple(p.number for p in pages if NO_TEXT_FLAG in p.flags)
    return decide(schema, extraction, audit_rate=settings.audit_rate, rng=rng, flagged_pages=flagged)
