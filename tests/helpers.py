"""Small helpers the tests share: logging in through the real form, API headers, sample files."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from review_app.db import dispose_all
from review_app.models import Role
from review_app.runtime import Runtime
from review_app.services.accounts import create_api_key, create_user

BASE = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/"}}
PASSWORD = "correct horse battery"


def make_user(runtime: Runtime, email: str = "rev@example.com", role: Role = Role.REVIEWER) -> int:
    """Create a user with the shared test password; returns its id."""
    with runtime.session() as session:
        return create_user(session, email, PASSWORD, role).id


def make_key(runtime: Runtime, scopes: list[str] | None = None) -> str:
    """Create an API key (all scopes unless given); returns the secret."""
    with runtime.session() as session:
        return create_api_key(
            session, "test", scopes or ["documents:write", "documents:read", "reviews:write", "exports:read"]
        ).secret


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a page."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page carries no CSRF token"
    return match.group(1)


def login(client, email: str = "rev@example.com", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the real form (CSRF included); returns the response."""
    page = client.get("/login", **BASE)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}, **BASE
    )


def bearer(secret: str) -> dict[str, str]:
    """Authorization header for an API key."""
    return {"Authorization": f"Bearer {secret}"}


@contextmanager
def postgres_schema(base_url: str, prefix: str = "docloop_test") -> Iterator[str]:
    """A private, empty schema in the PostgreSQL of `base_url`; yields a URL that uses it, drops it after."""
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        base_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
