"""A reflection journal's whole journey in a real Chromium, inside the sandbox
LMS's iframe, with third-party cookies phased out (launches confirmed through
Platform Storage, ``storage=1``):

the instructor adds the journal by deep linking (and a second activity to the
course); a learner writes an entry, adds an action plan item and so completes
the journal; another learner never sees the first one's private entry; the
journal's clock moves 30 days on; at the next launch, from the course's *other*
Peerlift link, the due check-in is the first thing the learner meets; they
answer it; they ask the course's mentor to confirm they applied their plan item,
and the mentor (who never sees the journal) confirms; the instructor sees the
transfer figures and the observed application.

The server runs in this process, so moving its clock is patching
``lti_app.peer_activities.journal.clock.now``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from lti_app.peer_activities.journal import clock
from tests.support.browser import ARTIFACTS, NO_THIRD_PARTY_COOKIES, chromium
from tests.test_sandbox_flows import CTX, link_titled, live  # noqa: F401 - fixture

INSTRUCTOR, LEARNER, PEER, MENTOR = "sandbox-ada", "sandbox-chidi", "sandbox-dee", "sandbox-mona"
BROKEN = re.compile(r"Traceback|Something went wrong|Internal Server Error")
WHAT = "What? What happened, what did you do or notice?"
SO_WHAT = "So what? Why does it matter, what did you learn?"
NOW_WHAT = "Now what? What will you do differently at work?"
PRIVATE = "I cut Sam off twice in the stand-up and the room went quiet."


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(NO_THIRD_PARTY_COOKIES) as found:
        yield found


@pytest.fixture
def pages(browser: Any, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """One browser context per person (``pages[sub]``), screenshots when the test fails."""
    made: dict[str, Any] = {}

    class Pages(dict[str, Any]):
        def __missing__(self, sub: str) -> Any:
            tab = browser.new_context().new_page()
            tab.set_default_timeout(15_000)
            made[sub] = self[sub] = tab
            return tab

    yield Pages()
    failed = getattr(request.node, "rep_call", None)
    for sub, page in made.items():
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{sub}.png"), full_page=True)
        page.context.close()


def healthy(tool: Any) -> None:
    """No stack trace, no generic error page in the frame."""
    text = tool.locator("body").inner_text()
    assert not BROKEN.search(text), text[:2000]


def add_activity(live: Any, page: Any, kind: str, title: str) -> dict[str, Any]:  # noqa: F811
    """The instructor adds an activity by deep linking, in the LMS's iframe."""
    page.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_label(kind, exact=True).check()
    tool.get_by_label("Title").fill(title)
    tool.get_by_role("button", name="Add activity").click()
    tool.get_by_text(title, exact=True).wait_for()
    return link_titled(live, title)


def launch(live: Any, page: Any, link: dict[str, Any], sub: str) -> Any:  # noqa: F811
    """``sub`` opens an LMS link; the tool's frame at the activity page."""
    page.goto(f"{live.url}/sandbox/courses/{CTX}/launch?link={link['id']}&user={sub}&storage=1")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_role("heading", name=link["title"], level=1).wait_for()
    healthy(tool)
    return tool


def test_a_learner_journals_answers_the_30_day_check_in_and_a_mentor_confirms(
    live: Any, pages: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: F811
    journal = add_activity(live, pages[INSTRUCTOR], "Reflection journal", "Journal: leading change")
    other = add_activity(
        live, pages[INSTRUCTOR], "Role-play pairings", "Practice: difficult conversations"
    )

    # -- a learner writes an entry and an action plan item: the journal is complete ----
    tool = launch(live, pages[LEARNER], journal, LEARNER)
    assert "Who reads your journal" in tool.locator("[data-privacy-notice]").inner_text()
    tool.get_by_label(WHAT).fill(PRIVATE)
    tool.get_by_label(SO_WHAT).fill("People stop offering ideas when they are interrupted.")
    tool.get_by_label(NOW_WHAT).fill("Count to three before I speak.")
    tool.get_by_label("Skills (optional, separated by commas)").fill("listening")
    tool.get_by_role("button", name="Save the entry").click()
    entry = tool.locator("article.journal-entry", has_text=PRIVATE)
    entry.wait_for()
    assert "Private" in entry.inner_text()
    healthy(tool)
    tool.get_by_label("What I will try", exact=True).fill("Let others speak first in stand-ups")
    tool.get_by_label("By when (YYYY-MM-DD)", exact=True).fill("2027-01-15")
    tool.get_by_label("How I will know it worked", exact=True).fill("Everyone speaks before I do")
    tool.get_by_role("button", name="Add to my plan").click()
    tool.get_by_text(re.compile(r"You completed your journal on")).wait_for()
    healthy(tool)
    checkins = tool.get_by_role("table", name="Your transfer check-ins")
    assert [r.inner_text().split("\t")[0].strip() for r in checkins.locator("tbody th").all()] == [
        "Day 30",
        "Day 60",
        "Day 90",
    ]
    assert checkins.get_by_role("link").count() == 0  # none due yet

    # -- another learner never sees the private entry ----------------------------------
    peer = launch(live, pages[PEER], journal, PEER)
    peer.get_by_role("heading", name="Your reflection journal").wait_for()
    assert PRIVATE not in peer.locator("body").inner_text()
    assert "Count to three" not in peer.locator("body").inner_text()

    # -- 30 days later, the check-in is due: it shows first, from the other link ------
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(days=30, minutes=5))
    tool = launch(live, pages[LEARNER], other, LEARNER)
    first = tool.locator("main > :first-child")
    assert first.get_attribute("class") == "card notices"
    notice = first.locator("li").first
    assert "Your 30-day check-in is due" in notice.inner_text()
    assert journal["title"] in notice.inner_text()
    notice.get_by_role("link", name="Answer the check-in").click()
    tool.get_by_role("heading", name="Your 30-day check-in").wait_for()
    healthy(tool)
    tool.get_by_role("group", name=re.compile("Let others speak first")).get_by_label(
        "Tried it"
    ).check()
    tool.get_by_label("Not enough time").check()
    tool.get_by_label("My team").check()
    tool.get_by_label("How (a talk, a document, coaching someone…)").fill(
        "Told my team about the three-second rule."
    )
    tool.get_by_role("group", name=re.compile("How confident")).get_by_label(
        "4", exact=True
    ).check()
    tool.get_by_role("button", name="Send my check-in").click()
    # Back in the journal: the check-in is answered, and can be read again.
    day30 = tool.locator("tr[data-checkin='30']")
    day30.get_by_role("link", name="See your answer").click()
    tool.get_by_text(re.compile(r"You answered on")).wait_for()
    healthy(tool)
    assert "Let others speak first in stand-ups: Tried it" in tool.locator("main").inner_text()
    # No notice is left at the next launch.
    tool = launch(live, pages[LEARNER], other, LEARNER)
    assert tool.locator("section.notices").count() == 0

    # -- the learner asks the course's mentor to confirm; the mentor does ---------------
    tool = launch(live, pages[LEARNER], journal, LEARNER)
    item = tool.locator("article.journal-item", has_text="Let others speak first")
    item.get_by_label("Ask someone who saw you apply it to confirm").select_option(
        label="Mona Haddad (mentor in this course)"
    )
    item.get_by_label(re.compile(r"^What they saw")).fill("Tuesday's stand-up: I spoke last.")
    item.get_by_role("button", name="Ask to confirm").click()
    tool.get_by_text(re.compile(r"Observation by Mona Haddad: ")).wait_for()
    healthy(tool)
    mentor = launch(live, pages[MENTOR], journal, MENTOR)
    assert "You never see their journal entries" in mentor.locator("main").inner_text()
    mentor.locator("section.notices").get_by_role("link", name="Review the request").click()
    request = mentor.locator("article[data-request]", has_text="Let others speak first")
    request.wait_for()
    healthy(mentor)
    assert "Tuesday's stand-up: I spoke last." in request.inner_text()
    assert PRIVATE not in mentor.locator("body").inner_text()  # the item only, no entry
    request.get_by_label("Your comment").fill("Yes: waited until everyone had spoken.")
    request.get_by_role("button", name="I saw this applied").click()
    mentor.get_by_text(re.compile(r"You confirmed this")).wait_for()
    healthy(mentor)

    # -- the instructor sees the transfer figures --------------------------------------
    staff = launch(live, pages[INSTRUCTOR], journal, INSTRUCTOR)
    row = staff.locator("table[data-figures] tr[data-day='30']")
    row.wait_for()
    assert row.locator("[data-due]").inner_text() == "1"
    assert row.locator("[data-answered]").inner_text() == "1"
    assert re.fullmatch(r"100(\.0)?%", row.locator("[data-rate]").inner_text())
    assert re.fullmatch(r"100(\.0)?%", row.locator("[data-tried]").inner_text())
    assert row.locator("[data-regular]").inner_text() in ("0%", "0.0%")
    assert "Not enough time (1)" in row.locator("[data-barriers]").inner_text()
    assert row.locator("[data-shared]").inner_text() == "1"
    assert row.locator("[data-confidence]").inner_text().startswith("4")
    observed = staff.locator("[data-observed]").inner_text()
    assert "1 learner with at least one application confirmed" in observed
    assert "1 confirmed" in observed
    healthy(staff)
