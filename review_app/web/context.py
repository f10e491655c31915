"""Per-request access to the runtime and a database session (closed at teardown)."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from review_app.runtime import Runtime

EXTENSION = "docloop"


def runtime() -> Runtime:
    """The runtime the app was created with."""
    return current_app.extensions[EXTENSION]


def db() -> Session:
    """The request's database session."""
    if "db" not in g:
        g.db = runtime().new_session()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Roll back anything uncommitted and return the connection to the pool."""
    session = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()
