"""Peerlift fits the LMS frame, and says what an action did, in a real Chromium
inside the sandbox LMS (issue 19).

Every page type is looked at in the sandbox's tool frame at 800x700 and 1280x800:

- nothing scrolls sideways, neither the LMS page nor the tool's frame (wide tables
  scroll inside their own box);
- the frame grows to the page's height: the tool posts ``lti.frameResize`` and the
  sandbox, like Canvas, sets the iframe's height (so the frame has no scroll bar
  of its own);
- after each action the issue names (role-play scenario and checklist saved,
  rubric saved, case saved, grades sent, a nudge sent, and a learner's own work)
  the page confirms it once, in a ``role="status"`` region, and the address no
  longer carries the confirmation (a reload does not say it again);
- a staff activity page opens on its first tab (the activity's main work) and is at
  most about two screens tall (``TWO_SCREENS``), its main action within them; the tabs
  answer the keyboard (Left/Right/Home/End, roving tabindex), an address's #fragment
  opens the tab holding it, and the frame follows a tab switch;
- axe-core finds no serious or critical violation on any of these pages.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from lti_app.peer_activities.journal import clock
from tests.browser.test_journey_journal import NOW_WHAT, SO_WHAT, WHAT
from tests.browser.test_journey_role_play import (  # noqa: F401 - fixtures
    INSTRUCTOR,
    Journey,
    browser,
    journey,
    live_jobs,
)
from tests.support.browser import axe_problems, open_tab
from tests.test_sandbox_flows import CTX

SIZES = ((800, 700), (1280, 800))
_WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
#: What reaches below the page's body (why a frame would scroll inside), for a failure.
_BELOW = """() => {
  const b = document.body.getBoundingClientRect().bottom;
  const below = e => Math.round(e.getBoundingClientRect().bottom - b);
  return [...document.querySelectorAll('*')].filter(e => below(e) > 1).slice(0, 5)
    .map(e => e.tagName + '.' + e.className + ' ' + below(e));
}"""
_CONTENT = "() => Math.ceil(document.body.getBoundingClientRect().height)"
#: The most a staff page's first tab may take at 800x700 and 1280x800: about two screens.
TWO_SCREENS = 1600


def frame_of(journey: Journey, sub: str) -> Any:
    frame = journey.pages[sub].frame(name="tool")
    assert frame is not None
    return frame


def fits(journey: Journey, sub: str, name: str, *, taller_than: int = 0) -> None:
    """At both sizes: no sideways scroll in the LMS page nor in the tool's frame, and
    the frame exactly as tall as the tool's page (which is at least ``taller_than``)."""
    page = journey.pages[sub]
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        frame = frame_of(journey, sub)
        box = page.locator("iframe[name=tool]")
        tries, seen = 60, None
        while True:  # until the frame has taken the page's height (and kept it)
            content = frame.evaluate(_CONTENT)
            inner = box.evaluate("f => f.clientHeight")
            scroll = frame.evaluate("() => document.documentElement.scrollHeight")
            now = (content, inner, scroll)
            if abs(content - inner) <= 1 and scroll <= inner + 1 and now == seen:
                break
            seen, tries = now, tries - 1
            assert tries, (
                f"{name} at {width}px: frame {inner}px, its page {content}px",
                now,
                frame.evaluate(_BELOW),
            )
            page.wait_for_timeout(100)
        assert content >= taller_than, f"{name} at {width}px: only {content}px"
        scroll_w, client_w = page.evaluate(_WIDTHS)
        assert scroll_w <= client_w, f"{name} at {width}px: LMS page {scroll_w} > {client_w}"
        scroll_w, client_w = frame.evaluate(_WIDTHS)
        assert scroll_w <= client_w, f"{name} at {width}px: tool frame {scroll_w} > {client_w}"
    page.set_viewport_size({"width": 1280, "height": 800})


def staff_page_is_short(
    journey: Journey, sub: str, name: str, tabs: list[str], main_action: Any
) -> None:
    """A staff page in tabs: ``tabs`` in order, the first chosen; at both sizes the page
    is at most TWO_SCREENS tall and ``main_action`` (a locator in the tool frame) ends
    within two screens of the LMS page's top; the frame fits (``fits``)."""
    tool = journey.pages[sub].frame_locator("iframe[name=tool]")
    found = tool.get_by_role("tab").all_inner_texts()
    assert found == tabs, (name, found)
    assert tool.get_by_role("tab", selected=True).inner_text() == tabs[0]
    fits(journey, sub, name)
    page = journey.pages[sub]
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        frame = frame_of(journey, sub)
        content = frame.evaluate(_CONTENT)
        assert content <= TWO_SCREENS, f"{name} at {width}px: {content}px tall"
        top = page.locator("iframe[name=tool]").evaluate(
            "f => f.getBoundingClientRect().top + window.scrollY"
        )
        bottom = main_action.evaluate("e => e.getBoundingClientRect().bottom")
        assert main_action.is_visible(), f"{name}: main action hidden"
        assert top + bottom <= 2 * height, f"{name} at {width}px: main action at {top + bottom}px"
    page.set_viewport_size({"width": 1280, "height": 800})


def tabs_answer_keys_and_addresses(journey: Journey, sub: str, anchor: str, tab: str) -> None:
    """Arrow keys, Home and End move between the tabs (one in the tab order, its panel
    alone shown, the address names it); ``#anchor`` opens ``tab``; the frame follows."""
    tool = journey.pages[sub].frame_locator("iframe[name=tool]")
    tabs = tool.get_by_role("tab")
    n = tabs.count()
    names = tabs.all_inner_texts()

    def chosen(i: int) -> None:
        for j in range(n):
            on = i == j
            assert tabs.nth(j).get_attribute("aria-selected") == ("true" if on else "false")
            assert tabs.nth(j).get_attribute("tabindex") == ("0" if on else "-1")
            panel = tool.locator(f"#{tabs.nth(j).get_attribute('aria-controls')}")
            assert panel.get_attribute("role") == "tabpanel"
            assert panel.is_visible() == on, (names[j], on)
        assert tabs.nth(i).evaluate("t => t === document.activeElement")
        hash_ = frame_of(journey, sub).evaluate("() => location.hash")
        assert hash_ == f"#{tabs.nth(i).get_attribute('aria-controls')}", hash_

    tabs.nth(0).focus()
    tabs.nth(0).press("ArrowRight")
    chosen(1)
    tabs.nth(1).press("End")
    chosen(n - 1)
    tabs.nth(n - 1).press("ArrowRight")  # wraps round
    chosen(0)
    tabs.nth(0).press("ArrowLeft")
    chosen(n - 1)
    tabs.nth(n - 1).press("Home")
    chosen(0)
    fits(journey, sub, f"tab {names[0]}")
    open_tab(tool, names[-1])
    fits(journey, sub, f"tab {names[-1]}")  # the frame follows the switch

    # An address naming a section (or anything inside one) opens its tab.
    frame = frame_of(journey, sub)
    url = re.sub(r"#.*$", "", frame.url)
    frame.goto(f"{url}#{anchor}")
    tool.get_by_role("tab", name=tab, exact=True).and_(
        tool.get_by_role("tab", selected=True)
    ).wait_for()
    assert tool.locator(f"#{anchor}").is_visible() or tool.locator(f"#{anchor}").count() == 1


def confirmed(journey: Journey, sub: str, text: str) -> None:
    """The page says ``text`` once, in a status region, and forgets it on reload."""
    tool = journey.pages[sub].frame_locator("iframe[name=tool]")
    tool.get_by_role("status").filter(has_text=text).wait_for()
    frame = frame_of(journey, sub)
    frame.wait_for_function("() => !location.search.includes('confirmed=')")
    journey.check(sub)


def opens(journey: Journey, sub: str, path: str) -> Any:
    """Navigate the tool's frame to one of the tool's own pages (as its links do)."""
    frame = frame_of(journey, sub)
    frame.goto(path if path.startswith("http") else journey.live.url + path)
    journey.check(sub)
    return journey.pages[sub].frame_locator("iframe[name=tool]")


def token(journey: Journey, sub: str) -> str:
    found = re.search(r"[?&]t=([^&#]+)", frame_of(journey, sub).url)
    assert found is not None
    return found.group(1)


def audit(journey: Journey, urls: dict[str, str]) -> None:
    """axe-core on each page (opened directly, as the frame shows it), and on each tab
    of a staff page in tabs."""
    problems: list[str] = []
    page = journey.browser.new_context(viewport={"width": 800, "height": 700}).new_page()
    try:
        for name, url in urls.items():
            resp = page.goto(url)
            assert resp is not None and resp.status == 200, (name, url)
            tabs = page.get_by_role("tab")
            # A staff page in tabs: each tab as it shows (the first is open on arrival).
            for i in range(max(1, tabs.count())):
                seen = name
                if i:
                    tabs.nth(i).click()
                    seen = f"{name}, tab {tabs.nth(i).inner_text()}"
                problems += axe_problems(page, seen)
    finally:
        page.context.close()
    assert not problems, "\n".join(problems)


def test_role_play_pages_fit_the_frame_and_confirm_saving_a_scenario_and_checklist(
    journey: Journey,
) -> None:  # noqa: F811 - pytest fixture
    link = journey.deep_link("Role-play pairings", "Fit: role-play")
    ada = journey.launch(INSTRUCTOR, link)
    staff_page_is_short(
        journey,
        INSTRUCTOR,
        "role-play, staff",
        ["Groups", "Rounds", "Set-up", "Checks & results", "Settings"],
        ada.get_by_role("button", name="Form groups", exact=True),
    )
    tabs_answer_keys_and_addresses(journey, INSTRUCTOR, "rp-checklist", "Set-up")
    staff_url = re.sub(r"#.*$", "", frame_of(journey, INSTRUCTOR).url)

    open_tab(ada, "Set-up")
    ada.get_by_role("link", name="Add a scenario").click()
    ada.get_by_label("Title").fill("Saying no to a senior colleague")
    ada.get_by_label(re.compile(r"^Practitioner's card")).fill("Say no, keep the relationship.")
    ada.get_by_label(re.compile(r"^Client's card")).fill("You need this done by Friday.")
    ada.get_by_label(re.compile(r"^Observer's card")).fill("Watch for a clear no.")
    ada.get_by_role("button", name="Save the scenario").click()
    confirmed(journey, INSTRUCTOR, "Scenario saved.")
    # Shown where the eye is: on the tab where Ada acted, just before the scenarios.
    assert ada.locator("#done + #rp-scenarios").count() == 1
    assert ada.get_by_role("tab", selected=True).inner_text() == "Set-up"
    assert ada.locator("#done").is_visible()

    ada.get_by_role("link", name="Edit the checklist").click()
    ada.get_by_role("heading", name="The observer checklist").wait_for()
    fits(journey, INSTRUCTOR, "observer checklist editor")
    ada.get_by_role("button", name="Add an item").click()
    ada.get_by_label("Skill, item 1").fill("Listening")
    ada.get_by_label("What the practitioner does, item 1").fill("Reflects back what was said")
    ada.get_by_role("button", name="Save the checklist").click()
    confirmed(journey, INSTRUCTOR, "Observer checklist saved.")
    # Once: the same page again says nothing.
    frame = frame_of(journey, INSTRUCTOR)
    with frame.expect_navigation():
        frame.evaluate("() => location.reload()")
    ada.get_by_role("heading", name="The observer checklist").wait_for()
    assert ada.locator("#done").count() == 0
    ada.get_by_role("link", name="Back to the activity").click()
    ada.get_by_role("heading", level=1, name=link["title"]).wait_for()

    t = token(journey, INSTRUCTOR)
    activity = re.search(r"/a/([^/?]+)", staff_url).group(1)  # type: ignore[union-attr]
    pages = {
        "settings": f"/a/{activity}/settings?t={t}",
        "grades": f"/a/{activity}/grades?t={t}",
        "roster": f"/a/{activity}/roster?t={t}",
        "L&D dashboard": f"/an/course?t={t}",
    }
    for name, path in pages.items():
        tool = opens(journey, INSTRUCTOR, path)
        tool.locator("h1").first.wait_for()
        fits(journey, INSTRUCTOR, name)

    journey.launch("sandbox-ben", link)
    fits(journey, "sandbox-ben", "role-play, learner")

    # The sandbox's own course page (no tool frame) never scrolls sideways either.
    course = journey.pages[INSTRUCTOR]
    for width, height in SIZES:
        course.set_viewport_size({"width": width, "height": height})
        course.goto(f"{journey.live.url}/sandbox/")
        scroll_w, client_w = course.evaluate(_WIDTHS)
        assert scroll_w <= client_w, f"sandbox course page at {width}px"

    audit(
        journey,
        {
            "role-play, staff": staff_url,
            "role-play, learner": frame_of(journey, "sandbox-ben").url,
            **{name: journey.live.url + path for name, path in pages.items()},
        },
    )


def _review(tool: Any) -> None:
    tool.get_by_role("button", name="Start next review").click()
    tool.get_by_role("heading", name="Review a peer's work").wait_for()
    criteria = tool.locator("fieldset.pr-criterion")
    for i in range(criteria.count()):
        criteria.nth(i).locator("input[type=radio][value='3']").check()
    tool.get_by_label("Overall comment").fill("Clear steps; name who signs off each one.")


def test_peer_review_pages_fit_confirm_and_the_stepper_follows_the_learner(
    journey: Journey,
) -> None:  # noqa: F811 - pytest fixture
    link = journey.deep_link(
        "Peer assessment with feedback",
        "Fit: peer review",
        **{"peer_review.reviews_per_submission": "1"},
    )
    # The rubric can change until the first review is given.
    ada = journey.launch(INSTRUCTOR, link)
    open_tab(ada, "Set-up")
    ada.locator("details.pr-rubric-edit > summary").click()
    ada.get_by_role("link", name="Edit the rubric").click()
    ada.get_by_role("heading", name="The rubric").wait_for()
    fits(journey, INSTRUCTOR, "rubric editor")
    ada.get_by_role("button", name="Save the rubric").click()
    confirmed(journey, INSTRUCTOR, "Rubric saved.")

    learners = ("sandbox-ben", "sandbox-eli")
    for n, sub in enumerate(learners):
        tool = journey.launch(sub, link)
        if n == 0:
            fits(journey, sub, "peer review, learner before submitting")
        tool.get_by_label("Your work").fill(f"Change plan {n}: people first, then dates.")
        tool.get_by_role("button", name="Submit").click()
        confirmed(journey, sub, "Your work is handed in.")
        now = tool.locator(".pr-timeline [aria-current=step]")
        assert now.inner_text().startswith("Review peers"), now.inner_text()

    ben = journey.pages["sandbox-ben"].frame_locator("iframe[name=tool]")
    _review(ben)
    fits(journey, "sandbox-ben", "peer review, review form")
    review_url = frame_of(journey, "sandbox-ben").url
    ben.get_by_role("button", name="Submit review").click()
    confirmed(journey, "sandbox-ben", "Review submitted.")
    fits(journey, "sandbox-ben", "peer review, learner")

    # Helpfulness is rated in words, not bare numbers.
    eli = journey.launch("sandbox-eli", link)
    rate = eli.locator("form.pr-rate")
    rate.get_by_label("1 – Not helpful").wait_for()
    rate.get_by_label("5 – Extremely helpful").check()
    rate.get_by_role("button", name="Rate").click()
    confirmed(journey, "sandbox-eli", "Your rating is saved.")

    ada = journey.launch(INSTRUCTOR, link)
    staff_page_is_short(
        journey,
        INSTRUCTOR,
        "peer review, staff",
        ["Progress", "Set-up", "Checks & results", "Settings"],
        ada.get_by_role("link", name=re.compile(r"^Send submission and reviewing grades")),
    )
    # The grades are compact: a number and a word, the working behind "Why".
    progress = ada.locator("table.pr-progress")
    assert progress.locator(".pr-explain").first.is_hidden()
    row = progress.locator("tbody tr").first
    assert row.evaluate("r => r.getBoundingClientRect().height") < 90
    tabs_answer_keys_and_addresses(journey, INSTRUCTOR, "pr-rubric", "Set-up")
    staff_url = re.sub(r"#.*$", "", frame_of(journey, INSTRUCTOR).url)

    activity = re.search(r"/a/([^/?]+)", staff_url).group(1)  # type: ignore[union-attr]
    t = token(journey, INSTRUCTOR)
    tool = opens(journey, INSTRUCTOR, f"/a/{activity}/grades?t={t}")
    tool.get_by_role("link", name="Send grades to the gradebook…").click()
    tool.get_by_role("button", name="Send grades").click()
    tool.get_by_role("status").filter(has_text=re.compile(r"[Ss]en[dt]")).first.wait_for()
    fits(journey, INSTRUCTOR, "grades after sending")

    audit(
        journey,
        {
            "peer review, staff": staff_url,
            "peer review, learner": frame_of(journey, "sandbox-ben").url,
            "peer review, review form": review_url,
        },
    )


def test_case_discussion_pages_fit_and_confirm_the_case_and_a_nudge(
    journey: Journey,
) -> None:  # noqa: F811 - pytest fixture
    link = journey.deep_link(
        "Case discussion",
        "Fit: case discussion",
        **{"case_discussion.group_size_min": "3", "case_discussion.group_size_max": "3"},
    )
    ada = journey.launch(INSTRUCTOR, link)
    staff_page_is_short(
        journey,
        INSTRUCTOR,
        "case discussion, staff",
        ["Groups", "Discussions", "Set-up", "Checks & results", "Settings"],
        ada.get_by_role("button", name="Form groups", exact=True),
    )
    open_tab(ada, "Set-up")
    ada.get_by_role("link", name="Write the case").click()
    ada.get_by_role("heading", name="The case", level=1).wait_for()
    ada.get_by_label("Title").fill("The merger rumour")
    ada.get_by_label("The case", exact=True).fill("A rumour spreads on a Friday afternoon.")
    ada.get_by_role("button", name="Save the case").click()
    confirmed(journey, INSTRUCTOR, "Case saved.")
    assert ada.get_by_role("tab", selected=True).inner_text() == "Set-up"

    open_tab(ada, "Groups")
    ada.get_by_role("button", name="Form groups", exact=True).click()
    ada.get_by_role("heading", name=re.compile(r"Draft groups")).wait_for()
    confirmed(journey, INSTRUCTOR, "Draft groups formed.")
    override = ada.get_by_label("Publish anyway, although some groups break a rule")
    if override.count():
        override.check()
    ada.get_by_role("button", name="Publish these groups").click()
    ada.get_by_role("heading", name=re.compile(r"Published groups")).wait_for()
    fits(journey, INSTRUCTOR, "case discussion, staff")
    assert frame_of(journey, INSTRUCTOR).evaluate(_CONTENT) <= TWO_SCREENS
    staff_url = re.sub(r"#.*$", "", frame_of(journey, INSTRUCTOR).url)

    open_tab(ada, "Discussions")
    ada.get_by_role("link", name=re.compile(r"^Participation")).first.click()
    ada.get_by_role("heading", name="Send a gentle nudge").wait_for()
    fits(journey, INSTRUCTOR, "participation")
    participation_url = frame_of(journey, INSTRUCTOR).url
    ada.get_by_role("button", name="Send the nudge").first.click()
    confirmed(journey, INSTRUCTOR, "Nudge sent.")

    journey.launch("sandbox-ben", link)
    fits(journey, "sandbox-ben", "case discussion, learner")
    audit(
        journey,
        {
            "case discussion, staff": staff_url,
            "participation": participation_url,
            "case discussion, learner": frame_of(journey, "sandbox-ben").url,
        },
    )


def test_journal_pages_fit_and_confirm_an_entry_and_the_check_in(
    journey: Journey, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: F811 - pytest fixture
    link = journey.deep_link("Reflection journal", "Fit: journal")
    sub = "sandbox-ben"
    tool = journey.launch(sub, link)
    tool.get_by_label(WHAT).fill("I interrupted twice.")
    tool.get_by_label(SO_WHAT).fill("People stop offering ideas.")
    tool.get_by_label(NOW_WHAT).fill("Count to three.")
    tool.get_by_role("button", name="Save the entry").click()
    confirmed(journey, sub, "Entry saved.")
    tool.get_by_label("What I will try", exact=True).fill("Let others speak first")
    tool.get_by_label("By when (YYYY-MM-DD)", exact=True).fill("2027-01-15")
    tool.get_by_label("How I will know it worked", exact=True).fill("Everyone speaks first")
    tool.get_by_role("button", name="Add to my plan").click()
    confirmed(journey, sub, "Action plan item added.")
    fits(journey, sub, "journal, learner")
    learner_url = frame_of(journey, sub).url

    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(days=30, minutes=5))
    tool = journey.launch(sub, link)
    tool.get_by_role("link", name="Answer the check-in").first.click()
    tool.get_by_role("heading", name="Your 30-day check-in").wait_for()
    fits(journey, sub, "journal check-in")
    checkin_url = frame_of(journey, sub).url
    tool.get_by_role("group", name=re.compile("Let others speak first")).get_by_label(
        "Tried it"
    ).check()
    tool.get_by_role("group", name=re.compile("How confident")).get_by_label(
        "4", exact=True
    ).check()
    tool.get_by_role("button", name="Send my check-in").click()
    confirmed(journey, sub, "Your check-in answer is saved.")

    ada = journey.launch(INSTRUCTOR, link)
    staff_page_is_short(
        journey,
        INSTRUCTOR,
        "journal, staff",
        ["Progress", "Entries", "Checks & results", "Settings"],
        ada.locator("table[data-figures]"),
    )
    audit(
        journey,
        {
            "journal, learner": learner_url,
            "journal check-in": checkin_url,
            "journal, staff": frame_of(journey, INSTRUCTOR).url,
        },
    )


def test_the_sandbox_ignores_frame_resizes_from_other_origins_and_windows(
    journey: Journey,
) -> None:  # noqa: F811 - pytest fixture
    link = journey.deep_link("Role-play pairings", "Fit: spoofed resize")
    journey.launch(INSTRUCTOR, link)
    page = journey.pages[INSTRUCTOR]
    box = page.locator("iframe[name=tool]")
    before = box.evaluate("f => f.style.height")
    # The LMS page itself (not the tool frame) posting the message: ignored.
    page.evaluate(
        "() => window.postMessage({subject: 'lti.frameResize', height: 4321}, location.origin)"
    )
    page.wait_for_timeout(300)
    assert box.evaluate("f => f.style.height") == before
    assert f"{CTX}" in page.url
