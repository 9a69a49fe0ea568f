"""End to end through HTTP: an instructor writes a case and makes a learner the
facilitator; the group discusses; the facilitator sees who has not spoken, nudges
them, writes and publishes the four-section summary; the absentee meets it first
at their next launch; the course's insights library lists it; completion is sent
once."""

from __future__ import annotations

import html
import re

from tests.grouping.support import ASHA, BRUNO, CARLA, DEV
from tests.support.lti import INSTRUCTOR

GROUP = (ASHA, BRUNO, CARLA, DEV)


def _notices(page: str) -> list[str]:
    """The kinds of the launch notices, in the order they are shown."""
    return re.findall(r'data-notice="([a-z]+)"', page)


def test_group_discusses_and_the_absentee_finds_the_published_summary_first(cd) -> None:
    staff = cd.setup(GROUP, completion_posts="1")
    group = cd.group_of(ASHA)
    # Staff make Asha the group's facilitator.
    resp = cd.post(staff, f"groups/{group}/facilitators", person=cd.person(ASHA), on="1")
    assert resp.status_code == 303
    page = html.unescape(cd.page(BRUNO))
    assert "The case: The budget freeze" in page and "Your unit's budget is frozen" in page
    assert 'href="https://example.org/guide"' in page
    # Bruno opens a thread; Carla answers and mentions him; Asha joins in. Dev is away.
    thread = cd.new_thread(BRUNO, "Where to cut", "<p>We could pause <em>hiring</em>.</p>")
    assert (
        cd.reply(CARLA, thread, "@Bruno what about sharing staff across teams?").status_code == 303
    )
    assert cd.reply(ASHA, thread, "Let's list options before choosing.").status_code == 303
    page = html.unescape(cd.thread_page(BRUNO, thread).get_data(as_text=True))
    assert "<em>hiring</em>" in page and "sharing staff across teams" in page
    assert "Mentions: Bruno Silva <strong>(you)</strong>" in page
    # Bruno was told he was mentioned at launch, until he opened the thread.
    # The facilitator's participation view: who has not spoken, posts per member.
    asha = cd.visit(ASHA)
    resp = cd.get(asha, f"groups/{group}/participation")
    assert resp.status_code == 200
    view = html.unescape(resp.get_data(as_text=True))
    assert "Not spoken yet:</strong> Dev Sharma" in view
    assert re.search(r"Bruno Silva</th>\s*<td>1</td>", view)
    # A gentle nudge, shown at Dev's next launch from any link.
    resp = cd.post(
        asha,
        f"groups/{group}/nudges",
        person=cd.person(DEV),
        text="Hi Dev, we'd value your view on the budget case.",
    )
    assert resp.status_code == 303
    dev_page = html.unescape(cd.g.enter(DEV).html)
    assert "we'd value your view on the budget case." in dev_page
    assert "nudge" in _notices(dev_page)
    # The summary: capture Carla's post as an idea, write context and a strategy,
    # order by sense, publish.
    posts = cd.post_ids(thread)
    assert cd.post(asha, f"posts/{posts[1]}/capture", section="ideas").status_code == 303
    for section, body in (
        ("context", "Budget frozen mid-year; hiring plans at risk."),
        ("strategies", "Second: review contracts."),
        ("strategies", "First: talk to finance this week."),
        ("resources", "https://example.org/guide"),
    ):
        resp = cd.post(asha, f"groups/{group}/summary/items", section=section, body=body)
        assert resp.status_code == 303, resp.get_data(as_text=True)
    editor = cd.get(asha, f"groups/{group}/summary").get_data(as_text=True)
    item_ids = re.findall(r'id="item-([A-Za-z0-9]+)"', editor)
    assert len(item_ids) == 5
    # Entries are listed section by section: context, ideas, strategies (2), resources.
    assert cd.post(asha, f"summary-items/{item_ids[3]}/move", direction="up").status_code == 303
    # Members cannot read a draft.
    draft = cd.get(cd.visit(BRUNO), f"groups/{group}/summary").get_data(as_text=True)
    assert "has not been published yet" in draft and "talk to finance" not in draft
    assert cd.post(asha, f"groups/{group}/summary/publish").status_code == 303
    # Dev (who never posted) meets the summary first at his next launch.
    dev = cd.g.enter(DEV)
    dev_page = html.unescape(dev.html)
    assert _notices(dev_page)[0] == "summary"
    assert "A summary of a discussion you missed" in dev_page
    summary_url = re.search(r'href="(/cd/[^"]+/summary\?t=[^"]+)"', dev.html)
    assert summary_url is not None
    read = html.unescape(cd.client.get(html.unescape(summary_url.group(1))).get_data(as_text=True))
    assert "Budget frozen mid-year" in read and "sharing staff across teams" in read
    assert read.index("First: talk to finance") < read.index("Second: review contracts")
    assert (
        read.index("Context")
        < read.index("Ideas")
        < read.index("Strategies")
        < read.index("Resources")
    )
    # Once read, the notice is gone.
    assert "discussion you missed" not in html.unescape(cd.g.enter(DEV).html)
    # Those who took part get a plainer notice.
    bruno_page = html.unescape(cd.g.enter(BRUNO).html)
    assert "Your group's summary of" in bruno_page
    # Completion: one post and the summary read.
    assert cd.scores() == []  # Dev has read it but not posted; the others have not read it
    bruno = cd.visit(BRUNO)
    assert cd.get(bruno, f"groups/{group}/summary").status_code == 200
    assert [(s[0], s[1]) for s in cd.scores()] == [(BRUNO.sub, 100.0)]
    assert cd.get(bruno, f"groups/{group}/summary").status_code == 200
    assert cd.reply(BRUNO, thread, "Thanks all.").status_code == 303
    assert cd.scores()[0][2] == 1  # sent once
    assert "completed this discussion" in cd.page(BRUNO)


def test_insights_library_lists_published_summaries_and_searches_them(cd) -> None:
    staff = cd.setup(GROUP)
    group = cd.group_of(ASHA)
    thread = cd.new_thread(BRUNO)
    cd.reply(CARLA, thread, "Idea")
    for section, body in (
        ("ideas", "Rotate the chair of the weekly meeting."),
        ("resources", "The facilitation handbook"),
    ):
        assert (
            cd.post(staff, f"groups/{group}/summary/items", section=section, body=body).status_code
            == 303
        )
    library = cd.client.get("/cd/library", query_string={"t": cd.visit(DEV).token})
    assert library.status_code == 200
    assert "Rotate the chair" not in library.get_data(as_text=True)  # not published yet
    assert cd.post(staff, f"groups/{group}/summary/publish").status_code == 303
    for visit in (cd.visit(DEV), staff):
        page = cd.client.get("/cd/library", query_string={"t": visit.token}).get_data(as_text=True)
        assert "Rotate the chair of the weekly meeting." in page
        assert "The facilitation handbook" in page
    hit = cd.client.get("/cd/library", query_string={"t": staff.token, "q": "weekly"})
    assert "Rotate the chair" in hit.get_data(as_text=True)
    miss = cd.client.get("/cd/library", query_string={"t": staff.token, "q": "100%_x"})
    assert "Rotate the chair" not in miss.get_data(as_text=True)
    assert "Nothing matches" in html.unescape(miss.get_data(as_text=True))
    # A learner who joins the course later reads the library too.
    from tests.grouping.support import ELIF

    newcomer = cd.g.enter(ELIF)
    page = cd.client.get("/cd/library", query_string={"t": newcomer.token}).get_data(as_text=True)
    assert "Rotate the chair" in page
    # It never names who said what.
    assert "Bruno Silva" not in page and "Carla Gomez" not in page
    assert INSTRUCTOR.name not in page


def test_nudges_and_published_summaries_are_emailed_only_when_mail_is_configured(cd) -> None:
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.mail.models import MailMessage

    def mail() -> list[tuple[str, str]]:
        with cd.app.app_context():
            rows = db.session.execute(
                select(MailMessage.to_address, MailMessage.subject).order_by(MailMessage.id)
            ).all()
            db.session.remove()
            return [tuple(r) for r in rows]

    staff = cd.setup(GROUP)
    group = cd.group_of(ASHA)
    assert (
        cd.post(staff, f"groups/{group}/nudges", person=cd.person(DEV), text="Hi Dev").status_code
        == 303
    )
    assert mail() == []  # no SMTP: the notice at launch is enough
    cd.app.config["MAIL_SMTP_HOST"] = "smtp.test"
    assert (
        cd.post(
            staff, f"groups/{group}/nudges", person=cd.person(DEV), text="Hi again Dev"
        ).status_code
        == 303
    )
    assert [to for to, _ in mail()] == ["dev@acme.test"]
    assert (
        cd.post(staff, f"groups/{group}/summary/items", section="ideas", body="An idea").status_code
        == 303
    )
    assert cd.post(staff, f"groups/{group}/summary/publish").status_code == 303
    sent = mail()
    assert sorted(to for to, subject in sent if "summary" in subject) == sorted(
        u.email for u in GROUP
    )
    # Publishing again after an edit does not mail the same people twice.
    assert cd.post(staff, f"groups/{group}/summary/publish").status_code == 303
    assert mail() == sent
    # Nudge text is the facilitator's own words; a member outside the group is refused.
    from tests.grouping.support import ELIF

    cd.g.enter(ELIF)
    assert (
        cd.post(staff, f"groups/{group}/nudges", person=cd.person(ELIF), text="Hi").status_code
        == 404
    )
    assert (
        cd.post(staff, f"groups/{group}/nudges", person=cd.person(DEV), text="   ").status_code
        == 422
    )


def test_staff_overview_shows_posts_silent_members_facilitators_and_summary_status(cd) -> None:
    staff = cd.setup(GROUP)
    group = cd.group_of(ASHA)
    cd.post(staff, f"groups/{group}/facilitators", person=cd.person(CARLA), on="1")
    thread = cd.new_thread(BRUNO, "Options", "An idea")
    cd.reply(ASHA, thread, "Another")
    page = html.unescape(cd.page(staff))
    assert "Group 1" in page and "2 posts in 1 thread" in page and "summary: not started" in page
    assert re.search(
        r"Not spoken yet:</strong> (Carla Gomez, Dev Sharma|Dev Sharma, Carla "
        r"Gomez)",
        page,
    )
    assert "Remove the role" in page  # Carla is facilitator
    # The group's page, for staff, lists its threads with a way to start one.
    resp = cd.get(staff, f"groups/{group}")
    assert resp.status_code == 200 and "Options" in resp.get_data(as_text=True)
    # The learner facilitator finds their tools on the activity page.
    carla = html.unescape(cd.page(CARLA))
    assert "You facilitate group 1" in carla and "summary editor" in carla
    # Taking the role back removes the tools.
    cd.post(staff, f"groups/{group}/facilitators", person=cd.person(CARLA), on="0")
    assert cd.get(cd.visit(CARLA), f"groups/{group}/participation").status_code == 403
    # A plain member sent to the group page lands back on the activity.
    assert cd.get(cd.visit(DEV), f"groups/{group}").status_code == 303


def test_a_full_page_of_changes_is_continued_from_its_last_revision(cd) -> None:
    cd.setup(GROUP)
    thread = cd.new_thread(BRUNO, "Busy", "Post 0")
    for n in range(1, 56):
        cd.reply(CARLA, thread, f"Post {n}")
    seen: list[str] = []
    cursor = 0
    for _ in range(3):
        data = cd.get(cd.visit(DEV), f"threads/{thread}/updates", since=str(cursor)).get_json()
        seen.extend(p["id"] for p in data["posts"])
        cursor = data["cursor"]
    assert seen == cd.post_ids(thread)


def test_facilitator_rewords_moves_and_removes_summary_entries(cd) -> None:
    staff = cd.setup(GROUP)
    group = cd.group_of(ASHA)
    resp = cd.post(staff, f"groups/{group}/summary/publish")
    assert resp.status_code == 409 and "at least one entry" in resp.get_data(as_text=True)
    for body in ("Alpha", "Beta", "Gamma"):
        cd.post(staff, f"groups/{group}/summary/items", section="ideas", body=body)
    editor = cd.get(staff, f"groups/{group}/summary").get_data(as_text=True)
    alpha, beta, gamma = re.findall(r'id="item-([A-Za-z0-9]+)"', editor)
    assert cd.post(staff, f"summary-items/{alpha}/move", direction="down").status_code == 303
    assert (
        cd.post(
            staff, f"summary-items/{gamma}", body="Gamma, reworded", section="strategies"
        ).status_code
        == 303
    )
    assert cd.post(staff, f"summary-items/{beta}/delete").status_code == 303
    assert cd.post(staff, f"summary-items/{alpha}/move", direction="sideways").status_code == 422
    assert (
        cd.post(staff, f"groups/{group}/summary/items", section="gossip", body="x").status_code
        == 422
    )
    assert cd.post(staff, f"groups/{group}/summary/publish").status_code == 303
    page = html.unescape(cd.get(cd.visit(BRUNO), f"groups/{group}/summary").get_data(as_text=True))
    assert "Beta" not in page and "Alpha" in page and "Gamma, reworded" in page
    assert (
        page.index("Ideas")
        < page.index("Alpha")
        < page.index("Strategies")
        < page.index("Gamma, reworded")
    )
