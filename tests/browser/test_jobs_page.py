"""rq-dashboard for admins: the job queue in a real browser (its scripts run under its own policy), and
its doors closed to everyone else and to requests from other sites."""

from __future__ import annotations

import pytest

from review_app.models import Role
from tests.browser.conftest import screenshot
from tests.helpers import PASSWORD, ingest_pdf, invoice_pdf, make_user

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_admin_sees_the_job_queue_and_others_do_not(live_server, browser, runtime, redis):  # type: ignore[no-untyped-def]
    make_user(runtime, "boss@example.com", Role.ADMIN)
    make_user(runtime, "rev@example.com", Role.REVIEWER)
    ingest_pdf(runtime, invoice_pdf(number="INV-4001"))  # one job waits: no worker runs in this test
    queue = runtime.settings.queue_name

    admin = browser.new_context()
    page = admin.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    _log_in(page, live_server, "boss@example.com")
    page.click("nav >> text=Jobs")
    row = page.locator("#queues tr[data-role=queue]", has_text=queue)
    row.wait_for(timeout=15000)
    assert row.locator("td").nth(1).inner_text().strip() == "1"  # the queued job, counted by rq-dashboard
    screenshot(page, "rq-dashboard")
    assert not errors, errors

    # A state-changing request needs this site as its origin: same origin passes, no origin is refused.
    base = {"Origin": live_server}
    assert page.request.post(f"{live_server}/admin/rq/requeue/{queue}", headers=base).ok
    refused = page.request.post(
        f"{live_server}/admin/rq/requeue/{queue}", headers={"Origin": "https://evil.test"}
    )
    assert refused.status == 403
    assert page.request.get(f"{live_server}/admin/rq/requeue/{queue}").status == 403  # GET without a referer
    admin.close()

    reviewer = browser.new_context()
    page = reviewer.new_page()
    _log_in(page, live_server, "rev@example.com")
    assert page.request.get(f"{live_server}/admin/rq/0/data/queues.json").status == 403
    assert page.locator("nav >> text=Jobs").count() == 0
    reviewer.close()

    anonymous = browser.new_context()
    response = anonymous.request.get(f"{live_server}/admin/rq/0/data/queues.json", max_redirects=0)
    assert response.status == 302 and "/login" in response.headers["location"]
    anonymous.close()
