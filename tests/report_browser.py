"""The daily report opened in a real browser: Debian's chromium (/usr/bin/chromium; `.ci/run` installs it) driven
by playwright, headless and offline. Never `playwright install`: it downloads a browser. Shared by tests/
test_report.py and benchmarks/bench_report.py."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class OpenedPage:
    page: Page
    load_seconds: float  # navigation until the first frame after the load event: the page drawn
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for


@contextlib.contextmanager
def open_report(path: Path, width: int = 1100) -> Iterator[OpenedPage]:
    """`path` opened from disk in headless Chromium; any request that is not the file itself is refused."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            opened = OpenedPage(page=page, load_seconds=0.0)
            page.on("console", lambda m: opened.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: opened.console_errors.append(str(exc)))
            page.on("request", lambda r: opened.requests.append(r.url))
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                       else route.abort())
            started = time.perf_counter()
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")  # the first frame
            opened.load_seconds = time.perf_counter() - started
            yield opened
        finally:
            browser.close()
