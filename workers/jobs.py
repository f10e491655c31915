"""RQ jobs: plain functions taking ids, safe to run twice (the database decides who may write)."""

from __future__ import annotations

import logging
import random
import time

from sqlalchemy.orm import Session

from extractors.exceptions import ExtractionError, OcrFailed
from extractors.reading.ocr import load_engine
from extractors.types import Page, Word
from review_app.exceptions import QueueUnavailable
from review_app.logcontext import about
from review_app.models import Document
from review_app.queue import enqueue_delivery
from review_app.runtime import Runtime, get_runtime
from review_app.services import processing
from review_app.services.memory import MemoryIndex
from review_app.services.model_registry import serving_models
from review_app.services.pipeline import consequence_overrides, read_pages, route
from review_app.services.strategies import BaselineStrategy
from review_app.services.webhooks import deliver

log = logging.getLogger("docloop.jobs")
MEMORY_LIMIT = "memory_limit_exceeded"


_strategies: dict[tuple[tuple[str, float], ...], BaselineStrategy] = {}
_memories: dict[str, MemoryIndex] = {}  # this process's copy of the retrieval memory, per database
_serving: dict[str, dict[str, int | None]] = {}  # per database: document type -> model version served


def _strategy(runtime: Runtime) -> BaselineStrategy:
    """One strategy per process and settings, so its loaded models outlive a job (and a fork)."""
    overrides = consequence_overrides(runtime.settings)
    key = tuple(sorted(overrides.items()))
    if key not in _strategies:
        _strategies[key] = BaselineStrategy(consequence_overrides=overrides)
    return _strategies[key]


def _serve_promoted(session: Session, runtime: Runtime) -> None:
    """Switch to the model an admin promoted (or rolled back to) since the last job: one query when
    nothing changed, so a promotion reaches every worker at its next document, with no restart."""
    held = _serving.setdefault(runtime.database_url, {})
    for doc_type, serving in serving_models(session, held).items():
        _strategy(runtime).use_model(doc_type, serving.model)
        held[doc_type] = serving.version_id
        log.info("serving %s model version %s", doc_type, serving.version_id or "shipped")


def warm_up() -> None:
    """Do once in the worker what every job would otherwise redo in its forked work horse: load schemas
    and models and compile the extractors' patterns, by extracting every document type from a small
    made-up page read both ways, and load tesseract."""
    runtime = get_runtime()
    try:
        for doc_type in runtime.schemas:
            load_engine(runtime.read_context_for(doc_type))  # every type's readings (the same ones load once)
    except OcrFailed as e:  # missing language data: every scan will fail with this, /readyz says so too
        log.error("tesseract could not be loaded: %s", e)
    words = tuple(
        Word(
            text, (40.0 + 90 * (i % 3), 40.0 + 20 * (i // 3), 120.0 + 90 * (i % 3), 55.0 + 20 * (i // 3)), 0.9
        )
        for i, text in enumerate(
            ["ACME", "LTD", "Invoice", "No:", "INV-1", "Date:", "01/02/2024", "TOTAL", "12.50"]
        )
    )
    for source in ("text_layer", "ocr"):
        page = Page(number=1, width=400.0, height=600.0, words=words, source=source)
        for schema in runtime.schemas.values():
            _strategy(runtime).extract((page,), schema)


def process_document(document_id: int) -> str:
    """Read, extract and route one document; returns what happened (for RQ's result)."""
    with about(f"doc={document_id}"):
        return _process_document(document_id)


def _process_document(document_id: int) -> str:
    runtime = get_runtime()
    claim = processing.claim(runtime, document_id)
    if claim is None:
        log.info("document %s: not claimable (done, failed, or held by another worker)", document_id)
        return "skipped"
    try:
        with runtime.session() as session:
            document = session.get(Document, document_id)
            sha256, media_type, words_sha, doc_type = (
                document.sha256,
                document.media_type,
                document.words_sha256,
                document.doc_type,
            )
            memory = _memories.setdefault(runtime.database_url, MemoryIndex()).refresh(session)
            _serve_promoted(session, runtime)
        schema = runtime.schema(doc_type)
        started = time.perf_counter()
        words = runtime.blobs.get(words_sha) if words_sha else None
        data = None if words is not None else runtime.blobs.get(sha256)
        pages = read_pages(runtime.read_context_for(doc_type), data, media_type, words)
        read_done = time.perf_counter()
        strategy = _strategy(runtime)
        strategy.memory = memory
        extraction = strategy.extract(pages, schema)
        decision = route(schema, extraction, pages, runtime.settings, random.Random())
        extract_done = time.perf_counter()
    except ExtractionError as e:
        log.info("document %s: failed with %s: %s", document_id, e.code, e.message)
        processing.fail(runtime, claim, e.code, e.message)
        return f"failed:{e.code}"
    except FileNotFoundError as e:
        processing.fail(runtime, claim, "blob_missing", f"The stored file is missing: {e}")
        return "failed:blob_missing"
    except MemoryError:
        # The work horse's address-space limit (DOCLOOP_WORKER_MEMORY_LIMIT_MB): retrying cannot help.
        processing.fail(
            runtime,
            claim,
            MEMORY_LIMIT,
            "Reading the document needed more memory than a worker may use; "
            "split it or lower its resolution and upload again.",
        )
        return f"failed:{MEMORY_LIMIT}"
    except BaseException:
        # Unexpected: hand the document back for RQ's retry (or the sweeper), then let RQ record the error.
        processing.release(runtime, claim)
        raise
    saved = processing.save_results(
        runtime,
        claim,
        pages,
        extraction,
        decision,
        read_ms=round((read_done - started) * 1000),
        extract_ms=round((extract_done - read_done) * 1000),
    )
    log.info(
        "document %s: %s (%s)",
        document_id,
        decision.route if saved else "lost claim",
        ",".join(r.code for r in decision.reasons) or "no reasons",
    )
    return str(decision.route) if saved else "lost_claim"


def deliver_webhook(delivery_id: str) -> str:
    """Try one webhook delivery; a failure is recorded and the retry scheduled (in the database, and as a
    delayed job so it runs on time; the sweeper covers a lost one)."""
    with about(f"webhook={delivery_id}"):
        return _deliver_webhook(delivery_id)


def _deliver_webhook(delivery_id: str) -> str:
    runtime = get_runtime()
    status, retry_in, attempts = deliver(runtime, delivery_id)
    if retry_in is not None:
        try:
            enqueue_delivery(runtime.settings, delivery_id, attempts + 1, delay_seconds=retry_in)
        except QueueUnavailable:
            log.warning("webhook %s: retry left for the sweeper (queue unavailable)", delivery_id)
    return status
