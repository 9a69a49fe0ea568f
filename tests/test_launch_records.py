"""Valid launches the certification requires us to accept, and what a launch creates."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.extensions import db
from lti_app.lms import registry
from lti_app.lms.registry import PlatformSpec
from lti_app.peer_activities.models import Activity
from lti_app.sandbox.platform import CLAIM, SandboxPlatform
from tests.conftest import register_platform
from tests.support.lti import INSTRUCTOR, LEARNER, LtiDriver, token_from


def _set(name: str, value: Any):
    return lambda claims: claims.__setitem__(name, value)


def _drop(*names: str):
    return lambda claims: [claims.pop(n, None) for n in names]


def test_instructor_launch_records_course_person_enrolment_and_activity(lti, app) -> None:
    page = lti.enter(INSTRUCTOR, resource_link={"id": "link-1", "title": "Coaching practice"})
    assert page.status_code == 200
    assert "Set up this activity" in page.get_data(as_text=True)
    with app.app_context():
        person = db.session.scalar(select(Person))
        course = db.session.scalar(select(Course))
        enrolment = db.session.scalar(select(Enrolment))
        activity = db.session.scalar(select(Activity))
        assert person.sub == INSTRUCTOR.sub and person.name == INSTRUCTOR.name
        assert course.context_id == "sandbox-course-1" and course.title.startswith("Leading")
        assert course.nrps_url and course.ags_lineitems_url
        assert enrolment.roles == ["instructor"]
        assert activity.resource_link_id == "link-1" and activity.title == "Coaching practice"


def test_learner_sees_a_not_set_up_notice_for_an_unconfigured_link(lti) -> None:
    page = lti.enter(LEARNER, resource_link={"id": "link-2"})
    assert page.status_code == 200
    assert "has not set up this activity yet" in page.get_data(as_text=True)


def test_launch_without_context_claim_succeeds(lti, app) -> None:
    page = lti.enter(LEARNER, context=None)
    assert page.status_code == 200
    assert "Opened outside a course" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Course)) is None
        assert db.session.scalar(select(Person)) is not None


def test_launch_without_any_pii_succeeds(lti, app) -> None:
    page = lti.enter(LEARNER, with_pii=False)
    assert page.status_code == 200
    with app.app_context():
        person = db.session.scalar(select(Person))
        assert person.name is None and person.email is None
        assert person.display_name.startswith("Participant ")


def test_launch_with_empty_role_succeeds_as_guest(lti) -> None:
    page = lti.enter(LEARNER, mutate=_set(CLAIM + "roles", [""]))
    assert page.status_code == 200
    assert "guest" in page.get_data(as_text=True)


def test_launch_with_unknown_role_succeeds_with_least_privilege(lti, app) -> None:
    resp = lti.launch(LEARNER, mutate=_set(CLAIM + "roles", ["http://example.com/role#Boss"]))
    assert resp.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Enrolment)).roles == []


def test_short_role_name_instructor_is_understood(lti) -> None:
    page = lti.enter(LEARNER, mutate=_set(CLAIM + "roles", ["Instructor"]))
    assert "Set up this activity" in page.get_data(as_text=True)


def test_institution_instructor_is_not_a_course_instructor(lti) -> None:
    roles = [
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
    ]
    page = lti.enter(LEARNER, mutate=_set(CLAIM + "roles", roles))
    assert "Set up this activity" not in page.get_data(as_text=True)


def test_unknown_claims_are_ignored(lti) -> None:
    resp = lti.launch(LEARNER, mutate=_set("https://example.com/claim/whatever", {"a": 1}))
    assert resp.status_code == 200


def test_anonymous_launch_gets_a_friendly_page_and_creates_nothing(lti, app) -> None:
    resp = lti.launch(LEARNER, mutate=_drop("sub", "name", "given_name", "family_name", "email"))
    assert resp.status_code == 200
    assert "Please sign in to your course" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Person)) is None


def test_single_audience_string_and_array_both_accepted(lti, platform) -> None:
    assert lti.launch(mutate=_set("aud", [platform.client_id])).status_code == 200
    assert (
        lti.launch(
            mutate=lambda c: (c.__setitem__("aud", platform.client_id), c.pop("azp"))
        ).status_code
        == 200
    )


def test_relaunch_updates_instead_of_duplicating(lti, app) -> None:
    link = {"id": "same-link", "title": "T"}
    for _ in range(3):
        assert lti.launch(LEARNER, resource_link=link).status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(Person)).all()) == 1
        assert len(db.session.scalars(select(Enrolment)).all()) == 1
        assert len(db.session.scalars(select(Activity)).all()) == 1


def test_ids_are_case_sensitive(lti, app) -> None:
    assert lti.launch(LEARNER, resource_link={"id": "Link-A"}).status_code == 200
    assert lti.launch(LEARNER, resource_link={"id": "link-a"}).status_code == 200
    assert lti.launch(LEARNER, mutate=_set("sub", LEARNER.sub.upper())).status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(Activity)).all()) == 3
        assert len(db.session.scalars(select(Person)).all()) == 2


# -- tenants -------------------------------------------------------------------------


def _second_tenant(app: Any, platform_server: Any) -> LtiDriver:
    """The same issuer with another client id (two Canvas customers share one iss)."""
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
    return LtiDriver(app.test_client(), twin)


def test_same_ids_on_two_registrations_stay_separate(lti, app, platform_server) -> None:
    other = _second_tenant(app, platform_server)
    link = {"id": "link-1"}
    assert lti.launch(LEARNER, resource_link=link).status_code == 200
    assert other.launch(LEARNER, resource_link=link).status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(Person)).all()) == 2
        assert len(db.session.scalars(select(Course)).all()) == 2
        assert len(db.session.scalars(select(Activity)).all()) == 2


def test_activity_of_another_tenant_gives_404(lti, app, platform_server) -> None:
    other = _second_tenant(app, platform_server)
    mine = lti.launch(INSTRUCTOR, resource_link={"id": "mine"}).headers["Content-Location"]
    theirs = other.launch(INSTRUCTOR, resource_link={"id": "theirs"}).headers["Content-Location"]
    their_activity = theirs.split("/a/")[1].split("?")[0]
    my_token = token_from(mine)
    resp = lti.client.get(f"/a/{their_activity}", query_string={"t": my_token})
    assert resp.status_code == 404


def test_deep_linked_activity_id_from_another_tenant_is_not_bound(
    lti, app, platform_server
) -> None:
    other = _second_tenant(app, platform_server)
    theirs = other.launch(INSTRUCTOR, resource_link={"id": "theirs"}).headers["Content-Location"]
    their_activity = theirs.split("/a/")[1].split("?")[0]
    resp = lti.launch(
        INSTRUCTOR, resource_link={"id": "mine"}, custom={"peerlift_activity": their_activity}
    )
    assert their_activity not in resp.headers["Content-Location"]


def test_deployment_id_is_scoped_to_its_registration(app) -> None:
    with app.app_context():
        reg = registry.add_platform(
            PlatformSpec(
                issuer="https://canvas.instructure.com",
                client_id="100",
                auth_login_url="https://a/",
                auth_token_url="https://a/t",
                jwks_url="https://a/j",
            ),
            ["1:abc"],
        )
        reg2 = registry.add_platform(
            PlatformSpec(
                issuer="https://canvas.instructure.com",
                client_id="200",
                auth_login_url="https://a/",
                auth_token_url="https://a/t",
                jwks_url="https://a/j",
            ),
            ["1:abc"],
        )
        assert registry.find_deployment(reg, "1:abc") is not None
        assert registry.find_deployment(reg, "1:abc") is not registry.find_deployment(reg2, "1:abc")


def test_launch_answers_with_the_page_and_names_its_reloadable_address(lti) -> None:
    resp = lti.launch(LEARNER, resource_link={"id": "reload-me", "title": "Reloadable"})
    assert resp.status_code == 200
    url = resp.headers["Content-Location"]
    assert url.startswith("/a/") and "t=" in url
    assert resp.headers["Cache-Control"] == "no-store"
    body = resp.get_data(as_text=True)
    swapped = re.search(r'history\.replaceState\(null, "", ("[^"]+")\)', body)
    assert swapped and json.loads(swapped.group(1)) == url
    assert lti.client.get(url).status_code == 200  # what a reload does
