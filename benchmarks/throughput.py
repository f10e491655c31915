"""Throughput of scanned documents through the whole pipeline, with 1 and 2 workers, against tesseract alone.

    python benchmarks/throughput.py IMAGE_DIR [--limit 60] [--database-url URL]
    DOCLOOP_OCR_LANGUAGE=eng,msa,eng_fast DOCLOOP_TESSDATA_DIR=DIR python benchmarks/throughput.py IMAGE_DIR

Without --database-url each run uses a fresh SQLite file. A PostgreSQL URL is migrated and written to as
it is: point it at a scratch database, not one in use.

In one run, on the same images (read as receipts, with the readings the environment configures for them):
  1. `tesseract IMAGE stdout` (default settings, OMP_THREAD_LIMIT=1) over every image, one process, once
     per reading;
  2. the same with two processes side by side;
  3. docloop with one `docloop worker` process: documents ingested first, then the clock runs from the
     worker's start until every document is settled (read, OCR, extraction, routing, results committed);
  4. the same with two workers.
The pipeline's clock starts once the workers are listening and runs while the documents are uploaded
(through the ingest service, as the API does) until the last is settled; worker start-up is printed apart.
It prints pages per minute for each, the pipeline's overhead over tesseract alone (1 worker against one
tesseract process, 2 workers against two) and the scaling factor from 1 to 2 workers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from tests.chaos.harness import SETTLED, RedisProcess, WorkerPool, free_port  # noqa: E402


def tesseract_alone(images: list[Path], processes: int) -> float:
    """Seconds for the tesseract command to read every image, once per configured reading of receipts,
    with `processes` running at once."""
    from review_app.runtime import get_runtime
    from review_app.settings import load_settings

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="docloop-throughput-settings-")))
    ctx = get_runtime(settings).read_context_for("receipt")  # the readings a worker uses for receipts
    folder = ["--tessdata-dir", ctx.tessdata_dir] if ctx.tessdata_dir else []

    def one(path: Path) -> None:
        for reading in ctx.ocr_readings:
            command = ["tesseract", str(path), "stdout", "-l", reading, *folder]
            subprocess.run(command, env=env, capture_output=True, check=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(processes) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - started


def pipeline(images: list[Path], workers: int, database_url: str | None) -> float:
    """Seconds for `workers` docloop workers to settle every image, from the workers' start."""
    from rq import Worker

    from review_app.migrate import upgrade
    from review_app.models import Document
    from review_app.queue import redis_connection
    from review_app.runtime import get_runtime
    from review_app.services.ingest import Upload, ingest
    from review_app.settings import load_settings

    workdir = Path(tempfile.mkdtemp(prefix="docloop-throughput-"))
    redis = RedisProcess(free_port(), workdir / "redis")
    redis.start()
    env = {
        "DOCLOOP_DATA_DIR": str(workdir / "data"),
        "DOCLOOP_DATABASE_URL": database_url or f"sqlite:///{workdir}/docloop.sqlite",
        "DOCLOOP_REDIS_URL": redis.url,
        "DOCLOOP_QUEUE_NAME": f"throughput-{workers}",
        "DOCLOOP_SECRET_KEY": "benchmark-" + "x" * 32,
        "DOCLOOP_AUDIT_RATE": "0",
    }
    os.environ.update(env)
    runtime = get_runtime(load_settings())
    upgrade(runtime.database_url)
    with runtime.session() as session:
        before = session.scalar(select(func.max(Document.id))) or 0
    blobs = [
        # A trailing byte per run keeps documents apart from an earlier run's on a shared database.
        (path.name, path.read_bytes() + f"\n{workers}-{index}-{time.time_ns()}".encode())
        for index, path in enumerate(images)
    ]
    (workdir / "logs").mkdir()
    pool = WorkerPool(workers, {**os.environ, **env}, workdir / "logs")
    try:
        # Steady state: the clock starts once every worker is up and listening (start-up is reported apart).
        spawned = time.perf_counter()
        connection = redis_connection(runtime.settings)
        while len(Worker.all(connection=connection)) < workers:
            time.sleep(0.05)
        startup = time.perf_counter() - spawned
        print(f"{workers} worker(s) listening after {startup:.1f} s", flush=True)
        started = time.perf_counter()
        for name, data in blobs:
            ingest(runtime, Upload(data=data, filename=name, doc_type="receipt"))
        while True:
            with runtime.session() as session:
                done = session.scalar(
                    select(func.count())
                    .select_from(Document)
                    .where(Document.id > before, Document.status.in_(SETTLED))
                )
            if done >= len(images):
                break
            time.sleep(0.1)
        return time.perf_counter() - started
    finally:
        pool.stop()
        redis.kill()


def main() -> None:
    """Run the four measurements and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", type=Path)
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    images = sorted(p for p in args.images.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    images = images[: args.limit]
    n = len(images)
    tess1 = tesseract_alone(images, 1)
    tess2 = tesseract_alone(images, 2)
    pipe1 = pipeline(images, 1, args.database_url)
    pipe2 = pipeline(images, 2, args.database_url)

    def rate(seconds: float) -> float:
        return n / seconds * 60

    print(f"{n} scanned pages (one page each)")
    print(f"{'':28} {'seconds':>8} {'pages/min':>10}")
    for label, seconds in (
        ("tesseract, 1 process", tess1),
        ("tesseract, 2 processes", tess2),
        ("docloop, 1 worker", pipe1),
        ("docloop, 2 workers", pipe2),
    ):
        print(f"{label:28} {seconds:8.1f} {rate(seconds):10.1f}")
    print(f"overhead over tesseract, 1 worker: {pipe1 / tess1 - 1:+.1%}")
    print(f"overhead over tesseract, 2 workers: {pipe2 / tess2 - 1:+.1%}")
    print(f"scaling 1 -> 2 workers: {pipe1 / pipe2:.2f}x (tesseract alone: {tess1 / tess2:.2f}x)")


if __name__ == "__main__":
    main()
