"""The chaos exercise at a larger size than CI runs it.

    python benchmarks/chaos.py [--documents 1000] [--kills 20] [--crashes 5] [--workers 2] \\
        [--database-url URL]

Uploads documents concurrently through the API while `docloop worker` processes are SIGKILLed at random
moments (and one is stopped warm, and Redis is restarted with its queue lost), then accounts for every
document, extraction, review task and webhook (see tests/chaos/harness.py). Prints the report; exits 1 if
anything was lost or doubled. Default database: a fresh SQLite file; pass a PostgreSQL URL for the
production set-up (its tables must be empty: use a fresh database or schema).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_app.migrate import upgrade  # noqa: E402
from review_app.runtime import get_runtime  # noqa: E402
from review_app.settings import load_settings  # noqa: E402
from tests.chaos.harness import run_chaos  # noqa: E402


def main() -> None:
    """Run once and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--crashes", type=int, default=5, help="job-running processes killed alone")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docloop-chaos-"))
    env = {
        "DOCLOOP_DATA_DIR": str(workdir / "data"),
        "DOCLOOP_DATABASE_URL": args.database_url or f"sqlite:///{workdir}/docloop.sqlite",
        "DOCLOOP_QUEUE_NAME": "chaos",
        "DOCLOOP_SECRET_KEY": "chaos-" + "x" * 32,
        "DOCLOOP_AUDIT_RATE": "0",
    }
    os.environ.update(env)
    upgrade(env["DOCLOOP_DATABASE_URL"])
    report = run_chaos(
        lambda: get_runtime(load_settings()),
        env,
        workdir / "chaos",
        documents=args.documents,
        workers=args.workers,
        kills=args.kills,
        crashes=args.crashes,
        settle_timeout=1800,
    )
    print(report.summary())
    for problem in report.problems[:50]:
        print("  " + problem)
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
