"""A real headless Chromium (Debian's package) driven by Playwright, with axe-core for accessibility."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the session."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: `make browser` (apt-get install chromium) installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context (own cookies) that accepts the test certificate and records every request."""
    context = chromium.new_context(ignore_https_errors=True, viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.requested_urls = []
    page.on("request", lambda req: page.requested_urls.append(req.url))
    yield page
    context.close()
