"""The worker entry point: an RQ worker on docloop's queue, with OCR kept single-threaded."""

from __future__ import annotations

import logging
import os
import resource
from importlib import import_module

from rq import Queue, Worker
from rq.job import Job

from review_app.queue import job_queue, redis_connection
from review_app.settings import Settings


class LimitedWorker(Worker):
    """An RQ worker whose forked work horses run under an address-space limit, so a hostile document
    that makes a decoder allocate without bound ends as a MemoryError in its job, not in the OOM killer."""

    memory_limit_mb = 0

    def main_work_horse(self, job: Job, queue: Queue) -> None:  # type: ignore[override]
        """Apply the limit in the child, then run the job as RQ does."""
        if self.memory_limit_mb > 0:
            limit = self.memory_limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        super().main_work_horse(job, queue)


def run_worker(settings: Settings, *, burst: bool = False, name: str | None = None) -> bool:
    """Work the queue until stopped (or until empty with `burst`); returns whether any job ran."""
    # Tesseract's OpenMP threads fight each other on small machines; one thread per process is faster overall.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Load the jobs (and the libraries they use) once here: every job runs in a forked work horse, which
    # would otherwise import them again, about a second per job.
    import_module("workers.jobs")
    queue = job_queue(settings)
    worker = LimitedWorker([queue], connection=redis_connection(settings), name=name)
    worker.memory_limit_mb = settings.worker_memory_limit_mb
    return worker.work(burst=burst, logging_level="INFO", with_scheduler=True)
