"""Read a labelled folder's documents into pages, in parallel, with an optional on-disk cache of OCR."""

from __future__ import annotations

import hashlib
import json
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.context import ReadContext
from extractors.exceptions import ExtractionError
from extractors.reading.document import READER_VERSION
from extractors.sniff import sniff_media_type
from extractors.types import Page, words_of_rows
from review_app.evaluation.dataset import LabelledDocument, list_labelled
from review_app.services.pipeline import read_pages


@dataclass(frozen=True)
class Item:
    """One labelled document, read (or the reason it could not be)."""

    document: LabelledDocument
    pages: tuple[Page, ...] | None
    error: str | None
    expected_raw: dict[str, Any]
    split: str | None = None  # "train" or "test" when a snapshot fixed it

    @property
    def stem(self) -> str:
        return self.document.stem


def only_of_type(documents: list[LabelledDocument], doc_type: str) -> list[LabelledDocument]:
    """In a folder that mixes types by naming stems `<type>-...` (as sample_docs/ does), keep one type."""
    prefixed = [d for d in documents if d.stem.startswith(f"{doc_type}-")]
    return prefixed or documents


def _source(document: LabelledDocument, words_only: bool) -> tuple[Path | None, bool]:
    """Which file to read, and whether it is a words JSON."""
    if document.words_path is not None and (words_only or document.document_path is None):
        return document.words_path, True
    return document.document_path, False


def _cache_key(data: bytes, is_words: bool, ctx: ReadContext) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"{READER_VERSION}|{is_words}|{ctx!r}".encode())
    return digest.hexdigest()


def _read_one(
    args: tuple[LabelledDocument, ReadContext, bool, Path | None],
) -> tuple[tuple[Page, ...] | None, str | None]:
    document, ctx, words_only, cache_dir = args
    path, is_words = _source(document, words_only)
    if path is None:
        return None, "no document or words file"
    data = path.read_bytes()
    cached = cache_dir / f"{_cache_key(data, is_words, ctx)}.pickle" if cache_dir else None
    if cached is not None and cached.exists():
        return pickle.loads(cached.read_bytes()), None  # noqa: S301  (our own cache, written below)
    try:
        pages = (
            read_pages(ctx, None, None, data)
            if is_words
            else read_pages(ctx, data, sniff_media_type(data[:16]))
        )
    except ExtractionError as e:
        return None, f"{e.code}: {e.message}"
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(pages))
        tmp.replace(cached)
    return pages, None


def load_items(
    directory: Path,
    doc_type: str,
    ctx: ReadContext,
    *,
    words_only: bool = False,
    jobs: int = 1,
    limit: int | None = None,
    cache_dir: Path | None = None,
) -> list[Item]:
    """Every labelled document of a folder, read with the worker's own reading code, in stem order."""
    documents = only_of_type(list_labelled(directory), doc_type)[:limit]
    tasks = [(d, ctx, words_only, cache_dir) for d in documents]
    if jobs <= 1:
        results = [_read_one(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_read_one, tasks, chunksize=1))
    return [
        Item(document=d, pages=pages, error=error, expected_raw=d.expected())
        for d, (pages, error) in zip(documents, results, strict=True)
    ]


def load_snapshot_items(
    path: Path, doc_type: str, limit: int | None = None, *, reviewed_only: bool = False
) -> list[Item]:
    """The documents of a JSONL export snapshot as labelled items: their stored words (as the worker read
    them) and their final values as the labels, so a snapshot teaches like the folder it came from. With
    `reviewed_only`, only documents a person reviewed: a value that went straight through is the model's
    own guess, and learning from it would teach the model its own mistakes."""
    items: list[Item] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("doc_type") != doc_type:
                continue
            if reviewed_only and not any(field.get("reviewer") for field in record.get("fields", [])):
                continue
            pages = tuple(
                Page(
                    number=page["number"],
                    width=page["width"],
                    height=page["height"],
                    source=page["source"],
                    rotation=page.get("rotation", 0.0),
                    words=words_of_rows(page["words"]),
                    alternates=tuple(words_of_rows(words) for words in page.get("alternates") or ()),
                )
                for page in record["pages"]
            )
            stem = f"{doc_type}-{record['document_id']}"
            document = LabelledDocument(stem=stem, label_path=path, document_path=None, words_path=None)
            items.append(
                Item(
                    document=document,
                    pages=pages,
                    error=None,
                    expected_raw=record["final"],
                    split=record.get("split", "train"),
                )
            )
            if limit is not None and len(items) >= limit:
                break
    return items
