"""The draft editor in a real Chromium: drag a person to another group, see the rule
violation flagged live (grouping.js asks the server), then save.

Needs Debian's Chromium (/usr/bin/chromium): skipped without it, required in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.grouping.support import ASHA, BRUNO, CARLA, DEV
from tests.support.browser import chromium, screenshot_if_failed
from tests.support.lti import INSTRUCTOR
from tests.support.platform_server import LiveServer

#: The tool is served live: its threads must see what the test commits.
pytestmark = pytest.mark.committed_db


@pytest.fixture
def tab(request: pytest.FixtureRequest) -> Iterator[Any]:
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1200, "height": 1400}).new_page()
        page.set_default_timeout(15_000)
        yield page
        screenshot_if_failed(request, page)


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    with LiveServer(app) as server:
        yield server.url


def test_dragging_someone_to_their_manager_is_flagged_live_then_saved(
    grouping, served, tab
) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(BRUNO, role_title="Head of finance")
    grouping.ready(ASHA, role_title="Finance officer", reports_to=grouping.person_id(BRUNO))
    grouping.ready(CARLA)
    grouping.ready(DEV)
    grouping.form_groups(staff)
    bruno, asha_group = grouping.person_id(BRUNO), grouping.group_id_of(ASHA)

    tab.goto(f"{served}/a/{grouping.activity}?t={staff.token}")
    target = tab.locator(f'article[data-group="{asha_group}"]')
    # Drag by the name, as a person would (mouse steps: Chromium's own drag events).
    source = tab.locator(f'li[data-person="{bruno}"] .who')
    source.scroll_into_view_if_needed()
    box, goal = source.bounding_box(), target.bounding_box()
    tab.mouse.move(box["x"] + 10, box["y"] + 5)
    tab.mouse.down()
    tab.mouse.move(goal["x"] + 40, goal["y"] + 40, steps=8)
    tab.mouse.up()
    target.get_by_text("Asha Patel reports to Bruno Silva").wait_for()
    assert "flagged" in (target.get_attribute("class") or "")
    assert "break a rule" in tab.locator("[data-live]").inner_text()

    tab.get_by_role("button", name="Save moves").click()
    tab.locator("article.flagged").get_by_text("Asha Patel reports to Bruno Silva").wait_for()
    assert {"Asha Patel", "Bruno Silva"} <= set(
        next(g for g in grouping.groups() if "Asha Patel" in g)
    )
