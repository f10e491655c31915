"""The whole loop on real parts: API upload, real RQ worker, review in the web client, API result, export."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from review_app.cli import main
from tests.conftest import SAMPLES
from tests.helpers import BASE, bearer, csrf_from, login, make_key, make_user


def test_upload_process_review_and_export(client, runtime, worker, tmp_path):  # type: ignore[no-untyped-def]
    make_user(runtime)
    key = make_key(runtime)
    sample = SAMPLES / "receipt-01.jpg"
    expected = json.loads((SAMPLES / "receipt-01.json").read_text())

    response = client.post(
        "/api/v1/documents",
        headers=bearer(key),
        data={"doc_type": "receipt", "external_id": "till-42", "file": (sample.open("rb"), sample.name)},
    )
    assert response.status_code == 202, response.json
    document = response.json
    assert document["status"] == "queued"
    assert response.headers["Location"].endswith(f"/api/v1/documents/{document['id']}")

    assert worker() is True  # a real RQ worker took the job from Redis

    processed = client.get(f"/api/v1/documents/{document['id']}", headers=bearer(key)).json
    assert processed["status"] == "review", processed
    assert processed["review"]["reasons"], "a document sent to review must say why"
    fields = {f["name"]: f for f in processed["fields"]}
    assert {"company", "date", "address", "total"} <= set(fields)
    assert all(0.0 <= f["confidence"] <= 1.0 for f in fields.values())
    assert processed["final"] is None

    assert login(client).status_code == 302
    queue = client.get("/", **BASE)
    assert f"#{document['id']}" in queue.text
    claimed = client.post("/queue/next", data={"csrf_token": csrf_from(queue.text)}, **BASE)
    assert re.search(r"/review/\d+$", claimed.headers["Location"])
    page = client.get(claimed.headers["Location"], **BASE)
    assert page.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    form = {"csrf_token": csrf_from(page.text), "version": version}
    for name, field in fields.items():
        form[f"field-{name}"] = field["normalized"] or ""
    # The reviewer corrects the company name and confirms the rest as labelled.
    form["field-company"] = expected["company"]
    form["field-total"] = expected["total"]
    form["field-date"] = expected["date"]
    form["field-address"] = expected["address"]
    form["field-tax"] = expected["tax"]
    form["accept_warnings"] = "1"
    submitted = client.post(claimed.headers["Location"] + "/submit", data=form, **BASE)
    assert submitted.status_code == 302, submitted.text

    final = client.get(f"/api/v1/documents/{document['id']}", headers=bearer(key)).json
    assert final["status"] == "completed"
    assert final["final"]["company"] == expected["company"]
    assert final["final"]["total"] == expected["total"]
    corrected = {f["name"] for f in final["fields"] if f["corrected"]}
    predicted_company = fields["company"]["normalized"]
    assert ("company" in corrected) == (predicted_company != expected["company"])

    history = client.get(f"/documents/{document['id']}", **BASE)
    assert "submitted" in history.text and "rev@example.com" in history.text

    out = tmp_path / "export.jsonl"
    result = CliRunner().invoke(main, ["export", "--format", "jsonl", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["document_id"] for line in lines] == [document["id"]]
    assert lines[0]["final"]["company"] == expected["company"]
    assert lines[0]["predicted"]["company"]["value"] == predicted_company
    assert lines[0]["external_id"] == "till-42"
