"""The demo journey in a real Chromium: deep linking inside the LMS iframe, then a
learner's launch confirmed through Platform Storage (postMessage), which only a
browser running the pages' JavaScript can exercise.

Needs Debian's Chromium (/usr/bin/chromium): skipped on a laptop without it,
required in CI (PEERLIFT_REQUIRE_SERVICES=1, and .ci/run installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import chromium, screenshot_if_failed
from tests.test_sandbox_flows import CTX, link_titled, live  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as found:
        yield found


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    screenshot_if_failed(request, tab)
    context.close()


def test_instructor_adds_an_activity_and_a_learner_opens_it_via_platform_storage(
    live: Any, page: Any
) -> None:  # noqa: F811 - pytest fixture
    title = "Feedback conversations in Chromium"
    page.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user=sandbox-ada")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_label("Role-play pairings").check()
    tool.get_by_label("Title").fill(title)
    tool.get_by_role("button", name="Add activity").click()
    tool.get_by_text(title, exact=True).wait_for()  # the sandbox's "Added to …" page, in the iframe

    link = link_titled(live, title)
    page.goto(
        f"{live.url}/sandbox/courses/{CTX}/launch?link={link['id']}&user=sandbox-ben&storage=1"
    )
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_role("heading", name=title).wait_for()
    assert "You're in" in tool.locator("main").inner_text()
    # The frame's address became the page's reloadable GET address.
    # (The page swaps it in with history.replaceState just after it renders.)
    frame = next(f for f in page.frames if f.name == "tool")
    frame.wait_for_function("location.pathname.startsWith('/a/')")
    assert "/a/" in frame.url and "t=" in frame.url
