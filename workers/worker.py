"""The worker entry point: an RQ worker on docloop's queue, with OCR kept single-threaded.

Two ways to run jobs (DOCLOOP_WORKER_ISOLATION):
- "process" (the default): jobs run in the worker process itself. A fork per job (RQ's usual way)
  costs about 130 ms on a 600 ms scan, mostly the forked child re-touching the parent's memory; without
  it the pipeline stays within 10% of tesseract alone (BENCHMARKS.md). The address-space limit then
  covers the worker process, and `docloop worker` supervises it: a worker that dies (a crash in a native
  decoder) is started again, and the sweeper re-enqueues its document.
- "fork": each job in a forked work horse under the limit, as RQ does by default.
"""

from __future__ import annotations

import gc
import os
import resource
from importlib import import_module

from rq import Queue, SimpleWorker, Worker
from rq.job import Job

from review_app.logcontext import configure_logging
from review_app.queue import job_queue, redis_connection
from review_app.settings import Settings


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (and its children's), so a document that makes a decoder allocate
    without bound ends as a MemoryError in its job, not in the OOM killer."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class ForkingWorker(Worker):
    """RQ's forking worker, with the memory limit applied in each work horse."""

    memory_limit_mb = 0

    def main_work_horse(self, job: Job, queue: Queue) -> None:  # type: ignore[override]
        """Apply the limit in the child, then run the job as RQ does."""
        limit_memory(self.memory_limit_mb)
        super().main_work_horse(job, queue)


def run_worker(settings: Settings, *, burst: bool = False, name: str | None = None) -> bool:
    """Work the queue until stopped (or until empty with `burst`); returns whether any job ran."""
    # Tesseract's OpenMP threads fight each other on small machines; one thread per process is faster overall.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    configure_logging()
    # Load the jobs, the libraries they use, schemas and models once, before the first job.
    jobs = import_module("workers.jobs")
    jobs.warm_up()
    queue = job_queue(settings)
    connection = redis_connection(settings)
    if settings.worker_isolation == "fork":
        # Objects that exist now are never collected: the work horses' garbage collector then leaves the
        # pages they share with this process alone instead of copying them (copy-on-write).
        gc.freeze()
        worker: Worker = ForkingWorker([queue], connection=connection, name=name)
        worker.memory_limit_mb = settings.worker_memory_limit_mb  # type: ignore[attr-defined]
    else:
        worker = SimpleWorker([queue], connection=connection, name=name)
    return worker.work(burst=burst, logging_level="INFO", with_scheduler=True)
