"""`docloop evaluate`: the strategies side by side on a vendor split of a labelled folder, a learning curve,
a verdict with its reasons, and the report as JSON, Markdown and HTML with charts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from review_app.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_docs"


def _invoice_folder(tmp_path: Path, pattern: str = "invoice-*") -> Path:
    """The sample invoices (text-layer PDFs and labels) matching `pattern`, in a folder of their own."""
    folder = tmp_path / "invoices"
    folder.mkdir()
    for path in SAMPLES.glob(pattern):
        if path.suffix in {".pdf", ".json"}:
            shutil.copy(path, folder / path.name)
    return folder


def test_evaluate_writes_the_comparison_and_a_verdict(runtime, tmp_path):  # type: ignore[no-untyped-def]
    folder = _invoice_folder(tmp_path)
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(folder),
            "--doc-type",
            "invoice",
            "--out",
            str(out),
            "--test-share",
            "0.4",
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    labelled = len(list(folder.glob("invoice-*.json")))
    assert report["documents"]["train"] + report["documents"]["test"] == labelled
    names = [s["name"] for s in report["strategies"]]
    assert names == ["baseline", "retrieval", "retrieval + replay", "trained", "trained + replay"]
    for row in report["strategies"]:
        assert 0.0 <= row["micro_f1"] <= 1.0 and row["latency_ms_per_document"] > 0
        assert set(row["per_field_f1"]) >= {"vendor", "total"}
        assert row["cost_per_1000_documents"] >= 0
    corrections = sorted({p["corrections"] for p in report["learning_curve"]})
    assert corrections[0] == 0 and corrections[-1] == report["documents"]["train"] and 10 in corrections
    verdict = report["recommendation"]
    assert verdict["verdict"] in result.output and len(verdict["reasons"]) >= 3
    assert isinstance(verdict["fine_tuning_worth_it"], bool)
    markdown = (out / "report.md").read_text()
    assert "| retrieval + replay |" in markdown and "![learning_curve](learning_curve.png)" in markdown
    assert '<img src="per_field_f1.png"' in (out / "report.html").read_text()
    for chart in ("learning_curve.png", "per_field_f1.png", "reliability.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.env(DOCLOOP_OCR_LANGUAGE="eng,msa")
def test_the_report_says_how_scans_were_read(runtime, tmp_path):  # type: ignore[no-untyped-def]
    folder = _invoice_folder(tmp_path, "invoice-0*")
    out = tmp_path / "report"
    arguments = ["evaluate", str(folder), "--doc-type", "invoice", "--out", str(out), "--jobs", "1"]
    result = CliRunner().invoke(main, [*arguments, "--test-share", "0.4"])
    assert result.exit_code == 0, result.output
    assert "Made with `DOCLOOP_OCR_LANGUAGE=eng,msa docloop evaluate" in (out / "report.md").read_text()
