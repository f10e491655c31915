"""Every log line a job writes names the document it is about."""

from __future__ import annotations

import logging

from review_app.logcontext import SubjectFilter
from tests.helpers import ingest_pdf, invoice_pdf
from workers.jobs import process_document


def test_each_line_of_a_job_carries_the_document_id(runtime, caplog):  # type: ignore[no-untyped-def]
    document_id = ingest_pdf(runtime, invoice_pdf(number="LOG-7"))
    caplog.handler.addFilter(SubjectFilter())
    with caplog.at_level(logging.DEBUG):
        assert process_document(document_id) in {"review", "auto"}
        logging.getLogger("after").info("outside any job")
    job_lines = [r for r in caplog.records if r.name != "after"]
    assert job_lines, "the job wrote nothing"
    assert {r.subject for r in job_lines} == {f"doc={document_id}"}
    assert next(r for r in caplog.records if r.name == "after").subject == "-"
