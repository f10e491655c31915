"""`docloop upload`: send files to a running docloop through its API (the Python client), optionally wait."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from review_app.client import ApiError, DocloopClient


@click.command("upload")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--doc-type", required=True)
@click.option(
    "--url",
    default=lambda: os.environ.get("DOCLOOP_API_URL", "http://127.0.0.1:5000"),
    show_default="$DOCLOOP_API_URL or http://127.0.0.1:5000",
)
@click.option(
    "--api-key", default=lambda: os.environ.get("DOCLOOP_API_KEY", ""), show_default="$DOCLOOP_API_KEY"
)
@click.option("--wait", is_flag=True, help="Wait until each document is final and print its result.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds to wait per document.")
def upload_command(
    paths: tuple[Path, ...], doc_type: str, url: str, api_key: str, wait: bool, timeout: float
) -> None:
    """Upload files through the API; with --wait, print each final result as a JSON line."""
    if not api_key:
        raise click.UsageError("an API key is needed: --api-key or DOCLOOP_API_KEY")
    client = DocloopClient(url, api_key)
    failed = False
    for path in paths:
        try:
            document = client.upload(path, doc_type)
            output = client.wait(document["id"], timeout=timeout) if wait else document
        except (ApiError, TimeoutError) as e:
            click.echo(f"{path}: {e}", err=True)
            failed = True
            continue
        click.echo(json.dumps({"file": str(path), **output}))
    if failed:
        sys.exit(1)


COMMANDS = [upload_command]
