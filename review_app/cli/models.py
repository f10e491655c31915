"""`docloop train`: fit a scoring model (candidate ranker and calibrated confidence) on labelled documents."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from review_app.cli.common import friendly_errors, runtime


@click.command("train")
@click.option(
    "--from-folder",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="A labelled folder (DESIGN.md): its labels are taken as confirmed values.",
)
@click.option("--doc-type", required=True)
@click.option(
    "--words-only", is_flag=True, help="Read <stem>.words.json instead of running OCR where present."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the model (JSON).",
)
@click.option("--version", default=None, help="Version label stored in the model (default: from the folder).")
@click.option("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)), show_default=True)
@click.option("--ocr-cache", type=click.Path(file_okay=False, path_type=Path), default=None)
@friendly_errors
def train_command(
    folder: Path,
    doc_type: str,
    words_only: bool,
    out: Path,
    version: str | None,
    jobs: int,
    ocr_cache: Path | None,
) -> None:
    """Fit the ranker and confidence model of a document type on a labelled folder."""
    # Imported here: scikit-learn and the evaluation loaders are only needed when a model is trained.
    from extractors.learning import fit_model
    from extractors.scoring import ScoringModel
    from review_app.evaluation.loading import load_items
    from review_app.evaluation.runner import labelled_examples

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    rt = runtime()
    schema = rt.schema(doc_type)
    items = load_items(
        folder, doc_type, rt.read_context, words_only=words_only, jobs=jobs, cache_dir=ocr_cache
    )
    examples = labelled_examples(items, schema)
    label = version or f"{folder.name}-{'words' if words_only else 'read'}-{len(examples)}"
    model = fit_model(examples, schema, version=label, base=ScoringModel(doc_type))
    document = model.to_json()
    document["trained_on"] = {
        "folder": folder.name,
        "documents": len(examples),
        "words_only": words_only,
        "vendors": len({e.group for e in examples}),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1, sort_keys=True))
    click.echo(f"fitted {', '.join(sorted(model.fields))} on {len(examples)} document(s); wrote {out}")


COMMANDS = [train_command]
