"""Findings 6 and 7 of issue 15 in a real Chromium, inside the sandbox LMS's iframe:

6. a reply "Agree with @<name>" captured into a published summary shows in the
   course's insights library — which promises "Entries do not name who said
   what" — as "Agree with a peer", with no member's name on the page;
7. minutes after the learners' first launch, the instructor's L&D dashboard says
   nobody has dropped out (and states the rule), and with a pre-check taken but
   no post-check open, attrition is not shown as a number — on the dashboard
   and in the sponsor report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from lti_app.sandbox.platform import DEMO_USERS
from tests.browser.test_journey_case_discussion import (
    INSTRUCTOR,
    SUB_OF,
    People,
    healthy,
    people_name,
    submit,
)
from tests.support.browser import ARTIFACTS, NO_THIRD_PARTY_COOKIES, chromium, open_tab
from tests.test_sandbox_flows import CTX, link_titled, live  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(NO_THIRD_PARTY_COOKIES) as found:
        yield found


@pytest.fixture
def people(browser: Any, live: Any, request: pytest.FixtureRequest) -> Iterator[People]:  # noqa: F811
    found = People(browser, live)
    yield found
    failed = getattr(request.node, "rep_call", None)
    for sub, page in found.pages.items():
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{sub}.png"), full_page=True)
        page.context.close()


def given_name(sub: str) -> str:
    return next(u.given_name for u in DEMO_USERS if u.sub == sub)


def test_the_library_names_nobody_and_newcomers_are_not_dropouts(live: Any, people: People) -> None:  # noqa: F811 - pytest fixture
    title = "Case: the rota dispute"
    ada = people.page(INSTRUCTOR)
    ada.goto(f"{live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}")
    tool = ada.frame_locator("iframe[name=tool]")
    tool.get_by_label("Case discussion").check()
    tool.get_by_label("Title").fill(title)
    settings = tool.get_by_role("group", name="Case discussion settings")
    settings.get_by_label(re.compile(r"^Smallest group")).fill("3")
    settings.get_by_label(re.compile(r"^Largest group")).fill("3")
    tool.get_by_role("button", name="Add activity").click()
    tool.get_by_text(title, exact=True).wait_for()
    link = link_titled(live, title)

    # -- the instructor adds a pre/post-check question and forms groups ---------------
    tool = people.launch(INSTRUCTOR, link["id"], title)
    open_tab(tool, "Checks & results")
    tool.get_by_label("Question or statement").fill("What comes first in a hard conversation?")
    tool.get_by_label("Options, one per line (knowledge questions)").fill("Listening\nTelling")
    tool.get_by_label("Number of the correct option").fill("1")
    submit(ada, tool.get_by_role("button", name="Add the item"))
    tool.get_by_text("What comes first in a hard conversation?").first.wait_for()
    healthy(tool)
    open_tab(tool, "Groups")
    tool.get_by_role("button", name="Form groups", exact=True).click()
    tool.get_by_role("heading", name=re.compile(r"Draft groups")).wait_for()
    override = tool.get_by_label("Publish anyway, although some groups break a rule")
    if override.count():
        override.check()
    tool.get_by_role("button", name="Publish these groups").click()
    tool.get_by_role("heading", name=re.compile(r"Published groups")).wait_for()
    healthy(tool)
    groups = [
        [SUB_OF[n.inner_text()] for n in article.locator(".grouping-members li strong").all()]
        for article in tool.locator("#groups article.grouping-group").all()
    ]
    first, second = max(groups, key=len)[:2]

    # -- two members talk; the second mentions the first and takes the pre-check ------
    def join(sub: str) -> Any:
        tab = people.launch(sub, link["id"], title)
        tab.get_by_role("button", name="I accept the group agreement").click()
        tab.locator("legend", has_text="Start a thread").wait_for()
        healthy(tab)
        return tab

    one = join(first)
    one.get_by_label("Title").fill("Who covers the weekend")
    one.get_by_label(re.compile(r"^Your first post")).fill("Swap shifts openly, in a list.")
    one.get_by_role("button", name="Post", exact=True).click()
    one.get_by_role("heading", name="Who covers the weekend", level=1).wait_for()
    mention = f"Agree with @{given_name(first)}: a shared list ends the rumours."
    two = join(second)
    two.get_by_label("Listening").check()
    submit(people.page(second), two.get_by_role("button", name="Submit the pre-check"))
    two.get_by_text("You took the pre-check").wait_for()
    two.get_by_role("link", name="Who covers the weekend").click()
    two.get_by_label(re.compile(r"^Your reply")).fill(mention)
    two.get_by_role("button", name="Post", exact=True).click()
    two.locator("#cd-posts li", has_text="a shared list ends the rumours").wait_for()
    healthy(two)

    # -- the instructor captures the reply and publishes the summary ------------------
    tool = people.launch(INSTRUCTOR, link["id"], title)
    open_tab(tool, "Discussions")
    row = tool.locator(".cd-group-row", has_text=people_name(first))
    row.get_by_role("link", name="Threads").click()
    tool.get_by_role("link", name="Who covers the weekend").click()
    post = tool.locator("#cd-posts li", has_text="a shared list ends the rumours")
    post.get_by_label("Summary section").select_option(label="Ideas")
    submit(ada, post.get_by_role("button", name="Capture insight"))
    tool.get_by_role("link", name=re.compile(r"^Back to")).click()
    row = tool.locator(".cd-group-row", has_text=people_name(first))
    row.get_by_role("link", name="Summary editor").click()
    assert mention in tool.locator("#section-ideas .cd-item").inner_text()
    submit(ada, tool.get_by_role("button", name="Publish to the whole group"))
    tool.get_by_text("published", exact=True).wait_for()
    healthy(tool)

    # -- finding 6: the library names nobody ------------------------------------------
    one = people.launch(first, link["id"], title)
    one.get_by_role("link", name="Insights library of this course").click()
    one.get_by_role("heading", name="Insights library", level=1).wait_for()
    healthy(one)
    library = one.locator("main").inner_text()
    assert "Entries do not name who said what" in library
    assert "Agree with a peer: a shared list ends the rumours." in library
    for sub in (first, second):
        for name in people_name(sub).split():
            assert not re.search(rf"\b{re.escape(name)}\b", library, re.IGNORECASE), name
    assert "@" not in library

    # -- finding 7: nobody has dropped out minutes after launching; no attrition yet --
    tool = people.launch(INSTRUCTOR, link["id"], title)
    open_tab(tool, "Checks & results")
    tool.get_by_role("link", name="L&D dashboard of this course").click()
    tool.get_by_role("heading", name=re.compile(r"^L&D dashboard")).wait_for()
    healthy(tool)
    turnover = tool.locator("section[aria-labelledby=h-turn]").inner_text()
    assert "Nobody has dropped out." in turnover
    assert "once 21 days have passed since they last opened Peerlift" in turnover
    assert "Who dropped out" not in turnover and "never took part" not in turnover
    learning = tool.locator("section[aria-labelledby=h-learn]").inner_text()
    assert (
        "Shows once the post-check opens; it has not opened yet (1 took the pre-check "
        "so far)." in learning
    )
    participation = tool.locator("section[aria-labelledby=h-part]").inner_text()
    assert (
        "Not in the funnel yet: took a post-check and answered the feedback survey" in participation
    )
    tool.get_by_role("link", name="Sponsor report (printable)").click()
    tool.get_by_role("heading", name=re.compile(r"^Peer learning programme")).wait_for()
    report = tool.locator("main").inner_text()
    assert "attrition shows once the post-check opens (not open yet)" in report
    assert not re.search(r"attrition \d", report)
    healthy(tool)
