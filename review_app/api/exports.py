"""Dataset exports over the API: a one-file snapshot of every final document, streamed."""

from __future__ import annotations

from flask import request

from review_app.api import bp
from review_app.api.auth import api_key_required
from review_app.web.exports import snapshot_download


@bp.get("/exports")
@api_key_required("exports:read")
def export_dataset():  # type: ignore[no-untyped-def]
    """Every final document (not only this key's) as `format` = jsonl | csv | chat | bio, optionally one
    `doc_type`, with `test_share` of vendors marked test and `redact=1` for PII redaction; streamed."""
    return snapshot_download(request.args)
