"""The worker entry point: an RQ worker on docloop's queue, with OCR kept single-threaded."""

from __future__ import annotations

import logging
import os
from importlib import import_module

from rq import Worker

from review_app.queue import job_queue, redis_connection
from review_app.settings import Settings


def run_worker(settings: Settings, *, burst: bool = False, name: str | None = None) -> bool:
    """Work the queue until stopped (or until empty with `burst`); returns whether any job ran."""
    # Tesseract's OpenMP threads fight each other on small machines; one thread per process is faster overall.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Load the jobs (and the libraries they use) once here: every job runs in a forked work horse, which
    # would otherwise import them again, about a second per job.
    import_module("workers.jobs")
    queue = job_queue(settings)
    worker = Worker([queue], connection=redis_connection(settings), name=name)
    return worker.work(burst=burst, logging_level="INFO", with_scheduler=True)
