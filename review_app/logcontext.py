"""Log lines that say which document (or webhook delivery) they are about.

A job sets the current document once; a filter on the root handler adds it to every record emitted while
the job runs (docloop's own lines, SQLAlchemy's, RQ's), so `grep doc=123` finds a document's whole story.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[str] = ContextVar("docloop_log_subject", default="-")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(subject)s] %(message)s"


@contextmanager
def about(subject: str) -> Iterator[None]:
    """Tag every log record emitted inside the block with `subject` (e.g. "doc=123")."""
    token = _current.set(subject)
    try:
        yield
    finally:
        _current.reset(token)


class SubjectFilter(logging.Filter):
    """Adds `subject` to each record (as `-` outside a job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; only annotate it."""
        record.subject = _current.get()
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Root logging for workers and the CLI: one line per record, with its subject."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SubjectFilter) for f in handler.filters):
            handler.addFilter(SubjectFilter())
