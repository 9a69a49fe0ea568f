"""The analytics pages in a real Chromium, inside an LMS frame like the sandbox's
(its ``tool-frame`` style, 100% wide), at 800×700 and 1280×800: no sideways
scroll, every chart titled and read out in words, nothing raw shown, and axe-core
finds no serious or critical violation.

Set ``PEERLIFT_SCREENSHOTS`` to a directory to keep a screenshot of each page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.analytics.support import ANA, BEN, CHLOE, DIEGO, EMMA, FARID, ChecksDriver
from tests.support.browser import axe_problems, chromium, screenshot_if_failed
from tests.support.platform_server import LiveServer

pytestmark = pytest.mark.committed_db

SIZES = ((800, 700), (1280, 800))
SANDBOX_CSS = Path(__file__).resolve().parents[2] / "lti_app/sandbox/static/sandbox.css"
RAW = re.compile(r"\bNone\b|\bnan\b|NaN|\bundefined\b|\{\{|\{%")


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    with LiveServer(app) as server:
        yield server.url


@pytest.fixture
def cohort(lti: Any, app: Any) -> ChecksDriver:
    an = ChecksDriver(lti, app)
    an.setup()
    an.add_knowledge(10)
    runs = ((ANA, 4, 7), (BEN, 4, 7), (CHLOE, 9, 10), (DIEGO, 8, 5), (EMMA, 3, 8), (FARID, 6, 9))
    for user, pre, _ in runs:
        assert an.check(user, "pre", pre).status_code == 303
    an.open_post()
    for user, _, post in runs:
        assert an.check(user, "post", post).status_code == 303
    for user, rating in ((ANA, 10), (BEN, 9), (CHLOE, 6), (DIEGO, 8), (EMMA, 9)):
        assert an.feedback(user, rating, relevance="4").status_code == 303
    return an


def _lms_page(src: str) -> str:
    """An LMS course page framing the tool, styled like the sandbox's launch page."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Course</title><style>{SANDBOX_CSS.read_text()}</style></head>"
        "<body><main><h1>Leading Through Change</h1>"
        f"<iframe name='tool' class='tool-frame' title='Peerlift' src='{src}'></iframe>"
        "</main></body></html>"
    )


def _screens(page: Any, frame: Any, prefix: str) -> None:
    """Screenshots of the LMS page, the frame scrolled a screen at a time."""
    Path(prefix).parent.mkdir(parents=True, exist_ok=True)
    tall = frame.evaluate("document.documentElement.scrollHeight")
    step = frame.evaluate("window.innerHeight") - 40
    for i, top in enumerate(range(0, tall, step)):
        frame.evaluate(f"window.scrollTo(0, {top})")
        page.screenshot(path=f"{prefix}-{i:02d}.png")


def _serve(body: str) -> Any:
    def handle(route: Any) -> None:
        route.fulfill(content_type="text/html", body=body)

    return handle


def test_analytics_pages_read_well_in_the_lms_frame_at_both_sizes(
    cohort: ChecksDriver, served: str, request: pytest.FixtureRequest
) -> None:
    token = cohort.staff.token if cohort.staff else ""
    pages = {
        "dashboard": f"/an/course?t={token}",
        "all-courses": f"/an/programme?t={token}",
        "report": f"/an/course/report?t={token}",
        "results": f"/an/{cohort.activity}/results?t={token}",
    }
    keep = os.environ.get("PEERLIFT_SCREENSHOTS")
    problems: list[str] = []
    with chromium() as browser:
        for width, height in SIZES:
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            page.set_default_timeout(20_000)
            try:
                for name, path in pages.items():
                    host = f"{served}/lms/{name}"
                    page.route(host, _serve(_lms_page(path)))
                    page.goto(host)
                    frame = page.frame(name="tool")
                    assert frame is not None
                    frame.wait_for_load_state()
                    frame.wait_for_selector("h1")
                    where = f"{name} at {width}×{height}"
                    sideways = frame.evaluate(
                        "document.documentElement.scrollWidth - "
                        "document.documentElement.clientWidth"
                    )
                    assert sideways <= 0, f"{where}: {sideways}px of sideways scroll"
                    clipped = frame.evaluate(
                        "[...document.querySelectorAll('table, svg, figure, .headline')]"
                        ".filter(e => e.getClientRects().length)"
                        ".filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)"
                        ".map(e => e.tagName + ' ' + (e.className.baseVal ?? e.className))"
                    )
                    assert not clipped, f"{where}: wider than the frame: {clipped}"
                    text = frame.inner_text("body")
                    assert not RAW.search(text), (where, RAW.search(text))
                    figures = frame.locator("figure.chart-figure")
                    for i in range(figures.count()):
                        caption = figures.nth(i).locator("figcaption")
                        assert caption.locator(".fig-title").inner_text().strip(), where
                        assert caption.locator(".reading").inner_text().strip().endswith("."), where
                    if name == "dashboard":
                        assert frame.locator(".headlines .headline").count() == 4
                        frame.locator(".headline a.what").first.click()
                        assert frame.evaluate("location.hash") == "#what-took-part"
                    problems += axe_problems(frame, where)
                    if keep:
                        _screens(page, frame, f"{keep}/{name}-{width}")
            finally:
                screenshot_if_failed(request, page)
                page.context.close()
    assert not problems, "\n".join(problems)
