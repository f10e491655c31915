"""`docloop ingest`, `docloop export` and `docloop eval`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from extractors.context import ReadContext
from review_app.cli.common import friendly_errors, runtime
from review_app.services.dataset_formats import FORMATS
from review_app.services.ingest import Upload, ingest
from review_app.services.pipeline import consequence_overrides
from review_app.services.snapshots import stream_lines, write_snapshot

DOCUMENT_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
# Evaluation needs scikit-learn and the extractors' models; they are imported when `eval` runs, so the
# other commands (an export of 100,000 documents above all) start small.
STRATEGY_NAMES = ("baseline", "retrieval", "trained", "llm")


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES))
        else:
            files.append(path)
    return files


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--doc-type", required=True, help="receipt, invoice, form, or a type from DOCLOOP_SCHEMA_DIR")
@click.option("--external-id", default=None, help="Your reference (only with a single file).")
@click.option(
    "--words",
    "words_path",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Pre-OCR'd words JSON for the document (bring your own OCR; single file only).",
)
@friendly_errors
def ingest_command(
    paths: tuple[Path, ...], doc_type: str, external_id: str | None, words_path: Path | None
) -> None:
    """Upload documents from the shell, exactly as the API does (files or folders)."""
    files = _expand(paths)
    if (external_id or words_path) and len(files) != 1:
        raise click.UsageError("--external-id and --words go with exactly one file")
    for path in files:
        upload = Upload(
            data=path.read_bytes(),
            filename=path.name,
            doc_type=doc_type,
            external_id=external_id,
            words=words_path.read_bytes() if words_path else None,
        )
        document = ingest(runtime(), upload)
        click.echo(f"{path}\tdocument {document.id}\t{document.status}")


@click.command("export")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--doc-type", default=None)
@click.option(
    "--test-share",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Share of vendors whose documents are marked split=test (grouped by vendor, deterministic).",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Replace emails, phones, card numbers, IBANs and DOCLOOP_REDACT_PATTERNS in words and values.",
)
@friendly_errors
def export_command(out: Path, fmt: str, doc_type: str | None, test_share: float, redact: bool) -> None:
    """Write a dataset snapshot of the final documents: jsonl (full records), csv (a row per document),
    chat (fine-tuning examples), bio (words, boxes, BIO tags) or hf (a Hugging Face datasets folder).
    A file gets a manifest beside it, a folder inside it; '-' streams a one-file format to standard
    output without one. Existing snapshots are never overwritten."""
    if str(out) == "-":
        for line in stream_lines(runtime(), fmt, doc_type, test_share, redact):
            sys.stdout.write(line)
        return
    summary, manifest = write_snapshot(runtime(), out, fmt, doc_type, test_share, redact)
    click.echo(
        f"exported {summary['documents']} final document(s) as {fmt} to {out} (manifest {manifest})", err=True
    )


@click.command("eval")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--doc-type", required=True)
@click.option(
    "--train",
    "train_dir",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="First learn from this folder's labels, or from the final values of a JSONL export snapshot, as "
    "if reviewers had confirmed them.",
)
@click.option(
    "--strategy",
    type=click.Choice(STRATEGY_NAMES),
    default=None,
    help="baseline (the shipped model), retrieval (the shipped model plus a memory of confirmed "
    "documents), trained (fits its own model on what it is taught) or llm (a chat model at "
    "DOCLOOP_LLM_URL); default: trained with --folds, "
    "retrieval with --train or --replay, else baseline.",
)
@click.option("--replay", is_flag=True, help="Feed each label back after predicting it (the feedback loop).")
@click.option("--words-only", is_flag=True, help="Use <stem>.words.json instead of OCR where present.")
@click.option(
    "--folds",
    type=int,
    default=None,
    help="Vendor-grouped cross-validation: predict each fold with a model fitted on the other vendors.",
)
@click.option("--predictions", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--jobs",
    type=int,
    default=max(1, min(2, os.cpu_count() or 1)),
    show_default=True,
    help="Processes that read (OCR) documents in parallel.",
)
@click.option("--limit", type=int, default=None, help="Only the first N documents (sorted by stem).")
@click.option(
    "--ocr-cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep read pages here, keyed by file hash and reader version, to re-run quickly.",
)
@click.option("--summary-json", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--model",
    "model_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Serve the type with this model file (as `docloop train --out` writes it), not the shipped one.",
)
@friendly_errors
def eval_command(
    directory: Path,
    doc_type: str,
    train_dir: Path | None,
    strategy: str | None,
    replay: bool,
    words_only: bool,
    folds: int | None,
    predictions: Path,
    jobs: int,
    limit: int | None,
    ocr_cache: Path | None,
    summary_json: Path | None,
    model_file: Path | None,
) -> None:
    """Measure the worker's extraction on a labelled folder (the contract in DESIGN.md)."""
    from review_app.evaluation.loading import load_items, load_snapshot_items
    from review_app.evaluation.runner import cross_validate, predict, print_report, teach
    from review_app.services.strategies import STRATEGIES, Strategy

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    rt = runtime()
    schema = rt.schema(doc_type)
    overrides = consequence_overrides(rt.settings)
    name = strategy or ("trained" if folds else "retrieval" if (train_dir or replay) else "baseline")

    if model_file is not None and (folds or name not in {"baseline", "retrieval"}):
        raise click.UsageError("--model serves the baseline or retrieval strategy, without --folds.")

    def make_strategy() -> Strategy:
        if name == "llm":
            from review_app.services.llm_strategy import LLMStrategy

            return LLMStrategy(rt.settings)
        made = STRATEGIES[name](consequence_overrides=overrides)
        if model_file is not None:
            from extractors.scoring import load_model

            made.use_model(doc_type, load_model(doc_type, path=model_file))
        return made

    items = load_items(
        directory,
        doc_type,
        rt.read_context_for(doc_type),
        words_only=words_only,
        jobs=jobs,
        limit=limit,
        cache_dir=ocr_cache,
    )
    predictions.parent.mkdir(parents=True, exist_ok=True)
    with predictions.open("w", encoding="utf-8") as handle:
        if folds:
            # With --replay: a retrieval memory on top of a model fitted on the other vendors.
            report = cross_validate(
                items,
                schema,
                rt.settings,
                folds,
                make_strategy=make_strategy,
                predictions=handle,
                replay=replay,
            )
        else:
            chosen = make_strategy()
            if train_dir is not None:
                taught = teach(
                    chosen,
                    load_snapshot_items(train_dir, doc_type)
                    if train_dir.is_file()
                    else load_items(
                        train_dir,
                        doc_type,
                        rt.read_context_for(doc_type),
                        words_only=words_only,
                        jobs=jobs,
                        cache_dir=ocr_cache,
                    ),
                    schema,
                )
                click.echo(f"learned from {taught} labelled document(s) in {train_dir}", err=True)
            report = predict(items, schema, chosen, rt.settings, replay=replay, predictions=handle)
    summary = report.summary()
    summary["strategy"] = name
    print_report(summary)
    if report.failed:
        click.echo(f"\n{len(report.failed)} document(s) could not be read, e.g. {report.failed[0]}", err=True)
    if summary_json:
        summary_json.write_text(json.dumps(summary, indent=2))


@click.command("evaluate")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--doc-type", required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--test-share",
    type=click.FloatRange(0.05, 0.95),
    default=0.3,
    show_default=True,
    help="For a folder: share of vendors measured (a snapshot keeps its own split).",
)
@click.option(
    "--words-only", is_flag=True, help="Folders: use <stem>.words.json instead of OCR where present."
)
@click.option("--compute-cost-per-hour", type=float, default=0.10, show_default=True)
@click.option("--currency", default="USD", show_default=True)
@click.option("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)), show_default=True)
@click.option("--ocr-cache", type=click.Path(file_okay=False, path_type=Path), default=None)
@friendly_errors
def evaluate_command(
    source: Path,
    doc_type: str,
    out_dir: Path,
    test_share: float,
    words_only: bool,
    compute_cost_per_hour: float,
    currency: str,
    jobs: int,
    ocr_cache: Path | None,
) -> None:
    """Compare baseline, retrieval and trained strategies on a JSONL snapshot (its split) or a labelled
    folder (split by vendor), with a learning curve and a verdict: Markdown, HTML and JSON in OUT."""
    from review_app.evaluation.compare import evaluate, split_items
    from review_app.evaluation.loading import load_items, load_snapshot_items
    from review_app.evaluation.report_files import add_costs, write_report

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    rt = runtime()
    schema = rt.schema(doc_type)
    if source.is_file():
        items = load_snapshot_items(source, doc_type)
    else:
        items = load_items(
            source,
            doc_type,
            rt.read_context_for(doc_type),
            words_only=words_only,
            jobs=jobs,
            cache_dir=ocr_cache,
        )
    split = split_items(items, schema, test_share)
    if not split.test or not split.train:
        click.echo("error: the split left no documents to teach or none to measure", err=True)
        sys.exit(2)
    click.echo(f"{len(split.train)} documents teach, {len(split.test)} are measured", err=True)
    result = evaluate(items, schema, rt.settings, split)
    add_costs(result, compute_cost_per_hour, currency)
    command = "docloop evaluate " + " ".join(sys.argv[2:]) if len(sys.argv) > 2 else "docloop evaluate"
    ctx = rt.read_context_for(doc_type)
    if not words_only and (ctx.ocr_language != ReadContext.ocr_language or ctx.tessdata_dir):
        # How the scans were read decides the figures as much as the arguments do.
        where = " DOCLOOP_TESSDATA_DIR=DIR" if ctx.tessdata_dir else ""
        command = f"DOCLOOP_OCR_LANGUAGE={ctx.ocr_language}{where} {command}"
    for path in write_report(result, out_dir, command):
        click.echo(f"wrote {path}", err=True)
    click.echo(result["recommendation"]["verdict"])


COMMANDS = [ingest_command, export_command, eval_command, evaluate_command]
