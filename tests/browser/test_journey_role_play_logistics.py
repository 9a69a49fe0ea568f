"""Role-play logistics in a real Chromium inside the sandbox LMS (Platform Storage,
no third-party cookies): a group member sets the group's meeting place and proposes
a time; another member sees both and marks the time as working for them; the
practitioner starts the round and the shared round clock; two members, one at
800×700 and one at 1280×800, see the same countdown (the one whose page was open
before the clock started sees it start by polling); the clock stops for everyone.
The learner page and the instructor's logistics page pass axe-core with no serious
or critical violation.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.test_journey_role_play import (  # noqa: F401 - fixtures
    INSTRUCTOR,
    NAMES,
    SUBS,
    Journey,
    _accept,
    _intake,
    browser,
    journey,
    live_jobs,
)
from tests.support.browser import axe_problems, open_tab

TITLE = "Role-play logistics, in the browser"
PLACE = "https://meet.example.com/ltc-101"


def _seconds(clock_text: str) -> int:
    minutes, seconds = clock_text.strip().split(":")
    return int(minutes) * 60 + int(seconds)


def _audit(browser: Any, url: str, name: str) -> list[str]:
    page = browser.new_context().new_page()
    try:
        page.goto(url)
        return axe_problems(page, name)
    finally:
        page.context.close()


def _group_of_ben(journey: Journey, link: dict[str, Any]) -> list[str]:
    """Ben answers the survey and accepts; the instructor forms and publishes groups;
    Ben's group's members (subs), each having accepted the agreement."""
    _patient(journey, "sandbox-ben", INSTRUCTOR)
    ben = journey.launch("sandbox-ben", link)
    ben.get_by_role("heading", name="Step 1 of 2: tell us about your work").wait_for()
    _intake(journey, "sandbox-ben", ben)
    _accept(journey, "sandbox-ben", ben)
    ada = journey.launch(INSTRUCTOR, link)
    ada.get_by_role("button", name="Form groups").click()
    ada.get_by_role("heading", name=re.compile(r"^Draft groups")).wait_for()
    override = ada.get_by_label("Publish anyway, although some groups break a rule")
    if override.count():
        override.check()
    ada.get_by_role("button", name="Publish these groups").click()
    ada.get_by_role("heading", name=re.compile(r"^Published groups")).wait_for()
    group = ada.locator("article.grouping-group").filter(has_text=NAMES["sandbox-ben"])
    names = [
        re.sub(r"\s+—.*$", "", n).strip()
        for n in group.locator("ul.grouping-members li strong").all_inner_texts()
    ]
    members = [SUBS[n] for n in names]
    _patient(journey, *members)
    for sub in members:
        if sub != "sandbox-ben":
            _accept(journey, sub, journey.launch(sub, link))
    return members


def _patient(journey: Journey, *subs: str) -> None:
    """Longer waits than the shared 15 s: this journey runs many launches, and CI
    machines are shared."""
    for sub in subs:
        journey.page(sub).set_default_timeout(30_000)


def test_two_members_see_the_same_meeting_place_and_the_same_round_clock(
    journey: Journey, browser: Any
) -> None:
    link = journey.deep_link("Role-play pairings", TITLE, **{"role_play.rounds": "1"})
    members = _group_of_ben(journey, link)
    first, second = "sandbox-ben", next(s for s in members if s != "sandbox-ben")
    journey.page(first).set_viewport_size({"width": 800, "height": 700})
    journey.page(second).set_viewport_size({"width": 1280, "height": 800})

    # -- Ben sets the meeting place and proposes a time --------------------------------
    ben = journey.launch(first, link)
    where = ben.locator("#rp-logistics")
    where.get_by_label(re.compile(r"^Add a meeting place")).fill(PLACE)
    where.get_by_role("button", name="Save the meeting place").click()
    ben.locator("#rp-logistics [data-meeting-place] a").wait_for()
    journey.check(first)
    when = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT14:00")
    ben.locator("#rp-logistics").get_by_label(re.compile(r"^Propose a time")).fill(when)
    ben.locator("#rp-logistics").get_by_role("button", name="Propose this time").click()
    ben.locator("#rp-logistics tr[data-slot]").wait_for()
    journey.check(first)

    # -- the other member sees both, in their own time zone, and says it works ---------
    other = journey.launch(second, link)
    place = other.locator("#rp-logistics [data-meeting-place] a")
    assert place.get_attribute("href") == PLACE
    assert "your time zone" in other.locator("[data-tz-note]").inner_text()
    slot = other.locator("#rp-logistics tr[data-slot]")
    assert NAMES[first] in slot.inner_text()
    slot.get_by_role("button", name=re.compile(r"^Works for me")).click()
    other.locator("[data-best-time]").wait_for()
    assert "2 of you" in other.locator("[data-best-time]").inner_text()
    journey.check(second)

    # -- the practitioner starts the round, then the shared clock ----------------------
    roles: dict[str, Any] = {}
    for sub in members:
        tool = journey.launch(sub, link)
        role = tool.get_by_text(re.compile(r"^Your role: ")).first.inner_text()
        roles[sub] = role.removeprefix("Your role: ").strip().lower()
    practitioner = next(s for s, r in roles.items() if r == "practitioner")
    watcher = second if practitioner != second else first
    watching = journey.launch(watcher, link)  # open before the clock starts
    tool = journey.launch(practitioner, link)
    tool.get_by_role("button", name="Start round 1").click()
    tool.get_by_role("button", name="Start the clock for everyone").click()
    tool.locator("[data-round-clock] [data-clock-state]").get_by_text("running").wait_for()
    journey.check(practitioner)
    # The watcher's page was loaded before the round started: reload to see the round,
    # then the clock runs there too, counted from the same server record.
    watching = journey.launch(watcher, link)
    watching.locator("[data-round-clock] [data-clock-state]").get_by_text("running").wait_for()
    mine = _seconds(tool.locator("[data-round-clock] [data-left]").inner_text())
    theirs = _seconds(watching.locator("[data-round-clock] [data-left]").inner_text())
    assert 0 < mine <= 600 and abs(mine - theirs) <= 2, (mine, theirs)
    assert watching.get_by_role("button", name="Start the clock for everyone").is_hidden()
    time.sleep(2)
    later = _seconds(watching.locator("[data-round-clock] [data-left]").inner_text())
    assert later < theirs  # it counts down

    # -- audits while everything is on the page ------------------------------------------
    frame = journey.pages[watcher].frame(name="tool")
    assert frame is not None
    problems = _audit(browser, frame.url, "role-play learner page with logistics and clock")
    staff_tool = journey.launch(INSTRUCTOR, link)
    open_tab(staff_tool, "Rounds")
    staff_tool.get_by_role("link", name="Where and when each group meets").click()
    staff_tool.get_by_role("heading", name="Where and when each group meets").wait_for()
    assert PLACE in journey.frame_text(INSTRUCTOR)
    staff_frame = journey.pages[INSTRUCTOR].frame(name="tool")
    assert staff_frame is not None
    problems += _audit(browser, staff_frame.url, "instructor's logistics page")
    assert not problems, "\n".join(problems)

    # -- the practitioner stops the clock: the watcher's page follows by polling ------
    tool.get_by_role("button", name="Stop the clock for everyone").click()
    tool.locator("[data-round-clock] [data-clock-state]").get_by_text("not started").wait_for()
    watching.locator("[data-round-clock] [data-clock-state]").get_by_text("not started").wait_for(
        timeout=12_000
    )
    assert watching.get_by_role("button", name="Start the clock for everyone").is_visible()
    journey.check(watcher)
