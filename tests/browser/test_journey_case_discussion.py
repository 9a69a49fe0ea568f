"""A case discussion's whole journey in a real Chromium, inside the sandbox LMS's
iframe, with third-party cookies phased out (every launch confirmed through
Platform Storage, ``storage=1``):

the instructor adds the activity by deep linking, writes the case, forms and
publishes groups; two learners of one group accept the group agreement, start a
thread and reply (the second sees the first's reply arrive without a reload);
the instructor captures a post into the group's summary and publishes it; a third
member of the group, who accepted the agreement but never posted, launches
again and meets "A summary of a discussion you missed" first; a fourth member,
who has not accepted the agreement, is not sent to pages they cannot open yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from lti_app.sandbox.platform import DEMO_USERS
from tests.support.browser import ARTIFACTS, NO_THIRD_PARTY_COOKIES, chromium, open_tab
from tests.test_sandbox_flows import CTX, link_titled, live  # noqa: F401 - fixture

INSTRUCTOR = "sandbox-ada"
SUB_OF = {u.name: u.sub for u in DEMO_USERS}
BROKEN = re.compile(r"Traceback|Something went wrong|Internal Server Error")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(NO_THIRD_PARTY_COOKIES) as found:
        yield found


class People:
    """One browser context (its own storage) per person, as on separate laptops."""

    def __init__(self, browser: Any, live: Any) -> None:  # noqa: F811 - pytest fixture
        self.browser, self.live = browser, live
        self.pages: dict[str, Any] = {}

    def page(self, sub: str) -> Any:
        if sub not in self.pages:
            tab = self.browser.new_context().new_page()
            tab.set_default_timeout(15_000)
            self.pages[sub] = tab
        return self.pages[sub]

    def launch(self, sub: str, link_id: str, heading: str) -> Any:
        """``sub`` opens the link from the LMS: the tool's frame, at the activity page."""
        page = self.page(sub)
        page.goto(
            f"{self.live.url}/sandbox/courses/{CTX}/launch?link={link_id}&user={sub}&storage=1"
        )
        tool = page.frame_locator("iframe[name=tool]")
        tool.get_by_role("heading", name=heading, level=1).wait_for()
        healthy(tool)
        return tool


def healthy(tool: Any) -> None:
    """No stack trace, no generic error page in the frame."""
    text = tool.locator("body").inner_text()
    assert not BROKEN.search(text), text[:2000]


def submit(page: Any, button: Any) -> None:
    """Click a form's button and wait until the frame has loaded the answer."""
    with page.frame(name="tool").expect_navigation():
        button.click()


@pytest.fixture
def people(browser: Any, live: Any, request: pytest.FixtureRequest) -> Iterator[People]:  # noqa: F811
    found = People(browser, live)
    yield found
    failed = getattr(request.node, "rep_call", None)
    for sub, page in found.pages.items():
        if failed is not None and failed.failed:  # one screenshot per person
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{sub}.png"), full_page=True)
        page.context.close()


def test_a_group_discusses_a_case_and_an_absentee_reads_the_summary_first(
    live: Any, people: People
) -> None:  # noqa: F811 - pytest fixture
    title = "Case: the merger rumour"

    # -- the instructor adds the activity by deep linking ------------------------------
    ada = people.page(INSTRUCTOR)
    ada.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}")
    tool = ada.frame_locator("iframe[name=tool]")
    tool.get_by_label("Case discussion").check()
    tool.get_by_label("Title").fill(title)
    # Triads: the demo cohort's reporting chain of three must be split over three groups.
    settings = tool.get_by_role("group", name="Case discussion settings")
    settings.get_by_label(re.compile(r"^Smallest group")).fill("3")
    settings.get_by_label(re.compile(r"^Largest group")).fill("3")
    tool.get_by_role("button", name="Add activity").click()
    tool.get_by_text(title, exact=True).wait_for()
    link = link_titled(live, title)

    # -- writes the case, forms and publishes groups -----------------------------------
    tool = people.launch(INSTRUCTOR, link["id"], title)
    open_tab(tool, "Set-up")
    tool.get_by_role("link", name="Write the case").click()
    tool.get_by_role("heading", name="The case", level=1).wait_for()
    tool.get_by_label("Title").fill("The merger rumour")
    tool.get_by_label("The case", exact=True).fill(
        "A rumour of a merger spreads through your team on a Friday afternoon.\n\n"
        "What do you say on Monday morning?"
    )
    tool.get_by_role("button", name="Save the case").click()
    tool.get_by_role("link", name="Edit the case").wait_for()  # back on the activity page
    tool.get_by_text("What do you say on Monday morning?").wait_for()
    healthy(tool)
    open_tab(tool, "Groups")
    tool.get_by_role("button", name="Form groups", exact=True).click()
    tool.get_by_role("heading", name=re.compile(r"Draft groups")).wait_for()
    healthy(tool)
    override = tool.get_by_label("Publish anyway, although some groups break a rule")
    if override.count():
        override.check()
    tool.get_by_role("button", name="Publish these groups").click()
    published = tool.get_by_role("heading", name=re.compile(r"Published groups"))
    published.wait_for()
    healthy(tool)
    groups: list[list[str]] = []
    for article in tool.locator("#groups article.grouping-group").all():
        names = [n.inner_text() for n in article.locator(".grouping-members li strong").all()]
        groups.append([SUB_OF[n] for n in names])
    assert len(groups) >= 3 and all(len(g) >= 3 for g in groups), groups
    members = max(groups, key=len)  # 10 people in triads: one group is of four
    first, second, absentee, newcomer = members  # the newcomer never accepts the agreement

    # -- two learners of the group accept the agreement and discuss --------------------
    def join(sub: str) -> Any:
        tool = people.launch(sub, link["id"], title)
        tool.get_by_role("button", name="I accept the group agreement").click()
        tool.locator("legend", has_text="Start a thread").wait_for()
        healthy(tool)
        assert "What do you say on Monday morning?" in tool.locator("main").inner_text()
        return tool

    join(absentee)  # accepts the agreement, reads the case, then never posts
    one = join(first)
    one.get_by_label("Title").fill("What we can and cannot say")
    one.get_by_label(re.compile(r"^Your first post")).fill(
        "I would say what I know, and what I do not know yet."
    )
    one.get_by_role("button", name="Post", exact=True).click()
    one.get_by_role("heading", name="What we can and cannot say", level=1).wait_for()
    healthy(one)

    two = join(second)
    two.get_by_role("link", name="What we can and cannot say").click()
    two.get_by_text("I would say what I know, and what I do not know yet.").wait_for()
    two.locator("#cd-live").wait_for()  # the polling script runs
    two_frame = people.page(second).frame(name="tool")
    two_frame.evaluate("window.stillTheSamePage = true")

    # The first learner replies; the second sees it arrive in the open thread.
    one.get_by_label(re.compile(r"^Your reply")).fill("And when we will know more: Wednesday.")
    one.get_by_role("button", name="Post", exact=True).click()
    one.locator("#cd-posts li", has_text="And when we will know more: Wednesday.").wait_for()
    healthy(one)
    two.locator("#cd-posts li", has_text="And when we will know more: Wednesday.").wait_for(
        timeout=20_000
    )
    assert two_frame.evaluate("window.stillTheSamePage === true")  # no reload
    two.get_by_label(re.compile(r"^Your reply")).fill("Agreed, and no guessing about names.")
    two.get_by_role("button", name="Post", exact=True).click()
    two.locator("#cd-posts li", has_text="Agreed, and no guessing about names.").wait_for()
    healthy(two)
    one.locator("#cd-posts li", has_text="Agreed, and no guessing about names.").wait_for(
        timeout=20_000
    )
    # The second found the first post useful.
    opening = two.locator("#cd-posts li", has_text="I would say what I know")
    opening.get_by_role("button", name=re.compile(r"^This helped")).click()
    opening.locator("button[aria-pressed=true]", has_text="This helped · 1").wait_for()
    healthy(two)

    # -- the instructor captures a post into the summary and publishes it --------------
    tool = people.launch(INSTRUCTOR, link["id"], title)
    open_tab(tool, "Discussions")
    row = tool.locator(".cd-group-row", has_text=people_name(first))
    row.get_by_role("link", name="Threads").click()
    tool.get_by_role("link", name="What we can and cannot say").click()
    post = tool.locator("#cd-posts li", has_text="I would say what I know")
    post.get_by_label("Summary section").select_option(label="Strategies")
    submit(ada, post.get_by_role("button", name="Capture insight"))
    healthy(tool)
    tool.get_by_role("link", name=re.compile(r"^Back to")).click()
    row = tool.locator(".cd-group-row", has_text=people_name(first))
    row.get_by_role("link", name="Summary editor").click()
    tool.get_by_role("heading", name=re.compile(r"^Summary of group")).wait_for()
    captured = tool.locator("#section-strategies .cd-item")
    assert "I would say what I know" in captured.inner_text()
    did_not_post = tool.get_by_text(re.compile(r"^Did not post:")).inner_text()
    assert people_name(absentee) in did_not_post
    assert people_name(first) not in did_not_post and people_name(second) not in did_not_post
    submit(ada, tool.get_by_role("button", name="Publish to the whole group"))
    tool.get_by_text("published", exact=True).wait_for()
    healthy(tool)

    # -- the member who never posted meets the summary first ---------------------------
    tool = people.launch(absentee, link["id"], title)
    notices = tool.locator("section.notices")
    first_notice = notices.locator("li").first
    assert "A summary of a discussion you missed" in first_notice.inner_text()
    # The notices come first, before the activity itself.
    assert tool.locator("main > :first-child").get_attribute("class") == "card notices"
    first_notice.get_by_role("link", name="Read the summary first").click()
    tool.get_by_text("I would say what I know, and what I do not know yet.").wait_for()
    healthy(tool)

    # A member who has not accepted the group agreement cannot open the group's pages
    # yet, so is not sent there: the agreement comes first, no summary notice.
    tool = people.launch(newcomer, link["id"], title)
    tool.get_by_role("button", name="I accept the group agreement").wait_for()
    assert tool.locator("[data-notice=summary]").count() == 0


def people_name(sub: str) -> str:
    return next(u.name for u in DEMO_USERS if u.sub == sub)
