"""The transfer story in the sandbox, in a real Chromium at 800×700 and 1280×800:
a learner completes a reflection journal; nothing is due yet; on the sandbox LMS
page the "Sandbox clock" is advanced by 31 days; at the next launch the learner's
30-day check-in is due and shown first; they answer it; the instructor's transfer
figures and the L&D dashboard's transfer chart (its data table) show it. Then the
clock goes back to real time. The sandbox pages with the clock box pass axe-core
with no serious or critical violation.

Unlike the journal journey, nothing is patched: the clock moves through the
sandbox's own form, as a newcomer would move it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_journey_journal import (
    NOW_WHAT,
    SO_WHAT,
    WHAT,
    add_activity,
    healthy,
    launch,
)
from tests.support.browser import (
    ARTIFACTS,
    NO_THIRD_PARTY_COOKIES,
    axe_problems,
    chromium,
    open_tab,
)
from tests.test_sandbox_flows import live  # noqa: F401 - fixture

INSTRUCTOR = "sandbox-ada"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(NO_THIRD_PARTY_COOKIES) as found:
        yield found


@pytest.mark.parametrize(
    ("width", "height", "learner"),
    [(800, 700, "sandbox-chidi"), (1280, 800, "sandbox-dee")],
    ids=["800x700", "1280x800"],
)
def test_advancing_the_sandbox_clock_makes_a_check_in_due_and_the_transfer_chart_shows_it(
    live: Any,  # noqa: F811
    browser: Any,
    request: pytest.FixtureRequest,
    width: int,
    height: int,
    learner: str,
) -> None:
    contexts = {
        sub: browser.new_context(viewport={"width": width, "height": height})
        for sub in (INSTRUCTOR, learner)
    }
    pages = {sub: ctx.new_page() for sub, ctx in contexts.items()}
    for tab in pages.values():
        tab.set_default_timeout(15_000)
    shots = f"{request.node.name}".replace("[", "-").replace("]", "")
    try:
        journal = add_activity(live, pages[INSTRUCTOR], "Reflection journal", f"Journal {width}")

        # -- the learner completes the journal: no check-in is due yet -----------------
        tool = launch(live, pages[learner], journal, learner)
        tool.get_by_label(WHAT).fill("I rushed the one-to-one with Sam.")
        tool.get_by_label(SO_WHAT).fill("People open up when I slow down.")
        tool.get_by_label(NOW_WHAT).fill("Book longer one-to-ones.")
        tool.get_by_role("button", name="Save the entry").click()
        tool.locator("article.journal-entry").first.wait_for()
        tool.get_by_label("What I will try", exact=True).fill("Ask one open question first")
        tool.get_by_label("By when (YYYY-MM-DD)", exact=True).fill("2027-02-01")
        tool.get_by_label("How I will know it worked", exact=True).fill("Sam talks more than I do")
        tool.get_by_role("button", name="Add to my plan").click()
        tool.get_by_text(re.compile(r"You completed your journal on")).wait_for()
        checkins = tool.get_by_role("table", name="Your transfer check-ins")
        assert checkins.get_by_role("link").count() == 0  # nothing due yet

        # -- the sandbox clock moves 31 days on --------------------------------------
        lms = pages[learner]
        lms.goto(f"{live.url}/sandbox/")
        box = lms.locator("[data-sandbox-clock]")
        assert "(real time)" in box.inner_text()
        box.get_by_label("Advance time by (days)").fill("31")
        box.get_by_role("button", name="Advance time").click()
        lms.get_by_text("Moved 31 days ahead").wait_for()
        assert lms.locator("[data-days-ahead]").inner_text() == "31"
        problems = axe_problems(lms, "sandbox home with the clock ahead")

        # -- the check-in is due: shown first at the next launch; the learner answers --
        tool = launch(live, lms, journal, learner)
        notice = tool.locator("section.notices li").first
        assert "Your 30-day check-in is due" in notice.inner_text()
        problems += axe_problems(lms, "launch page with the clock box")
        notice.get_by_role("link", name="Answer the check-in").click()
        tool.get_by_role("heading", name="Your 30-day check-in").wait_for()
        healthy(tool)
        tool.get_by_role("group", name=re.compile("Ask one open question first")).get_by_label(
            "Tried it"
        ).check()
        tool.get_by_label("Not enough time").check()
        tool.get_by_role("group", name=re.compile("How confident")).get_by_label(
            "3", exact=True
        ).check()
        tool.get_by_role("button", name="Send my check-in").click()
        tool.locator("tr[data-checkin='30']").get_by_role("link", name="See your answer").wait_for()
        healthy(tool)

        # -- the instructor's transfer figures and the L&D transfer chart show it ------
        staff = launch(live, pages[INSTRUCTOR], journal, INSTRUCTOR)
        row = staff.locator("table[data-figures] tr[data-day='30']")
        row.wait_for()
        assert row.locator("[data-due]").inner_text() == "1"
        assert row.locator("[data-answered]").inner_text() == "1"
        open_tab(staff, "Checks & results")
        staff.get_by_role("link", name=re.compile("L&D dashboard of this course")).click()
        staff.get_by_text("Data table: Transfer check-ins").click()  # the chart's data
        chart = staff.get_by_role("table", name="Transfer check-ins")
        chart.wait_for()
        rows = [r.split("\t") for r in chart.locator("tbody tr").all_inner_texts()]
        # The course's figures: every journal of the course, each check-in answered.
        day30 = [r for r in rows if r[0].strip() in ("30", "day 30")]
        assert day30 and int(day30[0][1]) >= 1 and day30[0][1] == day30[0][2], rows
        healthy(staff)

        # -- back to real time ----------------------------------------------------------
        lms.goto(f"{live.url}/sandbox/")
        lms.locator("[data-sandbox-clock]").get_by_role("button", name="Back to real time").click()
        lms.get_by_text("Back to real time.").wait_for()
        assert "(real time)" in lms.locator("[data-sandbox-clock]").inner_text()
        problems += axe_problems(lms, "sandbox home at real time")
        assert not problems, "\n".join(problems)
    finally:
        failed = getattr(request.node, "rep_call", None)
        for sub, tab in pages.items():
            if failed is not None and failed.failed:
                ARTIFACTS.mkdir(exist_ok=True)
                tab.screenshot(path=str(ARTIFACTS / f"{shots}-{sub}.png"), full_page=True)
        for ctx in contexts.values():
            ctx.close()
