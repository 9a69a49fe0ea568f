"""Threads in use: live updates by polling, the editing window, "this helped",
moderation (hide, lock), pagination of long threads, and peer-coaching rounds."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.case_discussion.models import CaseDiscussionPost
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV

GROUP = (ASHA, BRUNO, CARLA, DEV)


def _updates(cd, who, thread: str, since: int | str):
    resp = cd.get(cd.visit(who), f"threads/{thread}/updates", since=str(since))
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    return resp.get_json()


def test_new_and_changed_posts_arrive_by_polling_with_the_token_in_the_url(cd) -> None:
    cd.setup(GROUP)
    thread = cd.new_thread(BRUNO, "Options", "First idea.")
    page = cd.thread_page(CARLA, thread).get_data(as_text=True)
    cursor = int(re.search(r'data-cursor="(\d+)"', page).group(1))
    assert 'src="/cd/static/case_discussion.js"' in page
    # Nothing new yet.
    data = _updates(cd, CARLA, thread, cursor)
    assert data["posts"] == [] and data["cursor"] == cursor and data["token"]
    # A reply by someone else appears, rendered and sanitised, without a reload …
    cd.reply(DEV, thread, "Second idea <script>alert(1)</script>")
    data = _updates(cd, CARLA, thread, cursor)
    assert len(data["posts"]) == 1 and "Second idea" in data["posts"][0]["html"]
    assert "<script" not in data["posts"][0]["html"]
    assert data["cursor"] > cursor
    # … and a change to an old post (a reaction) comes back as that post again.
    first = cd.post_ids(thread)[0]
    assert cd.post(cd.visit(CARLA), f"posts/{first}/helped").status_code == 303
    data2 = _updates(cd, CARLA, thread, data["cursor"])
    assert [p["id"] for p in data2["posts"]] == [first]
    assert "This helped · 1" in data2["posts"][0]["html"]
    # No cookie is involved: the same request without the token is refused.
    resp = cd.client.get(
        f"/cd/{cd.activity}/threads/{thread}/updates?since=0",
        headers={"Accept": "application/json"},
    )
    assert resp.status_code == 401


def test_authors_edit_within_fifteen_minutes_and_never_others_posts(cd) -> None:
    cd.setup(GROUP)
    thread = cd.new_thread(BRUNO, "Options", "Frist idea.")
    post = cd.post_ids(thread)[0]
    assert cd.post(cd.visit(BRUNO), f"posts/{post}/edit", body="First idea.").status_code == 303
    page = cd.thread_page(CARLA, thread).get_data(as_text=True)
    assert "First idea." in page and "Frist" not in page and ">edited<" in page
    resp = cd.post(cd.visit(CARLA), f"posts/{post}/edit", body="Hijacked")
    assert resp.status_code == 403
    with cd.app.app_context():
        row = db.session.scalar(select(CaseDiscussionPost))
        row.created_at = row.created_at - timedelta(minutes=16)
        db.session.commit()
    resp = cd.post(cd.visit(BRUNO), f"posts/{post}/edit", body="Too late")
    assert resp.status_code == 409
    assert "edited for 15 minutes" in resp.get_data(as_text=True)
    assert "Edit (for 15 minutes" not in cd.thread_page(BRUNO, thread).get_data(as_text=True)


def test_this_helped_counts_once_per_person_and_not_for_ones_own_post(cd) -> None:
    cd.setup(GROUP)
    thread = cd.new_thread(BRUNO, "Options", "An idea.")
    post = cd.post_ids(thread)[0]
    for who in (CARLA, DEV):
        assert cd.post(cd.visit(who), f"posts/{post}/helped").status_code == 303
    assert "This helped · 2" in cd.thread_page(CARLA, thread).get_data(as_text=True)
    assert cd.post(cd.visit(BRUNO), f"posts/{post}/helped").status_code == 409
    # A second click takes the mark back.
    assert cd.post(cd.visit(DEV), f"posts/{post}/helped").status_code == 303
    assert "This helped · 1" in cd.thread_page(CARLA, thread).get_data(as_text=True)


def test_facilitator_hides_posts_and_locks_threads_members_cannot(cd) -> None:
    staff = cd.setup(GROUP)
    group = cd.group_of(ASHA)
    cd.post(staff, f"groups/{group}/facilitators", person=cd.person(ASHA), on="1")
    thread = cd.new_thread(BRUNO, "Options", "Rude words here.")
    post = cd.post_ids(thread)[0]
    assert cd.post(cd.visit(CARLA), f"posts/{post}/hide").status_code == 403
    assert cd.post(cd.visit(CARLA), f"threads/{thread}/lock").status_code == 403
    assert cd.post(cd.visit(ASHA), f"posts/{post}/hide", hidden="1").status_code == 303
    member_view = cd.thread_page(CARLA, thread).get_data(as_text=True)
    assert "Rude words here." not in member_view and "hidden by" in member_view
    assert "Rude words here." in cd.thread_page(staff, thread).get_data(as_text=True)
    # The author cannot get it back by editing.
    assert cd.post(cd.visit(BRUNO), f"posts/{post}/edit", body="x").status_code == 409
    assert cd.post(staff, f"posts/{post}/hide", hidden="0").status_code == 303
    assert "Rude words here." in cd.thread_page(CARLA, thread).get_data(as_text=True)
    # Locked: no new posts, a clear message, the text kept.
    assert cd.post(cd.visit(ASHA), f"threads/{thread}/lock", locked="1").status_code == 303
    resp = cd.reply(DEV, thread, "Can I still post?")
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert "This thread is locked" in body and "Can I still post?" in body
    assert cd.post(staff, f"threads/{thread}/lock", locked="0").status_code == 303
    assert cd.reply(DEV, thread, "Now I can.").status_code == 303


def test_long_threads_show_the_latest_fifty_posts_with_a_link_to_older_ones(cd) -> None:
    cd.setup(GROUP)
    thread = cd.new_thread(BRUNO, "Long", "Post number 0")
    for n in range(1, 55):
        assert cd.reply(CARLA if n % 2 else DEV, thread, f"Post number {n}.").status_code == 303
    page = cd.thread_page(BRUNO, thread).get_data(as_text=True)
    assert "Post number 54." in page and "Post number 5." in page
    assert "Post number 4." not in page and "Post number 0" not in page
    older = re.search(r'href="([^"]+before=[^"]+)"', page)
    assert older is not None and ">Older posts<" in page
    earlier = cd.client.get(html.unescape(older.group(1))).get_data(as_text=True)
    assert "Post number 0" in earlier and "Post number 4." in earlier
    assert "Post number 5." not in earlier


def test_peer_coaching_rotates_the_presenter_and_tags_posts_with_the_stage(cd) -> None:
    cd.setup(GROUP, mode="peer_coaching", rounds="2", completion_posts="1")
    group = cd.group_of(ASHA)
    cd.page(ASHA)  # the group's rounds are planned on first look
    rounds = cd.rounds(group)
    assert [r[1] for r in rounds] == [1, 2]
    assert rounds[0][2] != rounds[1][2]  # a different presenter each round
    rid, _, presenter_sub, stage, thread = rounds[0]
    assert stage == "challenge"
    presenter = next(u for u in GROUP if u.sub == presenter_sub)
    others = [u for u in GROUP if u.sub != presenter_sub]
    # The presenter states the challenge first; the others wait.
    resp = cd.reply(others[0], thread, "A question already?")
    assert resp.status_code == 409 and "states their challenge first" in html.unescape(
        resp.get_data(as_text=True)
    )
    assert cd.post(cd.visit(presenter), f"rounds/{rid}/advance").status_code == 409
    assert cd.reply(presenter, thread, "My team resists every change I propose.").status_code == 303
    assert cd.post(cd.visit(others[0]), f"rounds/{rid}/advance").status_code == 403
    assert cd.post(cd.visit(presenter), f"rounds/{rid}/advance").status_code == 303
    assert cd.reply(others[0], thread, "What have you tried so far?").status_code == 303
    assert cd.post(cd.visit(presenter), f"rounds/{rid}/advance").status_code == 303
    assert cd.reply(others[1], thread, "Try a pilot with one volunteer.").status_code == 303
    page = cd.thread_page(presenter, thread).get_data(as_text=True)
    for label in ("Challenge", "Clarifying questions", "Brainstorm"):
        assert f">{label}</span>" in page
    # Only the presenter records what they will try; the round is then done.
    assert cd.post(cd.visit(others[0]), f"rounds/{rid}/plan", plan="x").status_code == 403
    resp = cd.post(
        cd.visit(presenter),
        f"rounds/{rid}/plan",
        plan="Run a two-week pilot with one volunteer team.",
    )
    assert resp.status_code == 303
    rounds = cd.rounds(group)
    assert rounds[0][3] == "done" and rounds[1][3] == "challenge"
    page = html.unescape(cd.page(others[2]))
    assert "Run a two-week pilot with one volunteer team." in page
    assert "Round 2" in page


def test_a_recorded_plan_is_announced_for_the_journal_to_pick_up(cd) -> None:
    from lti_app.peer_activities.case_discussion.coaching import plan_recorded

    cd.setup(GROUP, mode="peer_coaching", rounds="1")
    group = cd.group_of(ASHA)
    cd.page(ASHA)
    rid, _, presenter_sub, _, thread = cd.rounds(group)[0]
    presenter = next(u for u in GROUP if u.sub == presenter_sub)
    heard: list[tuple[str, str]] = []

    def listener(activity, person, plan, round_number) -> None:
        heard.append((person.sub, plan))

    plan_recorded.connect(listener)
    try:
        cd.reply(presenter, thread, "My challenge.")
        for _ in range(2):
            assert cd.post(cd.visit(presenter), f"rounds/{rid}/advance").status_code == 303
        assert (
            cd.post(cd.visit(presenter), f"rounds/{rid}/plan", plan="Ask for a pilot.").status_code
            == 303
        )
    finally:
        plan_recorded.disconnect(listener)
    assert heard == [(presenter_sub, "<p>Ask for a pilot.</p>")]
