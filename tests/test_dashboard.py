"""The dashboard's figures from a seeded history whose answers are known in advance."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import select

from review_app.db import utcnow
from review_app.models import (
    Document,
    DocumentStatus,
    Extraction,
    FieldStatus,
    FieldValue,
    ReviewTask,
    Role,
    TaskStatus,
)
from tests.helpers import BASE, login, make_user

FIELDS = ("vendor", "date", "total", "tax")


def _document(session, n: int, created, status, route: str, audit: bool = False) -> Document:  # type: ignore[no-untyped-def]
    document = Document(
        sha256=f"{n:064x}",
        filename=f"seed-{n}.pdf",
        media_type="application/pdf",
        size_bytes=100,
        doc_type="receipt",
        status=status,
        page_count=1,
        audit_sample=audit,
        created_at=created,
        processed_at=created,
    )
    session.add(document)
    session.flush()
    session.add(
        Extraction(
            document_id=document.id, extractor_version="t", strategy="baseline", route=route, reasons=[]
        )
    )
    return document


def _fields(session, document: Document, status: FieldStatus, confidence: float, corrected=()) -> None:  # type: ignore[no-untyped-def]
    for name in FIELDS:
        wrong = name in corrected
        session.add(
            FieldValue(
                document_id=document.id,
                name=name,
                field_type="text",
                value="x",
                normalized="x",
                confidence=confidence,
                status=FieldStatus.CORRECTED if wrong else status,
                corrected=wrong,
                final_value="y" if wrong else "x",
            )
        )


def _task(session, document: Document, user_id: int | None, seconds: float | None, status, due) -> None:  # type: ignore[no-untyped-def]
    session.add(
        ReviewTask(
            document_id=document.id,
            status=status,
            reasons=[],
            due_at=due,
            sort_at=due,
            completed_by_id=user_id,
            handling_seconds=seconds,
            created_at=document.created_at,
        )
    )


@pytest.fixture
def history(runtime):  # type: ignore[no-untyped-def]
    """1,000 receipts in the last 30 days: 700 straight through; 300 reviewed, of which 50 were the audit
    sample (3 of them had their total corrected) and 25 others had their total corrected. Alice finished
    200 tasks at 30 s each, Bob 100 at 60 s. Four older documents wait in the queue, two past due."""
    alice = make_user(runtime, "alice@example.com")
    bob = make_user(runtime, "bob@example.com")
    now = utcnow()
    with runtime.session() as session:
        for n in range(1000):
            created = now - timedelta(days=1 + n % 20, minutes=n)
            if n < 700:
                document = _document(session, n, created, DocumentStatus.COMPLETED, "auto")
                _fields(session, document, FieldStatus.AUTO_APPROVED, 0.97)
                continue
            k = n - 700  # 0..299
            audit = k < 50
            corrected = ("total",) if (audit and k < 3) or (not audit and k < 75) else ()
            document = _document(session, n, created, DocumentStatus.COMPLETED, "review", audit=audit)
            _fields(session, document, FieldStatus.APPROVED, 0.55, corrected)
            reviewer, seconds = (alice, 30.0) if k < 200 else (bob, 60.0)
            _task(session, document, reviewer, seconds, TaskStatus.DONE, created + timedelta(hours=24))
        for n in range(1000, 1004):  # older than the period: in the queue, not in the period's volume
            created = now - timedelta(days=60)
            document = _document(session, n, created, DocumentStatus.REVIEW, "review")
            _fields(session, document, FieldStatus.PENDING, 0.4)
            due = now - timedelta(hours=1) if n < 1002 else now + timedelta(hours=5)
            _task(session, document, None, None, TaskStatus.OPEN, due)
    make_user(runtime, "analyst@example.com", Role.ANALYST)
    return {"alice": alice, "bob": bob}


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval, written out here independently of the application's library call."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_dashboard_figures_match_the_known_history(client, runtime, history):  # type: ignore[no-untyped-def]
    login(client, "analyst@example.com")
    response = client.get("/dashboard/data?days=30", **BASE)
    assert response.status_code == 200
    data = response.json

    volume = data["volume"]
    assert volume["documents"] == 1000 and volume["processed"] == 1000
    assert volume["straight_through"] == 700
    assert volume["straight_through_rate"] == pytest.approx(0.7)
    assert sum(day["documents"] for day in volume["days"]) == 1000

    audit = data["audit"]
    assert (audit["documents"], audit["documents_wrong"]) == (50, 3)
    assert audit["document_error_rate"] == pytest.approx(0.06)
    assert (audit["fields"], audit["fields_wrong"]) == (200, 3)
    assert audit["field_error_rate"] == pytest.approx(0.015)
    assert audit["document_error_interval_95"] == pytest.approx(list(_wilson(3, 50)), abs=1e-9)
    assert audit["field_error_interval_95"] == pytest.approx(list(_wilson(3, 200)), abs=1e-9)

    fields = {f["field"]: f for f in data["fields"]}
    assert fields["total"]["reviewed"] == 300 and fields["total"]["corrected"] == 28
    assert fields["total"]["correction_rate"] == pytest.approx(28 / 300)
    assert fields["vendor"]["corrected"] == 0
    assert sum(w["reviewed"] for w in fields["total"]["weeks"]) == 300

    bins = {b["bin"]: b for b in data["reliability"]["bins"]}
    assert list(bins) == [5] and bins[5]["count"] == 1200
    assert bins[5]["accuracy"] == pytest.approx(1 - 28 / 1200)
    assert data["reliability"]["expected_calibration_error"] == pytest.approx(abs((1 - 28 / 1200) - 0.55))
    assert data["reliability"]["histograms"]["total"][9] == 700  # 0.97 falls in the top bin
    assert data["reliability"]["histograms"]["total"][5] == 300

    reviewers = {r["reviewer"]: r for r in data["reviewers"]}
    assert reviewers["alice@example.com"] == {
        "reviewer": "alice@example.com",
        "tasks": 200,
        "median_handling_seconds": 30.0,
    }
    assert reviewers["bob@example.com"]["tasks"] == 100
    assert reviewers["bob@example.com"]["median_handling_seconds"] == 60.0

    queue = data["queue"]
    assert queue["depth"] == 4 and queue["past_due"] == 2
    assert queue["oldest_age_hours"] == pytest.approx(60 * 24, abs=0.1)

    saved = data["time_saved"]
    review_hours = (200 * 30 + 100 * 60) / 3600
    assert saved["manual_hours"] == pytest.approx(1000 * 4 / 60, abs=0.01)
    assert saved["review_hours"] == pytest.approx(review_hours, abs=0.01)
    assert saved["saved_hours"] == pytest.approx(1000 * 4 / 60 - review_hours, abs=0.01)
    assert saved["saved_money"] == pytest.approx((1000 * 4 / 60 - review_hours) * 30, abs=0.5)
    assert "4 minutes" in saved["assumptions"]

    page = client.get("/dashboard?days=30", **BASE)
    assert page.status_code == 200
    assert "70.0%" in page.text and "1.5%" in page.text and "2 past due" in page.text


def test_the_period_and_type_filters_narrow_the_figures(client, runtime, history):  # type: ignore[no-untyped-def]
    login(client, "analyst@example.com")
    week = client.get("/dashboard/data?days=7", **BASE).json
    assert 0 < week["volume"]["documents"] < 1000
    other = client.get("/dashboard/data?days=30&doc_type=invoice", **BASE).json
    assert other["volume"]["documents"] == 0 and other["queue"]["depth"] == 0
    assert client.get("/dashboard/data?days=5", **BASE).status_code == 400


def test_reviewers_may_not_see_the_dashboard(client, runtime):  # type: ignore[no-untyped-def]
    make_user(runtime, "rev@example.com", Role.REVIEWER)
    login(client, "rev@example.com")
    assert client.get("/dashboard", **BASE).status_code == 403
    assert client.get("/dashboard/data", **BASE).status_code == 403


def test_report_writes_the_same_figures_with_charts(runtime, history, tmp_path):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from review_app.cli import main

    result = CliRunner().invoke(main, ["report", "--since", "30d", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "r" / "report.md").read_text()
    assert "| documents | 1000 |" in report
    assert "| went straight through | 70.0% |" in report
    assert "| waiting for review now | 4 (2 past due) |" in report
    assert "1.5% (95% interval" in report
    assert "| total | 300 | 28 | 9.3% |" in report
    assert "| alice@example.com | 200 | 30 s |" in report
    for image in ("volume.png", "straight-through.png", "reliability.png"):
        assert f"]({image})" in report
        assert (tmp_path / "r" / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = CliRunner().invoke(main, ["report", "--since", "a month"])
    assert bad.exit_code == 2 and "30d" in bad.output


def test_kept_days_are_read_again_once_one_of_their_documents_changes(runtime, redis, history):  # type: ignore[no-untyped-def]
    from review_app.services.dashboard import Period, figures

    def total_corrections() -> int:
        with runtime.session() as session:
            data = figures(session, runtime.settings, Period.last_days(30))
        return next(f for f in data["fields"] if f["field"] == "total")["corrected"]

    assert total_corrections() == 28  # read from the database, and each whole day kept
    kept = list(redis.scan_iter("docloop:dashboard:*"))
    assert len(kept) >= 15  # twenty days of documents, less the edges of the period
    assert total_corrections() == 28  # the same answer from the kept days

    # A reviewer corrects the total of a document from ten days ago: its day must be read again.
    with runtime.session() as session:
        field = session.scalars(
            select(FieldValue)
            .join(Document, Document.id == FieldValue.document_id)
            .where(
                FieldValue.name == "total", FieldValue.corrected.is_(False), Document.status == "completed"
            )
            .where(Document.created_at < utcnow() - timedelta(days=9))
            .limit(1)
        ).one()
        field.corrected, field.status, field.final_value = True, FieldStatus.CORRECTED, "y"
        session.get(Document, field.document_id).touch()
    assert total_corrections() == 29
    for key in kept:
        redis.delete(key)
