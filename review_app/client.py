"""A small Python client for the docloop API.

    from review_app.client import DocloopClient
    client = DocloopClient("http://127.0.0.1:5000", "dl_...")
    document = client.upload("receipt.jpg", doc_type="receipt")
    result = client.wait(document["id"])          # blocks until final
    print(result["fields"])

Uploads carry an Idempotency-Key (a fresh one per call unless given), so a retry after a network failure
never creates a second document. 429 answers are waited out as Retry-After says.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests


class ApiError(Exception):
    """An error answer of the API: HTTP status, stable code, message and details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


class DocloopClient:
    """Calls the API with an API key; methods return the JSON the API answers."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 60.0,
        retries: int = 5,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.timeout = timeout
        self.retries = retries
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        for attempt in range(self.retries + 1):
            try:
                response = self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
            except requests.ConnectionError:
                if attempt == self.retries or method not in {"GET", "POST"}:
                    raise
                time.sleep(min(30.0, 0.5 * 2**attempt))
                continue
            if response.status_code == 429 and attempt < self.retries:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code >= 400:
                try:
                    error = response.json()["error"]
                except (ValueError, KeyError, TypeError):
                    error = {"code": "http_error", "message": response.text[:500]}
                raise ApiError(
                    response.status_code,
                    error.get("code", "error"),
                    error.get("message", ""),
                    error.get("details"),
                )
            return response
        raise ApiError(429, "rate_limited", "Still rate limited after retrying.")

    def upload(
        self,
        document: str | Path | bytes,
        doc_type: str,
        *,
        filename: str | None = None,
        external_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        callback_url: str | None = None,
        due_at: str | None = None,
        priority: int | None = None,
        words: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Upload one document; returns it (status "queued", or an earlier copy with "duplicate": true)."""
        if isinstance(document, bytes):
            data, name = document, filename or "upload"
        else:
            path = Path(document)
            data, name = path.read_bytes(), filename or path.name
        form: dict[str, Any] = {"doc_type": doc_type}
        for key, value in (
            ("external_id", external_id),
            ("callback_url", callback_url),
            ("due_at", due_at),
            ("priority", priority),
        ):
            if value is not None:
                form[key] = str(value)
        if metadata is not None:
            form["metadata"] = json.dumps(metadata)
        if words is not None:
            form["words"] = json.dumps(words)
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        return self._request(
            "POST", "/documents", data=form, files={"file": (name, data)}, headers=headers
        ).json()

    def document(self, document_id: int) -> dict[str, Any]:
        """A document with its fields, confidences, boxes and review state."""
        return self._request("GET", f"/documents/{document_id}").json()

    def result(self, document_id: int) -> dict[str, Any]:
        """The document's outcome now (`final` tells whether it will change)."""
        return self._request("GET", f"/documents/{document_id}/result").json()

    def wait(self, document_id: int, timeout: float = 600.0, poll: float = 2.0) -> dict[str, Any]:
        """Poll until the document is final (completed, rejected, failed); raises TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.result(document_id)
            if result["final"]:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"document {document_id} is still {result['status']} after {timeout:g} s")
            time.sleep(poll)

    def documents(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every document of this key matching the filters, following cursors."""
        params = {k: v for k, v in filters.items() if v is not None}
        while True:
            page = self._request("GET", "/documents", params=params).json()
            yield from page["data"]
            if not page["next_cursor"]:
                return
            params["cursor"] = page["next_cursor"]

    def delete(self, document_id: int) -> dict[str, Any]:
        """Erase a document (a tombstone remains)."""
        return self._request("DELETE", f"/documents/{document_id}").json()

    def subscribe(self, url: str, events: list[str] | None = None, description: str = "") -> dict[str, Any]:
        """Subscribe a URL to webhook events; the answer carries the signing secret."""
        body = {"url": url, "description": description, **({"events": events} if events else {})}
        return self._request("POST", "/webhooks", json=body).json()
