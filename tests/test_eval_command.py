"""`docloop eval` on the project's own labelled samples: runs, prints figures, writes predictions."""

from __future__ import annotations

import json

from click.testing import CliRunner

from review_app.cli import main
from tests.conftest import SAMPLES


def test_eval_receipts_prints_figures_and_predictions(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOCLOOP_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "receipts"
    folder.mkdir()
    for path in SAMPLES.glob("receipt-0[1-4].*"):
        (folder / path.name).write_bytes(path.read_bytes())
    predictions = tmp_path / "p.jsonl"
    result = CliRunner().invoke(
        main, ["eval", str(folder), "--doc-type", "receipt", "--predictions", str(predictions), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "micro" in result.output and "expected calibration error" in result.output
    assert "automation at <= 1% residual error" in result.output
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [line["stem"] for line in lines] == ["receipt-01", "receipt-02", "receipt-03", "receipt-04"]
    for line in lines:
        assert set(line) == {"stem", "fields", "route", "reasons"}
        assert line["route"] in {"auto", "review"}
        assert {"company", "date", "address", "total"} <= set(line["fields"])
        assert all(0 <= f["confidence"] <= 1 for f in line["fields"].values())


def test_eval_words_only_reads_supplied_words(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOCLOOP_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "words"
    folder.mkdir()
    words = {
        "pages": [
            {
                "width": 400,
                "height": 600,
                "words": [
                    {"text": "GOLDEN SPOON SDN BHD", "box": [50, 20, 350, 40]},
                    {"text": "12 JALAN MAWAR, 50450 KUALA LUMPUR", "box": [40, 50, 360, 65]},
                    {"text": "TEL: 03-1234 5678", "box": [100, 70, 300, 85]},
                    {"text": "DATE: 05/06/2019", "box": [20, 120, 200, 135]},
                    {"text": "TOTAL", "box": [20, 400, 80, 415]},
                    {"text": "23.50", "box": [300, 400, 360, 415]},
                ],
            }
        ]
    }
    (folder / "a.words.json").write_text(json.dumps(words))
    (folder / "a.json").write_text(
        json.dumps(
            {
                "company": "GOLDEN SPOON SDN BHD",
                "date": "05/06/2019",
                "address": "12 JALAN MAWAR, 50450 KUALA LUMPUR",
                "total": "23.50",
            }
        )
    )
    predictions = tmp_path / "p.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            str(folder),
            "--doc-type",
            "receipt",
            "--words-only",
            "--predictions",
            str(predictions),
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    fields = json.loads(predictions.read_text())["fields"]
    assert fields["total"]["value"] == "23.50"
    assert fields["date"]["value"] == "2019-06-05"


def test_eval_on_a_mixed_folder_keeps_the_requested_type(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOCLOOP_DATA_DIR", str(tmp_path / "data"))
    predictions = tmp_path / "p.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            str(SAMPLES),
            "--doc-type",
            "invoice",
            "--predictions",
            str(predictions),
            "--limit",
            "3",
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    stems = [json.loads(line)["stem"] for line in predictions.read_text().splitlines()]
    assert stems == ["invoice-01", "invoice-02", "invoice-03"]


def test_eval_serves_a_model_file_instead_of_the_shipped_model(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOCLOOP_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "invoices"
    folder.mkdir()
    for path in SAMPLES.glob("invoice-0[1-2].*"):
        (folder / path.name).write_bytes(path.read_bytes())
    # A model whose confidence for every total is mapped to 0.123 by its one recalibration step.
    model = {
        "doc_type": "invoice",
        "version": "pinned",
        "fields": {
            "total": {"weights": {"bias": 0.0}, "recalibrators": [{"xs": [0.0, 1.0], "ys": [0.123, 0.123]}]}
        },
    }
    model_file = tmp_path / "model.json"
    model_file.write_text(json.dumps(model))
    predictions = tmp_path / "p.jsonl"
    args = ["eval", str(folder), "--doc-type", "invoice", "--predictions", str(predictions), "--jobs", "1"]
    result = CliRunner().invoke(main, [*args, "--model", str(model_file)])
    assert result.exit_code == 0, result.output
    totals = [
        json.loads(line)["fields"]["total"]["confidence"] for line in predictions.read_text().splitlines()
    ]
    # The step keeps 2% of what it was given, so the served confidence moves it by at most 0.02.
    assert totals and all(abs(c - 0.123) <= 0.021 for c in totals), totals
    refused = CliRunner().invoke(main, [*args, "--model", str(model_file), "--folds", "2"])
    assert refused.exit_code != 0 and "--model serves" in refused.output
