"""Helpers shared by the CLI commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from review_app.exceptions import DocloopError
from review_app.runtime import Runtime, get_runtime


def runtime() -> Runtime:
    """The runtime from the environment (settings read once per process)."""
    return get_runtime()


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print our errors as one clear line and exit 2, instead of a traceback."""

    @wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DocloopError as e:
            click.echo(f"error [{e.code}]: {e.message}", err=True)
            if e.details:
                click.echo(f"details: {e.details}", err=True)
            sys.exit(2)

    return wrapped
