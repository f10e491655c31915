"""Queue page and "next task" latency with a large history in PostgreSQL.

    python benchmarks/queue_latency.py postgresql://postgres@127.0.0.1:5432/test [--documents 100000]

Creates a private schema, migrates it, seeds DOCUMENTS documents with SQL (40% waiting in review with one
task each and a reason, the rest completed, each with six field values), then drives the real Flask app
(its test client, so template rendering and the session are included, the network is not) as a logged-in
reviewer: GET / (the queue page), POST /queue/next (claim the top task) and GET /review/<id> (open it).
Prints p50/p95/max per request kind. The schema is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from common import BASE, csrf_from, login, percentile, postgres_schema, run_seed

SEED = """
INSERT INTO documents (id, sha256, filename, media_type, size_bytes, page_count, doc_type, status, metadata,
    attempts, version, high_consequence, audit_sample, created_at, updated_at, processed_at, priority)
SELECT g, md5(g::text) || md5((g + 1)::text), 'doc-' || g || '.pdf', 'application/pdf', 1000, 1,
    CASE WHEN g % 3 = 0 THEN 'invoice' ELSE 'receipt' END,
    CASE WHEN g % 5 < 2 THEN 'review' ELSE 'completed' END, '{}', 1, 2, g % 17 = 0, false,
    now() - (g % 720) * interval '1 hour', now(), now(), 0
FROM generate_series(1, :n) AS g;
INSERT INTO field_values (document_id, name, position, field_type, value, normalized, confidence, source,
    flags, status, corrected)
SELECT d.id, f.name, f.pos, f.type, '12.34', '12.34', 0.5 + (d.id % 50) / 100.0, '[]', '[]',
    CASE WHEN d.status = 'review' THEN 'pending' ELSE 'approved' END, false
FROM documents d CROSS JOIN (VALUES ('company', 0, 'text'), ('date', 1, 'date'), ('address', 2, 'address'),
    ('total', 3, 'amount'), ('tax', 4, 'amount'), ('currency', 5, 'currency')) AS f(name, pos, type);
INSERT INTO review_tasks (document_id, stage, status, reasons, priority, due_at, sort_at, created_at)
SELECT d.id, 1, 'open', '[{"code": "low_confidence", "field": "total", "detail": ""}]', (d.id % 10),
    d.created_at + interval '24 hours', d.created_at + interval '24 hours' - (d.id % 10) * interval '1 hour',
    d.created_at
FROM documents d WHERE d.status = 'review';
INSERT INTO task_reasons (task_id, code)
SELECT t.id, CASE WHEN t.id % 4 = 0 THEN 'missing_required' ELSE 'low_confidence' END FROM review_tasks t;
SELECT setval(pg_get_serial_sequence('documents', 'id'), (SELECT max(id) FROM documents));
ANALYZE;
"""


def main() -> None:
    """Seed, measure, report, clean up."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database_url")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with postgres_schema(args.database_url, "docloop_bench") as url:
        run(url, args.documents, args.requests)


def run(url: str, documents: int, requests: int) -> None:
    """Seed the schema at `url` and time the three requests."""
    os.environ.update(
        {
            "DOCLOOP_DATABASE_URL": url,
            "DOCLOOP_DATA_DIR": tempfile.mkdtemp(),
            "DOCLOOP_REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    from review_app.app import create_app
    from review_app.migrate import upgrade
    from review_app.models import Role
    from review_app.runtime import get_runtime
    from review_app.services.accounts import create_user

    upgrade(url)
    run_seed(url, SEED, documents, "documents")
    runtime = get_runtime()
    with runtime.session() as session:
        create_user(session, "bench@example.com", "benchmark-password", Role.REVIEWER)
    client = create_app(runtime.settings).test_client()
    login(client, "bench@example.com", "benchmark-password")
    token = csrf_from(client.get("/", **BASE).text)
    timings: dict[str, list[float]] = {
        "GET / (queue page)": [],
        "POST /queue/next": [],
        "GET /review/<id>": [],
    }
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/", **BASE)
        timings["GET / (queue page)"].append(time.perf_counter() - started)
        assert response.status_code == 200
        started = time.perf_counter()
        response = client.post("/queue/next", data={"csrf_token": token}, **BASE)
        timings["POST /queue/next"].append(time.perf_counter() - started)
        location = response.headers["Location"]
        assert "/review/" in location, location
        started = time.perf_counter()
        response = client.get(location, **BASE)
        timings["GET /review/<id>"].append(time.perf_counter() - started)
        assert response.status_code == 200
        # Put the task back so every round claims from a full queue.
        client.post(location + "/release", data={"csrf_token": token}, **BASE)
    print(f"{requests} rounds; milliseconds")
    print(f"{'request':<22}{'p50':>8}{'p95':>8}{'max':>8}")
    for name, values in timings.items():
        ms = [v * 1000 for v in values]
        print(f"{name:<22}{statistics.median(ms):>8.1f}{percentile(ms, 95):>8.1f}{max(ms):>8.1f}")


if __name__ == "__main__":
    main()
