"""Role-play pairings, the whole journey in a real Chromium inside the sandbox LMS.

Third-party cookies are phased out (Chromium flag) and every launch asks for the
Platform Storage path (``storage=1``), so each person's session rides in the
frame's URL token. The instructor adds the activity by deep linking and writes a
scenario and a checklist; a learner without intake answers fills in the survey;
the group's learners accept the group agreement; the instructor forms and
publishes groups; Ben's group plays round 1 (start, end), the observers send
the checklist and feedback, the practitioner rates themselves and reads it. The
end state is checked as people see it: the practitioner's page, the instructor's
dashboard and the sandbox's gradebook (this app runs its grade jobs in the
embedded background runner, so the completion scores really reach the LMS
through AGS). No page of the journey may answer with an error status or show a
stack trace or "Something went wrong".

Also a small home for what the journey tests share: the live app with jobs on,
a Chromium without third-party cookies, and a ``Journey`` of people.

Note: the sandbox and the tool share one origin (127.0.0.1) in these tests, so
the cookie flag alone would not cut the tool off; ``storage=1`` is what forces
the Platform Storage launch (the sandbox drops the tool's state cookie).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lti_app.sandbox.platform import DEMO_USERS
from tests.support.browser import NO_THIRD_PARTY_COOKIES, chromium, open_tab, screenshot_if_failed
from tests.test_sandbox_flows import CTX, Live, link_titled, running_sandbox

INSTRUCTOR = "sandbox-ada"
NAMES = {u.sub: u.name for u in DEMO_USERS}
SUBS = {u.name: u.sub for u in DEMO_USERS}
#: A completion score as the sandbox's gradebook shows it ("100.0 / 100.0").
FULL_MARKS = re.compile(r"\b100(\.0+)? / 100(\.0+)?\b")
#: What no page of a journey may show.
BROKEN = ("Traceback", "Something went wrong", "Internal Server Error", "jinja2.exceptions")


# -- shared by the journey tests --------------------------------------------------------
@pytest.fixture(scope="module")
def live_jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The tool with the sandbox LMS on a real port, as ``tests.test_sandbox_flows.live``
    (where jobs are off), but with the embedded job runner of a SQLite deployment
    (``JOBS_MODE=thread``, sweeping every second): completion scores reach the
    sandbox's gradebook over AGS, as in the demo. (``eager`` is no good here: it
    runs the job inside the committing request, and on SQLite the job's claim then
    waits on the request's own lock.)"""
    with running_sandbox(
        tmp_path_factory.mktemp("journey"), JOBS_MODE="thread", JOBS_SWEEP_S=1
    ) as found:
        yield found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(NO_THIRD_PARTY_COOKIES) as found:
        yield found


class Journey:
    """People of one journey, each in their own browser context (nothing shared but
    the LMS); every page they load is checked for server errors."""

    def __init__(self, live: Live, browser: Any):
        self.live, self.browser = live, browser
        self.pages: dict[str, Any] = {}
        self.last: Any = None
        self.failures: list[str] = []

    def page(self, sub: str) -> Any:
        if sub not in self.pages:
            tab = self.browser.new_context().new_page()
            tab.set_default_timeout(15_000)
            tab.on("response", self._watch)
            self.pages[sub] = tab
        self.last = self.pages[sub]
        return self.last

    def _watch(self, response: Any) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.failures.append(f"{response.status} {response.url}")

    def deep_link(self, activity_type: str, title: str, **settings: str) -> dict[str, Any]:
        """The instructor adds an activity from the LMS's deep-linking page."""
        page = self.page(INSTRUCTOR)
        page.goto(f"{self.live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}&storage=1")
        tool = page.frame_locator("iframe[name=tool]")
        tool.get_by_label(activity_type, exact=True).check()
        tool.get_by_label("Title", exact=True).fill(title)
        for name, value in settings.items():
            field = tool.locator(f"[name='{name}']")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        tool.get_by_role("button", name="Add activity").click()
        tool.get_by_text(title, exact=True).wait_for()  # the LMS's "Added to …" page
        self.check(INSTRUCTOR)
        return link_titled(self.live, title)

    def launch(self, sub: str, link: dict[str, Any]) -> Any:
        """``sub`` opens the activity from the course: in the LMS iframe, Platform Storage."""
        page = self.page(sub)
        page.goto(
            f"{self.live.url}/sandbox/courses/{CTX}/launch?link={link['id']}&user={sub}&storage=1"
        )
        tool = page.frame_locator("iframe[name=tool]")
        tool.get_by_role("heading", level=1, name=link["title"]).wait_for()
        # Confirmed through Platform Storage: the frame's address becomes the page's
        # reloadable GET address, the session riding in its token.
        frame = page.frame(name="tool")
        assert frame is not None
        frame.wait_for_url(re.compile(r"/a/[^?]+\?(.*&)?t="))
        self.check(sub)
        return tool

    def frame_text(self, sub: str) -> str:
        frame = self.pages[sub].frame(name="tool")
        assert frame is not None
        return str(frame.locator("body").inner_text())

    def check(self, sub: str) -> str:
        """No stack trace nor error page in the LMS page or the tool's frame."""
        page = self.last = self.pages[sub]
        texts = [page.locator("body").inner_text()]
        if page.frame(name="tool") is not None:
            texts.append(self.frame_text(sub))
        for text in texts:
            for sign in BROKEN:
                assert sign not in text, f"{sub} sees {sign!r}:\n{text[:3000]}"
        assert not self.failures, self.failures
        return texts[-1]

    def gradebook(
        self,
        link: dict[str, Any],
        subs: list[str],
        wanted: re.Pattern[str],
        tag: str = "peerlift-completion",
        seconds: float = 15,
    ) -> dict[str, str]:
        """Each learner's cell of ``link``'s line item tagged ``tag`` on the sandbox's
        Grades page, reloaded (the scores are sent by the background job runner)
        until every one of ``subs`` shows ``wanted`` or ``seconds`` have passed."""
        page = self.page(INSTRUCTOR)
        deadline = time.monotonic() + seconds
        while True:
            page.goto(f"{self.live.url}/sandbox/grades")
            self.check(INSTRUCTOR)
            headers = page.locator("table.gradebook thead th").all_inner_texts()
            column = next(
                (i for i, h in enumerate(headers) if link["title"] in h and f"tag {tag}" in h), None
            )
            cells = {}
            if column is not None:  # the tool creates some line items with the first score
                for row in page.locator("table.gradebook tbody tr").all():
                    cells[SUBS[row.locator("th").inner_text().strip()]] = str(
                        row.locator("th, td").nth(column).inner_text()
                    )
            if all(wanted.search(cells.get(s, "")) for s in subs):
                return cells
            assert time.monotonic() < deadline, (
                f"no {wanted.pattern} for {subs} under {tag} in time",
                headers,
                cells,
            )
            page.wait_for_timeout(200)

    def close(self, request: pytest.FixtureRequest) -> None:
        if self.last is not None:
            screenshot_if_failed(request, self.last)
        for tab in self.pages.values():
            tab.context.close()


@pytest.fixture
def journey(live_jobs: Live, browser: Any, request: pytest.FixtureRequest) -> Iterator[Journey]:
    found = Journey(live_jobs, browser)
    yield found
    found.close(request)


# -- role-play ---------------------------------------------------------------------------
TITLE = "Difficult conversations, in the browser"
SCENARIO = "Late delivery to a key client"
CHECKLIST = (
    "Listening: Reflects back what the client said\n"
    "Questions: Asks open questions before proposing a fix"
)
FEEDBACK = "You reflected the client's worry well. Next time ask before proposing a fix."


def _intake(journey: Journey, sub: str, tool: Any) -> None:
    """A learner without intake answers fills in the survey, then sees the agreement."""
    tool.get_by_role("link", name="Start the survey").click()
    tool.get_by_role("heading", name="About your work").wait_for()
    journey.check(sub)
    tool.get_by_label("Your role or job title").fill("Account manager")
    tool.get_by_label("Your level in the organisation").select_option(index=2)
    tool.get_by_label("Years of experience in roles like this").fill("4")
    tool.get_by_label("Your function").fill("Sales")
    tool.get_by_label("Your organisation").fill("Acme Ltd")
    tool.locator("input[name=challenges]").first.check()
    tool.get_by_role("button", name="Save my answers").click()
    tool.get_by_role("heading", name="Step 2 of 2: the group agreement").wait_for()
    journey.check(sub)


def _accept(journey: Journey, sub: str, tool: Any) -> None:
    tool.get_by_role("button", name="I accept the group agreement").click()
    tool.get_by_role("heading", name="Your group").wait_for()
    journey.check(sub)


def _rate(tool: Any, form: Any, value: str) -> None:
    """Pick ``value`` on every checklist item of ``form``."""
    items = form.locator("fieldset.rp-item")
    for i in range(items.count()):
        items.nth(i).locator(f"input[type=radio][value='{value}']").check()


def test_role_play_journey_from_deep_link_to_gradebook(journey: Journey) -> None:
    # The instructor adds the activity (triads, one round) and sets it up.
    link = journey.deep_link("Role-play pairings", TITLE, **{"role_play.rounds": "1"})
    ada = journey.launch(INSTRUCTOR, link)
    open_tab(ada, "Set-up")
    ada.get_by_role("link", name="Add a scenario").click()
    ada.get_by_role("heading", name="A new scenario").wait_for()
    journey.check(INSTRUCTOR)
    ada.get_by_label("Title").fill(SCENARIO)
    ada.get_by_label("Practitioner's card").fill(
        "Tell the client the order is late; keep the relationship."
    )
    ada.get_by_label("Client's card").fill("You are upset: your launch depends on it.")
    ada.get_by_label("Observer's card").fill("Watch how the practitioner listens.")
    ada.get_by_role("button", name="Save the scenario").click()
    ada.locator("ol.rp-scenarios").get_by_text(SCENARIO).wait_for()
    ada.get_by_role("link", name="Edit the checklist").click()
    ada.get_by_text("Import/export as text").click()
    ada.get_by_label("The checklist as text").fill(CHECKLIST)
    ada.get_by_role("button", name="Load this text into the form").click()
    # The page comes back with the rows filled in: save that page, not the one before it.
    expect(ada.get_by_label("Skill, item 1")).to_have_value("Listening")
    ada.get_by_role("button", name="Save the checklist").click()
    ada.locator("#done[role=status]").get_by_text("Observer checklist saved.").wait_for()
    ada.get_by_role("link", name="Back to the activity").click()
    open_tab(ada, "Checks & results")
    ada.locator("ul.rp-bars").get_by_text("Listening").wait_for()
    journey.check(INSTRUCTOR)

    # Ben has no intake answers yet: survey, then the agreement.
    ben = journey.launch("sandbox-ben", link)
    ben.get_by_role("heading", name="Step 1 of 2: tell us about your work").wait_for()
    _intake(journey, "sandbox-ben", ben)
    _accept(journey, "sandbox-ben", ben)
    ben.get_by_text("You're not grouped yet").wait_for()

    # The instructor forms groups and publishes them.
    ada = journey.launch(INSTRUCTOR, link)
    ada.get_by_role("button", name="Form groups").click()
    ada.get_by_role("heading", name=re.compile(r"^Draft groups")).wait_for()
    journey.check(INSTRUCTOR)
    override = ada.get_by_label("Publish anyway, although some groups break a rule")
    if override.count():
        override.check()
    ada.get_by_role("button", name="Publish these groups").click()
    published = ada.get_by_role("heading", name=re.compile(r"^Published groups"))
    published.wait_for()
    journey.check(INSTRUCTOR)
    # Ben's group, as the instructor's published list shows it.
    group = ada.locator("article.grouping-group").filter(has_text=NAMES["sandbox-ben"])
    names = [
        re.sub(r"\s+—.*$", "", n).strip()
        for n in group.locator("ul.grouping-members li strong").all_inner_texts()
    ]
    members = [SUBS[n] for n in names]
    assert "sandbox-ben" in members and len(members) in (3, 4), names

    # Everyone in the group accepts the agreement and sees their round and role.
    tools: dict[str, Any] = {}
    roles: dict[str, str] = {}
    for sub in members:
        tool = journey.launch(sub, link)
        if sub != "sandbox-ben":
            _accept(journey, sub, tool)
        tool.get_by_role("heading", name="Role-play rounds").wait_for()
        for other in members:
            tool.locator("ul.my-group").get_by_text(NAMES[other]).wait_for()
        # Ben's survey answer is what his group sees of him.
        tool.locator("ul.my-group").get_by_text("Account manager").wait_for()
        role = tool.get_by_text(re.compile(r"^Your role: ")).inner_text()
        roles[sub] = role.removeprefix("Your role: ").strip().lower()
        tools[sub] = tool
    practitioner = next(s for s, r in roles.items() if r == "practitioner")
    observers = [s for s, r in roles.items() if r == "observer"]
    client = next(s for s, r in roles.items() if r == "client")
    assert observers and len(observers) == len(members) - 2, roles
    # While the round is played each role sees only their own card.
    assert "Watch how the practitioner listens." not in journey.frame_text(practitioner)

    # The practitioner starts round 1 and ends it; feedback is now due.
    tool = tools[practitioner]
    tool.get_by_role("button", name="Start round 1").click()
    tool.get_by_role("button", name="End the role-play: feedback is due").click()
    tool.get_by_role("heading", name="Rate yourself on the same checklist").wait_for()
    journey.check(practitioner)

    # Only observers owe feedback: the client gets no form.
    tool = journey.launch(client, link)
    tool.get_by_role("heading", name="Observer's card").wait_for()  # all cards: it ended
    assert tool.get_by_role("button", name="Send feedback").count() == 0

    # The observers send the checklist and written feedback.
    for sub in observers:
        tool = journey.launch(sub, link)
        form = tool.locator("form.rp-form").filter(
            has=tool.get_by_role("button", name="Send feedback")
        )
        _rate(tool, form, "3")
        form.get_by_label("Feedback for the practitioner").fill(FEEDBACK)
        form.get_by_role("button", name="Send feedback").click()
        tool.get_by_role("heading", name="Your feedback (you can change it)").wait_for()
        journey.check(sub)

    # The practitioner rates themselves, then compares and reads the feedback.
    tool = journey.launch(practitioner, link)
    form = tool.locator("form.rp-form").filter(
        has=tool.get_by_role("button", name="Save my self-rating")
    )
    _rate(tool, form, "4")
    form.get_by_role("button", name="Save my self-rating").click()
    tool.get_by_role("heading", name="You and your observers").wait_for()
    for sub in observers:
        tool.get_by_role("heading", name=f"Feedback from {NAMES[sub]}").wait_for()
    tool.get_by_text(FEEDBACK).first.wait_for()
    tool.get_by_text("You have completed this role-play.").wait_for()
    seen = journey.check(practitioner)
    assert "you rated yourself 1.0 higher" in seen
    assert "Watch how the practitioner listens." in seen  # all cards, now that it ended

    # Every member is complete: on their own page, on the dashboard, in the LMS.
    other = next(s for s in members if s != practitioner)
    tool = journey.launch(other, link)
    tool.get_by_text("You have completed this role-play.").wait_for()
    ada = journey.launch(INSTRUCTOR, link)
    open_tab(ada, "Rounds")
    dashboard = journey.check(INSTRUCTOR)
    assert f"{len(members)} learners complete" in dashboard
    open_tab(ada, "Checks & results")
    dashboard = journey.check(INSTRUCTOR)
    assert "3.0 of 4" in dashboard  # the observers' ratings, by skill
    cells = journey.gradebook(link, members, FULL_MARKS)
    for sub in members:
        assert FULL_MARKS.search(cells[sub]) and "Role-play complete" in cells[sub], (sub, cells)
    # Nobody outside Ben's group has a completion.
    assert [s for s, c in cells.items() if FULL_MARKS.search(c) and s not in members] == []


# -- every member practises: a group of four -----------------------------------------------
FOURS = "Role-play in fours, in the browser"
TURN = re.compile(r"You are the practitioner in round (\d+)\.")


def _make_group_one_of_four(journey: Journey, ada: Any) -> list[str]:
    """In the draft, move people so that group 1 has exactly four members (the
    engine's sizes depend on the cohort); returns their names."""

    def members(position: int) -> list[str]:
        group = ada.locator("article.grouping-group").filter(
            has=ada.get_by_role("heading", name=re.compile(rf"^Group {position}\b"))
        )
        return [
            re.sub(r"\s+—.*$", "", n).strip()
            for n in group.locator("ul.grouping-members li strong").all_inner_texts()
        ]

    first = members(1)
    count = ada.locator("article.grouping-group").count()
    others = [n for p in range(2, count + 1) for n in members(p)]
    moves = {name: "Group 1" for name in others[: max(0, 4 - len(first))]}
    moves.update({name: "Group 2" for name in first[4:]})
    if moves:
        for name, target in moves.items():
            ada.get_by_label(f"Move {name} to").select_option(label=target)
        ada.get_by_role("button", name="Save moves").click()
        deadline = time.monotonic() + 15
        while len(members(1)) != 4 and time.monotonic() < deadline:  # the page reloads
            journey.pages[INSTRUCTOR].wait_for_timeout(200)
        journey.check(INSTRUCTOR)
    found = members(1)
    assert len(found) == 4, found
    return found


def test_a_group_of_four_plays_four_rounds_and_everyone_practises(journey: Journey) -> None:
    # The instructor adds a role-play with the default settings (triads, rounds left
    # to Peerlift) and, in the draft, makes group 1 a group of four, as a late
    # joiner or an uneven cohort would.
    link = journey.deep_link("Role-play pairings", FOURS)
    ada = journey.launch(INSTRUCTOR, link)
    ada.get_by_role("button", name="Form groups").click()
    ada.get_by_role("heading", name=re.compile(r"^Draft groups")).wait_for()
    # One round per member: nobody is announced as left out before publishing.
    assert "would never be the practitioner" not in journey.frame_text(INSTRUCTOR)
    names = _make_group_one_of_four(journey, ada)
    published = ada.get_by_role("heading", name=re.compile(r"^Published groups"))
    override = ada.get_by_label("Publish anyway, although some groups break a rule")
    for _attempt in range(2):  # a group that breaks a size rule asks for "anyway"
        if override.count():
            override.check()
        ada.get_by_role("button", name="Publish these groups").click()
        published.or_(override).first.wait_for()
        if published.count():
            break
    published.wait_for()
    # The refusal of the first publish ("some groups break a rule", 422) is expected.
    journey.failures = [
        f for f in journey.failures if not f.startswith("422 ") or not f.endswith("/publish")
    ]
    journey.check(INSTRUCTOR)

    # Each member of group 1 sees four rounds and their own practitioner turn.
    turns: dict[str, int] = {}
    for name in names:
        sub = SUBS[name]
        tool = journey.launch(sub, link)
        accept = tool.get_by_role("button", name="I accept the group agreement")
        if accept.count():
            _accept(journey, sub, tool)
        tool.get_by_role("heading", name="Role-play rounds").wait_for()
        seen = journey.check(sub)
        assert "Your group plays 4 rounds, one per member" in seen, seen[:2000]
        assert "Round 1 of 4" in seen and "of 3" not in seen
        found = TURN.search(" ".join(seen.split()))
        assert found is not None, seen[:2000]
        turns[name] = int(found.group(1))
        rows = tool.locator("table.rp-schedule tbody tr")
        assert rows.count() == 4
    assert sorted(turns.values()) == [1, 2, 3, 4], turns

    # The instructor sees everyone's practice counts: one practitioner turn each.
    ada = journey.launch(INSTRUCTOR, link)
    open_tab(ada, "Rounds")
    ada.locator("details.rp-practice-more > summary").first.click()  # group 1's counts
    table = ada.locator("table.rp-practice").filter(
        has=ada.get_by_text("Practice counts in group 1")
    )
    table.wait_for()
    for name in names:
        cells = (
            table.locator("tr")
            .filter(has=ada.get_by_role("rowheader", name=name))
            .locator("td")
            .all_inner_texts()
        )
        assert cells[:3] == ["1", "1", "2"], (name, cells)
    dashboard = journey.check(INSTRUCTOR)
    assert "Group 1 · 4 rounds" in dashboard
    assert "never practises" not in dashboard
    assert "no practitioner turn planned" not in dashboard
