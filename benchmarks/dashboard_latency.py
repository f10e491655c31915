"""Dashboard data latency with a large history in PostgreSQL.

    python benchmarks/dashboard_latency.py postgresql://postgres@127.0.0.1:5432/test [--documents 100000]

Creates a private schema, migrates it, seeds DOCUMENTS documents with SQL (the seed of
benchmarks/queue_latency.py: spread over 30 days, 40% in review, six fields each) plus an extraction per
document (60% straight through), a 5% audit sample with some corrections, and finished review tasks with
handling times. Then, as a logged-in analyst through the real Flask app (its test client), requests
GET /dashboard/data?days=30 (all types) and ?doc_type=receipt, and prints p50/p95/max four ways, interleaved
request by request: the baseline (queries one after another, nothing kept), the queries run at once with
nothing kept (a cold start), as shipped with one ten-day-old document changed before each request (a
working day: that day is read again), and as shipped with nothing changed. The schema is dropped.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from common import BASE, login, percentile, postgres_schema, run_seed
from queue_latency import SEED
from redis import Redis
from sqlalchemy import text

MORE = """
INSERT INTO extractions (document_id, extractor_version, strategy, route, reasons, read_ms, extract_ms,
    created_at)
SELECT d.id, 'bench', 'baseline',
    CASE WHEN d.status = 'completed' AND d.id % 3 <> 0 THEN 'auto' ELSE 'review' END,
    '[]', 400 + d.id % 300, 20 + d.id % 30, d.created_at
FROM documents d;
UPDATE documents SET audit_sample = true WHERE status = 'completed' AND id % 20 = 3;
UPDATE field_values SET status = 'corrected', corrected = true
WHERE document_id % 20 = 3 AND document_id % 7 = 0 AND name = 'total';
INSERT INTO review_tasks (document_id, stage, status, reasons, priority, due_at, sort_at, created_at,
    completed_by_id, handling_seconds)
SELECT d.id, 1, 'done', '[]', 0, d.created_at + interval '24 hours', d.created_at, d.created_at,
    (SELECT min(id) FROM users), 20 + d.id % 60
FROM documents d JOIN extractions e ON e.document_id = d.id
WHERE d.status = 'completed' AND e.route = 'review';
ANALYZE;
"""


# (name, queries at once (0: as shipped), whole days kept in Redis, one day changed before each request)
WAYS = (
    ("baseline: one query at a time, nothing kept", 1, False, False),
    ("queries at once, nothing kept", 0, False, False),
    ("as shipped, one old day changed each time", 0, True, True),
    ("as shipped, no change since the last request", 0, True, False),
)
CHANGE_ONE_DAY = """
UPDATE documents SET version = version + 1
WHERE id = (SELECT min(id) FROM documents WHERE created_at < now() - interval '10 days')
"""


def main() -> None:
    """Seed, measure, report, clean up."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database_url")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with postgres_schema(args.database_url, "docloop_bench") as url:
        run(url, args.documents, args.requests)


def run(url: str, documents: int, requests: int) -> None:
    """Seed the schema at `url` and time the dashboard's data."""
    os.environ.update(
        {
            "DOCLOOP_DATABASE_URL": url,
            "DOCLOOP_DATA_DIR": tempfile.mkdtemp(),
            "DOCLOOP_REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    from review_app.app import create_app
    from review_app.db import get_engine
    from review_app.migrate import upgrade
    from review_app.models import Role
    from review_app.runtime import get_runtime
    from review_app.services import dashboard
    from review_app.services.accounts import create_user

    upgrade(url)
    runtime = get_runtime()
    with runtime.session() as session:
        create_user(session, "analyst@example.com", "benchmark-password", Role.ANALYST)
    run_seed(url, SEED + MORE, documents, "documents")
    client = create_app(runtime.settings).test_client()
    login(client, "analyst@example.com", "benchmark-password")
    redis = Redis.from_url(runtime.settings.redis_url)
    engine = get_engine(url)
    shipped = dashboard.PARALLEL_QUERIES

    def forget_days() -> None:
        for key in redis.scan_iter("docloop:dashboard:*"):
            redis.delete(key)

    def change_one_day() -> None:
        # A review of a ten-day-old document: that day's stamp moves and the day is read again.
        with engine.begin() as conn:
            conn.execute(text(CHANGE_ONE_DAY))

    print(f"{requests} requests per way, the ways interleaved request by request; milliseconds")
    print(f"{'request':<50}{'way':<48}{'p50':>7}{'p95':>7}{'max':>7}")
    for path in ("/dashboard/data?days=30", "/dashboard/data?days=30&doc_type=receipt", "/dashboard?days=30"):
        timings: dict[str, list[float]] = {name: [] for name, *_ in WAYS}
        for _ in range(requests):
            # Interleaved, so a noisy neighbour on the machine slows every way alike.
            for name, parallel, keep, change in WAYS:
                dashboard.PARALLEL_QUERIES = parallel or shipped
                if not keep:
                    forget_days()
                if change:
                    change_one_day()
                started = time.perf_counter()
                response = client.get(path, **BASE)
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
        for name, values in timings.items():
            print(
                f"GET {path:<46}{name:<48}{percentile(values, 50):7.0f}{percentile(values, 95):7.0f}"
                f"{max(values):7.0f}"
            )
    dashboard.PARALLEL_QUERIES = shipped
    forget_days()
    data = client.get("/dashboard/data?days=30", **BASE).json
    print(
        f"figures: {data['volume']['documents']:,} documents, straight-through "
        f"{data['volume']['straight_through_rate']:.1%}, audit {data['audit']['fields']} fields"
    )


if __name__ == "__main__":
    main()
