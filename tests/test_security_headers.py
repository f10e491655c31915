"""Security pass: headers on every answer, session cookies, API keys only as hashes, no secrets in logs."""

from __future__ import annotations

import io
import logging

from sqlalchemy import select, text

from review_app.models import ApiKey
from tests.helpers import PASSWORD, bearer, invoice_pdf, login, make_key, make_user


def test_pages_and_api_answers_carry_the_security_headers(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    for response in (client.get("/login"), client.get("/api/v1/documents", headers=bearer(key))):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_secure_httponly_and_same_site(client, runtime):  # type: ignore[no-untyped-def]
    make_user(runtime)
    response = login(client)
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite"} <= attributes
    assert "SameSite=Lax" in cookie


def test_api_keys_and_passwords_are_stored_only_as_hashes(runtime):  # type: ignore[no-untyped-def]
    secret = make_key(runtime)
    make_user(runtime, "hash@example.com")
    with runtime.session() as session:
        key = session.scalars(select(ApiKey)).one()
        assert secret not in key.key_hash and key.key_hash != secret
        assert key.prefix in secret  # the prefix finds the row; only the hash can check the rest
        # Nothing in any column of the two tables holds the secret or the password.
        for table in ("api_keys", "users"):
            for row in session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608  (fixed names)
                flat = " ".join(str(value) for value in row)
                assert secret not in flat and PASSWORD not in flat


def test_no_secret_reaches_the_logs(client, runtime, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    secret = make_key(runtime)
    client.post(
        "/api/v1/documents",
        headers=bearer(secret),
        data={"doc_type": "invoice", "file": (io.BytesIO(invoice_pdf(number="LOG-1")), "a.pdf")},
    )
    client.get("/api/v1/documents", headers=bearer(secret + "x"))  # a wrong key is logged as refused
    make_user(runtime, "log@example.com")
    login(client, "log@example.com", PASSWORD)
    assert secret not in caplog.text
    assert PASSWORD not in caplog.text
