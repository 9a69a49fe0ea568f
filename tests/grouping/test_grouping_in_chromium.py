"""The draft editor in a real Chromium: drag a person to another group, see the rule
violation flagged live (grouping.js asks the server), then save.

Needs Debian's Chromium (/usr/bin/chromium): skipped without it, required in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import REQUIRE_SERVICES
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV
from tests.support.lti import INSTRUCTOR

CHROMIUM = os.environ.get("PEERLIFT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def tab(request: pytest.FixtureRequest) -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        if REQUIRE_SERVICES:
            pytest.fail(f"Chromium required in CI but not found at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1200, "height": 1400}).new_page()
        page.set_default_timeout(15_000)
        yield page
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        browser.close()


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_dragging_someone_to_their_manager_is_flagged_live_then_saved(
        grouping, served, tab) -> None:
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
        next(g for g in grouping.groups() if "Asha Patel" in g))
