"""The optional LLM strategy against a local stand-in for an OpenAI-compatible server: the request it sends
(model, key, fields, the document's text), the values it reads back, and an unreachable model leaving
every field empty and flagged instead of failing the run."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from review_app.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_docs"


class StandIn:
    """Answers chat completions the way a model that reads invoices well would: the first line as the
    vendor, the amount after "Total" as the total; or fails with 500 when told to."""

    def __init__(self) -> None:
        self.requests: list[dict] = []  # type: ignore[type-arg]
        self.fail = False

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        body = request.get_json()
        self.requests.append({"path": request.path, "auth": request.headers.get("Authorization"), **body})
        if self.fail:
            return Response("overloaded", status=500)(environ, start_response)
        text = body["messages"][1]["content"]
        total = re.search(r"Total[^\n]*?([\d,]+\.\d{2})\s*$", text, re.MULTILINE)
        vendor = text.splitlines()[0].strip().removeprefix("Invoice ")
        answer = {"vendor": vendor, "total": total.group(1) if total else None}
        completion = {"choices": [{"message": {"role": "assistant", "content": json.dumps(answer)}}]}
        return Response(json.dumps(completion), mimetype="application/json")(environ, start_response)


@pytest.fixture
def stand_in(monkeypatch) -> Iterator[StandIn]:  # type: ignore[no-untyped-def]
    app = StandIn()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DOCLOOP_LLM_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("DOCLOOP_LLM_MODEL", "stand-in-7b")
    monkeypatch.setenv("DOCLOOP_LLM_API_KEY", "sk-test")
    yield app
    server.shutdown()


def _eval(tmp_path: Path, name: str) -> dict:  # type: ignore[type-arg]
    folder = tmp_path / "invoices"
    if not folder.exists():
        folder.mkdir()
        for n in range(1, 5):
            for suffix in (".pdf", ".json"):
                shutil.copy(SAMPLES / f"invoice-{n:02d}{suffix}", folder / f"invoice-{n:02d}{suffix}")
    summary = tmp_path / f"{name}.json"
    result = CliRunner().invoke(
        main,
        [
            "eval", str(folder), "--doc-type", "invoice", "--strategy", "llm", "--jobs", "1",
            "--predictions", str(tmp_path / f"{name}.jsonl"), "--summary-json", str(summary),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(summary.read_text())


def test_the_llm_strategy_is_measured_like_the_others(runtime, stand_in, tmp_path):  # type: ignore[no-untyped-def]
    figures = _eval(tmp_path, "llm")
    assert figures["strategy"] == "llm" and figures["documents"] == 4
    assert figures["per_field"]["vendor"]["f1"] == 1.0
    assert figures["per_field"]["total"]["f1"] == 1.0
    assert figures["routed_auto"] == 0  # uncalibrated: a person sees every value
    first = stand_in.requests[0]
    assert first["path"] == "/v1/chat/completions" and first["auth"] == "Bearer sk-test"
    assert first["model"] == "stand-in-7b" and first["temperature"] == 0
    assert "vendor, invoice_number, date" in first["messages"][0]["content"]
    assert "Northwind Office Supply Ltd" in first["messages"][1]["content"]  # invoice-01's text


def test_an_unreachable_model_leaves_the_fields_empty_and_flagged(runtime, stand_in, tmp_path):  # type: ignore[no-untyped-def]
    stand_in.fail = True
    figures = _eval(tmp_path, "down")
    assert figures["documents"] == 4 and figures["micro"]["f1"] == 0.0
    predictions = [json.loads(line) for line in (tmp_path / "down.jsonl").read_text().splitlines()]
    assert all(field["value"] is None for p in predictions for field in p["fields"].values())
