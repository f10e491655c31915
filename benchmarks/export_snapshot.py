"""Exporting 100,000 final documents: time and peak memory of `docloop export`, beside a naive export.

    python benchmarks/export_snapshot.py postgresql://postgres@127.0.0.1:5432/test [--documents 100000]

Creates a private schema, migrates it, seeds DOCUMENTS completed receipts with SQL (six fields each, a page
of 60 words with boxes, an extraction and a finished review task), then runs in child processes, one after
another:

- the baseline: one ORM query loading every document with its fields, extraction and pages, then writing
  the same records (what an export without batching does);
- `docloop export OUT --format jsonl` as shipped (batches of 500, a session cleared between them), and
  the same with `--format csv` and with `--redact`.

Each child's wall time and peak resident memory (ru_maxrss from wait4) are printed. The schema is dropped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, postgres_schema, run_seed

SEED = """
INSERT INTO users (id, email, name, role, password_hash, active, created_at)
VALUES (1, 'rev@example.com', 'Rev', 'reviewer', 'x', true, now());
INSERT INTO documents (id, sha256, filename, media_type, size_bytes, page_count, doc_type, status, metadata,
    attempts, version, high_consequence, audit_sample, created_at, updated_at, processed_at, finalized_at,
    priority)
SELECT g, md5(g::text) || md5((g + 1)::text), 'receipt-' || g || '.png', 'image/png', 1000, 1, 'receipt',
    'completed', '{}', 1, 3, false, false, now() - (g % 720) * interval '1 hour', now(), now(), now(), 0
FROM generate_series(1, :n) AS g;
INSERT INTO pages (document_id, number, width, height, source, words, flags, rotation)
SELECT d.id, 1, 600, 900, 'ocr',
    (SELECT json_agg(json_build_array('WORD' || w || '-' || (d.id % 97), 10 + (w % 6) * 90, 10 + (w / 6) * 20,
        90 + (w % 6) * 90, 25 + (w / 6) * 20, 0.97)) FROM generate_series(0, 59) AS w),
    '[]', 0
FROM documents d;
INSERT INTO field_values (document_id, name, position, field_type, value, normalized, confidence, page, box,
    source, flags, status, final_value, corrected, reviewed_by_id, reviewed_at)
SELECT d.id, f.name, f.pos, f.type, 'SHOP ' || (d.id % 400) || ' SDN BHD',
    'SHOP ' || (d.id % 400) || ' SDN BHD', 0.5 + (d.id % 50) / 100.0, 1, '[10, 10, 200, 25]', '[]', '[]',
    CASE WHEN d.id % 7 = 0 THEN 'corrected' ELSE 'approved' END,
    'SHOP ' || (d.id % 400) || CASE WHEN d.id % 7 = 0 THEN ' SDN. BHD.' ELSE ' SDN BHD' END,
    d.id % 7 = 0, 1, now()
FROM documents d CROSS JOIN (VALUES ('company', 0, 'text'), ('date', 1, 'date'), ('address', 2, 'text'),
    ('total', 3, 'amount'), ('tax', 4, 'amount'), ('currency', 5, 'currency')) AS f(name, pos, type);
INSERT INTO extractions (document_id, extractor_version, strategy, route, reasons, read_ms, extract_ms,
    created_at)
SELECT d.id, 'bench', 'retrieval', 'review', '[]', 900, 30, now() FROM documents d;
INSERT INTO review_tasks (document_id, stage, status, reasons, priority, due_at, sort_at, created_at,
    completed_by_id, handling_seconds)
SELECT d.id, 1, 'done', '[]', 0, now(), now(), now(), 1, 20 + d.id % 60 FROM documents d;
SELECT setval(pg_get_serial_sequence('documents', 'id'), (SELECT max(id) FROM documents));
ANALYZE;
"""

# The export without batching: every document and its rows loaded at once, then the same records written.
NAIVE = """
import json, sys
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from review_app.models import Document
from review_app.runtime import get_runtime
from review_app.services.export import RecordOptions, export_record
from review_app.services.export import FINAL_STATUSES
with get_runtime().session() as session, open(sys.argv[1], "w") as out:
    documents = session.scalars(
        select(Document).where(Document.status.in_(FINAL_STATUSES)).order_by(Document.id).options(
            selectinload(Document.fields), selectinload(Document.extraction), selectinload(Document.pages)
        )
    ).all()
    for document in documents:
        out.write(json.dumps(export_record(document, RecordOptions()), ensure_ascii=False) + "\\n")
"""


def main() -> None:
    """Seed, measure, report, clean up."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database_url")
    parser.add_argument("--documents", type=int, default=100_000)
    args = parser.parse_args()
    with postgres_schema(args.database_url, "docloop_bench") as url:
        run(url, args.documents)


def _child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a child process; its wall time in seconds and peak resident memory in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed with {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss / 1024


def run(url: str, documents: int) -> None:
    """Seed the schema at `url` and time the exports."""
    data_dir = tempfile.mkdtemp()
    env = {
        **os.environ,
        "DOCLOOP_DATABASE_URL": url,
        "DOCLOOP_DATA_DIR": data_dir,
        "DOCLOOP_REDIS_URL": "redis://127.0.0.1:6379/0",
        "DOCLOOP_SECRET_KEY": "benchmark",
    }
    os.environ.update(env)
    from review_app.migrate import upgrade

    upgrade(url)
    run_seed(url, SEED, documents, "final documents")
    out = Path(data_dir)
    cli = [sys.executable, "-m", "review_app.cli", "export"]
    runs = [
        ("baseline: one query, all rows in memory", out / "naive.jsonl", [sys.executable, "-c", NAIVE]),
        ("docloop export --format jsonl", out / "a.jsonl", [*cli, "--format", "jsonl"]),
        ("docloop export --format csv", out / "a.csv", [*cli, "--format", "csv"]),
        ("docloop export --format jsonl --redact", out / "r.jsonl", [*cli, "--redact"]),
    ]
    print(f"{'export':<44}{'seconds':>9}{'peak MiB':>10}{'file MiB':>10}")
    for name, path, command in runs:
        seconds, peak = _child([*command, str(path)], env)
        print(f"{name:<44}{seconds:9.1f}{peak:10.0f}{path.stat().st_size / 2**20:10.0f}")


if __name__ == "__main__":
    main()
