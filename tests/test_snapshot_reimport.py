"""A JSONL export snapshot teaches like the labelled folder it came from: invoices reviewed in docloop with
their labels, exported, and re-imported with `docloop eval --train SNAPSHOT` give the same figures as
`docloop eval --train FOLDER`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from review_app.cli import main
from tests.helpers import ingest_pdf, make_user, review_next

SAMPLES = Path(__file__).resolve().parents[1] / "sample_docs"
TRAIN = [f"invoice-{n:02d}" for n in range(1, 8)]
TEST = [f"invoice-{n:02d}" for n in range(8, 12)]


def _folder(tmp_path: Path, name: str, stems: list[str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for stem in stems:
        for suffix in (".pdf", ".json"):
            shutil.copy(SAMPLES / f"{stem}{suffix}", folder / f"{stem}{suffix}")
    return folder


def _review_with_labels(runtime, reviewers: list[int], labels: dict[int, dict]) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Every task confirmed with the label's values, as careful reviewers would (two of them: high-value
    invoices need a second pair of eyes)."""

    def label_of(document):  # type: ignore[no-untyped-def]
        return {
            name: json.dumps(value, separators=(",", ":")) if isinstance(value, list) else value
            for name, value in labels[document.id].items()
        }

    while any([review_next(runtime, reviewer, label_of) is not None for reviewer in reviewers]):
        pass


def _eval(tmp_path: Path, test: Path, train: Path, name: str) -> dict:  # type: ignore[type-arg]
    summary = tmp_path / f"{name}.json"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            str(test),
            "--doc-type",
            "invoice",
            "--train",
            str(train),
            "--predictions",
            str(tmp_path / f"{name}.predictions.jsonl"),
            "--summary-json",
            str(summary),
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(summary.read_text())
    return _rounded({k: v for k, v in figures.items() if "ms" not in k and "seconds" not in k})


def _rounded(value):  # type: ignore[no-untyped-def]
    """Figures to four decimals: the database keeps word boxes to 0.01 pt and OCR confidences to 0.001,
    which moves a confidence in its seventh digit; counts, F1 and automation do not move at all."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


@pytest.mark.env(DOCLOOP_AUDIT_RATE="1")  # every document reaches a reviewer, so every final value is a label
def test_a_snapshot_reimported_gives_the_figures_of_its_folder(runtime, worker, tmp_path):  # type: ignore[no-untyped-def]
    reviewers = [make_user(runtime, "first@example.com"), make_user(runtime, "second@example.com")]
    train, test = _folder(tmp_path, "train", TRAIN), _folder(tmp_path, "test", TEST)
    labels = {}
    for stem in TRAIN:
        document_id = ingest_pdf(runtime, (train / f"{stem}.pdf").read_bytes(), "invoice", f"{stem}.pdf")
        labels[document_id] = json.loads((train / f"{stem}.json").read_text())
    worker()
    _review_with_labels(runtime, reviewers, labels)

    snapshot = tmp_path / "snapshot.jsonl"
    exported = CliRunner().invoke(main, ["export", str(snapshot), "--doc-type", "invoice"])
    assert exported.exit_code == 0, exported.output
    assert len(snapshot.read_text().splitlines()) == len(TRAIN)

    from_folder = _eval(tmp_path, test, train, "folder")
    from_snapshot = _eval(tmp_path, test, snapshot, "snapshot")
    assert from_folder["documents"] == len(TEST)
    assert from_snapshot == from_folder

    # `docloop train` learns from the reviewed documents of a snapshot, not from what went straight
    # through: a record no person reviewed (its fields carry no reviewer) teaches nothing.
    records = [json.loads(line) for line in snapshot.read_text().splitlines()]
    unreviewed = {
        **records[0],
        "document_id": 10_000,
        "fields": [{**f, "reviewer": None} for f in records[0]["fields"]],
    }
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("".join(json.dumps(r) + "\n" for r in [*records, unreviewed]))
    models = {}
    for option, source in (("--from-folder", train), ("--from-snapshot", mixed)):
        out = tmp_path / f"model{option}.json"
        trained = CliRunner().invoke(
            main,
            [
                "train",
                option,
                str(source),
                "--doc-type",
                "invoice",
                "--no-register",
                "--out",
                str(out),
                "--jobs",
                "1",
            ],
        )
        assert trained.exit_code == 0, trained.output
        models[option] = json.loads(out.read_text())
    assert models["--from-snapshot"]["trained_on"]["documents"] == len(TRAIN)
    assert models["--from-snapshot"]["trained_on"]["snapshot"] == "mixed.jsonl"
    assert _rounded(models["--from-snapshot"]["fields"]) == _rounded(models["--from-folder"]["fields"])

    # `docloop evaluate` on a snapshot keeps the snapshot's own train/test split.
    split_snapshot = tmp_path / "split.jsonl"
    assert (
        CliRunner()
        .invoke(main, ["export", str(split_snapshot), "--doc-type", "invoice", "--test-share", "0.5"])
        .exit_code
        == 0
    )
    sides = [json.loads(line)["split"] for line in split_snapshot.read_text().splitlines()]
    assert "test" in sides and "train" in sides  # the vendors fall on both sides (deterministic hash)
    evaluated = CliRunner().invoke(
        main,
        ["evaluate", str(split_snapshot), "--doc-type", "invoice", "--out", str(tmp_path / "report")],
    )
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["documents"] == {"train": sides.count("train"), "test": sides.count("test")}
