"""Everyone practises, whatever the group size: one round per member by default,
a warning (with names) and a one-click fix when the instructor fixes fewer
rounds, and rotations that adapt to leavers and absentees — through the pages."""

from __future__ import annotations

import html
import re

from sqlalchemy import select, update

from lti_app.courses.models import Enrolment, Person
from lti_app.extensions import db
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA
from tests.role_play.support import CARDS, CHECKLIST, card, text
from tests.support.lti import INSTRUCTOR

FOUR = (ASHA, BRUNO, CARLA, DEV)
NAMES = {u.sub: u.name for u in (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA)}


def _practitioners(rounds) -> list[str]:
    return [r.who("practitioner")[0] for r in rounds]


def test_a_group_of_four_plays_four_rounds_and_everyone_practises_once(rp) -> None:
    staff = rp.setup(FOUR, group_size="4", rounds="")
    rounds = rp.rounds_of(ASHA)
    assert [r.number for r in rounds] == [1, 2, 3, 4]
    assert sorted(_practitioners(rounds)) == sorted(u.sub for u in FOUR)
    for user in FOUR:
        page = text(rp.page(rp.visit(user.sub)))
        turn = next(r.number for r in rounds if r.roles[user.sub] == "practitioner")
        assert "Your group plays 4 rounds, one per member" in page
        assert f"You are the practitioner in round {turn}." in page
        assert "Round 1 of 4" in page and "of 3" not in page
    page = html.unescape(rp.page(staff))
    assert "Practice counts in group 1" in page
    assert "never practises" not in page
    for user in FOUR:
        row = re.search(
            rf"<th scope=\"row\">{user.name}</th>\s*<td>(\d+)</td>\s*<td>(\d+)"
            rf"</td><td>(\d+)</td><td>(\d+)</td>",
            page,
        )
        assert row is not None and row.groups() == ("1", "1", "2", "0"), user.name


def test_pairs_and_triads_get_two_and_three_rounds_by_default(rp) -> None:
    rp.setup((ASHA, BRUNO, CARLA, DEV), group_size="2", rounds="")
    assert len(rp.rounds_of(ASHA)) == 2
    assert sorted(_practitioners(rp.rounds_of(ASHA))) == sorted(rp.rounds_of(ASHA)[0].roles)


def _form_draft(rp, people, **settings):
    rp.g.create_activity("role_play", **settings)
    staff = rp.staff = rp.g.enter(INSTRUCTOR)
    assert (
        rp.post(
            staff,
            "scenarios",
            title="Budget talk 1",
            **{f"{role}_card": card(role, 1) for role in CARDS},
        ).status_code
        == 303
    )
    assert rp.post(staff, "checklist", checklist=CHECKLIST).status_code == 303
    for user in people:
        rp.visits[user.sub] = rp.g.ready(user)
    assert rp.g.form_groups(staff).status_code == 303
    return staff


def test_fixed_rounds_name_who_would_never_practise_before_publishing_and_one_click_fixes_it(
    rp,
) -> None:
    staff = _form_draft(rp, FOUR, group_size="4", rounds="3")
    page = html.unescape(rp.page(staff))
    warning = re.search(
        r"With 3 rounds for every group, some people would never be the "
        r"practitioner:.*?Group 1 \(4 people\): ([^<]+)</li>",
        page,
        re.S,
    )
    assert warning is not None, page
    left_out = warning.group(1).strip()
    assert left_out in NAMES.values()
    # Published as it is: the instructor's panel names the same person.
    rnd = rp.g.rounds()[-1]
    assert (
        rp.client.post(
            f"/g/{rp.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
        ).status_code
        == 303
    )
    rounds = rp.rounds_of(ASHA)
    assert len(rounds) == 3
    never = [sub for sub in NAMES if sub in rounds[0].roles and sub not in _practitioners(rounds)]
    assert [NAMES[s] for s in never] == [left_out]
    page = html.unescape(rp.page(staff))
    assert f"never practises: {left_out}" in page
    assert f"Group 1: {left_out}" in page
    assert "You have no practitioner turn" in text(rp.page(rp.visit(never[0])))
    # One click: every group plays one round per member.
    resp = rp.post(staff, "one-round-per-member")
    assert resp.status_code == 200
    said = html.unescape(resp.get_data(as_text=True))
    assert "Each group now plays one round per member, so everyone practises." in said
    assert "Group 1: 4 rounds." in said
    assert "never practises" not in said
    rounds = rp.rounds_of(ASHA)
    assert len(rounds) == 4 and sorted(_practitioners(rounds)) == sorted(u.sub for u in FOUR)
    assert rounds[3].roles[never[0]] == "practitioner"


def test_the_fix_is_for_staff_only(rp) -> None:
    rp.setup(FOUR, group_size="4", rounds="3")
    assert rp.post(rp.visit(ASHA.sub), "one-round-per-member").status_code == 403
    assert len(rp.rounds_of(ASHA)) == 3


def _leave(rp, user) -> None:
    """The roster sync marks someone as having left the course."""
    with rp.app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.sub == user.sub))
        db.session.execute(
            update(Enrolment).where(Enrolment.person_id == person_id).values(status="inactive")
        )
        db.session.commit()
        db.session.remove()


def test_someone_who_leaves_is_dropped_from_the_rounds_not_started(rp) -> None:
    staff = rp.setup(FOUR, group_size="4", rounds="")
    first = rp.rounds_of(ASHA)[0]
    rp.play_round(first)
    leaver = rp.rounds_of(ASHA)[2].who("practitioner")[0]
    stay = next(u for u in FOUR if u.sub != leaver)
    _leave(rp, next(u for u in FOUR if u.sub == leaver))
    page = text(rp.page(rp.visit(stay.sub)))
    rounds = rp.rounds_of(stay)
    assert [r.number for r in rounds] == [1, 2, 3]
    assert rounds[0].roles == first.roles  # played: kept as it was
    for rnd in rounds[1:]:
        assert leaver not in rnd.roles
        assert len(rnd.who("practitioner")) == 1 and len(rnd.who("client")) == 1
    assert "Your group plays 3 rounds" in page and "Round 2 of 3" in page
    # The rest play on to the end and complete.
    for rnd in rounds[1:]:
        rp.play_round(rnd)
    assert sorted(s[0] for s in rp.scores()) == sorted(u.sub for u in FOUR if u.sub != leaver)
    assert "never practises" not in rp.page(staff)


def test_an_absent_practitioner_gets_a_make_up_round_and_is_not_seated_twice(rp) -> None:
    people = (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI)
    staff = rp.setup(people, rounds="")
    rnd = rp.rounds_of(ASHA)[0]
    absent = rnd.who("practitioner")[0]
    stand_in = next(u for u in people if u.sub not in rnd.roles)
    ids = {u.sub: rp.g.person_id(u) for u in people}
    resp = rp.post(
        staff, f"rounds/{rnd.public_id}/replace", absent=ids[absent], replacement=ids[stand_in.sub]
    )
    assert resp.status_code == 200
    assert f"{NAMES[absent]} practises in round 4, added for them." in html.unescape(
        resp.get_data(as_text=True)
    )
    host = next(u for u in people if u.sub == rnd.who("client")[0])
    rounds = rp.rounds_of(host)
    assert [r.number for r in rounds] == [1, 2, 3, 4]
    assert rounds[0].roles[stand_in.sub] == "practitioner" and absent not in rounds[0].roles
    assert rounds[3].roles[absent] == "practitioner"
    # Looking again changes nothing: the absentee is away, not a newcomer.
    rp.page(staff)
    assert [r.roles for r in rp.rounds_of(host)] == [r.roles for r in rounds]
    page = text(rp.page(rp.visit(absent)))
    assert "You are the practitioner in round 4." in page
