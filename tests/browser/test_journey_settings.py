"""Settings through the sandbox LMS in a real Chromium (issue 15, findings 4 and 8).

Finding 4: the instructor sees every number setting with its default value when
adding an activity, a blank number is refused next to it (nothing typed is lost),
the settings read in words on the activity page, and they can be changed after
creation; once learners submitted, the anonymity promise is fixed and the page
says why. Finding 8: a refused journal save keeps the rewritten prompts; the
corrected save reschedules and the activity's description follows the new days.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_journey_journal import BROKEN
from tests.support.browser import ARTIFACTS, NO_THIRD_PARTY_COOKIES, chromium, open_tab
from tests.test_sandbox_flows import CTX, link_titled, live  # noqa: F401 - fixture

INSTRUCTOR, LEARNER = "sandbox-ada", "sandbox-chidi"
RAW = re.compile(r"\b(True|False|None)\b|double_blind|_")
PROMPTS = "What did I try with my team?\nWhat got in the way?\nWhat will I try next?"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(NO_THIRD_PARTY_COOKIES) as found:
        yield found


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def healthy(tool: Any) -> None:
    text = tool.locator("body").inner_text()
    assert not BROKEN.search(text), text[:2000]


def launch(live: Any, page: Any, link: dict[str, Any], sub: str) -> Any:  # noqa: F811
    page.goto(f"{live.url}/sandbox/courses/{CTX}/launch?link={link['id']}&user={sub}&storage=1")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_role("heading", name=link["title"], level=1).wait_for()
    healthy(tool)
    return tool


def settings_table(tool: Any) -> str:
    text: str = tool.get_by_role("table", name="Activity settings").inner_text()
    return text


def error_of(tool: Any, label: str) -> str:
    """The error the field labelled ``label`` points to (aria-describedby)."""
    tool.locator("[aria-invalid=true]").first.wait_for()
    field = tool.get_by_label(label, exact=True)
    assert field.get_attribute("aria-invalid") == "true"
    ids = (field.get_attribute("aria-describedby") or "").split()
    error = next(i for i in ids if i.endswith("-error"))
    text: str = tool.locator(f"#{error}").inner_text()
    return text


def test_peer_assessment_settings_have_defaults_read_in_words_and_change_until_work_is_in(
    live: Any, page: Any
) -> None:  # noqa: F811
    title = "Essay: a change you led"
    page.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}&storage=1")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_label("Peer assessment with feedback", exact=True).check()
    settings = tool.get_by_role("group", name="Peer assessment with feedback settings")
    reviews = settings.get_by_label("Reviews per submission", exact=True)
    assert reviews.input_value() == "3"  # the default, visible
    assert settings.get_by_label("Time to finish an opened review").input_value() == "120"
    tool.get_by_label("Title", exact=True).fill(title)
    reviews.fill("")
    settings.get_by_label("Anonymity").select_option("open")
    tool.get_by_role("button", name="Add activity").click()
    assert error_of(settings, "Reviews per submission") == "Give a whole number from 1 to 6."
    assert tool.get_by_label("Title", exact=True).input_value() == title
    assert settings.get_by_label("Anonymity").input_value() == "open"
    page.screenshot(path="/tmp/settings-deep-link-error-1280.png", full_page=True)
    settings.get_by_label("Reviews per submission", exact=True).fill("2")
    settings.get_by_label("Anonymity").select_option("double_blind")
    tool.get_by_role("button", name="Add activity").click()
    tool.get_by_text(title, exact=True).wait_for()
    link = link_titled(live, title)

    ada = launch(live, page, link, INSTRUCTOR)
    open_tab(ada, "Settings")
    table = settings_table(ada)
    assert "Double-blind: authors and reviewers don't see each other's names" in table
    assert re.search(r"Reviews per submission\s+2", table)
    assert not RAW.search(table), table
    ada.get_by_role("navigation", name="Instructor pages").get_by_role(
        "link", name="Settings"
    ).click()
    ada.get_by_role("heading", name=f"Settings of {title}").wait_for()
    ada.get_by_label("Anonymity").select_option("single_blind")
    ada.get_by_label("Reviews due").fill("2027-01-20T17:00")
    ada.get_by_role("button", name="Save settings").click()
    confirmed = ada.get_by_role("status").inner_text()
    assert "Settings saved: Anonymity: Single-blind" in confirmed
    assert "Reviews due: 20 Jan 2027, 17:00 UTC" in confirmed
    healthy(ada)

    learner = launch(live, page, link, LEARNER)
    learner.get_by_label("Your work").fill("I moved our team to weekly retrospectives.")
    learner.get_by_role("button", name="Submit").click()
    learner.locator(".pr-work").get_by_text("weekly retrospectives").wait_for()

    ada = launch(live, page, link, INSTRUCTOR)
    ada.get_by_role("navigation", name="Instructor pages").get_by_role(
        "link", name="Settings"
    ).click()
    anonymity = ada.get_by_label("Anonymity")
    anonymity.wait_for()
    assert anonymity.is_disabled()
    hint = ada.locator("#" + (anonymity.get_attribute("aria-describedby") or "").split()[0])
    assert "submitted under this anonymity promise" in hint.inner_text()
    ada.get_by_label("Time to finish an opened review").fill("90")
    ada.get_by_role("button", name="Save settings").click()
    assert "Time to finish an opened review: 90 minutes" in ada.get_by_role("status").inner_text()
    for width in (800, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/settings-peer-review-{width}.png", full_page=True)


def test_a_refused_journal_save_keeps_the_rewritten_prompts_and_the_days_follow(
    live: Any, page: Any
) -> None:  # noqa: F811
    title = "Journal: leading the team"
    page.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}&storage=1")
    tool = page.frame_locator("iframe[name=tool]")
    tool.get_by_label("Reflection journal", exact=True).check()
    settings = tool.get_by_role("group", name="Reflection journal settings")
    assert settings.get_by_label("Check-ins", exact=True).input_value() == "30,60,90"
    tool.get_by_label("Title", exact=True).fill(title)
    tool.get_by_role("button", name="Add activity").click()
    tool.get_by_text(title, exact=True).wait_for()
    link = link_titled(live, title)

    ada = launch(live, page, link, INSTRUCTOR)
    assert "check-ins 30, 60 and 90 days after completion" in ada.locator("main").inner_text()
    open_tab(ada, "Settings")
    ada.get_by_role("link", name="Change settings").click()
    ada.get_by_label("Entry prompts").fill(PROMPTS)
    ada.get_by_label("Check-ins", exact=True).fill("30,30")
    ada.get_by_label("Entries needed to complete").fill("2")
    ada.get_by_role("button", name="Save settings").click()
    assert error_of(ada, "Check-ins") == "Use different whole numbers of days, 1 or more."
    assert ada.get_by_label("Entry prompts").input_value() == PROMPTS  # finding 8
    assert ada.get_by_label("Entries needed to complete").input_value() == "2"
    for width in (800, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/settings-journal-error-{width}.png", full_page=True)
    ada.get_by_label("Check-ins", exact=True).fill("14, 45")
    ada.get_by_role("button", name="Save settings").click()
    confirmed = ada.get_by_role("status").inner_text()
    assert "Check-ins: 14 and 45 days after completion" in confirmed
    assert "Unanswered check-ins now follow the new days." in confirmed
    page.screenshot(path="/tmp/settings-journal-saved.png", full_page=True)

    learner = launch(live, page, link, LEARNER)
    text = learner.locator("main").inner_text()
    assert "check-ins 14 and 45 days after completion" in text and "30, 60 and 90" not in text
    assert "What did I try with my team?" in text
