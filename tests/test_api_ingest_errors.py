"""Bad input on the ingest path gets a clear 4xx JSON error, and nothing is stored for it."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from review_app.models import Document
from tests.conftest import SAMPLES
from tests.helpers import bearer, make_key


def _stored(runtime) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        rows = session.scalar(select(func.count()).select_from(Document))
    blobs = (
        sum(1 for p in runtime.settings.blob_dir.rglob("*") if p.is_file())
        if runtime.settings.blob_dir.exists()
        else 0
    )
    return rows, blobs


@pytest.mark.parametrize(
    ("data", "form", "status", "code"),
    [
        (b"", {"doc_type": "receipt"}, 400, "empty_file"),
        (
            b"Dear customer, this is plain text and not a document.",
            {"doc_type": "receipt"},
            415,
            "unsupported_type",
        ),
        (b"<html><script>alert(1)</script></html>", {"doc_type": "invoice"}, 415, "unsupported_type"),
        ((SAMPLES / "invoice-01.pdf").read_bytes(), {}, 400, "missing_doc_type"),
        ((SAMPLES / "invoice-01.pdf").read_bytes(), {"doc_type": "spaceship"}, 400, "unknown_doc_type"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(client, runtime, data, form, status, code):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    response = client.post(
        "/api/v1/documents", headers=bearer(key), data={**form, "file": (io.BytesIO(data), "upload.pdf")}
    )
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert _stored(runtime) == (0, 0)


def test_missing_file_part(client, runtime):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/documents", headers=bearer(make_key(runtime)), data={"doc_type": "receipt"}
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "missing_file"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_api_key"),
        ({"Authorization": "Bearer dl_deadbeef_not-a-real-key"}, "invalid_api_key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing_api_key"),
        ({"Authorization": "Bearer garbage"}, "invalid_api_key"),
    ],
)
def test_wrong_api_key_is_401(client, runtime, headers, code):  # type: ignore[no-untyped-def]
    make_key(runtime)
    response = client.post(
        "/api/v1/documents",
        headers=headers,
        data={
            "doc_type": "invoice",
            "file": (io.BytesIO((SAMPLES / "invoice-01.pdf").read_bytes()), "a.pdf"),
        },
    )
    assert response.status_code == 401
    assert response.json["error"]["code"] == code
    assert _stored(runtime) == (0, 0)


def test_key_without_write_scope_is_403(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime, scopes=["documents:read"])
    response = client.post(
        "/api/v1/documents",
        headers=bearer(key),
        data={
            "doc_type": "invoice",
            "file": (io.BytesIO((SAMPLES / "invoice-01.pdf").read_bytes()), "a.pdf"),
        },
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "missing_scope"


def test_unknown_document_is_a_json_404(client, runtime):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/documents/424242", headers=bearer(make_key(runtime)))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "document_not_found"
