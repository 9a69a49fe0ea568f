"""Rich text and the form-based editors in a real Chromium inside the sandbox LMS
frame, at 800x700 and 1280x800 (issue 19).

The instructor builds a rubric in the grid editor (adds a criterion with levels,
previews it as a learner, saves), fills the observer checklist and the intake
survey of a role-play through their row editors; a learner writes their work
with the formatting toolbar (Ctrl+B and the list button) and sees it formatted.
On every page: no literal ``<p>`` or ``**`` outside form fields and the
formatting hint, and axe-core finds no serious or critical violation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey_role_play import (  # noqa: F401 - fixtures
    INSTRUCTOR,
    Journey,
    browser,
    live_jobs,
)
from tests.support.browser import axe_problems, open_tab
from tests.test_sandbox_flows import Live

SIZES = [(800, 700), (1280, 800)]
#: Where to keep a screenshot of each page looked at (unset: none are taken).
SHOTS = os.environ.get("PEERLIFT_SHOTS_DIR", "")

#: The text shown to people, without form fields and the formatting hint's examples.
_SHOWN_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('textarea, input, select, code, script, style').forEach(e => e.remove());
  return copy.innerText;
}"""


@pytest.fixture
def sized(live_jobs: Live, browser: Any, request: pytest.FixtureRequest) -> Iterator[Journey]:  # noqa: F811
    found = Journey(live_jobs, browser)
    width, height = request.param
    original = found.page

    def page(sub: str) -> Any:
        tab = original(sub)
        tab.set_viewport_size({"width": width, "height": height})
        return tab

    found.page = page  # type: ignore[method-assign]
    found.size = f"{width}x{height}"  # type: ignore[attr-defined]
    yield found
    found.close(request)


def _look(trip: Journey, sub: str, name: str) -> str:
    """Check the tool's page as ``sub`` sees it: no error, no raw markup, no
    serious accessibility violation; returns the text shown."""
    trip.check(sub)
    frame = trip.pages[sub].frame(name="tool")
    assert frame is not None
    frame.wait_for_load_state()
    shown = str(frame.evaluate(_SHOWN_TEXT))
    assert "<p>" not in shown and "</p>" not in shown, f"{name}: raw <p> shown\n{shown[:2000]}"
    assert "**" not in shown, f"{name}: raw ** shown\n{shown[:2000]}"
    blocking = axe_problems(frame, name)
    assert not blocking, f"{name} at {trip.size}: {blocking}"  # type: ignore[attr-defined]
    if SHOTS:  # the LMS page as seen, then with the frame as tall as the tool's page
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        tab, size = trip.pages[sub], trip.size  # type: ignore[attr-defined]
        tab.screenshot(path=f"{SHOTS}/{name}-{size}.png")
        height = frame.evaluate("() => document.documentElement.scrollHeight")
        tab.evaluate(
            "h => { const f = document.querySelector('iframe[name=tool]'); "
            "const old = f.style.height; f.style.height = h + 'px'; return old; }",
            height,
        )
        tab.screenshot(path=f"{SHOTS}/{name}-{size}-tool.png", full_page=True)
        tab.evaluate("() => { document.querySelector('iframe[name=tool]').style.height = ''; }")
    return shown


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["800x700", "1280x800"])
def test_rich_text_shows_formatted_and_the_editors_work_in_the_lms_frame(sized: Journey) -> None:
    trip = sized
    size = trip.size  # type: ignore[attr-defined]

    # The rubric, in the grid editor.
    link = trip.deep_link("Peer assessment with feedback", f"Rich text and rubric {size}")
    ada = trip.launch(INSTRUCTOR, link)
    open_tab(ada, "Set-up")
    ada.locator("details.pr-rubric-edit > summary").click()
    ada.get_by_role("link", name="Edit the rubric").click()
    ada.get_by_role("heading", name="The rubric").wait_for()
    _look(trip, INSTRUCTOR, "rubric-editor")
    ada.get_by_role("button", name="Add a criterion").click()
    ada.locator("#c3-name").fill("Next steps")
    ada.locator("#c3-l0-text").fill("None given")
    ada.locator("#c3-l1-text").fill("Concrete, with dates")
    ada.get_by_label("Reviewers must comment on this criterion").nth(3).check()
    ada.get_by_role("button", name="Move criterion 4 up").click()
    expect(ada.locator("#c2-name")).to_have_value("Next steps")  # the page has redrawn
    ada.get_by_role("button", name="Preview as a learner").click()
    preview = ada.locator("section.re-preview")
    preview.get_by_text("Concrete, with dates (4 points)").wait_for()
    assert preview.locator("tbody tr").nth(2).locator("th").inner_text().startswith("Next steps")
    _look(trip, INSTRUCTOR, "rubric-preview")
    ada.get_by_role("button", name="Save the rubric").click()
    ada.locator("#done[role=status]").get_by_text("Rubric saved.").wait_for()
    _look(trip, INSTRUCTOR, "rubric-saved")

    # A learner writes with the toolbar and reads their work formatted.
    ben = trip.launch("sandbox-ben", link)
    box = ben.get_by_label("Your work")
    box.fill("My plan")
    box.press("End")
    for _ in range(4):
        box.press("Shift+ArrowLeft")
    box.press("Control+b")
    box.press("End")
    box.press("End")
    box.type("\n\nfirst step\nsecond step")
    for _ in range(len("first step\nsecond step")):
        box.press("Shift+ArrowLeft")
    ben.get_by_role("toolbar", name="Formatting").get_by_role(
        "button", name="Bulleted list"
    ).click()
    assert box.input_value() == "My **plan**\n\n- first step\n- second step"
    ben.get_by_role("button", name="Preview").click()
    shown = ben.get_by_role("region", name="Preview")
    shown.locator("strong", has_text="plan").wait_for()
    assert shown.locator("li").all_inner_texts() == ["first step", "second step"]
    _look(trip, "sandbox-ben", "learner-writing")
    ben.get_by_role("button", name="Submit").click()
    work = ben.locator(".pr-work").first
    work.locator("strong", has_text="plan").wait_for()
    assert work.locator("li").all_inner_texts() == ["first step", "second step"]
    assert ben.get_by_label("Revise your work (until a peer opens it)").input_value() == (
        "My **plan**\n\n- first step\n- second step"
    )
    _look(trip, "sandbox-ben", "learner-submitted")

    # The observer checklist and the intake survey of a role-play, in their row editors.
    play = trip.deep_link("Role-play pairings", f"Checklist and survey {size}")
    ada = trip.launch(INSTRUCTOR, play)
    open_tab(ada, "Set-up")
    ada.get_by_role("link", name="Edit the checklist").click()
    ada.get_by_role("heading", name="The observer checklist").wait_for()
    for n in (1, 2):
        ada.get_by_role("button", name="Add an item").click()
        ada.get_by_label(f"Skill, item {n}").wait_for()  # redrawn before the next click
    ada.get_by_label("Skill, item 1").fill("Listening")
    ada.get_by_label("What the practitioner does, item 1").fill("Reflects back what was said")
    ada.get_by_label("What the practitioner does, item 2").fill("Asks open questions")
    ada.get_by_role("button", name="Move item 2 up").click()
    expect(ada.get_by_label("What the practitioner does, item 1")).to_have_value(
        "Asks open questions"
    )  # the page has redrawn
    ada.get_by_role("button", name="Preview as an observer").click()
    ada.locator("section.re-preview").get_by_text("Asks open questions").wait_for()
    _look(trip, INSTRUCTOR, "checklist-preview")
    ada.get_by_role("button", name="Save the checklist").click()
    ada.locator("#done[role=status]").get_by_text("Observer checklist saved.").wait_for()
    ada.get_by_role("link", name="Back to the activity").click()
    ada.locator("ul.rp-checklist").get_by_text("General: Asks open questions").wait_for()
    open_tab(ada, "Groups")
    ada.get_by_role("link", name="Edit the intake survey").click()
    ada.get_by_role("heading", name="Intake survey").wait_for()
    ada.get_by_role("button", name="Add a question").click()
    ada.get_by_label("Question, question 1").fill("Preferred meeting time")
    ada.get_by_label("Choices (one per line), question 1").fill("Mornings\nAfternoons")
    ada.get_by_role("button", name="Preview as a learner").click()
    ada.locator("section.re-preview").get_by_text("Preferred meeting time").wait_for()
    _look(trip, INSTRUCTOR, "survey-preview")
    ada.get_by_role("button", name="Save the survey").click()
    ada.get_by_role("link", name="Edit the intake survey").wait_for()
