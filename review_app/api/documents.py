"""Documents: upload (one or a batch), list, read, result, original file, page images, erasure."""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import Response, jsonify, request, send_file, url_for
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from review_app.api import bp
from review_app.api.auth import api_key_required, current_key
from review_app.api.forms import optional_datetime, optional_int, optional_json_object
from review_app.api.idempotency import idempotent
from review_app.exceptions import DocloopError, NotFound, ValidationFailed
from review_app.models import Document, DocumentStatus
from review_app.services.documents import document_view, get_document, result_view
from review_app.services.erasure import erase_document
from review_app.services.ingest import Upload, ingest_checked
from review_app.services.page_images import page_image_path
from review_app.services.webhooks import signing_secret
from review_app.web.context import db, runtime

PAGE_LIMIT = 100


def _upload_from_form(file: FileStorage) -> Upload:
    form = request.form
    words_part = request.files.get("words")
    words = words_part.read() if words_part is not None else (form.get("words") or "").encode()
    return Upload(
        data=file.read(),
        filename=file.filename or "upload",
        doc_type=form.get("doc_type", ""),
        external_id=form.get("external_id") or None,
        metadata=optional_json_object("metadata", form.get("metadata")),
        words=words or None,
        due_at=optional_datetime("due_at", form.get("due_at")),
        priority=optional_int("priority", form.get("priority"), -10, 10),
        callback_url=form.get("callback_url") or None,
        api_key_id=current_key().id,
    )


def _document_response(document: Document, duplicate: bool) -> Response:
    # A new document is answered from what ingest returned; a duplicate is read back whole.
    view = (
        document_view(db(), get_document(db(), document.id))
        if duplicate
        else document_view(db(), document, just_ingested=True)
    )
    view["duplicate"] = duplicate
    response = jsonify(view)
    response.status_code = 200 if duplicate else 202
    response.headers["Location"] = url_for("api.read_document", document_id=document.id)
    return response


@bp.post("/documents")
@api_key_required("documents:write")
@idempotent
def upload_document():  # type: ignore[no-untyped-def]
    """Accept a document (multipart `file`, `doc_type`; optional `external_id`, `metadata` (JSON object),
    `callback_url`, `due_at` (ISO 8601), `priority` (-10..10), pre-OCR'd `words`): 202 with the document.
    Identical bytes uploaded again answer 200 with the earlier document (or 409, by configuration).
    Several `file` parts make a batch: 207 with one result per file, in order."""
    files = request.files.getlist("file")
    if not files:
        raise ValidationFailed(
            "Send the document as the multipart field 'file' (a part whose headers, such as its file "
            "name, are not valid UTF-8 cannot be read).",
            code="missing_file",
        )
    if len(files) == 1:
        result = ingest_checked(runtime(), _upload_from_form(files[0]))
        return _document_response(result.document, result.duplicate)
    results: list[dict[str, Any]] = []
    for index, part in enumerate(files):
        try:
            result = ingest_checked(runtime(), _upload_from_form(part))
            view = document_view(db(), get_document(db(), result.document.id))
            db().commit()  # end the read before the next file's ingest opens its own transaction
            results.append(
                {
                    "index": index,
                    "filename": part.filename,
                    "status": 200 if result.duplicate else 202,
                    "duplicate": result.duplicate,
                    "document": view,
                }
            )
        except DocloopError as e:
            results.append({"index": index, "filename": part.filename, "status": e.status, **e.to_dict()})
    response = jsonify({"results": results})
    response.status_code = 207
    return response


def _cursor(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(raw.encode()).decode())["after"])
    except (ValueError, KeyError, TypeError) as e:
        raise ValidationFailed("The cursor is not one this API gave out.", code="invalid_cursor") from e


def _next_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode()


@bp.get("/documents")
@api_key_required("documents:read")
def list_documents():  # type: ignore[no-untyped-def]
    """This key's documents, oldest first, `limit` at a time; `next_cursor` continues (null at the end).
    Filters: `status`, `doc_type`, `external_id`, `updated_since` (ISO 8601)."""
    args = request.args
    limit = optional_int("limit", args.get("limit"), 1, PAGE_LIMIT, default=50)
    query = select(Document).where(
        Document.api_key_id == current_key().id, Document.id > _cursor(args.get("cursor"))
    )
    if args.get("status"):
        if args["status"] not in {s.value for s in DocumentStatus}:
            raise ValidationFailed(
                f"Unknown status {args['status']!r}.",
                code="invalid_status",
                details={"allowed": [s.value for s in DocumentStatus]},
            )
        query = query.where(Document.status == args["status"])
    if args.get("doc_type"):
        query = query.where(Document.doc_type == args["doc_type"])
    if args.get("external_id"):
        query = query.where(Document.external_id == args["external_id"])
    since = optional_datetime("updated_since", args.get("updated_since"))
    if since is not None:
        query = query.where(Document.updated_at >= since)
    documents = db().scalars(query.order_by(Document.id).limit(limit + 1)).all()
    page, more = documents[:limit], len(documents) > limit
    return jsonify(
        {
            "data": [document_view(db(), d) for d in page],
            "next_cursor": _next_cursor(page[-1].id) if more else None,
        }
    )


def _own(document_id: int) -> Document:
    """A document of the calling key (another key's documents do not exist for it)."""
    document = get_document(db(), document_id)
    if document.api_key_id != current_key().id:
        raise NotFound(f"Document {document_id} does not exist.", code="document_not_found")
    return document


@bp.get("/documents/<id:document_id>")
@api_key_required("documents:read")
def read_document(document_id: int):  # type: ignore[no-untyped-def]
    """Status, fields with confidences and boxes, review reasons, and final values once final."""
    return jsonify(document_view(db(), _own(document_id)))


@bp.get("/documents/<id:document_id>/result")
@api_key_required("documents:read")
def document_result(document_id: int):  # type: ignore[no-untyped-def]
    """200 with the final fields once the document is final; 202 with its state (and Retry-After) before."""
    document = _own(document_id)
    body, final = result_view(document)
    response = jsonify(body)
    if not final:
        response.status_code = 202
        response.headers["Retry-After"] = "5"
    return response


@bp.get("/documents/<id:document_id>/file")
@api_key_required("documents:read")
def document_file(document_id: int):  # type: ignore[no-untyped-def]
    """The original bytes as uploaded."""
    document = _own(document_id)
    if document.deleted_at is not None:
        raise NotFound(f"Document {document_id} was erased.", code="document_erased")
    path = runtime().blobs.path_for(document.sha256)
    return send_file(path, mimetype=document.media_type, download_name=document.filename, as_attachment=True)


@bp.get("/documents/<id:document_id>/pages/<id:number>.jpg")
@api_key_required("documents:read")
def document_page(document_id: int, number: int):  # type: ignore[no-untyped-def]
    """One page as a JPEG image."""
    document = _own(document_id)
    if document.deleted_at is not None:
        raise NotFound(f"Document {document_id} was erased.", code="document_erased")
    if document.page_count is not None and not 1 <= number <= document.page_count:
        raise NotFound(f"Document {document_id} has no page {number}.", code="page_not_found")
    return send_file(page_image_path(runtime(), document, number), mimetype="image/jpeg")


@bp.delete("/documents/<id:document_id>")
@api_key_required("documents:write")
def delete_document(document_id: int):  # type: ignore[no-untyped-def]
    """Erase a document: bytes, page images, words and values go; an audit tombstone stays."""
    document = _own(document_id)
    db().commit()  # the erasure runs in its own transaction
    erase_document(runtime(), document.id, api_key_id=current_key().id)
    db().expire_all()  # the erasure changed the rows this session loaded before
    return jsonify(document_view(db(), get_document(db(), document_id)))


@bp.get("/webhook-secret")
@api_key_required("documents:read")
def webhook_secret():  # type: ignore[no-untyped-def]
    """The secret that signs deliveries to this key's per-document `callback_url`s."""
    secret = signing_secret(current_key())
    db().commit()
    return jsonify({"secret": secret})
