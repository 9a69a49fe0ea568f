"""The instructor's side: form groups, move people, lock, publish, late joiners, leavers."""

from __future__ import annotations

import html

from sqlalchemy import select

from lti_app.courses.models import Enrolment, Person
from lti_app.extensions import db
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA, HUGO
from tests.support.lti import INSTRUCTOR


def _publish(grouping, staff, **extra):
    rnd = grouping.rounds()[-1]
    return grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token, **extra}
    )


def _set_status(app, user, status: str) -> None:
    """What roster sync does when someone leaves the course."""
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.sub == user.sub))
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.person_id == person.id))
        enrolment.status = status
        db.session.commit()


def test_instructor_sees_status_counts_and_who_has_no_intake(grouping) -> None:
    grouping.create_activity("case_discussion", group_size="4")
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(ASHA)
    grouping.enter(BRUNO)
    carla = grouping.enter(CARLA)
    grouping.answer(carla)
    page = grouping.page(staff)
    assert "<strong>3</strong> learners in the course" in page
    assert "<strong>2</strong> completed the intake survey" in page
    assert "<strong>1</strong> accepted the group agreement (version 1)" in page
    assert "Not grouped yet: intake missing — Bruno Silva." in page
    assert "Edit the intake survey" in page and "Edit the group agreement" in page


def test_instructor_forms_groups_and_sees_members_titles_scores_and_reasons(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(ASHA, role_title="Finance lead", challenges=["Budget cuts"])
    grouping.ready(BRUNO, role_title="Finance manager", challenges=["Budget cuts"])
    grouping.ready(CARLA, role_title="Ward sister", challenges=["Delegating"])
    grouping.ready(DEV, role_title="Charge nurse", challenges=["Delegating"])
    resp = grouping.form_groups(staff)
    assert resp.status_code == 303
    page = html.unescape(grouping.page(staff))
    assert "Draft groups — round 1" in page
    assert "Finance lead" in page and "Charge nurse" in page
    assert "budget cuts" in page.lower()  # the reason names the shared challenge
    assert "Worst group score" in page and "pairs who met before" in page
    assert sorted(grouping.groups()) == [
        ["Asha Patel", "Bruno Silva"],
        ["Carla Gomez", "Dev Sharma"],
    ]
    # Learners see nothing of a draft.
    asha = grouping.enter(ASHA)
    assert "not grouped yet" in grouping.page(asha)


def test_moving_someone_in_with_their_manager_is_flagged_and_blocks_publishing(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(BRUNO)
    grouping.ready(ASHA, reports_to=grouping.person_id(BRUNO))
    grouping.ready(CARLA)
    grouping.ready(DEV)
    grouping.form_groups(staff)
    assert not any({"Asha Patel", "Bruno Silva"} <= set(g) for g in grouping.groups())

    rnd = grouping.rounds()[-1]
    asha_group = grouping.group_id_of(ASHA)
    resp = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/moves",
        data={"t": staff.token, f"to.{grouping.person_id(BRUNO)}": asha_group},
    )
    assert resp.status_code == 303
    assert {"Asha Patel", "Bruno Silva"} <= set(
        next(g for g in grouping.groups() if "Asha Patel" in g)
    )
    page = html.unescape(grouping.page(staff))
    assert "⚠ Asha Patel reports to Bruno Silva" in page
    assert "grouping-group flagged" in page

    blocked = _publish(grouping, staff)
    assert blocked.status_code == 422
    assert "Some groups break a rule" in html.unescape(blocked.get_data(as_text=True))
    assert grouping.rounds()[-1].status == "draft"
    assert _publish(grouping, staff, override="1").status_code == 303
    assert grouping.rounds()[-1].status == "published"


def test_live_check_flags_a_manager_pair_without_saving(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(BRUNO)
    grouping.ready(ASHA, reports_to=grouping.person_id(BRUNO))
    grouping.ready(CARLA)
    grouping.ready(DEV)
    grouping.form_groups(staff)
    rnd = grouping.rounds()[-1]
    ids = {u: grouping.person_id(u) for u in (ASHA, BRUNO, CARLA, DEV)}
    resp = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/check",
        json={"groups": [[ids[ASHA], ids[BRUNO]], [ids[CARLA], ids[DEV]]]},
        headers={"Authorization": f"Bearer {staff.token}"},
    )
    assert resp.status_code == 200
    first, second = resp.get_json()["groups"]
    assert first["violations"] == ["Asha Patel reports to Bruno Silva"]
    assert second["violations"] == []
    assert not any({"Asha Patel", "Bruno Silva"} <= set(g) for g in grouping.groups())
    outsider = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/check",
        json={"groups": [[ids[ASHA], "someone-else"]]},
        headers={"Authorization": f"Bearer {staff.token}"},
    )
    assert outsider.status_code == 400


def test_locked_group_is_kept_when_groups_are_formed_again(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI):
        grouping.ready(user)
    grouping.form_groups(staff)
    rnd = grouping.rounds()[-1]
    # Put Asha with Femi by hand, then lock that pair.
    grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/moves",
        data={
            "t": staff.token,
            f"to.{grouping.person_id(FEMI)}": "new",
            f"to.{grouping.person_id(ASHA)}": "new",
        },
    )
    pair = grouping.group_id_of(ASHA)
    assert sorted(next(g for g in grouping.groups() if "Asha Patel" in g)) == [
        "Asha Patel",
        "Femi Adeyemi",
    ]
    assert grouping.lock(staff, pair).status_code == 303
    assert "locked" in grouping.page(staff)
    for _ in range(3):
        assert grouping.form_groups(staff).status_code == 303
        assert ["Asha Patel", "Femi Adeyemi"] in grouping.groups()
        assert grouping.group_row(grouping.group_id_of(ASHA)).locked
    assert len(grouping.rounds()) == 1  # re-forming replaces the draft


def test_publishing_shows_groups_to_learners_and_starts_the_next_round_fresh(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA, DEV):
        grouping.ready(user)
    grouping.form_groups(staff)
    assert _publish(grouping, staff).status_code == 303
    page = grouping.page(staff)
    assert "Published groups — round 1" in page and "Draft groups" not in page
    first = sorted(grouping.groups())
    grouping.form_groups(staff)
    assert "Draft groups — round 2" in grouping.page(staff)
    second = sorted(grouping.groups())
    # History: with four people in pairs, round 2 avoids every pair of round 1.
    assert not set(map(tuple, first)) & set(map(tuple, second))
    assert grouping.rounds()[-1].repeats == 0


def test_infeasible_cohort_shows_a_readable_explanation(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(ASHA)
    boss = grouping.person_id(ASHA)
    for user in (BRUNO, CARLA, DEV):
        grouping.ready(user, reports_to=boss)
    resp = grouping.form_groups(staff)
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422
    assert "The groups could not be formed." in body and "Asha Patel" in body
    assert "Something went wrong" not in body
    assert grouping.rounds() == []


def test_too_few_people_is_explained(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(ASHA)
    resp = grouping.form_groups(staff)
    assert resp.status_code == 422
    assert "At least two learners need to complete the intake" in resp.get_data(as_text=True)


def test_late_joiners_are_added_without_reshuffling_anyone(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA, DEV):
        grouping.ready(user)
    grouping.form_groups(staff)
    _publish(grouping, staff)
    before = grouping.groups()
    elif_ = grouping.ready(ELIF)
    grouping.ready(FEMI)
    assert "not grouped yet" in grouping.page(elif_)
    page = grouping.page(staff)
    assert "2 waiting for a group" in page and "Elif Kaya" in page
    rnd = grouping.rounds()[-1]
    resp = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/late-joiners", data={"t": staff.token}
    )
    assert resp.status_code == 200
    confirmation = resp.get_data(as_text=True)
    assert "Elif Kaya joined group 3" in confirmation
    assert "Femi Adeyemi joined group 3" in confirmation
    after = grouping.groups()
    assert len(grouping.rounds()) == 1
    for old in before:  # everyone grouped before is still with the same people
        assert any(set(old) <= set(new) for new in after)
    placed = [name for g in after for name in g]
    assert sorted(placed) == sorted([*(n for g in before for n in g), "Elif Kaya", "Femi Adeyemi"])
    assert "Why you are together" in grouping.page(elif_)
    assert "joined late" in grouping.page(staff)
    assert "waiting for a group" not in grouping.page(staff)


def test_inactive_learners_are_not_grouped_and_leavers_are_flagged(grouping, app) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA, DEV, GRETA):
        grouping.ready(user)
    grouping.enter(HUGO)  # no intake
    _set_status(app, GRETA, "inactive")
    page = grouping.page(staff)
    assert "Not grouped yet: intake missing — Hugo Martin." in page
    grouping.form_groups(staff)
    grouped = [n for g in grouping.groups() for n in g]
    assert "Greta Lind" not in grouped and "Hugo Martin" not in grouped
    assert sorted(grouped) == ["Asha Patel", "Bruno Silva", "Carla Gomez", "Dev Sharma"]
    _publish(grouping, staff)

    _set_status(app, CARLA, "inactive")
    page = html.unescape(grouping.page(staff))
    assert "Left the course since the groups were published" in page
    assert "Carla Gomez (group" in page and "left the course" in page
    partner = next(g for g in grouping.groups() if "Carla Gomez" in g)
    other = next(u for u in (ASHA, BRUNO, DEV) if u.name in partner)
    visit = grouping.enter(other)
    assert "(has left the course)" in grouping.page(visit)


def test_user_text_is_escaped_on_every_page(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    evil = '<script>alert("x")</script>'
    grouping.ready(ASHA, role_title=evil, organisation=evil, challenge_other=evil)
    grouping.ready(BRUNO)
    grouping.form_groups(staff)
    page = grouping.page(staff)
    assert evil not in page and "&lt;script&gt;alert(" in page
    _publish(grouping, staff, override="1")
    bruno = grouping.enter(BRUNO)
    learner_page = grouping.page(bruno)
    assert evil not in learner_page and "&lt;script&gt;" in learner_page


def test_someone_leaving_a_draft_group_is_flagged_before_publishing(grouping, app) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA):
        grouping.ready(user)
    grouping.form_groups(staff)
    _set_status(app, CARLA, "inactive")
    grouping.ready(DEV)
    page = grouping.page(staff)
    assert "Not in this draft yet" in page and "Dev Sharma" in page
    resp = _publish(grouping, staff)
    assert resp.status_code == 422
    assert "⚠ Carla Gomez has left the course" in html.unescape(resp.get_data(as_text=True))


def test_explanations_name_managers_who_are_not_learners(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    ada = grouping.person_id(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA):
        grouping.ready(user, reports_to=ada)
    grouping.ready(DEV)
    resp = grouping.form_groups(staff, avoid_same_manager="1")
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422
    assert "Ada Okafor" in body.split("The groups could not be formed.")[1]
    assert ada not in body.split('id="groups"')[1]
