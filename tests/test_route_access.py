"""Every route refuses anonymous requests and roles that may not use it (enumerated from the URL map)."""

from __future__ import annotations

import re

import pytest

from review_app.models import Role
from tests.helpers import BASE, csrf_from, login, make_user

PUBLIC = {"auth.login", "healthz", "static"}


def _routes(app):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or getattr(app.view_functions[rule.endpoint], "public", False):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url, app.view_functions[rule.endpoint]


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_from(client.get("/login", **BASE).text)


def test_every_route_declares_who_may_use_it(app):  # type: ignore[no-untyped-def]
    for endpoint, _method, _url, view in _routes(app):
        assert hasattr(view, "allowed_roles") or hasattr(view, "required_scope"), f"{endpoint} checks no role"


def test_anonymous_requests_are_refused_everywhere(app, client):  # type: ignore[no-untyped-def]
    headers = {**BASE["headers"], "X-CSRFToken": _csrf(client)}
    for endpoint, method, url, view in _routes(app):
        response = client.open(url, method=method, base_url=BASE["base_url"], headers=headers)
        if hasattr(view, "required_scope"):
            assert response.status_code == 401, (endpoint, method, response.status_code)
            assert response.json["error"]["code"] == "missing_api_key"
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (
                endpoint,
                method,
            )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ANALYST, Role.ADMIN])
def test_roles_are_checked_on_every_web_route(app, client, runtime, role):  # type: ignore[no-untyped-def]
    email = f"{role}@example.com"
    make_user(runtime, email, role)
    assert login(client, email).status_code == 302
    headers = {**BASE["headers"], "X-CSRFToken": csrf_from(client.get("/", **BASE).text)}
    refused = 0
    for endpoint, method, url, view in _routes(app):
        if not hasattr(view, "allowed_roles") or endpoint == "auth.logout":  # logging out would end the test
            continue
        response = client.open(url, method=method, base_url=BASE["base_url"], headers=headers)
        if role in view.allowed_roles:
            assert response.status_code != 403, (endpoint, method)
        else:
            assert response.status_code == 403, (endpoint, method, response.status_code)
            refused += 1
    assert refused > 0 or role == Role.ADMIN
