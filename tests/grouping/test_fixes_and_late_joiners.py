"""Groups that can always be formed, through the HTTP surface the LMS frame uses:
an impossible configuration names its bottleneck and offers checked fixes, one
POST applies a fix and forms the draft; late joiners never overfill a group."""

from __future__ import annotations

import html
import re

from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA, HUGO, learner
from tests.support.lti import INSTRUCTOR

IVO = learner("ivo", "Ivo Novak")
JUN = learner("jun", "Jun Park")
KAI = learner("kai", "Kai Berg")


def _fixes(body: str) -> dict[str, str]:
    """Offered fix text → its key, from the page's fix forms."""
    found = re.findall(r'name="fix" value="([0-9a-f]+)">.*?<span>(.*?)\.</span>', body, re.S)
    return {html.unescape(text): key for key, text in found}


def _chain_cohort(grouping) -> tuple:
    """Nine learners; Carla manages Bruno, who manages Asha (Carla is Asha's skip-level)."""
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(CARLA, role_title="Director")
    grouping.ready(BRUNO, role_title="Manager", reports_to=grouping.person_id(CARLA))
    grouping.ready(ASHA, role_title="Officer", reports_to=grouping.person_id(BRUNO))
    for user in (DEV, ELIF, FEMI, GRETA, HUGO, IVO):
        grouping.ready(user)
    return staff


def _settings(app, activity_id: str) -> dict:
    with app.app_context():
        row = db.session.query(Activity).filter_by(public_id=activity_id).one()
        return dict(row.settings)


def test_an_impossible_grouping_names_the_bottleneck_and_a_size_fix_applies_on_click(
    grouping, app
) -> None:
    grouping.create_activity("case_discussion", group_size_min="4", group_size_max="6")
    staff = _chain_cohort(grouping)
    resp = grouping.form_groups(staff)
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422
    assert "3 people around Carla Gomez must all be in different groups" in body
    offered = _fixes(body)
    size_fix = "Use groups of 3 to 6 people instead of groups of 4 to 6: 3 groups of 3, 3 and 3"
    assert size_fix in offered
    assert "Allow Carla Gomez to share a group with Asha Patel (skip-level report)" in offered
    assert not grouping.rounds(), "nothing is formed before a fix is chosen"

    applied = grouping.client.post(
        f"/g/{grouping.activity}/fixes",
        data={"t": staff.token, "fix": offered[size_fix], "organisations": "ignore"},
    )
    page = html.unescape(applied.get_data(as_text=True))
    assert applied.status_code == 200
    assert f"Applied: {size_fix}. The draft groups below were formed" in page
    assert sorted(len(g) for g in grouping.groups()) == [3, 3, 3]
    for group in grouping.groups():
        assert not {"Asha Patel", "Bruno Silva"} <= set(group)
        assert not {"Asha Patel", "Carla Gomez"} <= set(group)
    settings = _settings(app, grouping.activity)
    assert (settings["group_size_min"], settings["group_size_max"]) == (3, 6)
    assert "Group size: 3 to 6 people" in grouping.page(staff)


def test_a_rule_exception_applies_on_click_and_stays_visible_when_forming_again(grouping) -> None:
    grouping.create_activity("case_discussion", group_size_min="4", group_size_max="6")
    staff = _chain_cohort(grouping)
    offered = _fixes(html.unescape(grouping.form_groups(staff).get_data(as_text=True)))
    text = "Allow Carla Gomez to share a group with Asha Patel (skip-level report)"
    applied = grouping.client.post(
        f"/g/{grouping.activity}/fixes",
        data={"t": staff.token, "fix": offered[text], "organisations": "ignore"},
    )
    assert applied.status_code == 200
    assert f"Applied: {text}." in html.unescape(applied.get_data(as_text=True))
    groups = grouping.groups()
    assert sorted(len(g) for g in groups) == [4, 5]
    assert not any({"Asha Patel", "Bruno Silva"} <= set(g) for g in groups)
    assert grouping.rounds()[-1].options["allow_skip_level"] == [grouping.person_id(CARLA)]
    page = html.unescape(grouping.page(staff))
    assert "Exception: Carla Gomez may share a group with their skip-level reports" in page
    again = grouping.form_groups(staff, allow_skip_level=grouping.person_id(CARLA))
    assert again.status_code == 303, "forming again with the exception still works"


def test_same_manager_rule_offers_to_let_one_managers_reports_share_groups(grouping) -> None:
    grouping.create_activity("case_discussion")  # defaults: 3 to 6
    staff = grouping.enter(INSTRUCTOR)
    grouping.ready(DEV, role_title="Head of operations")
    boss = grouping.person_id(DEV)
    for user in (ASHA, BRUNO, CARLA):
        grouping.ready(user, reports_to=boss)
    for user in (ELIF, FEMI, GRETA, HUGO, IVO, JUN):
        grouping.ready(user)
    default = grouping.form_groups(staff)
    assert default.status_code == 303, "the defaults group this cohort"
    resp = grouping.form_groups(staff, avoid_same_manager="1")
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422
    offered = _fixes(body)
    text = "Allow Dev Sharma's 3 reports (Asha Patel, Bruno Silva and Carla Gomez) to share groups"
    assert text in offered
    applied = grouping.client.post(
        f"/g/{grouping.activity}/fixes",
        data={
            "t": staff.token,
            "fix": offered[text],
            "avoid_same_manager": "1",
            "organisations": "ignore",
        },
    )
    assert applied.status_code == 200
    assert not any(
        "Dev Sharma" in g and {"Asha Patel", "Bruno Silva", "Carla Gomez"} & set(g)
        for g in grouping.groups()
    )


def test_a_fix_that_no_longer_applies_is_refused_with_a_reason(grouping) -> None:
    grouping.create_activity("case_discussion", group_size_min="4", group_size_max="6")
    staff = _chain_cohort(grouping)
    resp = grouping.client.post(
        f"/g/{grouping.activity}/fixes",
        data={"t": staff.token, "fix": "0" * 20, "organisations": "ignore"},
    )
    assert resp.status_code == 422
    assert "no longer needed or no longer enough" in resp.get_data(as_text=True)
    assert not grouping.rounds()


def _full_role_play(grouping) -> tuple:
    grouping.create_activity("role_play", group_size_min="3", group_size_max="4")
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA, HUGO):
        grouping.ready(user)
    assert grouping.form_groups(staff).status_code == 303
    rnd = grouping.rounds()[-1]
    assert (
        grouping.client.post(
            f"/g/{grouping.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
        ).status_code
        == 303
    )
    assert sorted(len(g) for g in grouping.groups()) == [4, 4]
    return staff, rnd.public_id


def test_late_joiner_never_pushes_a_full_role_play_group_over_its_maximum(grouping) -> None:
    staff, round_id = _full_role_play(grouping)
    ivo = grouping.ready(IVO)
    page = html.unescape(grouping.page(staff))
    assert (
        "Ivo Novak</strong> waits: every group already has its maximum of 4, and 1 "
        "waiting person is fewer than the 3 a new group needs." in page
    )
    assert (
        "Allow group 1 to grow to 5 for Ivo Novak" in page
        or "Allow group 2 to grow to 5 for Ivo Novak" in page
    )
    assert "Or wait for more people: once 3 are waiting" in page
    assert "not grouped yet" in grouping.page(ivo)
    resp = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{round_id}/late-joiners", data={"t": staff.token}
    )
    assert resp.status_code == 200
    assert "Nobody could be placed yet. Still waiting: Ivo Novak" in resp.get_data(as_text=True)
    assert sorted(len(g) for g in grouping.groups()) == [4, 4]

    allowed = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{round_id}/late-joiners",
        data={"t": staff.token, "over_max": grouping.person_id(IVO)},
    )
    assert allowed.status_code == 200
    assert "Ivo Novak joined group" in allowed.get_data(as_text=True)
    assert sorted(len(g) for g in grouping.groups()) == [4, 5]


def test_enough_late_joiners_form_a_new_group_and_nobody_is_reshuffled(grouping) -> None:
    staff, round_id = _full_role_play(grouping)
    before = grouping.groups()
    for user in (IVO, JUN, KAI):
        grouping.ready(user)
    page = html.unescape(grouping.page(staff))
    assert "Ivo Novak → group 3; Jun Park → group 3; Kai Berg → group 3." in page
    resp = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{round_id}/late-joiners", data={"t": staff.token}
    )
    assert resp.status_code == 200
    after = grouping.groups()
    assert after[:2] == before
    assert sorted(after[2]) == ["Ivo Novak", "Jun Park", "Kai Berg"]
    assert "waiting for a group" not in grouping.page(staff)


def test_two_waiting_may_form_a_smaller_group_when_the_instructor_allows(grouping) -> None:
    staff, round_id = _full_role_play(grouping)
    grouping.ready(IVO)
    grouping.ready(JUN)
    page = html.unescape(grouping.page(staff))
    assert "Let the 2 waiting form a group of 2 now" in page
    resp = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{round_id}/late-joiners",
        data={"t": staff.token, "small_group": "1"},
    )
    assert resp.status_code == 200
    assert sorted(grouping.groups()[2]) == ["Ivo Novak", "Jun Park"]
