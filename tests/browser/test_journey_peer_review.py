"""Peer assessment with feedback, the whole journey in a real Chromium inside the
sandbox LMS, with third-party cookies phased out and every launch through
Platform Storage (``storage=1``).

The instructor adds the activity by deep linking (two reviews per submission,
double-blind, the default rubric); three learners submit, each reviews the other
two with rubric levels, per-criterion and overall comments, then rates how
helpful each review of their own work was. The end state is checked as people
see it: each author reads both reviews without ever seeing a reviewer's name
(and no reviewer sees an author's name), everyone's page says they completed,
the instructor's dashboard shows them complete with grades, and the completion
scores, then the submission grades the instructor sends, appear in the sandbox's
gradebook (the embedded job runner sends them over AGS; see ``live_jobs``).
"""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_journey_role_play import (  # noqa: F401 - fixtures
    FULL_MARKS,
    INSTRUCTOR,
    NAMES,
    Journey,
    browser,
    journey,
    live_jobs,
)

TITLE = "Peer feedback on a change plan, in the browser"
#: Three learners with no reporting line between them: a manager and their report
#: never review each other (in the demo cohort Chidi reports to Dee), so these
#: three can each review the other two.
LEARNERS = ("sandbox-ben", "sandbox-eli", "sandbox-fatima")
#: Each learner's work, recognisable without naming its author.
WORK = {
    sub: f"Change plan {code}: first the people affected, then the timeline."
    for sub, code in zip(LEARNERS, ("alpha", "bravo", "charlie"), strict=True)
}
#: Each reviewer's overall and per-criterion comment, recognisable without their name.
OVERALL = {
    sub: f"Overall ({code}): the steps are clear; add who signs off each one."
    for sub, code in zip(LEARNERS, ("north", "south", "east"), strict=True)
}
ON_CONTENT = {
    sub: f"On content ({code}): the risks section is thin."
    for sub, code in zip(LEARNERS, ("north", "south", "east"), strict=True)
}


def _others(sub: str) -> list[str]:
    return [s for s in LEARNERS if s != sub]


def _no_names_of(text: str, subs: list[str], who: str) -> None:
    for other in subs:
        for part in (NAMES[other], NAMES[other].split()[0]):
            assert part not in text, f"{who}'s page shows {part!r} (double-blind):\n{text}"


def _review_next(trip: Journey, sub: str, tool: Any, given: int) -> str:
    """Open the next review, fill the rubric, submit; returns whose work it was."""
    tool.get_by_role("button", name="Start next review").click()
    tool.get_by_role("heading", name="Review a peer's work").wait_for()
    tool.get_by_text("The author's name is hidden.").wait_for()
    text = trip.check(sub)
    author = next(s for s, body in WORK.items() if body in text)
    assert author != sub
    _no_names_of(text, _others(sub), sub)
    criteria = tool.locator("fieldset.pr-criterion")
    assert criteria.count() == 3  # the default rubric: content, clarity, evidence
    for i in range(criteria.count()):
        criteria.nth(i).locator("input[type=radio][value='3']").check()
    tool.get_by_label("Comment on Content").fill(ON_CONTENT[sub])
    tool.get_by_label("Overall comment").fill(OVERALL[sub])
    tool.get_by_role("button", name="Submit review").click()
    # Back on the activity page, one more review given.
    tool.get_by_role("heading", name="Peer assessment").wait_for()
    tool.get_by_text(f"Reviews given: {given + 1} of 2.").wait_for()
    trip.check(sub)
    return author


def test_peer_review_journey_double_blind_from_deep_link_to_gradebook(journey: Journey) -> None:  # noqa: F811 - pytest fixture
    link = journey.deep_link(
        "Peer assessment with feedback",
        TITLE,
        **{"peer_review.reviews_per_submission": "2", "peer_review.anonymity": "double_blind"},
    )
    ada = journey.launch(INSTRUCTOR, link)
    ada.get_by_text("Anonymity: double-blind.").wait_for()

    # Three learners hand in their work.
    tools = {}
    for sub in LEARNERS:
        tool = journey.launch(sub, link)
        tool.locator(".pr-owes").get_by_text("Submit your work", exact=True).wait_for()
        tool.get_by_label("Your work").fill(WORK[sub])
        tool.get_by_role("button", name="Submit").click()
        tool.locator(".pr-work").get_by_text(WORK[sub]).wait_for()
        assert "Reviews given: 0 of 2." in journey.check(sub)
        tools[sub] = tool

    # Each reviews the other two (fair allocation: never their own work).
    for sub in LEARNERS:
        tool = tools[sub]
        authors = [_review_next(journey, sub, tool, 0), _review_next(journey, sub, tool, 1)]
        assert sorted(authors) == sorted(_others(sub)), (sub, authors)
        assert "Reviews given: 2 of 2." in journey.check(sub)

    # Each author reads both reviews, anonymously, and rates their helpfulness.
    for sub in LEARNERS:
        tool = journey.launch(sub, link)
        feedback = tool.locator("article.pr-feedback")
        feedback.nth(1).wait_for()
        assert feedback.count() == 2
        text = journey.check(sub)
        for reviewer in _others(sub):
            assert OVERALL[reviewer] in text and ON_CONTENT[reviewer] in text
        assert "Reviewer 1" in text and "Reviewer 2" in text
        _no_names_of(text, _others(sub), sub)
        for n in (1, 2):
            article = tool.locator("article.pr-feedback").filter(
                has=tool.get_by_role("heading", name=f"Reviewer {n}", exact=True)
            )
            article.get_by_role("radio", name="4").check()
            article.get_by_label("Why (optional)").fill("Specific and kind.")
            article.get_by_role("button", name="Rate").click()
            article.get_by_text("You rated this review 4 / 5.").wait_for()
        tool.get_by_text("You have completed this activity.").wait_for()
        tool.get_by_role("heading", name="4. Your grades").wait_for()
        text = journey.check(sub)
        _no_names_of(text, _others(sub), sub)
        # Every criterion scored 3 of 4 by both reviewers: 75 % for the work.
        assert re.search(r"Your work\s+75\.0 %", text), text

    # A reviewer sees how their reviews were rated, still without names.
    tool = journey.launch("sandbox-ben", link)
    given = tool.get_by_role("table", name="How authors rated your reviews")
    assert given.get_by_text("4 / 5").count() == 2
    _no_names_of(journey.check("sandbox-ben"), _others("sandbox-ben"), "sandbox-ben")

    # The instructor sees everyone complete (names are for staff).
    ada = journey.launch(INSTRUCTOR, link)
    progress = ada.get_by_role("table", name="Progress and grades")
    for sub in LEARNERS:
        row = progress.get_by_role("row").filter(
            has=ada.get_by_role("rowheader", name=NAMES[sub], exact=True)
        )
        cells = row.inner_text()
        assert "2 / 2" in cells and "complete" in cells and "in progress" not in cells, cells
        assert "75.0 %" in cells, cells
    journey.check(INSTRUCTOR)
    # ... and sends the submission grades to the gradebook too: first a confirmation
    # that says who gets a grade (the three) and who never started (nothing for them
    # unless 0 is chosen), then a message and the run's progress on the Grades page.
    ada.get_by_role("link", name="Send submission and reviewing grades to the gradebook…").click()
    ada.get_by_role("heading", name="Send grades to the gradebook").wait_for()
    counts = " ".join(ada.get_by_role("list", name="Who would get a grade").inner_text().split())
    assert "3 learners took part" in counts, counts
    non_starters = int(re.search(r"(\d+) never started", counts).group(1))
    assert non_starters > 0, counts
    assert ada.get_by_label("Send nothing for them (their gradebook cell stays empty)").is_checked()
    ada.get_by_label(f"Send 0 to these {non_starters} learners").wait_for()
    journey.check(INSTRUCTOR)
    journey.last.screenshot(path="/tmp/grades-send-confirm.png")
    ada.get_by_role("button", name="Send grades").click()
    ada.get_by_text("Sending grades has started.").wait_for()
    ada.get_by_text(
        re.compile(
            r"3 learners had grades put in the outbox; "
            rf"{non_starters} who never started were left out"
        )
    ).wait_for()
    journey.check(INSTRUCTOR)
    journey.last.screenshot(path="/tmp/grades-send-done.png")

    # The completions reached the LMS's gradebook; nobody else has one.
    cells = journey.gradebook(link, list(LEARNERS), FULL_MARKS)
    for sub in LEARNERS:
        assert FULL_MARKS.search(cells[sub]), (sub, cells)
    assert [s for s, c in cells.items() if FULL_MARKS.search(c) and s not in LEARNERS] == []
    work = re.compile(r"\b75(\.0+)? / 100(\.0+)?\b")
    cells = journey.gradebook(link, list(LEARNERS), work, tag="peerlift-submission")
    for sub in LEARNERS:
        assert work.search(cells[sub]), (sub, cells)
    # Nobody who never started got a submission grade (no 0 was chosen).
    assert [s for s, c in cells.items() if re.search(r"\d", c) and s not in LEARNERS] == []
