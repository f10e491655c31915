"""Dataset exports in every format, from the CLI, the analysts' page and the API: full records, splits by
vendor, pseudonymous reviewers, PII redaction applied alike to words and values, immutable snapshots."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from click.testing import CliRunner

from review_app.cli import main
from review_app.db import utcnow
from review_app.models import (
    Document,
    DocumentStatus,
    Extraction,
    FieldStatus,
    FieldValue,
    Page,
    ReviewTask,
    Role,
    TaskStatus,
)
from review_app.services.export import pseudonymizer
from tests.helpers import BASE, bearer, login, make_key, make_user

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"


def _seed(runtime, reviewer: int, documents: int = 12) -> None:  # type: ignore[no-untyped-def]
    """Receipts with words on a page: vendor at the top, an email and a card number printed, the total at
    the bottom (its box known); every third total was corrected by the reviewer."""
    with runtime.session() as session:
        for n in range(documents):
            vendor = f"SHOP {n % 4} SDN BHD"
            total = f"{10 + n}.50"
            words = [
                *[[w, 10 + 40 * i, 10, 48 + 40 * i, 20, 0.99] for i, w in enumerate(vendor.split())],
                ["Contact:", 10, 40, 60, 50, 0.99],
                [EMAIL, 70, 40, 200, 50, 0.99],
                *[[g, 10 + 45 * i, 60, 50 + 45 * i, 70, 0.99] for i, g in enumerate(CARD.split())],
                ["TOTAL", 10, 100, 60, 110, 0.99],
                [total, 150, 100, 190, 110, 0.99],
            ]
            document = Document(
                sha256=f"{n:064x}",
                filename=f"receipt-{n}.png",
                media_type="image/png",
                size_bytes=10,
                doc_type="receipt",
                status=DocumentStatus.COMPLETED,
                page_count=1,
                finalized_at=utcnow(),
            )
            session.add(document)
            session.flush()
            session.add(
                Page(document_id=document.id, number=1, width=300, height=200, source="ocr", words=words)
            )
            session.add(
                Extraction(
                    document_id=document.id,
                    extractor_version="v9",
                    strategy="retrieval",
                    route="review",
                    read_ms=400,
                    extract_ms=20,
                )
            )
            corrected = n % 3 == 0
            for position, (name, kind, printed, box, final) in enumerate(
                (
                    ("company", "text", vendor, [10, 10, 168, 20], vendor),
                    ("total", "amount", "9.99" if corrected else total, [150, 100, 190, 110], total),
                    ("address", "text", f"write to {EMAIL}", None, f"write to {EMAIL}"),
                )
            ):
                session.add(
                    FieldValue(
                        document_id=document.id,
                        name=name,
                        position=position,
                        field_type=kind,
                        value=printed,
                        normalized=printed,
                        confidence=0.8,
                        page=1,
                        box=box,
                        final_value=final,
                        corrected=printed != final,
                        status=FieldStatus.CORRECTED if printed != final else FieldStatus.APPROVED,
                        reviewed_by_id=reviewer,
                    )
                )
            session.add(
                ReviewTask(
                    document_id=document.id,
                    status=TaskStatus.DONE,
                    reasons=[],
                    due_at=utcnow(),
                    sort_at=utcnow(),
                    completed_by_id=reviewer,
                    handling_seconds=42.0,
                )
            )


def _export(tmp_path, name: str, *options: str):  # type: ignore[no-untyped-def]
    out = tmp_path / name
    result = CliRunner().invoke(main, ["export", str(out), "--doc-type", "receipt", *options])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def seeded(runtime):  # type: ignore[no-untyped-def]
    reviewer = make_user(runtime, "rev@example.com")
    _seed(runtime, reviewer)
    return reviewer


def test_jsonl_records_are_full_and_reviewers_pseudonymous(runtime, seeded, tmp_path):  # type: ignore[no-untyped-def]
    out = _export(tmp_path, "full.jsonl", "--test-share", "0.5")
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 12
    first = records[0]
    assert [w[0] for w in first["pages"][0]["words"]][:3] == ["SHOP", "0", "SDN"]
    total = next(f for f in first["fields"] if f["name"] == "total")
    assert total["corrected"] and total["predicted"] == "9.99" and total["final"] == "10.50"
    assert total["box"] == [150, 100, 190, 110] and total["page"] == 1
    reviewers = {f["reviewer"] for r in records for f in r["fields"]}
    # One stable pseudonym per person, keyed by this instance's secret: another secret, another name.
    assert reviewers == {pseudonymizer(runtime.settings.secret_key)(seeded)}
    assert reviewers != {pseudonymizer("another instance")(seeded)}
    assert first["timings"] == {"read_ms": 400, "extract_ms": 20, "review_seconds": 42.0}
    manifest = json.loads((tmp_path / "full.jsonl.manifest.json").read_text())
    assert manifest["files"]["full.jsonl"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["schema_versions"] == {"receipt": runtime.schema("receipt").version}
    assert manifest["redaction"] == {"applied": False}
    # Snapshots are immutable: the same name again is refused, the file untouched.
    again = CliRunner().invoke(main, ["export", str(out), "--doc-type", "receipt"])
    assert again.exit_code == 2 and "snapshot_exists" in again.output


def test_csv_chat_and_bio_formats(runtime, seeded, tmp_path):  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(_export(tmp_path, "d.csv", "--format", "csv").read_text())))
    assert len(rows) == 12
    assert rows[0]["total_predicted"] == "9.99" and rows[0]["total_final"] == "10.50"
    assert rows[0]["total_corrected"] == "1" and rows[1]["total_corrected"] == "0"
    assert {f"{name}_final" for name in ("company", "total", "date")} <= set(rows[0])

    chat = [
        json.loads(line) for line in _export(tmp_path, "c.jsonl", "--format", "chat").read_text().splitlines()
    ]
    _system, user, assistant = chat[0]["messages"]
    assert "SHOP 0 SDN BHD" in user["content"] and "\n" in user["content"]  # lines kept
    assert json.loads(assistant["content"])["total"] == "10.50"

    bio = [
        json.loads(line) for line in _export(tmp_path, "b.jsonl", "--format", "bio").read_text().splitlines()
    ]
    second = bio[1]  # total not corrected: placed by its box
    tagged = {t: tag for t, tag in zip(second["tokens"], second["ner_tags"], strict=True) if tag != "O"}
    assert tagged["11.50"] == "B-TOTAL" and tagged["SHOP"] == "B-COMPANY" and tagged["BHD"] == "I-COMPANY"
    assert all(0 <= v <= 1000 for box in second["bboxes"] for v in box)
    first = bio[0]  # corrected total: found where the words spell the final value
    assert dict(zip(first["tokens"], first["ner_tags"], strict=True))["10.50"] == "B-TOTAL"


def test_hugging_face_folder(runtime, seeded, tmp_path):  # type: ignore[no-untyped-def]
    folder = _export(tmp_path, "hf", "--format", "hf", "--test-share", "0.5")
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nconfigs:") and "path: data/train.jsonl" in card
    train = (folder / "data" / "train.jsonl").read_text().splitlines()
    test = (folder / "data" / "test.jsonl").read_text().splitlines()
    assert len(train) + len(test) == 12 and train and test
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (
        manifest["files"]["data/train.jsonl"]
        == hashlib.sha256((folder / "data/train.jsonl").read_bytes()).hexdigest()
    )
    vendors = {
        side: {json.loads(line)["fields"]["company"] for line in lines}
        for side, lines in (("train", train), ("test", test))
    }
    assert not vendors["train"] & vendors["test"]


@pytest.mark.env(DOCLOOP_REDACT_PATTERNS='["SHOP \\\\d"]')
def test_redaction_reaches_words_values_and_every_format(runtime, seeded, tmp_path):  # type: ignore[no-untyped-def]
    for fmt, name in (
        ("jsonl", "r.jsonl"),
        ("csv", "r.csv"),
        ("chat", "r.chat"),
        ("bio", "r.bio"),
        ("hf", "rhf"),
    ):
        out = _export(tmp_path, name, "--format", fmt, "--redact")
        files = [p for p in out.rglob("*") if p.is_file()] if out.is_dir() else [out]
        text = "".join(p.read_text() for p in files)
        assert EMAIL not in text and "4111" not in text and "SHOP 1" not in text, fmt
        assert "[EMAIL]" in text, fmt
    record = json.loads((tmp_path / "r.jsonl").read_text().splitlines()[0])
    words = [w[0] for w in record["pages"][0]["words"]]
    assert words.count("[CARD]") == 4 and "[EMAIL]" in words and words[0] == "[REDACTED]"
    assert record["final"]["address"] == "write to [EMAIL]"
    assert record["final"]["total"] == "10.50"  # amounts are not personal data
    manifest = json.loads((tmp_path / "r.jsonl.manifest.json").read_text())
    assert manifest["redaction"]["applied"] and manifest["redaction"]["extra_patterns"] == 1


def test_analysts_download_and_the_api_streams_the_same_lines(runtime, seeded, client, tmp_path):  # type: ignore[no-untyped-def]
    expected = CliRunner().invoke(main, ["export", "-", "--doc-type", "receipt", "--format", "csv"]).output
    make_user(runtime, "analyst@example.com", Role.ANALYST)
    login(client, "rev@example.com")
    assert client.get("/exports/download?format=csv", **BASE).status_code == 403
    analyst = client.application.test_client()
    login(analyst, "analyst@example.com")
    page = analyst.get("/exports/", **BASE)
    assert page.status_code == 200 and 'id="export-form"' in page.text
    response = analyst.get("/exports/download?format=csv&doc_type=receipt", **BASE)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.text == expected

    key = make_key(runtime, scopes=["exports:read"])
    api = client.get("/api/v1/exports?format=csv&doc_type=receipt", headers=bearer(key))
    assert api.status_code == 200 and api.text == expected
    refused = client.get("/api/v1/exports?format=parquet", headers=bearer(key))
    assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_format"
