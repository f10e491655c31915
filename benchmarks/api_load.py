"""API upload load: concurrent clients uploading small files against gunicorn, PostgreSQL and Redis.

    python benchmarks/api_load.py postgresql://postgres@127.0.0.1:5432/test redis://127.0.0.1:6379/0 \
        [--clients 32] [--seconds 30] [--gunicorn-workers 2] [--threads 16]

Creates a private schema, migrates it, creates an API key (rate limit raised out of the way), starts
`gunicorn review_app.wsgi:app` on a free port, and has CLIENTS threads (keep-alive sessions) upload distinct
small PDFs (a few hundred bytes each, so content dedupe never short-cuts the work) for SECONDS. No worker
runs: this measures the ingest path (checks, content-addressed write, database commit, enqueue).
Prints requests, errors, throughput and p50/p90/p99/max latency. Everything it created is removed.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from common import free_port, percentile, postgres_schema

from tests.hostile.corpus import simple_pdf


def main() -> None:
    """Set up, load, report, clean up."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database_url")
    parser.add_argument("redis_url")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--driver",
        choices=["python", "wrk"],
        default="python",
        help="python: requests in threads; wrk: the C load generator (uses less of the CPU "
        "the server needs on a small machine)",
    )
    args = parser.parse_args()

    with postgres_schema(args.database_url, "docloop_load") as url:
        load(url, args)


def load(url: str, args: argparse.Namespace) -> None:
    """Migrate the schema at `url`, serve it with gunicorn, drive the load, clean up the rest."""
    data_dir = tempfile.mkdtemp(prefix="docloop-load-")
    queue = f"load-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DOCLOOP_DATABASE_URL": url,
        "DOCLOOP_REDIS_URL": args.redis_url,
        "DOCLOOP_DATA_DIR": data_dir,
        "DOCLOOP_QUEUE_NAME": queue,
        "DOCLOOP_API_RATE_LIMIT": "100000000/minute",
    }
    os.environ.update(env)
    from review_app.migrate import upgrade
    from review_app.runtime import get_runtime
    from review_app.services.accounts import create_api_key

    upgrade(url)
    with get_runtime().session() as session:
        key = create_api_key(session, "load").secret
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.gunicorn_workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "review_app.wsgi:app",
        ],
        env=env,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}")
        if args.driver == "wrk":
            run_wrk(f"http://127.0.0.1:{port}", key, args.clients, args.seconds)
        else:
            run(f"http://127.0.0.1:{port}", key, args.clients, args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        from redis import Redis

        client = Redis.from_url(args.redis_url)
        for redis_key in client.scan_iter(f"*{queue}*"):
            client.delete(redis_key)
        subprocess.run(["rm", "-rf", data_dir], check=False)


def wait_until_serving(base: str) -> None:
    """Until gunicorn's workers answer."""
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)


def run_wrk(base: str, key: str, clients: int, seconds: float) -> None:
    """Load with wrk (two threads, CLIENTS connections) and print its latency distribution."""
    script = Path(__file__).with_name("api_load.lua")
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(clients),
            "-d",
            f"{int(seconds)}s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DOCLOOP_BENCH_KEY": key},
        check=True,
    )
    print(result.stdout)


def run(base: str, key: str, clients: int, seconds: float) -> None:
    """Load with CLIENTS Python threads and print the figures."""
    files = [simple_pdf(f"LOAD-{n}") for n in range(20000)]
    counter = iter(range(len(files)))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    stop_at = time.monotonic() + seconds

    def client() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        while time.monotonic() < stop_at:
            with lock:
                n = next(counter)
            started = time.perf_counter()
            try:
                response = session.post(
                    f"{base}/api/v1/documents",
                    data={"doc_type": "invoice"},
                    files={"file": (f"{n}.pdf", files[n], "application/pdf")},
                    timeout=30,
                )
                outcome = None if response.status_code == 202 else f"HTTP {response.status_code}"
            except requests.RequestException as e:
                outcome = type(e).__name__
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if outcome:
                    errors[outcome] = errors.get(outcome, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    ms = [v * 1000 for v in latencies]
    failures = sum(errors.values())
    print(f"{clients} clients for {seconds:g} s: {len(ms)} uploads, {failures} errors {errors or ''}")
    print(f"throughput {len(ms) / wall:.1f} uploads/s")
    print(
        f"latency ms: p50 {statistics.median(ms):.1f}  p90 {percentile(ms, 90):.1f}  "
        f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}"
    )


if __name__ == "__main__":
    main()
