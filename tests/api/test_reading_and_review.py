"""Reading documents back, erasing them, scopes, and reviewing through the API."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from review_app.api.spec import build_spec
from review_app.cli import main
from review_app.models import Role
from tests.helpers import bearer, invoice_pdf, make_key, make_user


def _upload(client, key, **form):  # type: ignore[no-untyped-def]
    data = {"doc_type": "invoice", "file": (io.BytesIO(invoice_pdf(**form)), "i.pdf")}
    response = client.post("/api/v1/documents", headers=bearer(key), data=data)
    assert response.status_code == 202, response.json
    return response.json["id"]


def test_list_filters_and_cursor_pagination(client, runtime, worker):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    ids = [_upload(client, key, number=f"INV-{n}") for n in range(5)]
    pages, cursor = [], None
    while True:
        response = client.get(
            "/api/v1/documents",
            headers=bearer(key),
            query_string={"limit": 2, **({"cursor": cursor} if cursor else {})},
        )
        assert response.status_code == 200
        pages.append([d["id"] for d in response.json["data"]])
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]
    assert client.get("/api/v1/documents", headers=bearer(key), query_string={"status": "queued"}).json[
        "data"
    ]
    worker()
    queued = client.get("/api/v1/documents", headers=bearer(key), query_string={"status": "queued"})
    assert queued.json["data"] == []
    review = client.get("/api/v1/documents", headers=bearer(key), query_string={"status": "review"})
    assert [d["id"] for d in review.json["data"]] == ids
    bad = client.get("/api/v1/documents", headers=bearer(key), query_string={"cursor": "nonsense!"})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_cursor"
    other_key = make_key(runtime)
    assert client.get("/api/v1/documents", headers=bearer(other_key)).json["data"] == []
    assert client.get(f"/api/v1/documents/{ids[0]}", headers=bearer(other_key)).status_code == 404


def test_result_is_pending_then_final_and_files_download(client, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "api-reviewer@example.com", Role.REVIEWER)
    key = make_key(runtime)
    document_id = _upload(client, key)
    pending = client.get(f"/api/v1/documents/{document_id}/result", headers=bearer(key))
    assert pending.status_code == 202 and pending.json["final"] is False and pending.headers["Retry-After"]
    worker()
    assert client.get(f"/api/v1/documents/{document_id}/result", headers=bearer(key)).status_code == 202
    original = client.get(f"/api/v1/documents/{document_id}/file", headers=bearer(key))
    assert original.status_code == 200 and original.data == invoice_pdf()
    image = client.get(f"/api/v1/documents/{document_id}/pages/1.jpg", headers=bearer(key))
    assert image.status_code == 200 and image.data[:3] == b"\xff\xd8\xff"
    assert client.get(f"/api/v1/documents/{document_id}/pages/9.jpg", headers=bearer(key)).status_code == 404
    # Review it through the API, as a custom review UI would.
    claimed = client.post(
        "/api/v1/review-tasks/claim", headers=bearer(key), json={"reviewer": "api-reviewer@example.com"}
    )
    assert claimed.status_code == 200, claimed.json
    task = claimed.json
    submitted = client.post(
        f"/api/v1/review-tasks/{task['id']}/submit",
        headers=bearer(key),
        json={
            "reviewer": "api-reviewer@example.com",
            "version": task["document"]["version"],
            "fields": {"vendor": "ACME WIDGETS LTD"},
        },
    )
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "completed"
    final = client.get(f"/api/v1/documents/{document_id}/result", headers=bearer(key))
    assert final.status_code == 200 and final.json["fields"]["vendor"] == "ACME WIDGETS LTD"
    empty = client.post(
        "/api/v1/review-tasks/claim", headers=bearer(key), json={"reviewer": "api-reviewer@example.com"}
    )
    assert empty.status_code == 409 and empty.json["error"]["code"] == "queue_empty"


def test_api_review_keeps_leases_and_refuses_stale_submits(client, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "one@example.com", Role.REVIEWER)
    make_user(runtime, "two@example.com", Role.REVIEWER)
    make_user(runtime, "analyst@example.com", Role.ANALYST)
    key = make_key(runtime)
    _upload(client, key)
    worker()
    task = client.post(
        "/api/v1/review-tasks/claim", headers=bearer(key), json={"reviewer": "one@example.com"}
    ).json
    taken = client.post(
        f"/api/v1/review-tasks/{task['id']}/claim", headers=bearer(key), json={"reviewer": "two@example.com"}
    )
    assert taken.status_code == 409 and taken.json["error"]["code"] == "task_unavailable"
    stale = client.post(
        f"/api/v1/review-tasks/{task['id']}/submit",
        headers=bearer(key),
        json={"reviewer": "one@example.com", "version": task["document"]["version"] - 1, "fields": {}},
    )
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_document"
    lost = client.post(
        f"/api/v1/review-tasks/{task['id']}/submit",
        headers=bearer(key),
        json={"reviewer": "two@example.com", "version": task["document"]["version"], "fields": {}},
    )
    assert lost.status_code == 409 and lost.json["error"]["code"] == "lease_lost"
    analyst = client.post(
        "/api/v1/review-tasks/claim", headers=bearer(key), json={"reviewer": "analyst@example.com"}
    )
    assert analyst.status_code == 403 and analyst.json["error"]["code"] == "reviewer_not_allowed"
    rejected = client.post(
        f"/api/v1/review-tasks/{task['id']}/reject",
        headers=bearer(key),
        json={"reviewer": "one@example.com", "reason": "duplicate"},
    )
    assert rejected.status_code == 200
    result = client.get(f"/api/v1/documents/{task['document_id']}/result", headers=bearer(key)).json
    assert result["status"] == "rejected" and result["error"]["code"] == "rejected_duplicate"


def test_erasure_removes_the_content_keeps_a_tombstone_and_leaves_exports(client, runtime, worker, tmp_path):  # type: ignore[no-untyped-def]
    make_user(runtime, "r@example.com", Role.REVIEWER)
    key = make_key(runtime)
    document_id = _upload(client, key)
    worker()
    task = client.post(
        "/api/v1/review-tasks/claim", headers=bearer(key), json={"reviewer": "r@example.com"}
    ).json
    client.post(
        f"/api/v1/review-tasks/{task['id']}/submit",
        headers=bearer(key),
        json={"reviewer": "r@example.com", "version": task["document"]["version"], "fields": {}},
    )
    client.get(f"/api/v1/documents/{document_id}/pages/1.jpg", headers=bearer(key))  # cache a page image
    out = tmp_path / "before.jsonl"
    assert CliRunner().invoke(main, ["export", str(out)]).exit_code == 0
    assert [json.loads(line)["document_id"] for line in out.read_text().splitlines()] == [document_id]
    sha = client.get(f"/api/v1/documents/{document_id}", headers=bearer(key)).json["sha256"]

    erased = client.delete(f"/api/v1/documents/{document_id}", headers=bearer(key))
    assert erased.status_code == 200
    body = erased.json
    assert body["status"] == "deleted" and body["deleted_at"] and body["fields"] == []
    assert body["filename"] == "(erased)"
    assert not runtime.blobs.exists(sha)
    assert not list(runtime.settings.page_image_dir.rglob(f"{sha}-*.jpg"))
    assert client.get(f"/api/v1/documents/{document_id}/file", headers=bearer(key)).status_code == 404
    out = tmp_path / "after.jsonl"
    assert CliRunner().invoke(main, ["export", str(out)]).exit_code == 0
    assert out.read_text() == ""
    history = client.get(f"/api/v1/documents/{document_id}", headers=bearer(key))
    assert history.status_code == 200  # the tombstone answers


def test_every_scoped_operation_refuses_keys_without_its_scope(client, runtime):  # type: ignore[no-untyped-def]
    spec = build_spec()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            scope = operation["x-scope"]
            others = [
                s
                for s in ("documents:write", "documents:read", "reviews:write", "exports:read")
                if s != scope
            ]
            key = make_key(runtime, scopes=others)
            url = "/api/v1" + path.replace("{document_id}", "1").replace("{task_id}", "1").replace(
                "{subscription_id}", "1"
            ).replace("{delivery_id}", "msg_x").replace("{number}", "1")
            response = client.open(url, method=method.upper(), headers=bearer(key), json={})
            assert response.status_code == 403, (method, path, response.status_code)
            assert response.json["error"]["code"] == "missing_scope"


def test_spec_is_valid_openapi_and_served(client):  # type: ignore[no-untyped-def]
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    validate(served.json)
    assert served.json["openapi"] == "3.1.0"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "/documents/{document_id}/result" in docs.text


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/documents/abc"])
def test_unknown_api_paths_are_json_404(client, path):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
