"""Export snapshots: a manifest with counts and checksum, and train/test splits grouped by vendor."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

from review_app.cli import main
from review_app.models import Document, DocumentStatus, Extraction, FieldStatus, FieldValue

VENDORS = [f"Vendor {i} Ltd" for i in range(40)]


def _seed(runtime) -> None:  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        for n in range(120):
            document = Document(
                sha256=f"{n:064x}",
                filename=f"r{n}.pdf",
                media_type="application/pdf",
                size_bytes=1,
                doc_type="receipt",
                status=DocumentStatus.COMPLETED,
            )
            session.add(document)
            session.flush()
            session.add(
                Extraction(
                    document_id=document.id, extractor_version="v7", strategy="baseline", route="review"
                )
            )
            for name, value in (("company", VENDORS[n % len(VENDORS)]), ("total", f"{n}.00")):
                session.add(
                    FieldValue(
                        document_id=document.id,
                        name=name,
                        field_type="text",
                        value=value,
                        normalized=value,
                        final_value=value,
                        confidence=0.9,
                        status=FieldStatus.APPROVED,
                    )
                )


def _export(tmp_path, name: str, *extra: str) -> tuple[list[dict], dict]:  # type: ignore[no-untyped-def,type-arg]
    out = tmp_path / name
    result = CliRunner().invoke(main, ["export", str(out), "--doc-type", "receipt", *extra])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    manifest = json.loads((tmp_path / f"{name}.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    return records, manifest


def test_splits_are_grouped_by_vendor_deterministic_and_counted(runtime, tmp_path):  # type: ignore[no-untyped-def]
    _seed(runtime)
    records, manifest = _export(tmp_path, "a.jsonl", "--test-share", "0.3")
    again, _ = _export(tmp_path, "b.jsonl", "--test-share", "0.3")
    assert [r["split"] for r in records] == [r["split"] for r in again]
    sides: dict[str, set[str]] = {}
    for record in records:
        sides.setdefault(record["vendor"], set()).add(record["split"])
    assert all(len(s) == 1 for s in sides.values()), "a vendor on both sides"
    test_vendors = {v for v, s in sides.items() if s == {"test"}}
    assert 0.1 < len(test_vendors) / len(VENDORS) < 0.5  # about the share asked for
    assert manifest["documents"] == 120
    assert manifest["splits"]["test"]["documents"] == sum(r["split"] == "test" for r in records)
    assert manifest["splits"]["test"]["vendors"] == len(test_vendors)
    assert manifest["splits"]["train"]["vendors"] == len(VENDORS) - len(test_vendors)
    assert manifest["extractor_versions"] == ["v7"]
    assert manifest["split"] == {"test_share": 0.3, "grouped_by": "vendor"}


def test_without_a_test_share_everything_is_train(runtime, tmp_path):  # type: ignore[no-untyped-def]
    _seed(runtime)
    records, manifest = _export(tmp_path, "all.jsonl")
    assert {r["split"] for r in records} == {"train"}
    assert manifest["splits"]["test"]["documents"] == 0
