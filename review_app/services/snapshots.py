"""Dataset snapshots: write an export in any format with its manifest, or stream one to a browser or an
API client; never overwrite an earlier snapshot."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from review_app.exceptions import Conflict, ValidationFailed
from review_app.runtime import Runtime
from review_app.services.dataset_formats import FILE_FORMATS, FORMATS, lines, write_hf_folder
from review_app.services.export import (
    WORDS_NONE,
    WORDS_PARSED,
    WORDS_RAW,
    RecordOptions,
    Tally,
    export_records,
    field_names,
    pseudonymizer,
    write_manifest,
)
from review_app.services.redaction import Redactor, parse_patterns

REVIEWERS_NOTE = "pseudonymous: an HMAC of the user id with this instance's secret key"


def record_options(runtime: Runtime, test_share: float, redact: bool) -> RecordOptions:
    """Split share, reviewer pseudonyms and (when asked) the redaction configured for this instance."""
    redactor = Redactor(parse_patterns(runtime.settings.redact_patterns)) if redact else None
    return RecordOptions(test_share, pseudonymizer(runtime.settings.secret_key), redactor)


def check_request(runtime: Runtime, fmt: str, doc_type: str | None, test_share: float) -> None:
    """Refuse an unknown format, type or share before anything is written."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"Unknown export format '{fmt}'.", code="invalid_format", details={"allowed": list(FORMATS)}
        )
    if doc_type and doc_type not in runtime.schemas:
        raise ValidationFailed(
            f"Unknown document type '{doc_type}'.",
            code="unknown_doc_type",
            details={"allowed": sorted(runtime.schemas)},
        )
    if not 0.0 <= test_share <= 1.0:
        raise ValidationFailed("test_share must be between 0 and 1.", code="invalid_test_share")


def words_mode(fmt: str, redact: bool) -> str:
    """How the export reads page words: not at all for CSV, as stored text for an unredacted JSONL."""
    if fmt == "csv":
        return WORDS_NONE
    return WORDS_RAW if fmt == "jsonl" and not redact else WORDS_PARSED


def _names(runtime: Runtime, doc_type: str | None) -> list[str]:
    schemas = [runtime.schema(doc_type)] if doc_type else list(runtime.schemas.values())
    return field_names(schemas)


def _manifest_extra(runtime: Runtime, doc_type: str | None, redact: bool) -> dict[str, Any]:
    types = [doc_type] if doc_type else sorted(runtime.schemas)
    return {
        "schema_versions": {name: runtime.schema(name).version for name in types},
        "reviewers": REVIEWERS_NOTE,
        "redaction": (
            {
                "applied": True,
                "kinds": ["EMAIL", "IBAN", "CARD", "PHONE"],
                "extra_patterns": len(parse_patterns(runtime.settings.redact_patterns)),
            }
            if redact
            else {"applied": False}
        ),
    }


def write_snapshot(
    runtime: Runtime, out: Path, fmt: str, doc_type: str | None, test_share: float, redact: bool
) -> tuple[dict[str, Any], Path]:
    """Write a snapshot (a file, or a folder for "hf") and its manifest; returns the counts and the
    manifest's path. An existing snapshot is never overwritten."""
    check_request(runtime, fmt, doc_type, test_share)
    if out.exists():
        raise Conflict(f"{out} exists: snapshots are never overwritten.", code="snapshot_exists")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    if tmp.is_dir():
        shutil.rmtree(tmp)
    tally = Tally()
    extra = _manifest_extra(runtime, doc_type, redact)
    with runtime.session() as session:
        options = record_options(runtime, test_share, redact)
        records = tally.watch(export_records(session, doc_type, options, words_mode(fmt, redact)))
        if fmt == "hf":
            note = "Values were redacted." if redact else "Values were not redacted."
            write_hf_folder(tmp, records, doc_type=doc_type, summary_note=note)
        else:
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                for line in lines(fmt, records, _names(runtime, doc_type)):
                    handle.write(line)
    tmp.replace(out)
    if fmt == "hf":
        files = sorted(p for p in out.rglob("*") if p.is_file())
        manifest = write_manifest(
            out,
            tally.summary(),
            doc_type=doc_type,
            test_share=test_share,
            fmt=fmt,
            files=files,
            manifest=out / "manifest.json",
            extra=extra,
        )
    else:
        manifest = write_manifest(
            out, tally.summary(), doc_type=doc_type, test_share=test_share, fmt=fmt, extra=extra
        )
    return tally.summary(), manifest


def stream_lines(
    runtime: Runtime, fmt: str, doc_type: str | None, test_share: float, redact: bool
) -> Iterator[str]:
    """A one-file export as lines, for a streamed download (its own session, held while it streams)."""
    check_request(runtime, fmt, doc_type, test_share)
    if fmt not in FILE_FORMATS:
        raise ValidationFailed(
            "A Hugging Face folder is written by `docloop export --format hf`; downloads are one file.",
            code="invalid_format",
            details={"allowed": list(FILE_FORMATS)},
        )
    options = record_options(runtime, test_share, redact)
    names = _names(runtime, doc_type)

    def generate() -> Iterator[str]:
        with runtime.session() as session:
            yield from lines(fmt, export_records(session, doc_type, options, words_mode(fmt, redact)), names)

    return generate()


def export_args(args: Mapping[str, str]) -> tuple[str, str | None, float, bool]:
    """format, doc_type, test_share and redact from query parameters (the web page and the API)."""
    try:
        test_share = float(args.get("test_share") or 0)
    except ValueError as e:
        raise ValidationFailed(
            "test_share must be a number between 0 and 1.", code="invalid_test_share"
        ) from e
    redact = (args.get("redact") or "").lower() in {"1", "true", "yes", "on"}
    return args.get("format") or "jsonl", args.get("doc_type") or None, test_share, redact


def download_name(fmt: str, doc_type: str | None, created: str) -> str:
    """A file name that says what the download holds and when it was made."""
    suffix = {"csv": "csv", "jsonl": "jsonl", "chat": "chat.jsonl", "bio": "bio.jsonl"}[fmt]
    return f"docloop-{doc_type or 'all'}-{created}.{suffix}"
