"""A page opened in a real browser: Debian's chromium, driven headless by Playwright, with
every console error and uncaught exception of the page collected."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")


def browser_missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "no playwright (pip install 'coupon-acceptance[selftest]')"
    if CHROMIUM is None:
        return "no chromium (apt-get install chromium)"
    return None


def render_seconds(page) -> float:
    """From navigation to the load event, as the browser timed it."""
    return page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000


@contextmanager
def opened(page_file: Path, fragment: str = "") -> Iterator[tuple[object, list[str]]]:
    """(the Playwright page, the errors it logged so far) for `page_file`, loaded."""
    if why := browser_missing():
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as driver:
        # as root, chromium's sandbox cannot start
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(page_file.resolve().as_uri() + fragment)
            page.wait_for_load_state("load")
            yield page, errors
        finally:
            browser.close()
