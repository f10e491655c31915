"""The model registry: `docloop train` registers a version, an admin promotes it and every worker serves it
from its next document; rolling back steps back through the promotions to the shipped model."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from review_app.cli import main
from review_app.models import Extraction, ModelVersion, Role
from tests.helpers import BASE, csrf_from, ingest_pdf, login, make_user

SAMPLES = Path(__file__).resolve().parents[1] / "sample_docs"


def _train(tmp_path: Path, version: str) -> int:
    folder = tmp_path / f"train-{version}"
    folder.mkdir()
    for n in range(1, 7):
        for suffix in (".pdf", ".json"):
            shutil.copy(SAMPLES / f"invoice-{n:02d}{suffix}", folder / f"invoice-{n:02d}{suffix}")
    result = CliRunner().invoke(
        main,
        ["train", "--from-folder", str(folder), "--doc-type", "invoice", "--version", version, "--jobs", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "registered invoice model version" in result.output
    return int(result.output.split("registered invoice model version ")[1].split()[0])


def _strategy_of(runtime, document_id: int) -> str:  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        return session.scalars(select(Extraction.strategy).where(Extraction.document_id == document_id)).one()


def test_train_promote_serve_and_roll_back(runtime, worker, app, tmp_path):  # type: ignore[no-untyped-def]
    first, second = _train(tmp_path, "v-first"), _train(tmp_path, "v-second")
    with runtime.session() as session:
        stored = session.get(ModelVersion, first)
        assert stored.doc_type == "invoice" and stored.trained_on["documents"] == 6
    listing = CliRunner().invoke(main, ["models", "list"]).output
    assert "v-first" in listing and "v-second" in listing and "*" not in listing  # registered, not serving

    pdf = (SAMPLES / "invoice-09.pdf").read_bytes()
    before = ingest_pdf(runtime, pdf, "invoice", "a.pdf")
    worker()
    assert _strategy_of(runtime, before) == "baseline"  # the shipped model

    make_user(runtime, "admin@example.com", Role.ADMIN)
    client = app.test_client()
    login(client, "admin@example.com")
    token = csrf_from(client.get("/admin/models/", **BASE).text)
    for version in (first, second):
        assert (
            client.post(f"/admin/models/{version}/promote", data={"csrf_token": token}, **BASE).status_code
            == 302
        )
    page = client.get("/admin/models/", **BASE).text
    assert f"serving version {second}" in page

    served = ingest_pdf(runtime, pdf + b"\n", "invoice", "b.pdf")  # other bytes: not a duplicate
    worker()
    assert _strategy_of(runtime, served) == "model:v-second"

    # Roll back twice: to the first version, then to the shipped model (not back to the second).
    assert (
        client.post("/admin/models/rollback/invoice", data={"csrf_token": token}, **BASE).status_code == 302
    )
    assert f"serving version {first}" in client.get("/admin/models/", **BASE).text
    rolled = CliRunner().invoke(main, ["models", "rollback", "invoice"])
    assert rolled.exit_code == 0 and "the shipped model" in rolled.output
    after = ingest_pdf(runtime, pdf + b"\n\n", "invoice", "c.pdf")
    worker()
    assert _strategy_of(runtime, after) == "baseline"
    nothing = CliRunner().invoke(main, ["models", "rollback", "invoice"])
    assert nothing.exit_code == 2 and "nothing_to_roll_back" in nothing.output
