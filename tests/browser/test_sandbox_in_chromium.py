"""The demo journey in a real Chromium: deep linking inside the LMS iframe, then a
learner's launch confirmed through Platform Storage (postMessage), which only a
browser running the pages' JavaScript can exercise.

Needs Debian's Chromium (/usr/bin/chromium): skipped on a laptop without it,
required in CI (PEERLIFT_REQUIRE_SERVICES=1, and .ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.test_sandbox_flows import CTX, link_titled, live  # noqa: F401 - fixture

CHROMIUM = os.environ.get("PEERLIFT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        if REQUIRE_SERVICES:
            pytest.fail(f"Chromium required in CI but not found at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_instructor_adds_an_activity_and_a_learner_opens_it_via_platform_storage(
        live: Any, page: Any) -> None:  # noqa: F811 - pytest fixture
    title = "Feedback conversations in Chromium"
    page.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user=sandbox-ada")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_label("Role-play pairings").check()
    tool.get_by_label("Title").fill(title)
    tool.get_by_role("button", name="Add activity").click()
    tool.get_by_text(title, exact=True).wait_for()  # the sandbox's "Added to …" page, in the iframe

    link = link_titled(live, title)
    page.goto(f"{live.url}/sandbox/courses/{CTX}/launch?link={link['id']}"
              f"&user=sandbox-ben&storage=1")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_role("heading", name=title).wait_for()
    assert "You're in" in tool.locator("main").inner_text()
    # The frame's address became the page's reloadable GET address.
    frame = next(f for f in page.frames if f.name == "tool")
    assert "/a/" in frame.url and "t=" in frame.url
