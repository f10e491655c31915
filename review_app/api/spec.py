"""The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json and rendered at /api/v1/docs.

Tests validate it with openapi-spec-validator, check every API response against it, and fuzz the live
app from it with schemathesis, so it stays true.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template

from review_app.api import bp
from review_app.services.accounts import ALL_SCOPES
from review_app.services.webhooks import EVENT_TYPES

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
TIMESTAMP = {"type": "string", "format": "date-time"}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


COMMON_ERRORS = {
    "401": _error("Missing, malformed, unknown or revoked API key."),
    "403": _error("The key lacks the scope this operation needs."),
    "429": _error("Over this key's rate limit; see Retry-After."),
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": STRING, "message": STRING, "details": {}},
            }
        },
    },
    "Field": {
        "type": "object",
        "required": ["name", "type", "confidence", "status"],
        "properties": {
            "name": STRING,
            "type": STRING,
            "value": NULLABLE_STRING,
            "normalized": NULLABLE_STRING,
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "page": {"type": ["integer", "null"]},
            "box": {"type": ["array", "null"], "items": {"type": "number"}},
            "source": {"type": "array", "items": STRING},
            "flags": {"type": "array", "items": STRING},
            "status": STRING,
            "final_value": NULLABLE_STRING,
            "corrected": {"type": "boolean"},
        },
    },
    "Document": {
        "type": "object",
        "required": ["id", "status", "doc_type", "fields", "review", "version"],
        "properties": {
            "id": INTEGER,
            "status": {
                "type": "string",
                "enum": ["queued", "processing", "review", "completed", "rejected", "failed", "deleted"],
            },
            "doc_type": STRING,
            "filename": STRING,
            "media_type": STRING,
            "size_bytes": INTEGER,
            "sha256": STRING,
            "page_count": {"type": ["integer", "null"]},
            "external_id": NULLABLE_STRING,
            "metadata": {"type": "object"},
            "callback_url": NULLABLE_STRING,
            "due_at": NULLABLE_TIMESTAMP,
            "priority": INTEGER,
            "duplicate_of": {"type": ["integer", "null"]},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "processed_at": NULLABLE_TIMESTAMP,
            "finalized_at": NULLABLE_TIMESTAMP,
            "deleted_at": NULLABLE_TIMESTAMP,
            "version": INTEGER,
            "error": {
                "type": ["object", "null"],
                "properties": {"code": NULLABLE_STRING, "message": NULLABLE_STRING},
            },
            "fields": {"type": "array", "items": _ref("Field")},
            "review": {"type": "object"},
            "final": {"type": ["object", "null"]},
            "duplicate": {"type": "boolean"},
        },
    },
    "DocumentList": {
        "type": "object",
        "required": ["data", "next_cursor"],
        "properties": {"data": {"type": "array", "items": _ref("Document")}, "next_cursor": NULLABLE_STRING},
    },
    "Batch": {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", "status"],
                    "properties": {
                        "index": INTEGER,
                        "filename": NULLABLE_STRING,
                        "status": INTEGER,
                        "duplicate": {"type": "boolean"},
                        "document": _ref("Document"),
                        "error": {"type": "object"},
                    },
                },
            }
        },
    },
    "Result": {
        "type": "object",
        "required": ["id", "status", "final"],
        "properties": {
            "id": INTEGER,
            "status": STRING,
            "final": {"type": "boolean"},
            "external_id": NULLABLE_STRING,
            "fields": {"type": "object", "additionalProperties": NULLABLE_STRING},
            "error": {"type": "object"},
            "message": STRING,
        },
    },
    "ReviewTask": {
        "type": "object",
        "required": ["id", "document_id", "stage", "status"],
        "properties": {
            "id": INTEGER,
            "document_id": INTEGER,
            "stage": INTEGER,
            "status": STRING,
            "reasons": {"type": "array", "items": {"type": "object"}},
            "priority": {"type": "number"},
            "due_at": TIMESTAMP,
            "lease_expires_at": NULLABLE_TIMESTAMP,
            "assignee": NULLABLE_STRING,
            "document": _ref("Document"),
        },
    },
    "ReviewerRequest": {
        "type": "object",
        "required": ["reviewer"],
        "properties": {
            "reviewer": {"type": "string", "description": "Email of the active reviewer the key acts for."},
            "doc_type": STRING,
        },
    },
    "SubmitRequest": {
        "type": "object",
        "required": ["reviewer", "version"],
        "properties": {
            "reviewer": STRING,
            "version": INTEGER,
            "fields": {"type": "object", "additionalProperties": NULLABLE_STRING},
            "accept_warnings": {"type": "boolean"},
        },
    },
    "RejectRequest": {
        "type": "object",
        "required": ["reviewer", "reason"],
        "properties": {
            "reviewer": STRING,
            "reason": {"type": "string", "enum": ["illegible", "wrong_document_type", "duplicate", "other"]},
            "note": STRING,
            "version": INTEGER,
        },
    },
    "Subscription": {
        "type": "object",
        "required": ["id", "url", "events", "secret", "active"],
        "properties": {
            "id": INTEGER,
            "url": STRING,
            "events": {"type": "array", "items": {"type": "string", "enum": list(EVENT_TYPES)}},
            "description": STRING,
            "active": {"type": "boolean"},
            "secret": STRING,
            "created_at": TIMESTAMP,
        },
    },
    "SubscriptionRequest": {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "description": STRING,
            "events": {"type": "array", "items": {"type": "string", "enum": list(EVENT_TYPES)}},
        },
    },
    "Delivery": {
        "type": "object",
        "required": ["id", "event_type", "url", "status", "attempts"],
        "properties": {
            "id": STRING,
            "event_type": STRING,
            "url": STRING,
            "status": {"type": "string", "enum": ["pending", "delivered", "dead"]},
            "attempts": INTEGER,
            "document_id": {"type": ["integer", "null"]},
            "subscription_id": {"type": ["integer", "null"]},
            "last_status_code": {"type": ["integer", "null"]},
            "last_error": NULLABLE_STRING,
            "created_at": TIMESTAMP,
            "next_attempt_at": NULLABLE_TIMESTAMP,
            "delivered_at": NULLABLE_TIMESTAMP,
            "log": {"type": "array", "items": {"type": "object"}},
        },
    },
}

UPLOAD_FORM = {
    "type": "object",
    "required": ["file", "doc_type"],
    "properties": {
        "file": {
            "type": "string",
            "contentMediaType": "application/octet-stream",
            "description": "The document (PDF, PNG, JPEG or TIFF). Several `file` parts make a batch.",
        },
        "doc_type": {
            "type": "string",
            "description": "receipt, invoice, form, or a type added as a schema file.",
        },
        "external_id": {"type": "string", "maxLength": 255},
        "metadata": {"type": "string", "description": "A JSON object."},
        "callback_url": {"type": "string", "description": "Receives this document's events, signed."},
        "due_at": {"type": "string", "format": "date-time"},
        "priority": {"type": "integer", "minimum": -10, "maximum": 10},
        "words": {"type": "string", "description": "Pre-OCR'd words JSON (bring your own OCR)."},
    },
}

ID = {"in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _op(summary: str, responses: dict[str, Any], *, scope: str, **extra: Any) -> dict[str, Any]:
    return {
        "summary": summary,
        "security": [{"apiKey": []}],
        "x-scope": scope,
        "responses": {**responses, **COMMON_ERRORS},
        **extra,
    }


def _json_body(schema_name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema_name)}}}


def build_spec() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    doc_id = {**ID, "name": "document_id"}
    task_id = {**ID, "name": "task_id"}
    paths: dict[str, Any] = {
        "/documents": {
            "post": _op(
                "Upload a document (or several: a batch)",
                {
                    "200": _json(
                        _ref("Document"), "The same bytes were uploaded before: the earlier document."
                    ),
                    "202": _json(_ref("Document"), "Accepted; processing follows."),
                    "207": _json(_ref("Batch"), "A batch: one result per file, in order."),
                    "400": _error("Missing or invalid field."),
                    "409": _error("Duplicate refused, or Idempotency-Key reused with another request."),
                    "413": _error("Too large."),
                    "415": _error("Not a PDF, PNG, JPEG or TIFF."),
                },
                scope="documents:write",
                parameters=[
                    {
                        "in": "header",
                        "name": "Idempotency-Key",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 255},
                    }
                ],
                requestBody={"required": True, "content": {"multipart/form-data": {"schema": UPLOAD_FORM}}},
            ),
            "get": _op(
                "List this key's documents",
                {
                    "200": _json(_ref("DocumentList"), "A page; follow next_cursor for more."),
                    "400": _error("Invalid filter or cursor."),
                },
                scope="documents:read",
                parameters=[
                    {"in": "query", "name": n, "required": False, "schema": s}
                    for n, s in (
                        (
                            "status",
                            {
                                "type": "string",
                                "enum": [
                                    "queued",
                                    "processing",
                                    "review",
                                    "completed",
                                    "rejected",
                                    "failed",
                                    "deleted",
                                ],
                            },
                        ),
                        ("doc_type", STRING),
                        ("external_id", STRING),
                        ("updated_since", TIMESTAMP),
                        ("cursor", STRING),
                        ("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
                    )
                ],
            ),
        },
        "/documents/{document_id}": {
            "get": _op(
                "Read a document",
                {
                    "200": _json(_ref("Document"), "The document."),
                    "404": _error("No such document for this key."),
                },
                scope="documents:read",
                parameters=[doc_id],
            ),
            "delete": _op(
                "Erase a document",
                {
                    "200": _json(_ref("Document"), "Erased; a tombstone remains."),
                    "404": _error("No such document for this key."),
                },
                scope="documents:write",
                parameters=[doc_id],
            ),
        },
        "/documents/{document_id}/result": {
            "get": _op(
                "The final result",
                {
                    "200": _json(_ref("Result"), "Final: the fields, or why it failed or was rejected."),
                    "202": _json(_ref("Result"), "Not final yet (see Retry-After)."),
                    "404": _error("No such document for this key."),
                },
                scope="documents:read",
                parameters=[doc_id],
            )
        },
        "/documents/{document_id}/file": {
            "get": _op(
                "The original file",
                {
                    "200": {
                        "description": "The bytes as uploaded.",
                        "content": {"application/octet-stream": {}},
                    },
                    "404": _error("No such document, or erased."),
                },
                scope="documents:read",
                parameters=[doc_id],
            )
        },
        "/documents/{document_id}/pages/{number}.jpg": {
            "get": _op(
                "A page image",
                {
                    "200": {"description": "JPEG.", "content": {"image/jpeg": {}}},
                    "404": _error("No such document or page."),
                    "422": _error("The page cannot be rendered."),
                },
                scope="documents:read",
                parameters=[doc_id, {**ID, "name": "number"}],
            )
        },
        "/webhook-secret": {
            "get": _op(
                "The secret signing callback_url deliveries",
                {
                    "200": _json(
                        {"type": "object", "required": ["secret"], "properties": {"secret": STRING}}, "It."
                    )
                },
                scope="documents:read",
            )
        },
        "/review-tasks": {
            "get": _op(
                "Live review tasks in working order",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"data": {"type": "array", "items": _ref("ReviewTask")}},
                        },
                        "A page of tasks.",
                    ),
                    "400": _error("Invalid filter."),
                },
                scope="reviews:write",
                parameters=[
                    {"in": "query", "name": n, "required": False, "schema": STRING}
                    for n in ("doc_type", "reason", "status")
                ],
            )
        },
        "/review-tasks/claim": {
            "post": _op(
                "Claim the top task",
                {
                    "200": _json(_ref("ReviewTask"), "Claimed under a lease."),
                    "400": _error("Invalid request."),
                    "409": _error("Nothing waits for this reviewer (queue_empty)."),
                },
                scope="reviews:write",
                requestBody=_json_body("ReviewerRequest"),
            )
        },
    }
    for action, summary, body, extra in (
        ("claim", "Claim one task", "ReviewerRequest", {}),
        ("heartbeat", "Renew the lease", "ReviewerRequest", {}),
        ("release", "Give the task back", "ReviewerRequest", {}),
        (
            "submit",
            "Approve or correct the fields",
            "SubmitRequest",
            {"400": _error("Invalid values or rules.")},
        ),
        ("reject", "Reject the document", "RejectRequest", {}),
    ):
        paths[f"/review-tasks/{{task_id}}/{action}"] = {
            "post": _op(
                summary,
                {
                    "200": _json({"type": "object"}, "Done."),
                    "400": _error("Invalid request."),
                    "404": _error("No such task for this key."),
                    "409": _error("Lease lost, stale document, or task unavailable."),
                    **extra,
                },
                scope="reviews:write",
                parameters=[task_id],
                requestBody=_json_body(body),
            )
        }
    paths["/webhooks"] = {
        "post": _op(
            "Subscribe to events",
            {
                "201": _json(_ref("Subscription"), "Created, with its secret."),
                "400": _error("Invalid URL or events (private addresses refused)."),
            },
            scope="documents:read",
            requestBody=_json_body("SubscriptionRequest"),
        ),
        "get": _op(
            "This key's subscriptions",
            {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"data": {"type": "array", "items": _ref("Subscription")}},
                    },
                    "Them.",
                )
            },
            scope="documents:read",
        ),
    }
    paths["/webhooks/{subscription_id}"] = {
        "delete": _op(
            "Stop a subscription",
            {"200": _json(_ref("Subscription"), "Stopped."), "404": _error("No such subscription.")},
            scope="documents:read",
            parameters=[{**ID, "name": "subscription_id"}],
        )
    }
    paths["/webhook-deliveries"] = {
        "get": _op(
            "The delivery log",
            {
                "200": _json(
                    {"type": "object", "properties": {"data": {"type": "array", "items": _ref("Delivery")}}},
                    "Newest first.",
                ),
                "400": _error("Invalid filter."),
            },
            scope="documents:read",
            parameters=[
                {
                    "in": "query",
                    "name": "status",
                    "required": False,
                    "schema": {"type": "string", "enum": ["pending", "delivered", "dead"]},
                },
                {
                    "in": "query",
                    "name": "subscription_id",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1},
                },
                {
                    "in": "query",
                    "name": "document_id",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1},
                },
                {
                    "in": "query",
                    "name": "limit",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                },
            ],
        )
    }
    delivery_id = {"in": "path", "name": "delivery_id", "required": True, "schema": STRING}
    paths["/webhook-deliveries/{delivery_id}"] = {
        "get": _op(
            "One delivery and its attempts",
            {"200": _json(_ref("Delivery"), "With its log."), "404": _error("No such delivery.")},
            scope="documents:read",
            parameters=[delivery_id],
        )
    }
    paths["/exports"] = {
        "get": _op(
            "A dataset snapshot of every final document, streamed",
            {
                "200": {
                    "description": "One line per document (CSV: a header, then a row per document).",
                    "content": {"application/x-ndjson": {}, "text/csv": {}},
                },
                "400": _error("Unknown format or document type, or test_share outside 0..1."),
            },
            scope="exports:read",
            parameters=[
                {
                    "in": "query",
                    "name": "format",
                    "schema": {"type": "string", "enum": ["jsonl", "csv", "chat", "bio"]},
                },
                {"in": "query", "name": "doc_type", "schema": {"type": "string"}},
                {
                    "in": "query",
                    "name": "test_share",
                    "schema": {"type": "number", "minimum": 0, "maximum": 1},
                },
                {"in": "query", "name": "redact", "schema": {"type": "string", "enum": ["0", "1"]}},
            ],
        )
    }
    paths["/webhook-deliveries/{delivery_id}/replay"] = {
        "post": _op(
            "Send a delivery again",
            {
                "202": _json(_ref("Delivery"), "Queued again, same webhook-id."),
                "404": _error("No such delivery."),
            },
            scope="documents:read",
            parameters=[delivery_id],
        )
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "docloop API",
            "version": "1",
            "description": "Upload documents, read their extracted fields, review them programmatically, "
            'and receive signed webhooks. Errors: {"error": {"code", "message", '
            '"details"}}. Scopes: ' + ", ".join(ALL_SCOPES) + ".",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer dl_..."}
            },
        },
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    """The OpenAPI document (public: it holds no secrets)."""
    return jsonify(build_spec())


openapi.public = True  # type: ignore[attr-defined]


@bp.get("/docs")
def docs():  # type: ignore[no-untyped-def]
    """The API reference, rendered from the same document."""
    return render_template("api_docs.html", spec=build_spec())


docs.public = True  # type: ignore[attr-defined]
