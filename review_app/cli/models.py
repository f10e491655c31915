"""`docloop train`: fit a scoring model (candidate ranker and calibrated confidence) on labelled documents."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

import click

from extractors.scoring import READING_KINDS
from review_app.cli.common import friendly_errors, runtime
from review_app.services import model_registry


@click.command("train")
@click.option(
    "--from-folder",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A labelled folder (DESIGN.md): its labels are taken as confirmed values.",
)
@click.option(
    "--from-snapshot",
    "snapshot",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A JSONL export snapshot (`docloop export`): the documents a person reviewed teach, with their "
    "final values, read as the worker read them; documents that went straight through do not.",
)
@click.option("--doc-type", required=True)
@click.option(
    "--words-only", is_flag=True, help="Read <stem>.words.json instead of running OCR where present."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the model (JSON) to this file.",
)
@click.option(
    "--register/--no-register",
    default=True,
    show_default=True,
    help="Store the model as a new version in the registry (`docloop models promote` puts it in production).",
)
@click.option("--version", default=None, help="Version label stored in the model (default: from the folder).")
@click.option("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)), show_default=True)
@click.option("--ocr-cache", type=click.Path(file_okay=False, path_type=Path), default=None)
@friendly_errors
def train_command(
    folder: Path | None,
    snapshot: Path | None,
    doc_type: str,
    words_only: bool,
    out: Path | None,
    register: bool,
    version: str | None,
    jobs: int,
    ocr_cache: Path | None,
) -> None:
    """Fit the ranker and confidence model of a document type on a labelled folder or reviewed documents."""
    # Imported here: scikit-learn and the evaluation loaders are only needed when a model is trained.
    from extractors.learning import fit_model
    from extractors.scoring import ScoringModel
    from review_app.evaluation.loading import load_items, load_snapshot_items
    from review_app.evaluation.runner import labelled_examples

    if (folder is None) == (snapshot is None):
        raise click.UsageError("Give one of --from-folder and --from-snapshot.")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    rt = runtime()
    schema = rt.schema(doc_type)
    if snapshot is not None:
        items = load_snapshot_items(snapshot, doc_type, reviewed_only=True)
        source, name = {"snapshot": snapshot.name}, f"{snapshot.stem}-reviewed"
    else:
        assert folder is not None
        items = load_items(
            folder,
            doc_type,
            rt.read_context_for(doc_type),
            words_only=words_only,
            jobs=jobs,
            cache_dir=ocr_cache,
        )
        source, name = {"folder": folder.name}, f"{folder.name}-{'words' if words_only else 'read'}"
    examples = labelled_examples(items, schema)
    if not examples:
        raise click.ClickException(f"No labelled {doc_type} documents to learn from.")
    label = version or f"{name}-{len(examples)}"
    model = fit_model(examples, schema, version=label, base=ScoringModel(doc_type))
    document = model.to_json()
    document["trained_on"] = {
        **source,
        "documents": len(examples),
        "words_only": words_only,
        "vendors": len({e.group for e in examples}),
    }
    click.echo(f"fitted {', '.join(sorted(model.fields))} on {len(examples)} document(s)")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(document, indent=1, sort_keys=True))
        click.echo(f"wrote {out}")
    if register:
        with rt.session() as session:
            registered = model_registry.register(
                session, doc_type, document, trained_on=document["trained_on"], by=_who()
            )
            click.echo(f"registered {doc_type} model version {registered.id} ({registered.label})")


def _who() -> str:
    return f"cli:{getpass.getuser()}"


@click.group("models")
def models_group() -> None:
    """The model registry: versions of trained models, and which one serves each document type."""


@models_group.command("list")
@click.option("--doc-type", default=None)
def list_command(doc_type: str | None) -> None:
    """Registered versions, newest first, marking the ones in production."""
    with runtime().session() as session:
        rows = model_registry.versions(session, doc_type)
        serving = {v.doc_type: model_registry.serving_version_id(session, v.doc_type) for v in rows}
        for v in rows:
            mark = "*" if serving.get(v.doc_type) == v.id else " "
            documents = v.trained_on.get("documents", "?")
            click.echo(
                f"{mark} {v.id:>4}  {v.doc_type:<12} {v.label:<40} {documents} docs  "
                f"{v.created_at:%Y-%m-%d %H:%M}  {v.created_by}"
            )
        if not rows:
            click.echo("no registered models: every type is served by the model shipped with docloop")


@models_group.command("promote")
@click.argument("version_id", type=int)
@friendly_errors
def promote_command(version_id: int) -> None:
    """Serve a registered version for its document type (workers switch at their next document)."""
    with runtime().session() as session:
        promotion = model_registry.promote(session, version_id, _who())
        click.echo(f"{promotion.doc_type}: version {version_id} now serves")


@models_group.command("rollback")
@click.argument("doc_type")
@friendly_errors
def rollback_command(doc_type: str) -> None:
    """Serve again what served before the last promotion (the shipped model if nothing did)."""
    with runtime().session() as session:
        promotion = model_registry.rollback(session, doc_type, _who())
        click.echo(f"{doc_type}: now served by {promotion.model_version_id or 'the shipped model'}")


@click.command("recalibrate")
@click.option("--doc-type", required=True)
@click.option(
    "--reading",
    type=click.Choice(READING_KINDS),
    default="text",
    show_default=True,
    help="Which shipped model to start from when no version is promoted (receipts ship one per reading).",
)
@click.option("--dry-run", is_flag=True, help="Measure only; register nothing.")
@friendly_errors
def recalibrate_command(doc_type: str, reading: str, dry_run: bool) -> None:
    """Fit the serving model's confidences to what reviewers approved and corrected; register the result."""
    from review_app.services import recalibration

    rt = runtime()
    schema = rt.schema(doc_type)
    with rt.session() as session:
        result = recalibration.run(session, schema, reading=reading, by=_who(), register=not dry_run)
    click.echo(
        f"{doc_type} model {result.base_version}: "
        f"{result.values} reviewed value(s) from {result.vendors} vendor(s)"
    )
    if not result.fitted:
        raise click.ClickException(
            "No field has enough reviewed values (at least 50, some right and some corrected) to recalibrate."
        )
    click.echo("fields: " + ", ".join(f"{name} ({count})" for name, count in sorted(result.fitted.items())))
    if result.ece_before is not None and result.ece_after is not None:
        click.echo(
            f"held-out vendors ({result.held_out_values} values): expected calibration error "
            f"{result.ece_before:.3f} as served, {result.ece_after:.3f} recalibrated; "
            f"automation at <= 1% error {result.automation_before or 0:.1%} as served, "
            f"{result.automation_after or 0:.1%} recalibrated"
        )
    if result.version_id is not None:
        click.echo(
            f"registered {doc_type} model version {result.version_id}; "
            f"`docloop models promote {result.version_id}` puts it in production"
        )


COMMANDS = [train_command, models_group, recalibrate_command]
