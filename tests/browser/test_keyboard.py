"""Keyboard only, in a real Chromium, inside the sandbox LMS's iframe: no clicks.

From the top of the LMS page a learner Tabs into the tool's frame and, with Tab,
typing, Space and Enter alone, writes and saves a journal entry (sharing it with
their group) and submits their work in a peer assessment. Every element that
takes focus on the way, inside the tool, must show it (an outline or a shadow:
WCAG 2.4.7). An instructor adds an activity by deep linking the same way (the
activity type picked with the arrow keys). Then the skip link.

In the learners' tests, the instructor's setup (deep linking) is not what is
tested, so it clicks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.browser import ARTIFACTS, NO_THIRD_PARTY_COOKIES, chromium
from tests.test_sandbox_flows import CTX, link_titled, live  # noqa: F401 - fixture

INSTRUCTOR, LEARNER = "sandbox-ada", "sandbox-eli"
BROKEN = re.compile(r"Traceback|Something went wrong|Internal Server Error")

#: The element focused in the tool's frame, with what makes its focus visible.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) { return null; }
  const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, type: e.getAttribute("type") || "",
          text: (e.innerText || e.value || "").trim().slice(0, 80),
          label: e.labels && e.labels.length ? e.labels[0].innerText.trim() : "",
          outline: s.outlineStyle, outlineWidth: s.outlineWidth, shadow: s.boxShadow};
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(NO_THIRD_PARTY_COOKIES) as found:
        yield found


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed and not hasattr(failed, "wasxfail"):
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def healthy(page: Any) -> None:
    """No stack trace, no generic error page in the frame."""
    text = page.frame_locator("iframe[name=tool]").locator("body").inner_text()
    assert not BROKEN.search(text), text[:2000]


def add_activity(live: Any, page: Any, kind: str, title: str) -> dict[str, Any]:  # noqa: F811
    """The instructor adds an activity by deep linking (setup: clicks allowed)."""
    page.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_label(kind, exact=True).check()
    tool.get_by_label("Title").fill(title)
    tool.get_by_role("button", name="Add activity").click()
    tool.get_by_text(title, exact=True).wait_for()
    return link_titled(live, title)


def launch(live: Any, page: Any, link: dict[str, Any], sub: str) -> Any:  # noqa: F811
    page.goto(f"{live.url}/sandbox/courses/{CTX}/launch?link={link['id']}&user={sub}&storage=1")
    page.frame_locator("iframe[name=tool]").get_by_role(
        "heading", name=link["title"], level=1
    ).wait_for()
    healthy(page)
    return page.frame(name="tool")


#: Inputs whose focus Chromium shows itself, inside the control: a date input's
#: focused day, month or year is highlighted (the input itself does not match
#: ``:focus-visible``, so peerlift.css's outline does not apply: reported).
UA_HIGHLIGHTED = {"date"}


def focus_is_visible(el: dict[str, Any]) -> bool:
    outlined = el["outline"] != "none" and el["outlineWidth"] not in ("0px", "")
    return (
        outlined
        or el["shadow"] not in ("none", "")
        or (el["tag"] == "input" and el["type"] in UA_HIGHLIGHTED)
    )


def tab_to(
    page: Any, wanted: Callable[[dict[str, Any]], bool], limit: int = 80, key: str = "Tab"
) -> dict[str, Any]:
    """Press Tab until the focused element of the tool's frame is ``wanted``;
    every element of the tool focused on the way must show its focus."""
    visited: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("document.activeElement && document.activeElement.name") != "tool":
            visited.append("(LMS page)")
            continue
        el: dict[str, Any] | None = page.frame(name="tool").evaluate(FOCUSED)
        if el is None:
            continue
        visited.append(f"{el['tag']}#{el['id']} {el['label'] or el['text']!r}")
        assert focus_is_visible(el), f"focus not visible on {visited[-1]}: {el}"
        if wanted(el):
            return el
    raise AssertionError("never reached; focus went through:\n" + "\n".join(visited))


def by_id(element_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda el: el["id"] == element_id


def button(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda el: el["tag"] == "button" and el["text"] == text


def test_a_learner_writes_and_shares_a_journal_entry_with_the_keyboard_alone(
    live: Any, page: Any
) -> None:  # noqa: F811 - pytest fixture
    journal = add_activity(live, page, "Reflection journal", "Journal by keyboard")
    frame = launch(live, page, journal, LEARNER)

    tab_to(page, by_id("response-0"))  # from the LMS page into the tool's frame
    page.keyboard.type("A colleague disagreed with my plan in front of the team.")
    tab_to(page, by_id("response-1"))
    page.keyboard.type("I got defensive, and the discussion stopped.")
    tab_to(page, by_id("response-2"))
    page.keyboard.type("Ask a question before I answer an objection.")
    tab_to(page, by_id("skills"))
    page.keyboard.type("listening, feedback")
    share = tab_to(page, lambda el: el["type"] == "checkbox")
    assert "Share this entry with my group" in share["label"]
    page.keyboard.press("Space")
    assert frame.evaluate("document.activeElement.checked") is True
    tab_to(page, button("Save the entry"))
    with frame.expect_navigation():
        page.keyboard.press("Enter")

    tool = page.frame_locator("iframe[name=tool]")
    entry = tool.locator("article.journal-entry", has_text="I got defensive")
    entry.wait_for()
    healthy(page)
    assert "Shared with your group" in entry.inner_text()
    assert "listening" in entry.inner_text() and "feedback" in entry.inner_text()

    # The action plan, by keyboard too: the journal is then complete.
    tab_to(page, by_id("what"))
    page.keyboard.type("Ask one question before answering an objection")
    tab_to(page, button("Add to my plan"))
    with frame.expect_navigation():
        page.keyboard.press("Enter")
    tool.get_by_text(re.compile(r"You completed your journal on")).wait_for()
    healthy(page)


def test_a_learner_submits_work_for_peer_review_with_the_keyboard_alone(
    live: Any, page: Any
) -> None:  # noqa: F811 - pytest fixture
    review = add_activity(live, page, "Peer assessment with feedback", "Review by keyboard")
    frame = launch(live, page, review, LEARNER)

    tab_to(page, by_id("pr-body"))
    page.keyboard.type("My plan for the reorganisation: three steps.")
    page.keyboard.press("Enter")  # a new line in the text area, not a submission
    page.keyboard.type("First, talk to each person alone.")
    tab_to(page, by_id("pr-link"))
    page.keyboard.type("https://example.org/plan")
    tab_to(page, button("Submit"))
    with frame.expect_navigation():
        page.keyboard.press("Enter")

    tool = page.frame_locator("iframe[name=tool]")
    work = tool.locator(".pr-work")
    work.wait_for()
    healthy(page)
    assert "My plan for the reorganisation" in work.inner_text()
    assert "First, talk to each person alone." in work.inner_text()
    assert "https://example.org/plan" in work.inner_text()
    # Shift+Tab walks back with the focus still visible.
    tab_to(page, lambda el: el["tag"] == "a" or el["tag"] == "button", key="Shift+Tab")


def test_an_instructor_adds_an_activity_by_deep_linking_with_the_keyboard_alone(
    live: Any, page: Any
) -> None:  # noqa: F811 - pytest fixture
    title = "Journal added by keyboard"
    page.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_role("heading", name="Add a peer-learning activity").wait_for()
    frame = page.frame(name="tool")

    tab_to(page, lambda el: el["type"] == "radio")  # the activity types, a radio group
    tab_to(page, lambda el: el["label"] == "Reflection journal", limit=8, key="ArrowDown")
    assert frame.evaluate("document.activeElement.checked") is True
    tab_to(page, by_id("title"))
    page.keyboard.type(title)
    tab_to(page, button("Add activity"))
    page.keyboard.press("Enter")
    tool.get_by_text(title, exact=True).wait_for()  # the LMS's "Added to …" page
    healthy(page)
    assert link_titled(live, title)["title"] == title


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(
    live: Any, page: Any
) -> None:  # noqa: F811 - pytest fixture
    journal = add_activity(live, page, "Reflection journal", "Journal with a skip link")
    frame = launch(live, page, journal, LEARNER)
    first = tab_to(page, lambda el: True)  # the first stop inside the tool's frame
    assert first["tag"] == "a" and first["text"] == "Skip to content", first
    page.keyboard.press("Enter")
    assert frame.evaluate("location.hash") == "#main"
    # Focus (or the sequential focus starting point) is now in the main content.
    el = tab_to(page, lambda el: True, limit=1)
    assert frame.evaluate("document.activeElement.closest('main') !== null"), el
