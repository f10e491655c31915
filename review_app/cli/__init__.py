"""The `docloop` command line: one group, subcommands in small modules."""

from __future__ import annotations

import click

from review_app.cli import accounts, data, models, ocr, quality, remote, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """docloop: a human-in-the-loop review queue for document extraction."""


for module in (serve, accounts, data, models, ocr, quality, remote):
    for command in module.COMMANDS:
        main.add_command(command)

__all__ = ["main"]
