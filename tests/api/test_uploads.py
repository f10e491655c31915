"""The upload contract: idempotency, duplicates, batches, limits, and every error code on this path."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import func, select

from review_app.models import Document
from tests.conftest import SAMPLES
from tests.helpers import bearer, invoice_pdf, make_key

PDF = invoice_pdf()


def _post(client, key, data=None, headers=None, files=None):  # type: ignore[no-untyped-def]
    form = {"doc_type": "invoice", **(data or {})}
    form["file"] = files if files is not None else (io.BytesIO(PDF), "invoice.pdf")
    return client.post("/api/v1/documents", headers={**bearer(key), **(headers or {})}, data=form)


def _documents(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        return session.scalar(select(func.count()).select_from(Document))


def test_same_idempotency_key_same_request_replays_the_first_answer(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    first = _post(client, key, headers={"Idempotency-Key": "abc-1"})
    second = _post(client, key, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == second.status_code == 202
    assert second.json["id"] == first.json["id"]
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _documents(runtime) == 1


def test_same_idempotency_key_different_request_is_409(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    assert _post(client, key, headers={"Idempotency-Key": "k"}).status_code == 202
    other = _post(client, key, data={"external_id": "different"}, headers={"Idempotency-Key": "k"})
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"
    assert _documents(runtime) == 1


def test_concurrent_requests_with_one_key_do_the_work_once(app, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    barrier = threading.Barrier(6)
    answers: list[tuple[int, int]] = []

    def send() -> None:
        client = app.test_client()
        barrier.wait(10)
        response = _post(client, key, headers={"Idempotency-Key": "race"})
        answers.append((response.status_code, response.json.get("id")))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 6
    assert {status for status, _ in answers} == {202}
    assert len({document_id for _, document_id in answers}) == 1
    assert _documents(runtime) == 1


def test_identical_bytes_link_to_the_earlier_document(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    first = _post(client, key)
    again = _post(client, key)
    assert again.status_code == 200
    assert again.json["duplicate"] is True and again.json["id"] == first.json["id"]
    assert _documents(runtime) == 1


@pytest.mark.env(DOCLOOP_DUPLICATE_POLICY="refuse")
def test_identical_bytes_refused_by_configuration(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    first = _post(client, key)
    again = _post(client, key)
    assert again.status_code == 409
    assert again.json["error"]["code"] == "duplicate_document"
    assert again.json["error"]["details"]["document_id"] == first.json["id"]


def test_batch_answers_each_file_on_its_own(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    response = client.post(
        "/api/v1/documents",
        headers=bearer(key),
        data={
            "doc_type": "invoice",
            "file": [
                (io.BytesIO(PDF), "a.pdf"),
                (io.BytesIO(b"not a document"), "b.pdf"),
                (io.BytesIO(invoice_pdf(number="INV-2")), "c.pdf"),
            ],
        },
    )
    assert response.status_code == 207
    results = response.json["results"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert [r["status"] for r in results] == [202, 415, 202]
    assert results[1]["error"]["code"] == "unsupported_type"
    assert results[0]["document"]["id"] != results[2]["document"]["id"]
    assert _documents(runtime) == 2


@pytest.mark.env(DOCLOOP_MAX_UPLOAD_BYTES="1000")
def test_too_large_is_413(client, runtime):  # type: ignore[no-untyped-def]
    response = _post(client, make_key(runtime))
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"metadata": "[1, 2]"}, "invalid_metadata"),
        ({"metadata": "{bad json"}, "invalid_metadata"),
        ({"due_at": "next tuesday"}, "invalid_due_at"),
        ({"priority": "99"}, "invalid_priority"),
        ({"external_id": "x" * 300}, "invalid_external_id"),
        ({"callback_url": "ftp://example.com/hook"}, "invalid_callback_url"),
    ],
)
def test_invalid_fields_are_400_with_a_code(client, runtime, form, code):  # type: ignore[no-untyped-def]
    response = _post(client, make_key(runtime), data=form)
    assert response.status_code == 400
    assert response.json["error"]["code"] == code
    assert _documents(runtime) == 0


@pytest.mark.env(DOCLOOP_WEBHOOK_ALLOWLIST="")
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ],
)
def test_callback_urls_into_private_networks_are_refused(client, runtime, url):  # type: ignore[no-untyped-def]
    response = _post(client, make_key(runtime), data={"callback_url": url})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "callback_url_not_allowed"
    webhook = client.post("/api/v1/webhooks", headers=bearer(make_key(runtime)), json={"url": url})
    assert webhook.status_code == 400 and webhook.json["error"]["code"] == "callback_url_not_allowed"


def test_allowlisted_callback_is_accepted(client, runtime):  # type: ignore[no-untyped-def]
    response = _post(client, make_key(runtime), data={"callback_url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 202
    assert response.json["callback_url"] == "http://127.0.0.1:9/hook"


@pytest.mark.env(DOCLOOP_MAX_PAGES="1")
def test_too_many_pages_and_encrypted_pdfs_fail_with_stable_codes(client, runtime, worker, tmp_path):  # type: ignore[no-untyped-def]
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    key = make_key(runtime)
    two_pages = _post(client, key, files=(io.BytesIO((SAMPLES / "invoice-13.pdf").read_bytes()), "long.pdf"))
    locked_path = tmp_path / "locked.pdf"
    pdf = canvas.Canvas(str(locked_path), encrypt=pdfencrypt.StandardEncryption("secret"))
    pdf.drawString(100, 700, "Invoice 1")
    pdf.save()
    locked = _post(client, key, files=(io.BytesIO(locked_path.read_bytes()), "locked.pdf"))
    worker()
    for response, code in ((two_pages, "too_many_pages"), (locked, "encrypted_pdf")):
        result = client.get(f"/api/v1/documents/{response.json['id']}/result", headers=bearer(key))
        assert result.status_code == 200
        assert result.json["status"] == "failed"
        assert result.json["error"]["code"] == code


@pytest.mark.env(DOCLOOP_API_RATE_LIMIT="3/minute")
def test_rate_limit_is_per_key_and_says_when_to_retry(client, runtime):  # type: ignore[no-untyped-def]
    key, other = make_key(runtime), make_key(runtime)
    statuses = [client.get("/api/v1/documents", headers=bearer(key)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/documents", headers=bearer(key))
    assert limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/v1/documents", headers=bearer(other)).status_code == 200
