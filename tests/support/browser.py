"""Debian's Chromium driven by Playwright, for the browser tests.

Skipped on a laptop without /usr/bin/chromium, required in CI
(PEERLIFT_REQUIRE_SERVICES=1; .ci/run installs it). Playwright never downloads
a browser here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PEERLIFT_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


#: Chromium as in browsers phasing out third-party cookies: the tool inside the
#: LMS iframe gets none, so everything must ride in the URL token.
NO_THIRD_PARTY_COOKIES = ("--test-third-party-cookie-phaseout",)


@contextlib.contextmanager
def chromium(extra_args: tuple[str, ...] = ()) -> Iterator[Any]:
    """A headless Chromium, or a skip (a failure in CI) when it is not installed."""
    from tests.conftest import REQUIRE_SERVICES

    if not shutil.which(CHROMIUM):
        if REQUIRE_SERVICES:
            pytest.fail(f"Chromium required in CI but not found at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()


def screenshot_if_failed(request: pytest.FixtureRequest, page: Any) -> None:
    """Keep a full-page screenshot of a failed test in test-artifacts/."""
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)


def open_tab(tool: Any, name: str) -> Any:
    """Choose the tab ``name`` of a staff activity page (a Page, Frame or FrameLocator
    of the tool) and wait until its panel shows; returns the panel's locator."""
    tab = tool.get_by_role("tab", name=name, exact=True)
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
    panel = tool.locator(f"#{tab.get_attribute('aria-controls')}")
    panel.wait_for(state="visible")
    return panel


#: The WCAG rule sets the browser tests hold every page to, and the impacts that fail.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def axe_problems(target: Any, label: str) -> list[str]:
    """axe-core's serious and critical WCAG violations on ``target`` (a Page or
    Frame), one line each naming ``label``, the rule, its help and the first nodes."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(target, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [
        f"{label}: {v['id']} ({v['impact']}) {v['help']} — {len(v['nodes'])} node(s): "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:3])
        for v in found.response["violations"]
        if v["impact"] in BLOCKING
    ]
