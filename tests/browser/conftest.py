"""Browser fixtures: the app on a real HTTP server thread, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DOCLOOP_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(
    os.environ.get("DOCLOOP_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
# As on this machine's probe: no background traffic (the network is closed), no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session (Debian's binary; Playwright downloads nothing)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium' (make test does)"
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser context and page; console errors are collected on `page.console_errors`."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.console_errors = errors
    yield tab
    context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a screenshot artifact for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
