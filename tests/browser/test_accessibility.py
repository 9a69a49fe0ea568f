"""Accessibility: axe-core (WCAG 2.0/2.1/2.2 A and AA rules, colour contrast
included) in a real Chromium on every page type of the four activities, for
instructors and learners. No serious or critical violation is allowed.

The pages are set up through HTTP with the activity drivers, then opened in the
browser with the session token in the URL (as a learner's LMS iframe does).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.case_discussion.support import DiscussionDriver
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, GroupingDriver
from tests.journal.support import JournalDriver
from tests.peer_review.support import ANA, BEN, CHO, PeerReviewDriver
from tests.role_play.support import RolePlayDriver
from tests.support.browser import BLOCKING, WCAG, axe_problems, chromium, screenshot_if_failed
from tests.support.lti import INSTRUCTOR
from tests.support.platform_server import LiveServer

#: The tool is served live: its threads must see what the test commits.
pytestmark = pytest.mark.committed_db


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    with LiveServer(app) as server:
        yield server.url


def _audit(served: str, pages: dict[str, str], request: pytest.FixtureRequest) -> None:
    problems: list[str] = []
    with chromium() as browser:
        page = browser.new_context().new_page()
        page.set_default_timeout(20_000)
        try:
            for name, path in pages.items():
                resp = page.goto(served + path)
                assert resp is not None and resp.status == 200, (name, path)
                problems += axe_problems(page, name)
        finally:
            screenshot_if_failed(request, page)
    assert not problems, "\n".join(problems)


def test_peer_review_pages_have_no_serious_accessibility_violations(
    lti: Any, app: Any, served: str, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    app.config["PEER_REVIEW_UPLOAD_DIR"] = str(tmp_path / "uploads")
    pr = PeerReviewDriver(lti, app)
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    v = {u.sub: pr.enter(u) for u in (ANA, BEN, CHO)}
    for u in (ANA, BEN, CHO):
        pr.submit(v[u.sub])
    review = pr.open_review(v[ANA.sub])
    aid = pr.activity
    _audit(
        served,
        {
            "peer review, instructor dashboard": f"/a/{aid}?t={staff.token}",
            "peer review, learner": f"/a/{aid}?t={v[ANA.sub].token}",
            "peer review, review form": f"/pr/{aid}/reviews/{review}?t={v[ANA.sub].token}",
            "grades panel": f"/a/{aid}/grades?t={staff.token}",
            "roster": f"/a/{aid}/roster?t={staff.token}",
        },
        request,
    )


def test_case_discussion_pages_have_no_serious_accessibility_violations(
    lti: Any, app: Any, served: str, request: pytest.FixtureRequest
) -> None:
    cd = DiscussionDriver(GroupingDriver(lti, app))
    staff = cd.setup((ASHA, BRUNO, CARLA, DEV))
    thread = cd.new_thread(ASHA, "Options", "First idea.")
    cd.reply(BRUNO, thread, "Second idea.")
    group = cd.group_of(ASHA)
    aid = cd.activity
    learner = cd.visit(ASHA)
    _audit(
        served,
        {
            "case discussion, instructor": f"/a/{aid}?t={staff.token}",
            "case discussion, learner": f"/a/{aid}?t={learner.token}",
            "thread": f"/cd/{aid}/threads/{thread}?t={learner.token}",
            "participation": f"/cd/{aid}/groups/{group}/participation?t={staff.token}",
            "summary editor": f"/cd/{aid}/groups/{group}/summary?t={staff.token}",
            "insights library": f"/cd/library?t={learner.token}",
        },
        request,
    )


def test_journal_and_grouping_pages_have_no_serious_accessibility_violations(
    lti: Any, app: Any, served: str, request: pytest.FixtureRequest
) -> None:
    jd = JournalDriver(lti, app)
    staff = jd.setup()
    learner = jd.join(ASHA)
    jd.write(learner, "I noticed I interrupt.", "It shuts people down.", "Pause first.")
    jd.add_item(learner, "Open every 1:1 with a question", by_when="2026-04-01")
    aid = jd.activity
    _audit(
        served,
        {
            "journal, learner": f"/a/{aid}?t={learner.token}",
            "journal, instructor": f"/a/{aid}?t={staff.token}",
            "learning results": f"/an/{aid}/results?t={staff.token}",
            "L&D dashboard, course": f"/an/course?t={staff.token}",
            "L&D dashboard, all courses": f"/an/programme?t={staff.token}",
            "sponsor report": f"/an/course/report?t={staff.token}",
        },
        request,
    )


def test_role_play_and_grouping_pages_have_no_serious_accessibility_violations(
    lti: Any, app: Any, served: str, request: pytest.FixtureRequest
) -> None:
    rp = RolePlayDriver(GroupingDriver(lti, app))
    staff = rp.setup((BRUNO, CARLA, DEV))
    player = rp.visit(BRUNO.sub)
    newcomer = rp.g.enter(ASHA)  # joins late: has not answered the intake yet
    _audit(
        served,
        {
            "intake survey (late learner)": f"/a/{rp.activity}?t={newcomer.token}",
            "role-play, learner": f"/a/{rp.activity}?t={player.token}",
            "role-play and groups, instructor": f"/a/{rp.activity}?t={staff.token}",
        },
        request,
    )


def test_the_audit_itself_catches_a_violation() -> None:
    """Guard against an audit that cannot fail: a form field without a label and
    low-contrast text must be reported."""
    from axe_playwright_python.sync_playwright import Axe

    with chromium() as browser:
        page = browser.new_context().new_page()
        page.set_content(
            '<html lang="en"><title>x</title><main><input type="text">'
            '<p style="color:#bbb;background:#fff">faint</p></main></html>'
        )
        found = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    ids = {v["id"] for v in found.response["violations"] if v["impact"] in BLOCKING}
    assert {"label", "color-contrast"} <= ids
