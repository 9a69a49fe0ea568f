"""Who may do what: roles, tenants and tokens on every grouping endpoint."""

from __future__ import annotations

import pytest

from lti_app.extensions import db
from lti_app.sandbox.platform import SandboxPlatform
from tests.conftest import register_platform
from tests.grouping.support import ASHA, BRUNO, OTHER_COURSE
from tests.support.lti import INSTRUCTOR, LtiDriver, token_from


def _staff_endpoints(activity: str, round_id: str, group_id: str) -> list[tuple[str, str]]:
    base = f"/g/{activity}"
    return [
        ("GET", f"{base}/survey"),
        ("POST", f"{base}/survey"),
        ("GET", f"{base}/agreement"),
        ("POST", f"{base}/agreement"),
        ("POST", f"{base}/reporting-lines"),
        ("POST", f"{base}/rounds"),
        ("POST", f"{base}/fixes"),
        ("POST", f"{base}/rounds/{round_id}/moves"),
        ("POST", f"{base}/rounds/{round_id}/check"),
        ("POST", f"{base}/rounds/{round_id}/groups/{group_id}/lock"),
        ("POST", f"{base}/rounds/{round_id}/publish"),
        ("POST", f"{base}/rounds/{round_id}/late-joiners"),
    ]


@pytest.fixture
def formed(grouping):
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    asha = grouping.ready(ASHA)
    grouping.ready(BRUNO)
    grouping.form_groups(staff)
    rnd = grouping.rounds()[-1]
    return staff, asha, rnd.public_id, rnd.groups[0].public_id


def test_learner_cannot_use_instructor_endpoints(grouping, formed) -> None:
    _staff, asha, round_id, group_id = formed
    for method, path in _staff_endpoints(grouping.activity, round_id, group_id):
        resp = grouping.client.open(
            path,
            method=method,
            data={
                "t": asha.token,
                "text": "x" * 40,
                "locked": "1",
                "override": "1",
                "challenges": "a\nb\nc",
            },
        )
        assert resp.status_code == 403, (method, path)
    assert grouping.rounds()[-1].status == "draft"


def test_instructor_cannot_answer_the_survey_or_accept_for_learners(grouping, formed) -> None:
    staff, _asha, _round, _group = formed
    assert grouping.answer(staff).status_code == 403
    assert grouping.accept(staff).status_code == 403
    preview = grouping.client.get(f"/g/{grouping.activity}/intake", query_string={"t": staff.token})
    assert preview.status_code == 200 and "Preview" in preview.get_data(as_text=True)


def test_posts_without_a_session_token_are_refused(grouping, formed) -> None:
    _staff, _asha, round_id, group_id = formed
    for _method, path in _staff_endpoints(grouping.activity, round_id, group_id):
        assert grouping.client.post(path, data={}).status_code == 401, path
    assert grouping.client.post(f"/g/{grouping.activity}/intake", data={}).status_code == 401


def test_another_course_activity_id_gives_404(grouping, formed) -> None:
    staff, asha, round_id, group_id = formed
    mine = grouping.activity
    theirs = grouping.create_activity("role_play", link="other-link", context=OTHER_COURSE)
    for method, path in _staff_endpoints(theirs, round_id, group_id):
        resp = grouping.client.open(path, method=method, data={"t": staff.token})
        assert resp.status_code == 404, (method, path)
    assert (
        grouping.client.get(f"/g/{theirs}/intake", query_string={"t": asha.token}).status_code
        == 404
    )
    # A round of another activity, through my own activity's URL, is not found either.
    grouping.activity = theirs
    other_staff = grouping.enter(INSTRUCTOR, context=OTHER_COURSE, link="other-link")
    assert (
        grouping.client.post(
            f"/g/{mine}/rounds/{round_id}/publish", data={"t": other_staff.token}
        ).status_code
        == 404
    )


def test_a_round_id_of_another_activity_gives_404(grouping, formed) -> None:
    staff, _asha, round_id, _group = formed
    first = grouping.activity
    second = grouping.create_activity("role_play", link="second-link")
    assert (
        grouping.client.post(
            f"/g/{second}/rounds/{round_id}/publish", data={"t": staff.token}
        ).status_code
        == 404
    )
    assert (
        grouping.client.post(f"/g/{first}/rounds/nope/publish", data={"t": staff.token}).status_code
        == 404
    )


def test_activities_without_groups_have_no_grouping_pages(grouping) -> None:
    journal = grouping.create_activity("journal")
    staff = grouping.enter(INSTRUCTOR)
    assert (
        grouping.client.get(f"/g/{journal}/survey", query_string={"t": staff.token}).status_code
        == 404
    )
    assert "Intake survey" not in grouping.page(staff)


def test_another_platform_activity_id_gives_404(grouping, formed, app, platform_server) -> None:
    server, platform, _ = platform_server
    twin = SandboxPlatform(
        issuer=platform.issuer,
        client_id="second-customer",
        deployment_id=platform.deployment_id,
        key=platform.key,
    )
    with app.app_context():
        register_platform(twin, server.url + "/jwks", name="Second customer")
        db.session.commit()
    other = LtiDriver(app.test_client(), twin)
    their_staff = token_from(
        other.launch(INSTRUCTOR, resource_link={"id": "grp-link"}).headers["Content-Location"]
    )
    for method, path in _staff_endpoints(grouping.activity, formed[2], formed[3]):
        resp = grouping.client.open(path, method=method, data={"t": their_staff})
        assert resp.status_code == 404, (method, path)
