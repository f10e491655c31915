"""`docloop ocr-models`: fetch tesseract's more accurate language data at install time."""

from __future__ import annotations

from pathlib import Path

import click

from review_app.services.ocr_models import NPM_REGISTRY, ModelFetchError, fetch_models
from review_app.settings import load_settings


@click.command("ocr-models")
@click.argument("languages", nargs=-1, required=True)
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the models (default: DOCLOOP_TESSDATA_DIR, else DATA_DIR/tessdata).",
)
@click.option("--registry", default=NPM_REGISTRY, show_default=True, help="The npm registry to fetch from.")
def ocr_models_command(languages: tuple[str, ...], into: Path | None, registry: str) -> None:
    """Fetch tesseract's best (integer) models of LANGUAGES (eng, msa, ...) from the npm registry; point
    DOCLOOP_TESSDATA_DIR at the folder to read with them."""
    settings = load_settings()
    folder = into or settings.tessdata_dir or settings.data_dir / "tessdata"
    try:
        fetched = fetch_models(list(languages), folder, registry)
    except ModelFetchError as e:
        raise click.ClickException(str(e)) from e
    for model in fetched:
        click.echo(f"{model.language}: {model.size:,} bytes ({model.integrity[:20]}...) -> {model.path}")
    click.echo(f"read with them: DOCLOOP_TESSDATA_DIR={folder.resolve()}")


COMMANDS = [ocr_models_command]
