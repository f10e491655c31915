"""What web, worker and CLI share: settings, the database, stored bytes, schemas and models."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy.orm import Session

from extractors.context import ReadContext
from extractors.schema import Schema, get_schema, load_schemas
from review_app.db import session_factory, session_scope
from review_app.settings import ENV_PREFIX, Settings, languages_by_type, load_settings
from review_app.storage import BlobStore


@dataclass
class Runtime:
    """One per process; built from settings that were read once."""

    settings: Settings

    @property
    def database_url(self) -> str:
        return self.settings.effective_database_url

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits on success, rolls back on error."""
        with session_scope(self.database_url) as session:
            yield session

    def new_session(self) -> Session:
        """A session the caller manages (web requests close it at teardown)."""
        return session_factory(self.database_url)()

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.settings.blob_dir)

    @cached_property
    def schemas(self) -> dict[str, Schema]:
        dirs = [self.settings.schema_dir] if self.settings.schema_dir else []
        return load_schemas(dirs)

    def schema(self, name: str) -> Schema:
        """The schema of a document type (raises UnknownDocumentType)."""
        return get_schema(self.schemas, name)

    @cached_property
    def read_context(self) -> ReadContext:
        s = self.settings
        return ReadContext(
            max_pages=s.max_pages,
            max_image_pixels=s.max_image_pixels,
            ocr_timeout_seconds=s.ocr_timeout_seconds,
            ocr_language=s.ocr_language,
            tessdata_dir=str(s.tessdata_dir) if s.tessdata_dir else None,
            ocr_engine=s.ocr_engine,
            upscale_below=s.ocr_upscale_below,
        )

    @cached_property
    def ocr_languages_by_type(self) -> dict[str, str]:
        """The document types read with readings of their own (DOCLOOP_OCR_LANGUAGE_BY_TYPE), parsed once."""
        return languages_by_type(self.settings)

    def read_context_for(self, doc_type: str) -> ReadContext:
        """The reading knobs for documents of one type: the operator's settings (the type's own readings,
        if DOCLOOP_OCR_LANGUAGE_BY_TYPE names it) and the type's page layout."""
        language = self.ocr_languages_by_type.get(doc_type, self.settings.ocr_language)
        return replace(
            self.read_context,
            page_segmentation=self.schema(doc_type).ocr_segmentation,
            ocr_language=language,
        )


_runtimes: dict[Settings, Runtime] = {}
_from_environment: dict[tuple[tuple[str, str], ...], Runtime] = {}


def get_runtime(settings: Settings | None = None) -> Runtime:
    """The process's runtime for the given settings (read from the environment once when omitted)."""
    if settings is None:
        key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(ENV_PREFIX)))
        if key not in _from_environment:
            _from_environment[key] = get_runtime(load_settings())
        return _from_environment[key]
    runtime = _runtimes.get(settings)
    if runtime is None:
        runtime = Runtime(settings)
        _runtimes[settings] = runtime
    return runtime
