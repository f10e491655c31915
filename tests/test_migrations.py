"""Alembic revisions run up and down on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from review_app.db import get_engine
from review_app.migrate import downgrade, upgrade
from review_app.models import Base
from tests.helpers import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database with no tables: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL half of the suite not run")
    with postgres_schema(base, "docloop_mig") as url:
        yield url


def test_upgrade_matches_models_and_downgrade_runs(empty_database):  # type: ignore[no-untyped-def]
    upgrade(empty_database)
    with get_engine(empty_database).connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == [], differences
    downgrade(empty_database, "base")
    upgrade(empty_database)
