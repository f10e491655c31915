"""Bring your own OCR through the API, and a document type added as a schema file, end to end."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from review_app.models import Page
from tests.conftest import SAMPLES
from tests.helpers import bearer, make_key

WORDS = {
    "pages": [
        {
            "width": 600,
            "height": 800,
            "words": [
                {"text": "GOLDEN SPOON SDN BHD", "box": [50, 20, 350, 40]},
                {"text": "12 JALAN MAWAR, 50450 KUALA LUMPUR", "box": [40, 50, 360, 65]},
                {"text": "DATE: 05/06/2019", "box": [20, 120, 200, 135]},
                {"text": "TOTAL", "box": [20, 400, 80, 415]},
                {"text": "23.50", "box": [300, 400, 360, 415]},
            ],
        }
    ]
}


def test_supplied_words_are_used_instead_of_ocr(client, runtime, worker):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    response = client.post(
        "/api/v1/documents",
        headers=bearer(key),
        data={
            "doc_type": "receipt",
            "file": (io.BytesIO((SAMPLES / "receipt-05.jpg").read_bytes()), "r.jpg"),
            "words": (io.BytesIO(json.dumps(WORDS).encode()), "words.json"),
        },
    )
    assert response.status_code == 202, response.json
    worker()
    document = client.get(f"/api/v1/documents/{response.json['id']}", headers=bearer(key)).json
    fields = {f["name"]: f for f in document["fields"]}
    assert fields["total"]["normalized"] == "23.50"  # from the supplied words, not from the image
    assert fields["total"]["box"] == [300, 400, 360, 415]
    with runtime.session() as session:
        page = session.scalars(select(Page).where(Page.document_id == document["id"])).one()
        assert page.source == "supplied"


def test_malformed_words_are_a_400_and_nothing_is_stored(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    response = client.post(
        "/api/v1/documents",
        headers=bearer(key),
        data={
            "doc_type": "receipt",
            "file": (io.BytesIO((SAMPLES / "receipt-05.jpg").read_bytes()), "r.jpg"),
            "words": '{"pages": [{"width": 10, "height": 10, "words": [{"text": "x", "box": [1]}]}]}',
        },
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_words"


def test_a_schema_file_adds_a_document_type_to_the_running_system(
    client, runtime, worker, tmp_path, monkeypatch
):  # type: ignore[no-untyped-def]
    schema_dir = tmp_path / "schemas"
    schema_dir.mkdir()
    (schema_dir / "ticket.toml").write_text(
        'name = "ticket"\n[[fields]]\nname = "fine"\ntype = "amount"\nrequired = true\nlabels = ["fine"]\n'
    )
    monkeypatch.setenv("DOCLOOP_SCHEMA_DIR", str(schema_dir))
    from review_app.app import create_app
    from review_app.runtime import get_runtime
    from review_app.settings import load_settings

    app = create_app(get_runtime(load_settings()).settings)
    api = app.test_client()
    key = make_key(runtime)
    words = {
        "pages": [{"width": 300, "height": 200, "words": [{"text": "Fine 80.00", "box": [10, 10, 120, 25]}]}]
    }
    response = api.post(
        "/api/v1/documents",
        headers=bearer(key),
        data={
            "doc_type": "ticket",
            "file": (io.BytesIO((SAMPLES / "form-03.pdf").read_bytes()), "t.pdf"),
            "words": json.dumps(words),
        },
    )
    assert response.status_code == 202, response.json
    worker()
    document = api.get(f"/api/v1/documents/{response.json['id']}", headers=bearer(key)).json
    assert document["doc_type"] == "ticket"
    assert {f["name"]: f["normalized"] for f in document["fields"]} == {"fine": "80.00"}
