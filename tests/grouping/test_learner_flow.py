"""A learner's way in: survey, then the group agreement, then their own group."""

from __future__ import annotations

import html

from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, ELIF, FEMI
from tests.support.lti import INSTRUCTOR


def test_learner_must_complete_survey_then_accept_agreement_before_seeing_group(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    for user in (BRUNO, CARLA, DEV):
        grouping.ready(user)
    asha = grouping.enter(ASHA)
    assert "Step 1 of 2" in asha.html and "Start the survey" in asha.html
    assert "I accept the group agreement" not in asha.html

    survey = grouping.client.get(f"/g/{grouping.activity}/intake", query_string={"t": asha.token})
    assert survey.status_code == 200 and "Budget cuts" in survey.get_data(as_text=True)
    assert grouping.answer(asha, challenges=["Budget cuts", "Delegating"]).status_code == 303

    page = grouping.page(asha)
    assert "Step 2 of 2: the group agreement" in page and "Confidentiality" in page
    assert "Your group" not in page

    assert grouping.form_groups(staff).status_code == 303
    rnd = grouping.rounds()[-1]
    assert (
        grouping.client.post(
            f"/g/{grouping.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
        ).status_code
        == 303
    )
    # Grouped, but the agreement still comes first.
    page = grouping.page(asha)
    assert "I accept the group agreement" in page and "Why you are together" not in page

    assert grouping.accept(asha).status_code == 303
    page = grouping.page(asha)
    assert "Your group" in page and "Why you are together" in page
    assert "Asha Patel" in page


def test_learner_edits_their_answers_later(grouping) -> None:
    grouping.create_activity("case_discussion", group_size="4")
    asha = grouping.ready(ASHA, role_title="Analyst")
    form = grouping.client.get(f"/g/{grouping.activity}/intake", query_string={"t": asha.token})
    assert 'value="Analyst"' in form.get_data(as_text=True)
    assert grouping.answer(asha, role_title="Senior analyst").status_code == 303
    form = grouping.client.get(f"/g/{grouping.activity}/intake", query_string={"t": asha.token})
    assert 'value="Senior analyst"' in form.get_data(as_text=True)
    # Still past the agreement: editing answers does not ask again.
    assert "Not grouped yet" in grouping.page(asha) or "not grouped yet" in grouping.page(asha)


def test_intake_errors_are_shown_next_to_the_fields(grouping) -> None:
    grouping.create_activity("role_play")
    asha = grouping.enter(ASHA)
    resp = grouping.answer(
        asha,
        role_title="",
        years="lots",
        level="99",
        challenges=["Budget cuts", "Delegating", "Motivating a team", "Developing people"],
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="role_title-error"' in body and "role or job title" in body
    assert 'id="years-error"' in body and 'id="level-error"' in body
    assert "Pick at most 3 challenges" in body
    assert 'aria-invalid="true"' in body
    resp = grouping.answer(asha, challenges=[], challenge_other="")
    assert "Pick at least one challenge" in resp.get_data(as_text=True)
    resp = grouping.answer(asha, challenges=["Not on the list"])
    assert "Pick challenges from the list" in resp.get_data(as_text=True)
    assert "Step 1 of 2" in grouping.page(asha)  # nothing saved


def test_changing_the_agreement_asks_learners_again(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    asha = grouping.ready(ASHA)
    grouping.ready(BRUNO)
    grouping.form_groups(staff)
    rnd = grouping.rounds()[-1]
    grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
    )
    assert "Why you are together" in grouping.page(asha)

    edit = grouping.client.get(f"/g/{grouping.activity}/agreement", query_string={"t": staff.token})
    assert "version 1" in edit.get_data(as_text=True)
    new_text = "Confidentiality first. Respect everyone.\n\nNo recording of sessions."
    resp = grouping.client.post(
        f"/g/{grouping.activity}/agreement", data={"t": staff.token, "text": new_text}
    )
    assert resp.status_code == 303

    page = grouping.page(asha)
    assert "The group agreement has changed" in page
    assert "No recording of sessions." in page and "Why you are together" not in page
    # Accepting the old version (a stale page) does not count.
    grouping.accept(asha, version=1)
    assert "The group agreement has changed" in grouping.page(asha)
    grouping.accept(asha, version=2)
    assert "Why you are together" in grouping.page(asha)
    staff_page = grouping.page(staff)
    assert "accepted the group agreement (version 2)" in staff_page


def test_learner_sees_own_group_names_roles_and_reasons_only(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    asha = grouping.ready(
        ASHA,
        role_title="Head of payroll",
        organisation="Zeta Secret Org",
        challenges=["Budget cuts"],
    )
    grouping.ready(
        BRUNO, role_title="Payroll lead", organisation="Omega Org", challenges=["Budget cuts"]
    )
    grouping.ready(
        CARLA, role_title="Nurse manager", challenges=["Delegating"], organisation="Hidden Hospital"
    )
    grouping.ready(
        DEV, role_title="Ward lead", challenges=["Delegating"], organisation="Hidden Hospital"
    )
    grouping.form_groups(staff)
    rnd = grouping.rounds()[-1]
    grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
    )
    groups = grouping.groups()
    mine = next(g for g in groups if "Asha Patel" in g)
    others = [name for g in groups if g is not mine for name in g]
    assert len(mine) == 2 and len(others) == 2

    page = html.unescape(grouping.page(asha))
    for name in mine:
        assert name in page
    for name in others:
        assert name not in page
    assert "Head of payroll" in page
    assert "Zeta Secret Org" not in page and "Hidden Hospital" not in page
    assert "Why you are together" in page and "score" not in page
    # Other people's intake answers are never reachable for a learner.
    other = grouping.enter(ELIF)
    assert (
        grouping.client.get(
            f"/g/{grouping.activity}/intake", query_string={"t": other.token}
        ).status_code
        == 200
    )
    form = grouping.client.get(
        f"/g/{grouping.activity}/intake", query_string={"t": other.token}
    ).get_data(as_text=True)
    assert "Head of payroll" not in form and "Zeta Secret Org" not in form


def test_a_learner_without_a_group_is_told_so(grouping) -> None:
    grouping.create_activity("role_play", group_size="2")
    femi = grouping.ready(FEMI)
    assert "not grouped yet" in grouping.page(femi)
