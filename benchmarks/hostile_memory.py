"""Peak memory and time of a worker going through the hostile-input corpus.

    python benchmarks/hostile_memory.py [--isolation process|fork]

Uploads every case of tests/hostile/corpus.py through the API (a fresh SQLite database and a private
redis-server), then runs `docloop worker --burst` as a child process and reports its wall time, its peak
resident memory (the largest of the worker and the processes it waited for, tesseract included) and the
outcome of every accepted document.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from tests.chaos.harness import RedisProcess, free_port  # noqa: E402
from tests.helpers import bearer, make_key  # noqa: E402
from tests.hostile.corpus import corpus  # noqa: E402
from tests.hostile.test_hostile_corpus import multipart  # noqa: E402


def main() -> None:
    """Upload the corpus, run one burst worker, print what it cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--isolation", default="process", choices=["process", "fork"])
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docloop-hostile-"))
    redis = RedisProcess(free_port(), workdir / "redis")
    redis.start()
    env = {
        "DOCLOOP_DATA_DIR": str(workdir / "data"),
        "DOCLOOP_DATABASE_URL": f"sqlite:///{workdir}/docloop.sqlite",
        "DOCLOOP_REDIS_URL": redis.url,
        "DOCLOOP_QUEUE_NAME": "hostile",
        "DOCLOOP_SECRET_KEY": "hostile-" + "x" * 32,
        "DOCLOOP_WORKER_ISOLATION": args.isolation,
    }
    os.environ.update(env)
    from review_app.app import create_app
    from review_app.migrate import upgrade
    from review_app.models import Document
    from review_app.runtime import get_runtime
    from review_app.settings import load_settings

    runtime = get_runtime(load_settings())
    upgrade(runtime.database_url)
    client = create_app(runtime.settings).test_client()
    key = make_key(runtime)
    answers = Counter()
    for case in corpus():
        body, content_type = multipart(case)
        response = client.post("/api/v1/documents", data=body, content_type=content_type, headers=bearer(key))
        answers[response.status_code] += 1
    started = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, "-m", "review_app.cli", "worker", "--burst"],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
    finally:
        redis.kill()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with runtime.session() as session:
        documents = session.scalars(select(Document)).all()
        outcomes = Counter(f"{d.status}{'/' + d.error_code if d.error_code else ''}" for d in documents)
    print(f"{len(corpus())} hostile files: HTTP answers {dict(sorted(answers.items()))}")
    accepted = sum(outcomes.values())
    print(f"worker ({args.isolation}) went through the {accepted} accepted ones in {seconds:.1f} s")
    print(f"peak resident memory of the worker and its children: {peak_mb:.0f} MiB")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {count:3d}  {outcome}")


if __name__ == "__main__":
    main()
