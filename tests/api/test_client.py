"""The Python client and `docloop upload --wait` against a live server with a real worker."""

from __future__ import annotations

import json
import threading

from click.testing import CliRunner

from review_app.cli import main
from review_app.client import ApiError, DocloopClient
from review_app.models import Role
from tests.conftest import SAMPLES
from tests.helpers import invoice_pdf, make_key, make_user


def test_client_uploads_reads_and_lists(live_server, runtime, worker):  # type: ignore[no-untyped-def]
    client = DocloopClient(live_server, make_key(runtime))
    document = client.upload(
        SAMPLES / "invoice-02.pdf", "invoice", external_id="po-17", metadata={"team": "ap"}
    )
    assert document["status"] == "queued" and document["metadata"] == {"team": "ap"}
    again = client.upload(SAMPLES / "invoice-02.pdf", "invoice")
    assert again["duplicate"] is True and again["id"] == document["id"]
    worker()
    assert client.document(document["id"])["status"] == "review"
    assert [d["id"] for d in client.documents(external_id="po-17")] == [document["id"]]
    try:
        client.upload(b"plain text", "invoice", filename="x.txt")
    except ApiError as e:
        assert e.status == 415 and e.code == "unsupported_type"
    else:
        raise AssertionError("a text file must be refused")


def test_upload_command_waits_for_the_final_result(live_server, runtime, worker, tmp_path):  # type: ignore[no-untyped-def]
    make_user(runtime, "closer@example.com", Role.REVIEWER)
    key = make_key(runtime)
    path = tmp_path / "small-invoice.pdf"  # below the high-value limit: one reviewer finishes it
    path.write_bytes(invoice_pdf(number="INV-555"))
    outcome: dict[str, object] = {}

    def run_command() -> None:
        outcome["result"] = CliRunner().invoke(
            main,
            [
                "upload",
                str(path),
                "--doc-type",
                "invoice",
                "--url",
                live_server,
                "--api-key",
                key,
                "--wait",
                "--timeout",
                "60",
            ],
        )

    command = threading.Thread(target=run_command)
    command.start()
    # Meanwhile, as in production, a worker processes the document and a reviewer finishes it.
    reviewer = DocloopClient(live_server, key)
    while command.is_alive():
        worker()  # RQ workers install signal handlers: they run in the main thread
        try:
            task = reviewer._request(
                "POST", "/review-tasks/claim", json={"reviewer": "closer@example.com"}
            ).json()
            reviewer._request(
                "POST",
                f"/review-tasks/{task['id']}/submit",
                json={"reviewer": "closer@example.com", "version": task["document"]["version"]},
            )
        except ApiError:
            pass
        command.join(0.3)
    result = outcome["result"]
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    line = json.loads(result.output.strip().splitlines()[-1])  # type: ignore[attr-defined]
    assert line["status"] == "completed" and line["final"] is True
    assert line["fields"]["invoice_number"] == "INV-555"
