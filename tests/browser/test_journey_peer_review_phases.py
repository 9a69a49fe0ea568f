"""Peer assessment driven by hand, in a real Chromium inside the sandbox LMS: the
instructor switches phases (set-up → submission → review → feedback → closed)
and what a learner sees follows; a reviewer selects two passages of a peer's text
and comments on each; the author sees the comments beside the marked passages,
without the reviewer's name (double-blind)."""

from __future__ import annotations

from typing import Any

from tests.browser.test_journey_role_play import (  # noqa: F401 - fixtures
    INSTRUCTOR,
    NAMES,
    Journey,
    browser,
    journey,
    live_jobs,
)

TITLE = "Phases and passages, in the browser"
AUTHOR, REVIEWER = "sandbox-ben", "sandbox-eli"
WORK = {
    AUTHOR: "Our onboarding plan starts with a buddy for every newcomer.\n\n"
    "In week two the newcomer shadows three customer calls & writes a short note.",
    REVIEWER: "A retrospective every sprint keeps the team honest about delivery.",
}
PASSAGES = (
    ("a buddy for every newcomer", "Who chooses the buddy?"),
    ("shadows three customer calls", "Which calls: sales or support?"),
)
#: Where screenshots of the pages this journey changes go (scratch, not committed).
SHOTS = "/tmp/h20phase"


def _switch(journey: Journey, link: dict[str, Any], label: str) -> None:
    ada = journey.launch(INSTRUCTOR, link)
    ada.get_by_text("Switch the phase by hand…").click()
    ada.get_by_role("radio", name=label).check()
    ada.get_by_role("button", name="Switch phase").click()
    ada.get_by_text("Phase switched to").wait_for()
    ada.locator(".pr-phase-by").get_by_text(NAMES[INSTRUCTOR]).wait_for()
    journey.check(INSTRUCTOR)


def _select(journey: Journey, sub: str, words: str) -> None:
    """Select ``words`` inside the peer's work, as a reviewer would with the mouse."""
    frame = journey.pages[sub].frame(name="tool")
    assert frame is not None
    found = frame.evaluate(
        """(words) => {
          const root = document.getElementById('pr-text');
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const i = n.data.indexOf(words);
            if (i < 0) continue;
            const r = document.createRange();
            r.setStart(n, i); r.setEnd(n, i + words.length);
            const s = getSelection(); s.removeAllRanges(); s.addRange(r);
            return true;
          }
          return false;
        }""",
        words,
    )
    assert found, words


def _shots(journey: Journey, sub: str, name: str, selector: str) -> None:
    """The part of the page this journey is about, in the LMS frame, at two sizes."""
    page = journey.pages[sub]
    tool = page.frame_locator("iframe[name=tool]")
    for width, height in ((800, 700), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        tool.locator(selector).first.scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}-{name}-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_instructor_switches_phases_by_hand_and_a_reviewer_comments_on_passages(
    journey: Journey,  # noqa: F811 - pytest fixture
) -> None:
    link = journey.deep_link(
        "Peer assessment with feedback",
        TITLE,
        **{"peer_review.reviews_per_submission": "1", "peer_review.anonymity": "double_blind"},
    )
    ada = journey.launch(INSTRUCTOR, link)
    ada.get_by_text("Phase: Automatic, by due dates").wait_for()

    # Set-up: learners see the activity but nothing to hand in yet.
    _switch(journey, link, "Set-up")
    _shots(journey, INSTRUCTOR, "staff-phase", ".pr-phase")
    ben = journey.launch(AUTHOR, link)
    ben.get_by_text("This activity has not opened yet").wait_for()
    assert ben.locator("textarea[name=body]").count() == 0

    # Submission: they hand in, but reviewing has not opened.
    _switch(journey, link, "Submit your work")
    for sub in (AUTHOR, REVIEWER):
        tool = journey.launch(sub, link)
        tool.get_by_label("Your work").fill(WORK[sub])
        tool.get_by_role("button", name="Submit").click()
        tool.get_by_text("Reviewing opens after the submission phase.", exact=True).wait_for()
        assert tool.get_by_role("button", name="Start next review").count() == 0
        journey.check(sub)

    # Review: Eli reviews Ben's work and comments on two passages.
    _switch(journey, link, "Review peers")
    eli = journey.launch(REVIEWER, link)
    eli.get_by_role("button", name="Start next review").click()
    eli.get_by_role("heading", name="Review a peer's work").wait_for()
    assert "buddy for every newcomer" in journey.check(REVIEWER)
    for words, comment in PASSAGES:
        _select(journey, REVIEWER, words)
        eli.get_by_role("button", name="Comment on the selected passage").click()
        eli.get_by_label(f"Your comment on “{words}”").fill(comment)
    _shots(journey, REVIEWER, "review-passages", ".pr-anchor-tool")
    criteria = eli.locator("fieldset.pr-criterion")
    for i in range(criteria.count()):
        criteria.nth(i).locator("input[type=radio][value='3']").check()
    eli.get_by_label("Overall comment").fill("A clear, humane plan; say who owns it.")
    eli.get_by_role("button", name="Submit review").click()
    eli.get_by_text("Reviews given: 1 of 1.").wait_for()
    journey.check(REVIEWER)

    # Feedback: Ben sees each comment beside its passage, and nobody's name.
    _switch(journey, link, "Read and rate your feedback")
    ben = journey.launch(AUTHOR, link)
    box = ben.locator(".pr-passages")
    box.wait_for()
    for n, (words, comment) in enumerate(PASSAGES, start=1):
        marked = box.locator(f"mark[data-anchor='{n}']").first
        assert words in marked.inner_text()
        note = box.locator(f".pr-passage-notes li[data-anchor='{n}']")
        assert comment in note.inner_text()
        mark_box, note_box = marked.bounding_box(), note.bounding_box()
        assert mark_box is not None and note_box is not None
        assert note_box["x"] > mark_box["x"] + mark_box["width"] - 1  # beside, not below
    text = journey.check(AUTHOR)
    assert NAMES[REVIEWER] not in text and NAMES[REVIEWER].split()[0] not in text
    assert ben.locator("textarea[name=body]").count() == 0  # submissions are closed
    _shots(journey, AUTHOR, "author-passages", ".pr-passages")

    # Closed: read-only, results visible.
    _switch(journey, link, "Closed: results")
    ben = journey.launch(AUTHOR, link)
    ben.get_by_text("This activity is closed").wait_for()
    ben.locator(".pr-passages").wait_for()
    assert ben.get_by_text("How helpful was this feedback?").count() == 0
    journey.check(AUTHOR)
