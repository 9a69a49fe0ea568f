"""Where and when a role-play group meets, and the round clock its members share:
only the group (and staff) see and change them, hostile input is refused or shown
as text, and every member's page counts down from the same server record."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_app import clock
from lti_app.peer_activities.role_play import logistics
from lti_app.peer_activities.role_play.services import RolePlayError
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, ELIF, FEMI
from tests.role_play.support import text

SIX = (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI)


def _groups(rp: Any) -> tuple[list[str], list[str]]:
    """Subs of Asha's group and of the other group."""
    mine = set(rp.rounds_of(ASHA)[0].roles)
    return sorted(mine), sorted(u.sub for u in SIX if u.sub not in mine)


def _meeting(page: str) -> str:
    found = re.search(r"<p[^>]*data-meeting-place>(.*?)</p>", page, re.S)
    assert found is not None, page
    return text(found.group(1))


def _slot_ids(page: str) -> list[str]:
    return re.findall(r"/slots/([A-Za-z0-9]+)/works", page)


def _future(days: int = 3) -> str:
    return (clock.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_a_member_sets_the_meeting_place_and_only_their_group_sees_it(rp: Any) -> None:
    rp.setup(SIX, group_size="3")
    mine, other = _groups(rp)
    resp = rp.post(rp.visit(mine[0]), "meeting", place="https://meet.example.com/abc-def")
    assert resp.status_code == 303
    for sub in mine:
        page = rp.page(rp.visit(sub))
        assert 'href="https://meet.example.com/abc-def"' in page
        assert 'rel="noopener noreferrer"' in page
    assert "meet.example.com" not in rp.page(rp.visit(other[0]))


def test_a_place_in_words_is_shown_as_text_never_as_markup(rp: Any) -> None:
    rp.setup(SIX, group_size="3")
    mine, _ = _groups(rp)
    hostile = 'Room 4B <script>alert(1)</script> <img src=x onerror="alert(2)">'
    assert rp.post(rp.visit(mine[0]), "meeting", place=hostile).status_code == 303
    page = rp.page(rp.visit(mine[1]))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "Room 4B &lt;script&gt;" in page
    assert "<a href" not in re.search(r"data-meeting-place>(.*?)</p>", page, re.S).group(1)


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "//evil.example.com", "ftp://x.example"],
)
def test_a_link_that_is_not_http_is_refused_next_to_the_field_and_kept(rp: Any, link: str) -> None:
    rp.setup(SIX, group_size="3")
    mine, _ = _groups(rp)
    resp = rp.post(rp.visit(mine[0]), "meeting", place=link)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="rp-place-error"' in page and "must start with https://" in page
    assert 'aria-invalid="true" aria-describedby="rp-place-error"' in page
    assert f'value="{link}"'.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "No meeting place yet" in _meeting(rp.page(rp.visit(mine[1])))


def test_staff_set_a_groups_meeting_place_and_another_activitys_group_is_a_404(rp: Any) -> None:
    staff = rp.setup(SIX, group_size="3")
    mine, _ = _groups(rp)
    page = rp.client.get(f"/rp/{rp.activity}/logistics", query_string={"t": staff.token})
    assert page.status_code == 200 and "Group 1" in page.get_data(as_text=True)
    learner = rp.visit(mine[0])
    denied = rp.client.get(f"/rp/{rp.activity}/logistics", query_string={"t": learner.token})
    assert denied.status_code == 403
    assert rp.post(staff, "meeting", place="Room 12", group="not-a-group").status_code == 404
    bad = rp.post(staff, "meeting", place="javascript:alert(1)", group=_group_ids(rp)[0])
    assert bad.status_code == 422 and "must start with https://" in bad.get_data(as_text=True)
    assert 'value="javascript:alert(1)"' in bad.get_data(as_text=True)
    for gid in _group_ids(rp):
        resp = rp.post(staff, "meeting", place=f"Room for {gid}", group=gid)
        assert resp.status_code == 303 and f"/rp/{rp.activity}/logistics" in resp.location
    assert "Room for" in _meeting(rp.page(rp.visit(mine[0])))


def _group_ids(rp: Any) -> list[str]:
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.peer_activities.grouping.models import GroupingGroup

    with rp.app.app_context():
        found = list(db.session.scalars(select(GroupingGroup.public_id)))
        db.session.remove()
    return found


def test_members_propose_times_and_mark_the_ones_that_work(rp: Any) -> None:
    rp.setup(SIX, group_size="3")
    mine, other = _groups(rp)
    a, b, c = (rp.visit(s) for s in mine)
    resp = rp.post(a, "slots", starts_at=_future(3), utc_offset="120")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    page = rp.page(b)
    (slot,) = _slot_ids(page)
    # Stored in UTC: 2 hours earlier than typed in a UTC+2 browser.
    typed = datetime.strptime(_future(3), "%Y-%m-%dT%H:%M")
    assert (typed - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M") in page
    assert rp.post(b, f"slots/{slot}/works").status_code == 303
    page = rp.page(c)
    assert "Works for most of you" in page and "(2 of you)" in page
    # Only the proposer removes it; the other group never sees it, nor can touch it.
    assert rp.post(b, f"slots/{slot}/delete").status_code == 403
    assert rp.post(rp.visit(other[0]), f"slots/{slot}/works").status_code == 404
    assert slot not in rp.page(rp.visit(other[0]))
    assert rp.post(a, f"slots/{slot}/delete").status_code == 303
    assert _slot_ids(rp.page(c)) == []


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        ("2001-01-01T10:00", "Propose a time in the future."),
        ("tomorrow at ten", "Choose a date and a time"),
        ((datetime.now() + timedelta(days=900)).strftime("%Y-%m-%dT%H:%M"), "within the next year"),
    ],
)
def test_a_bad_time_is_refused_next_to_the_field_and_kept(
    rp: Any, starts_at: str, message: str
) -> None:
    rp.setup(SIX, group_size="3")
    mine, _ = _groups(rp)
    resp = rp.post(rp.visit(mine[0]), "slots", starts_at=starts_at, utc_offset="0")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="rp-slot-error"' in page and message in text(page)
    assert f'value="{starts_at}"' in page


def test_the_round_clock_is_the_same_for_every_member_and_follows_start_and_stop(rp: Any) -> None:
    rp.setup(SIX, group_size="3")
    mine, other = _groups(rp)
    rnd = rp.rounds_of(ASHA)[0]
    practitioner = rnd.who("practitioner")[0]
    assert rp.act(practitioner, rnd, "start").status_code == 303
    assert rp.act(practitioner, rnd, "clock/start", minutes="7").status_code == 303
    states = []
    for sub in mine:
        resp = rp.client.get(
            f"/rp/{rp.activity}/rounds/{rnd.public_id}/clock",
            query_string={"t": rp.visit(sub).token},
        )
        assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
        states.append(resp.get_json())
    assert {s["ends_at"] for s in states} == {states[0]["ends_at"]}  # one clock
    assert all(s["running"] and s["seconds"] == 420 and 0 < s["left"] <= 420 for s in states)
    page = rp.page(rp.visit(mine[1]))
    assert f'data-ends-at="{states[0]["ends_at"]}"' in page and 'data-running="yes"' in page
    # Another group's member cannot read or move this round's clock.
    outsider = rp.visit(other[0])
    base = f"/rp/{rp.activity}/rounds/{rnd.public_id}/clock"
    assert rp.client.get(base, query_string={"t": outsider.token}).status_code == 404
    assert rp.client.post(base + "/stop", data={"t": outsider.token}).status_code == 404
    assert rp.act(mine[2], rnd, "clock/stop").status_code == 303
    state = rp.client.get(base, query_string={"t": rp.visit(mine[0]).token}).get_json()
    assert state["running"] is False and state["ends_at"] is None


def test_the_clock_cannot_start_before_the_round(rp: Any) -> None:
    rp.setup(SIX, group_size="3")
    rnd = rp.rounds_of(ASHA)[0]
    resp = rp.act(rnd.who("practitioner")[0], rnd, "clock/start", minutes="5")
    assert resp.status_code == 409
    assert "Start the round first" in text(resp.get_data(as_text=True))


def test_logistics_posts_need_the_session_token(rp: Any) -> None:
    rp.setup(SIX, group_size="3")
    resp = rp.client.post(f"/rp/{rp.activity}/meeting", data={"place": "Room 1"})
    assert resp.status_code in (401, 403)


def test_texts_say_what_is_missing_before_rounds_appear(rp: Any) -> None:
    rp.g.create_activity("role_play", group_size="3")
    visit = rp.g.enter(ASHA)
    assert 'data-waiting-for="survey"' in rp.g.page(visit)


# -- pure rules -----------------------------------------------------------------------


@given(st.text(max_size=80))
def test_a_meeting_place_is_a_link_only_when_it_is_http_or_https(raw: str) -> None:
    try:
        place, is_link = logistics.parse_place(raw)
    except RolePlayError:
        return
    if is_link:
        assert place.lower().startswith(("http://", "https://")) and " " not in place
    assert len(place) <= logistics.PLACE_MAX


@given(
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)),
)
def test_a_local_time_comes_back_to_utc_by_its_offset(offset: int, local: datetime) -> None:
    local = local.replace(second=0, microsecond=0)
    utc = logistics.parse_local_time(local.strftime("%Y-%m-%dT%H:%M"), str(offset))
    assert utc + timedelta(minutes=offset) == local


@given(
    st.integers(min_value=1, max_value=120),
    st.lists(st.integers(min_value=0, max_value=9000), min_size=2, max_size=40),
)
def test_every_member_reads_the_same_clock_whenever_they_arrive(
    minutes: int, arrivals: list[int]
) -> None:
    """Members opening the page at any moment, in any order, count down to one end."""
    from lti_app.peer_activities.role_play.models import IN_PROGRESS, RolePlayRound

    started = datetime(2027, 3, 1, 9, 0)
    rnd = RolePlayRound(status=IN_PROGRESS, clock_started_at=started, clock_seconds=minutes * 60)
    states = [logistics.clock_state(rnd, 10, started + timedelta(seconds=s)) for s in arrivals]
    assert {s.ends_at for s in states} == {started + timedelta(minutes=minutes)}
    for s, at in zip(states, arrivals, strict=True):
        assert s.left == max(0, minutes * 60 - at)
