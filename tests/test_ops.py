"""Operations signals: Prometheus metrics read from the database, readiness of every dependency."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rq import Worker

from review_app.queue import job_queue
from tests.helpers import ingest_pdf, invoice_pdf, seed_review_tasks


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_count_what_the_database_holds(client, runtime, worker):  # type: ignore[no-untyped-def]
    for number in range(3):
        ingest_pdf(runtime, invoice_pdf(number=f"M-{number}"))
    worker()
    seed_review_tasks(runtime, 2, doc_type="receipt")
    response = client.get("/metrics")
    assert response.status_code == 200
    samples = _samples(response.text)
    by_status = {
        dict(labels)["status"]: v for (name, labels), v in samples.items() if name == "docloop_documents"
    }
    assert sum(by_status.values()) == 5
    assert by_status["review"] == 5  # the sample invoices need review; the seeded tasks wait too
    assert samples[("docloop_read_duration_seconds_count", ())] == 3
    assert samples[("docloop_read_duration_seconds_bucket", (("le", "+Inf"),))] == 3
    assert samples[("docloop_review_queue_depth", ())] == 5
    assert samples[("docloop_job_queue_depth", ())] == 0
    assert samples[("docloop_auto_approve_ratio", ())] == 0.0


def test_metrics_are_refused_to_strangers(client, runtime):  # type: ignore[no-untyped-def]
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403


@pytest.mark.env(DOCLOOP_METRICS_TOKEN="scrape-me")
def test_metrics_with_a_token_need_it(client, runtime):  # type: ignore[no-untyped-def]
    assert client.get("/metrics").status_code == 403
    ok = client.get(
        "/metrics", headers={"Authorization": "Bearer scrape-me"}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert ok.status_code == 200


@pytest.mark.env(DOCLOOP_OCR_LANGUAGE="eng+xyz")
def test_readyz_names_ocr_language_data_that_is_not_installed(client, runtime):  # type: ignore[no-untyped-def]
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["tesseract"] == "error: no language data for xyz (DOCLOOP_OCR_LANGUAGE)"


@pytest.mark.env(
    DOCLOOP_OCR_LANGUAGE="eng",
    DOCLOOP_OCR_LANGUAGE_BY_TYPE='{"receipt": "eng,msa+eng"}',
    DOCLOOP_TESSDATA_DIR="/nonexistent/tessdata",
)
def test_readyz_checks_every_reading_in_the_configured_folder(client, runtime):  # type: ignore[no-untyped-def]
    answer = client.get("/readyz")
    assert answer.json["checks"]["tesseract"] == (
        "error: no language data for eng, msa in /nonexistent/tessdata "
        "(DOCLOOP_TESSDATA_DIR, DOCLOOP_OCR_LANGUAGE)"
    )


def test_readyz_names_what_is_missing_then_turns_ready(client, runtime, redis):  # type: ignore[no-untyped-def]
    answer = client.get("/readyz")
    assert answer.status_code == 503
    checks = answer.json["checks"]
    assert checks["database"] == checks["redis"] == checks["tesseract"] == "ok"
    assert checks["workers"].startswith("error")
    process = subprocess.Popen(
        [sys.executable, "-m", "review_app.cli", "worker", "--no-sweeper"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while Worker.count(queue=job_queue(runtime.settings)) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        answer = client.get("/readyz")
        assert answer.status_code == 200, answer.json
        assert answer.json["status"] == "ready"
    finally:
        process.terminate()
        process.wait(30)
