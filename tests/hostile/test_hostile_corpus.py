"""Every hostile upload gets a clear 4xx or a failed document with a stable code, and the worker goes on."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from review_app.models import Document, DocumentStatus
from tests.helpers import bearer, ingest_pdf, invoice_pdf, make_key
from tests.hostile.corpus import ACCEPTED, FAILED, REFUSED, HostileCase, corpus

TERMINAL_OR_REVIEW = {DocumentStatus.REVIEW, DocumentStatus.COMPLETED, DocumentStatus.FAILED}


def multipart(case: HostileCase) -> tuple[bytes, str]:
    """The request body built by hand, so file names can carry bytes a client library would refuse."""
    boundary = uuid.uuid4().hex
    parts = []
    fields = {"doc_type": case.doc_type, "external_id": case.name, **case.form}
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    filename = case.filename.encode("utf-8", "surrogateescape")
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + case.build()
        + b"\r\n"
    )
    if case.words is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="words"; filename="words.json"\r\n'
            "Content-Type: application/json\r\n\r\n".encode()
            + case.words()
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_corpus_is_large_and_covers_each_outcome():  # type: ignore[no-untyped-def]
    cases = corpus()
    assert len(cases) >= 25
    assert len({c.name for c in cases}) == len(cases)
    assert {c.outcome for c in cases} == {ACCEPTED, REFUSED, FAILED}


def test_every_hostile_file_gets_its_promised_outcome(client, runtime, worker):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    problems: list[str] = []
    accepted: dict[str, int] = {}
    for case in corpus():
        body, content_type = multipart(case)
        response = client.post("/api/v1/documents", data=body, content_type=content_type, headers=bearer(key))
        if case.outcome == REFUSED:
            error = (response.json or {}).get("error", {})
            if response.status_code != case.status or error.get("code") != case.code:
                problems.append(
                    f"{case.name}: wanted {case.status} {case.code}, got {response.status_code} {error}"
                )
            elif not error.get("message"):
                problems.append(f"{case.name}: refused without a message")
        elif response.status_code != 202:
            problems.append(f"{case.name}: wanted 202, got {response.status_code} {response.json}")
        else:
            accepted[case.name] = response.json["id"]
    # One ordinary invoice last: the worker must still serve it after everything above.
    normal = client.post(
        "/api/v1/documents",
        headers=bearer(key),
        data={"doc_type": "invoice", "file": (__import__("io").BytesIO(invoice_pdf()), "ok.pdf")},
    )
    assert normal.status_code == 202
    worker()

    with runtime.session() as session:
        rows = {d.id: d for d in session.scalars(select(Document)).all()}
        for case in corpus():
            if case.name not in accepted:
                continue
            document = rows[accepted[case.name]]
            if case.outcome == FAILED:
                if document.status != DocumentStatus.FAILED or document.error_code != case.code:
                    problems.append(
                        f"{case.name}: wanted failed/{case.code}, got "
                        f"{document.status}/{document.error_code} ({document.error_message})"
                    )
                elif not document.error_message:
                    problems.append(f"{case.name}: failed without a message")
            elif document.status not in TERMINAL_OR_REVIEW or document.status == DocumentStatus.FAILED:
                problems.append(
                    f"{case.name}: wanted processed, got {document.status}/{document.error_code} "
                    f"({document.error_message})"
                )
            if "/" in document.filename or ".." in document.filename or not document.filename.isprintable():
                problems.append(f"{case.name}: unsafe stored file name {document.filename!r}")
        assert rows[normal.json["id"]].status in TERMINAL_OR_REVIEW - {DocumentStatus.FAILED}
        refused = sum(1 for c in corpus() if c.outcome == REFUSED)
        stored = session.scalar(select(func.count()).select_from(Document))
    assert not problems, "\n".join(problems)
    assert stored == len(corpus()) - refused + 1  # nothing was stored for a refusal


def _address_space_mb() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmSize:"))
    return int(line.split()[1]) // 1024


def test_a_document_over_the_memory_limit_fails_and_the_worker_goes_on(runtime, redis):  # type: ignore[no-untyped-def]
    import dataclasses
    import io

    from PIL import Image

    from workers.worker import run_worker

    # 8,000 x 8,000 pixels is inside the pixel budget, but decoding it takes about 250 MiB: more than the
    # 120 MiB of head room this worker's horses get above what the process already maps.
    big = io.BytesIO()
    Image.new("1", (8000, 8000), 1).save(big, "PNG")
    heavy = ingest_pdf(runtime, big.getvalue(), doc_type="receipt", name="big.png")
    normal = ingest_pdf(runtime, invoice_pdf(number="INV-77"))
    limited = dataclasses.replace(
        runtime.settings, worker_isolation="fork", worker_memory_limit_mb=_address_space_mb() + 120
    )
    run_worker(limited, burst=True)
    with runtime.session() as session:
        failed = session.get(Document, heavy)
        assert (failed.status, failed.error_code) == (DocumentStatus.FAILED, "memory_limit_exceeded")
        assert "memory" in failed.error_message
        assert session.get(Document, normal).status in {DocumentStatus.REVIEW, DocumentStatus.COMPLETED}
