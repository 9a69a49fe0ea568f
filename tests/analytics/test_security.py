"""Staff pages are staff-only and scoped: a learner gets 403, another platform's
people get 404 or only their own courses."""

from __future__ import annotations

import html

import pytest

from tests.analytics.support import ANA
from tests.support.lti import INSTRUCTOR, LtiDriver, token_from

STAFF_GETS = (
    "course",
    "programme",
    "course/report",
    "programme/report",
    "course/export/learning.csv",
    "programme/export/courses.csv",
)


@pytest.fixture
def measured(an):
    an.setup()
    an.add_knowledge(2)
    an.check(ANA, "pre", 1)
    return an


def test_a_learner_cannot_see_staff_dashboards_or_change_checks(measured) -> None:
    an = measured
    visit = an.join(ANA)
    for path in STAFF_GETS + (f"{an.activity}/results",):
        assert an.get(visit, path).status_code == 403, path
    for path in ("items", "setup", "post-open"):
        assert an.post(visit, path, kind="knowledge", prompt="x", open="1").status_code == 403
    assert an.post(an.staff, "checks/pre").status_code == 403  # staff take no checks


def test_another_platforms_people_get_404(measured, app, platform_server) -> None:
    from lti_app.extensions import db
    from lti_app.sandbox.platform import SandboxPlatform
    from tests.conftest import register_platform

    an = measured
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
    for user in (INSTRUCTOR, ANA):
        token = token_from(
            other.launch(user, resource_link={"id": "checks-link"}).headers["Content-Location"]
        )
        assert an.client.get(
            f"/an/{an.activity}/results", query_string={"t": token}
        ).status_code in (403, 404)
        for path in ("items", "setup", "post-open", "checks/pre", "feedback"):
            resp = an.client.post(f"/an/{an.activity}/{path}", data={"t": token})
            assert resp.status_code in (403, 404), (user.sub, path)
        if user is INSTRUCTOR:
            assert (
                an.client.get(f"/an/{an.activity}/results", query_string={"t": token}).status_code
                == 404
            )
            for path in ("items", "setup", "post-open"):
                resp = an.client.post(f"/an/{an.activity}/{path}", data={"t": token})
                assert resp.status_code == 404
            # Their own dashboards show their own (empty) courses, never ours.
            for which in ("course", "programme"):
                page = html.unescape(
                    an.client.get(f"/an/{which}", query_string={"t": token}).get_data(as_text=True)
                )
                assert ANA.name not in page and "Coaching conversations" not in page
            rows = an.client.get(
                "/an/programme/export/learning.csv", query_string={"t": token}
            ).get_data(as_text=True)
            assert rows.strip().count("\n") == 0  # the header only
        else:
            resp = an.client.post(f"/an/{an.activity}/checks/pre", data={"t": token})
            assert resp.status_code == 404


def test_another_course_of_the_same_platform_cannot_open_our_activity(measured) -> None:
    from tests.grouping.support import OTHER_COURSE

    an = measured
    visit = an.enter(INSTRUCTOR, link="elsewhere", context=OTHER_COURSE)
    assert (
        an.client.get(f"/an/{an.activity}/results", query_string={"t": visit.token}).status_code
        == 404
    )
    assert an.post(visit, "items", kind="self", prompt="x").status_code == 404
    page = html.unescape(
        an.client.get("/an/course", query_string={"t": visit.token}).get_data(as_text=True)
    )
    assert ANA.name not in page
