"""Documents: upload and read back."""

from __future__ import annotations

from flask import jsonify, request, url_for

from review_app.api import bp
from review_app.api.auth import api_key_required, current_key
from review_app.api.forms import optional_datetime, optional_int, optional_json_object
from review_app.exceptions import ValidationFailed
from review_app.services.documents import document_view, get_document
from review_app.services.ingest import Upload, ingest
from review_app.web.context import db, runtime


@bp.post("/documents")
@api_key_required("documents:write")
def upload_document():  # type: ignore[no-untyped-def]
    """Accept one document (multipart `file`, `doc_type`; optional `external_id`, `metadata` (JSON object),
    `due_at` (ISO 8601), `priority` (-10..10) and pre-OCR'd `words`); 202 with the document."""
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed("Send the document as the multipart field 'file'.", code="missing_file")
    words_part = request.files.get("words")
    words = words_part.read() if words_part is not None else (request.form.get("words") or "").encode()
    form = request.form
    upload = Upload(
        data=file.read(),
        filename=file.filename or "upload",
        doc_type=form.get("doc_type", ""),
        external_id=form.get("external_id") or None,
        metadata=optional_json_object("metadata", form.get("metadata")),
        words=words or None,
        due_at=optional_datetime("due_at", form.get("due_at")),
        priority=optional_int("priority", form.get("priority"), -10, 10),
        api_key_id=current_key().id,
    )
    document = ingest(runtime(), upload)
    response = jsonify(document_view(db(), get_document(db(), document.id)))
    response.status_code = 202
    response.headers["Location"] = url_for("api.read_document", document_id=document.id)
    return response


@bp.get("/documents/<int:document_id>")
@api_key_required("documents:read")
def read_document(document_id: int):  # type: ignore[no-untyped-def]
    """Status, fields with confidences and boxes, review reasons, and final values once final."""
    return jsonify(document_view(db(), get_document(db(), document_id)))
