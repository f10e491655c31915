"""The dashboard in a real browser: every chart drawn from the seeded history, no console errors."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.helpers import PASSWORD
from tests.test_dashboard import history  # noqa: F401  (the seeded history fixture)

pytestmark = pytest.mark.browser
CHARTS = ("volume", "straight", "corrections", "reliability", "histograms", "reviewers")


def test_dashboard_draws_every_chart(live_server, page, runtime, history):  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(f"{live_server}/login")
    page.fill("#email", "analyst@example.com")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_server}/dashboard?days=30")
    page.wait_for_selector("#dashboard[data-ready='true'], #dashboard[data-error]", timeout=15000)
    error = page.get_attribute("#dashboard", "data-error")
    assert error is None, error
    for name in CHARTS:
        canvas = page.locator(f"#chart-{name}")
        assert canvas.get_attribute("data-drawn") == "true", name
        box = canvas.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50, name
    assert page.locator("[data-figure='straight-through']").inner_text().strip() == "70.0%"
    screenshot(page, "dashboard")
    assert not page.console_errors, page.console_errors
