"""Roster sync (NRPS): everyone in the course, page by page, leavers kept but inactive."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select

from lti_app.courses import roster
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.lms.service_http import ServiceError
from lti_app.sandbox.platform import DEMO_USERS
from tests.support.lms_services import generated_learners, setup_course
from tests.support.lti import INSTRUCTOR, LEARNER, LtiDriver, token_from


def _course(app, make_lms, members: int = 0, enrolled: int = 0):
    users = generated_learners(members)
    lms = make_lms(users)
    with app.app_context():
        setup = setup_course(lms, users[:enrolled])
    return lms, setup, users


def _sync(app, course_id):
    with app.app_context():
        try:
            return roster.sync_roster(course_id)
        finally:
            db.session.remove()


def _enrolments(app, course_id) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            select(Person.sub, Enrolment.status)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Enrolment.course_id == course_id)
        )
        return dict(rows.all())


def _course_row(app, course_id) -> Course:
    with app.app_context():
        course = db.session.get(Course, course_id)
        db.session.expunge(course)
        return course


def test_sync_pages_through_every_member_and_records_when(app, make_lms):
    lms, setup, users = _course(app, make_lms, members=120)
    report = _sync(app, setup.course_id)
    everyone = len(users) + len(DEMO_USERS)
    assert (report.members, report.added, report.pages) == (everyone, everyone, 3)
    statuses = _enrolments(app, setup.course_id)
    assert len(statuses) == everyone and set(statuses.values()) == {"active"}
    course = _course_row(app, setup.course_id)
    assert course.roster_sync_status == "ok" and course.roster_synced_at is not None
    assert course.roster_sync_counts["members"] == everyone
    first, *rest = lms.faults.calls("/memberships", "GET")
    assert parse_qs(first.query)["limit"] == ["50"], "Moodle only pages when asked to"
    assert rest and all(any(c.isupper() for c in parse_qs(r.query)["page"][0]) for r in rest), (
        "the next link is followed exactly as sent, mixed case kept"
    )
    with app.app_context():
        ben = db.session.scalars(select(Person).where(Person.sub == "sandbox-ben")).one()
        assert ben.email == "ben@sandbox.test"
        roles = db.session.scalars(
            select(Enrolment.roles).where(Enrolment.person_id == ben.id)
        ).one()
        assert roles == ["learner"]


def test_a_second_sync_adds_nobody_twice(app, make_lms):
    lms, setup, users = _course(app, make_lms, members=10, enrolled=4)
    assert _sync(app, setup.course_id).added == 10 + len(DEMO_USERS) - 4
    assert _sync(app, setup.course_id).added == 0
    with app.app_context():
        assert db.session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.registration_id == setup.registration_id)
        ) == 10 + len(DEMO_USERS)


def test_members_who_left_become_inactive_and_keep_their_work(app, make_lms):
    lms, setup, users = _course(app, make_lms, members=3)
    with app.app_context():
        gone = Person(registration_id=setup.registration_id, sub="left-last-week", name="Gone")
        here = Person(registration_id=setup.registration_id, sub="launched-just-now", name="Here")
        db.session.add_all([gone, here])
        db.session.flush()
        db.session.add_all(
            [
                Enrolment(
                    course_id=setup.course_id,
                    person_id=gone.id,
                    roles=["learner"],
                    last_launch_at=utcnow() - timedelta(days=7),
                ),
                # Someone whose launch lands while the sync runs is in the course.
                Enrolment(
                    course_id=setup.course_id,
                    person_id=here.id,
                    roles=["learner"],
                    last_launch_at=utcnow() + timedelta(seconds=30),
                ),
            ]
        )
        db.session.commit()
    report = _sync(app, setup.course_id)
    assert report.left == 1
    statuses = _enrolments(app, setup.course_id)
    assert statuses["left-last-week"] == "inactive"
    assert statuses["launched-just-now"] == "active"
    with app.app_context():
        assert db.session.scalar(select(Person).where(Person.sub == "left-last-week"))


def test_a_member_without_user_id_is_skipped_and_counted(app, make_lms):
    lms, setup, _ = _course(app, make_lms)
    body = {
        "id": lms.nrps_url,
        "context": {"id": lms.context_id},
        "members": [
            {"user_id": "ok-1", "roles": ["Learner"], "status": "Active"},
            {"roles": ["Learner"], "name": "No Id"},
            "not an object",
            {
                "user_id": "ok-2",
                "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
            },
        ],
    }
    lms.faults.add("/memberships", 200, body=json.dumps(body).encode())
    report = _sync(app, setup.course_id)
    assert (report.members, report.rejected) == (2, 2)
    assert _course_row(app, setup.course_id).roster_sync_counts["rejected"] == 2


@pytest.mark.parametrize(
    "body, headers, reason",
    [
        (b"<html>maintenance</html>", {}, "malformed JSON"),
        (b'{"members": "nobody"}', {}, "no list of members"),
        (b'{"members": []}', {"Link": '<https://evil.example/steal>; rel="next"'}, "another host"),
    ],
    ids=["malformed-json", "no-members-list", "next-on-another-host"],
)
def test_a_roster_the_lms_garbles_fails_the_sync_with_a_reason(
    app, make_lms, body, headers, reason
):
    lms, setup, _ = _course(app, make_lms, members=2, enrolled=2)
    lms.faults.add("/memberships", 200, body=body, headers=headers)
    with pytest.raises(ServiceError, match=reason):
        _sync(app, setup.course_id)
    course = _course_row(app, setup.course_id)
    assert course.roster_sync_status == "failed" and reason in course.roster_sync_error
    assert set(_enrolments(app, setup.course_id).values()) == {"active"}, (
        "a failed sync marks nobody as gone"
    )


def test_pages_that_never_end_are_stopped(app, make_lms):
    lms, setup, _ = _course(app, make_lms)
    loop = f'<{lms.nrps_url}?limit=50&page=again>; rel="next"'
    lms.faults.add("/memberships", 200, body=b'{"members": []}', headers={"Link": loop})
    with pytest.raises(ServiceError, match="never end"):
        _sync(app, setup.course_id)


def test_a_refused_token_fails_the_sync_with_the_lms_reason(app, make_lms):
    lms, setup, _ = _course(app, make_lms)
    lms.faults.add("/token", 401, body=b'{"error": "invalid_client"}')
    with pytest.raises(ServiceError, match="invalid_client"):
        _sync(app, setup.course_id)


def test_an_expired_token_is_renewed_once_mid_sync(app, make_lms):
    lms, setup, _ = _course(app, make_lms, members=60)
    lms.faults.add("/memberships", 401, times=1, method="GET")
    assert _sync(app, setup.course_id).members == 60 + len(DEMO_USERS)
    assert lms.token_requests() == 2


def test_a_second_sync_waits_for_the_running_one(app, make_lms):
    lms, setup, _ = _course(app, make_lms)
    with app.app_context():
        db.session.get(Course, setup.course_id).roster_sync_lease_until = utcnow() + timedelta(
            minutes=5
        )
        db.session.commit()
    with pytest.raises(roster.RosterUnavailable, match="already running"):
        _sync(app, setup.course_id)


def test_an_instructor_launch_starts_a_sync_when_the_roster_is_stale(app, client, make_lms):
    lms, setup, _ = _course(app, make_lms)
    driver = LtiDriver(client, lms.platform)
    jobs = app.extensions["peerlift.jobs"]
    driver.enter(LEARNER)
    assert jobs.sent == [], "a learner's launch does not sync"
    driver.enter(INSTRUCTOR)
    assert jobs.sent == [("roster.sync", {"course_id": setup.course_id})]
    _sync(app, setup.course_id)
    driver.enter(INSTRUCTOR)
    assert len(jobs.sent) == 1, "a fresh roster is not synced again"


def test_the_sync_roster_button_syncs_and_the_page_shows_everyone(app, client, make_lms):
    app.config["JOBS_MODE"] = "eager"
    from lti_app.jobs.runners import EagerDispatcher

    app.extensions["peerlift.jobs"] = EagerDispatcher(app)
    app.config["ROSTER_STALE_S"] = 10**6
    lms, setup, users = _course(app, make_lms, members=5)
    with app.app_context():
        db.session.get(Course, setup.course_id).roster_synced_at = utcnow()
        db.session.commit()
    driver = LtiDriver(client, lms.platform)
    page = driver.enter(
        INSTRUCTOR,
        custom={"peerlift_activity": "x"},
        resource_link={"id": setup.link_id, "title": "Feedback practice"},
    )
    token = token_from(page.request.url)
    with app.app_context():
        from lti_app.peer_activities.models import Activity

        activity = db.session.get(Activity, setup.activity_id).public_id
    roster_page = client.get(f"/a/{activity}/roster", query_string={"t": token})
    assert roster_page.status_code == 200 and "Learner 00003" not in roster_page.text
    resp = client.post(f"/a/{activity}/roster/sync", data={"t": token})
    assert resp.status_code == 303
    roster_page = client.get(resp.headers["Location"])
    assert "Learner 00003" in roster_page.text
    assert f"{5 + len(DEMO_USERS)} members" in roster_page.text


def test_learners_cannot_see_or_sync_the_roster(app, client, make_lms):
    lms, setup, _ = _course(app, make_lms)
    driver = LtiDriver(client, lms.platform)
    page = driver.enter(LEARNER, resource_link={"id": setup.link_id, "title": "x"})
    token = token_from(page.request.url)
    with app.app_context():
        from lti_app.peer_activities.models import Activity

        activity = db.session.get(Activity, setup.activity_id).public_id
    assert client.get(f"/a/{activity}/roster", query_string={"t": token}).status_code == 403
    assert client.post(f"/a/{activity}/roster/sync", data={"t": token}).status_code == 403


def test_the_roster_cli_syncs_a_course(app, make_lms):
    lms, setup, _ = _course(app, make_lms, members=3)
    course = _course_row(app, setup.course_id)
    result = app.test_cli_runner().invoke(args=["roster", "sync", course.public_id])
    assert result.exit_code == 0, result.output
    assert f"{3 + len(DEMO_USERS)} members" in result.output
    listing = app.test_cli_runner().invoke(args=["roster", "list"])
    assert course.public_id in listing.output and "status=ok" in listing.output
