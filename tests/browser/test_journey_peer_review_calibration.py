"""Calibration and self-assessment (issue 20, rows 1 and 2), the whole journey in a
real Chromium inside the sandbox LMS (Platform Storage launches).

The instructor adds a peer assessment (one review per submission), switches on
required calibration (80 %, two tries) and optional self-assessment on the
activity page, and adds an example with a reference assessment. Two learners
submit and rate their own work; one calibrates within the tolerance at once, the
other after a retry; each then reviews the other's work and sees their own rating
beside their peer's, criterion by criterion. The instructor sees who calibrated
how well and the cohort's self-versus-peer gap.
"""

from __future__ import annotations

import os
from typing import Any

from tests.browser.test_journey_role_play import (  # noqa: F401 - fixtures
    INSTRUCTOR,
    NAMES,
    Journey,
    browser,
    journey,
    live_jobs,
)
from tests.support.browser import open_tab

TITLE = "Calibrated peer feedback, in the browser"
LEARNERS = ("sandbox-ben", "sandbox-eli")
WORK = {
    "sandbox-ben": "Plan alpha: consult the team first, then set the timeline.",
    "sandbox-eli": "Plan bravo: pilot in one office, then roll out.",
}
EXAMPLE = "Example plan: announce the change by e-mail on Monday."
#: Where scratch screenshots go when asked (PEERLIFT_SHOTS=dir); none by default.
SHOTS = os.environ.get("PEERLIFT_SHOTS", "")


def _shot(journey: Journey, name: str, target: Any = None) -> None:
    """Scratch screenshots at 800x700 and 1280x800, ``target`` scrolled into view."""
    if SHOTS:
        for w, h in ((800, 700), (1280, 800)):
            journey.last.set_viewport_size({"width": w, "height": h})
            if target is not None:
                target.scroll_into_view_if_needed()
            journey.last.screenshot(path=f"{SHOTS}/{name}-{w}.png")


def _pick(scope: Any, value: str) -> None:
    """Pick the level worth ``value`` on every criterion inside ``scope``."""
    criteria = scope.locator("fieldset.pr-criterion")
    for i in range(criteria.count()):
        criteria.nth(i).locator(f"input[type=radio][value='{value}']").check()


def _calibrate(journey: Journey, sub: str, tool: Any, value: str, n: int = 1) -> str:
    tool.get_by_role("button", name="Compare with the reference").or_(
        tool.get_by_role("button", name="Try again")
    ).wait_for()
    _pick(tool.locator("form.pr-rubric"), value)
    tool.locator("form.pr-rubric button[type=submit]").click()
    tool.get_by_role("heading", name=f"Your try {n} beside the reference").wait_for()
    return journey.check(sub)


def _review(journey: Journey, sub: str, tool: Any) -> None:
    tool.get_by_role("button", name="Start next review").click()
    tool.get_by_role("heading", name="Review a peer's work").wait_for()
    _pick(tool.locator("form.pr-rubric"), "3")
    tool.get_by_label("Overall comment").fill("Clear steps; say who signs off.")
    tool.get_by_role("button", name="Submit review").click()
    tool.get_by_text("Reviews given: 1 of 1.").wait_for()
    journey.check(sub)


def test_calibration_and_self_assessment_journey(journey: Journey) -> None:  # noqa: F811
    link = journey.deep_link(
        "Peer assessment with feedback", TITLE, **{"peer_review.reviews_per_submission": "1"}
    )
    ada = journey.launch(INSTRUCTOR, link)
    open_tab(ada, "Set-up")
    ada.locator("details.pr-calibration-setup > summary").click()
    ada.get_by_label("Calibration", exact=True).select_option("required")
    ada.get_by_label("Agreement needed (required calibration), %").fill("80")
    ada.get_by_label("Most tries (required calibration)").fill("2")
    ada.get_by_label("Self-assessment after submitting").select_option("optional")
    ada.get_by_role("button", name="Save calibration and self-assessment").click()
    ada.locator("#done").get_by_text("Calibration and self-assessment saved.").wait_for()
    assert ada.get_by_role("tab", selected=True).inner_text() == "Set-up"
    results = open_tab(ada, "Checks & results")
    results.get_by_role("heading", name="Who calibrated how well").wait_for()
    open_tab(ada, "Set-up")
    add = ada.locator("details.pr-example-add form")
    add.get_by_label("Title").fill("Monday e-mail")
    add.get_by_label("Text of the example").fill(EXAMPLE)
    _pick(add, "3")
    add.get_by_label("Why it scores so").fill("Clear, but nobody was consulted.")
    add.get_by_role("button", name="Add example").click()
    ada.get_by_text("(calibration: required, 1 example)").wait_for()
    journey.check(INSTRUCTOR)
    _shot(journey, "cal-staff-setup", ada.locator("details.pr-calibration-setup"))

    tools = {}
    for sub, own in (("sandbox-ben", "4"), ("sandbox-eli", "2")):
        tool = journey.launch(sub, link)
        tool.get_by_label("Your work").fill(WORK[sub])
        tool.get_by_role("button", name="Submit").click()
        tool.locator(".pr-work").get_by_text(WORK[sub]).wait_for()
        # Self-assessment right after submitting.
        self_form = tool.locator("section.pr-self form")
        _pick(self_form, own)
        self_form.get_by_role("button", name="Save my self-assessment").click()
        tool.get_by_text("You rated your own work.").wait_for()
        assert "Calibrate first" in journey.check(sub)
        tools[sub] = tool
    _shot(journey, "cal-learner-before", tools["sandbox-eli"].locator("section.pr-calibrate"))

    # Ben matches the reference at once.
    ben = tools["sandbox-ben"]
    ben.get_by_role("link", name="Assess the examples").click()
    ben.get_by_text(EXAMPLE).wait_for()
    text = _calibrate(journey, "sandbox-ben", ben, "3")
    assert "Agreement: 100 %" in text and "within the 80 % needed" in text, text
    assert "Clear, but nobody was consulted." in text
    _shot(journey, "cal-passed")

    # Eli is far off (25 %), sees where, and retries within the tolerance.
    eli = tools["sandbox-eli"]
    eli.get_by_role("link", name="Assess the examples").click()
    text = _calibrate(journey, "sandbox-eli", eli, "0")
    assert "Agreement: 25 %" in text and "you rated 3 lower" in text, text
    assert "1 try left" in text
    _shot(journey, "cal-retry")
    text = _calibrate(journey, "sandbox-eli", eli, "3", n=2)
    assert "Agreement: 100 %" in text, text

    # Both review each other, then see their own rating beside their peer's.
    for sub in LEARNERS:
        tool = journey.launch(sub, link)
        _review(journey, sub, tool)
    for sub, words in (("sandbox-ben", "higher"), ("sandbox-eli", "lower")):
        tool = journey.launch(sub, link)
        gap = tool.get_by_role(
            "table", name="Your self-assessment compared with your peers' ratings"
        )
        gap.wait_for()
        assert gap.get_by_text(f"you rated yourself 1 {words}").count() == 3
        journey.check(sub)
    _shot(journey, "cal-gap", gap)

    # The instructor: who calibrated how well, and the cohort's gap.
    ada = journey.launch(INSTRUCTOR, link)
    open_tab(ada, "Checks & results")
    who = ada.get_by_role("table", name="Each learner's agreement with the reference")
    for sub, tries, first in (("sandbox-ben", "1", "100 %"), ("sandbox-eli", "2", "25 %")):
        row = who.get_by_role("row").filter(
            has=ada.get_by_role("rowheader", name=NAMES[sub], exact=True)
        )
        cells = row.inner_text()
        assert tries in cells and first in cells and "yes" in cells, cells
    cohort = ada.get_by_role("table", name="The cohort's self-assessment compared")
    assert cohort.get_by_text("about the same").count() == 3  # +1 and −1 cancel out
    journey.check(INSTRUCTOR)
    _shot(journey, "cal-staff-after", who)
