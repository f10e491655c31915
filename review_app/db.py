"""Database engine and sessions, one per process, safe across RQ's fork of a work horse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, DateTime, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

_engines: dict[str, Engine] = {}
READ_ONLY = "docloop_read_only"
_factories: dict[str, sessionmaker[Session]] = {}


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back aware datetimes, also on SQLite which keeps no zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if getattr(dialect, "name", "") == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Disable pysqlite's implicit transactions so BEGIN IMMEDIATE below takes the write lock
        # up front: readers never deadlock on lock upgrade, writers queue on busy_timeout.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        # Pure readers that poll (see read_only) begin deferred: taking the write lock every few
        # milliseconds would starve the writer they wait for.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def get_engine(url: str) -> Engine:
    """The process-wide engine for a database URL."""
    engine = _engines.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            _configure_sqlite(engine)
        else:
            if url.startswith("postgresql://"):
                url_for_driver = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            else:
                url_for_driver = url
            engine = create_engine(url_for_driver, pool_pre_ping=True, pool_size=10, max_overflow=20)
        _engines[url] = engine
    return engine


def session_factory(url: str) -> sessionmaker[Session]:
    """A sessionmaker bound to the engine for `url`."""
    factory = _factories.get(url)
    if factory is None:
        factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
        _factories[url] = factory
    return factory


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_only(url: str) -> Iterator[Connection]:
    """A short read-only connection (on SQLite it does not take the write lock)."""
    with get_engine(url).connect().execution_options(**{READ_ONLY: True}) as connection:
        yield connection


def dispose_all(close: bool = True) -> None:
    """Drop pooled connections (after fork the child must not reuse the parent's sockets)."""
    for engine in _engines.values():
        engine.dispose(close=close)


def _after_fork_in_child() -> None:
    dispose_all(close=False)


os.register_at_fork(after_in_child=_after_fork_in_child)
