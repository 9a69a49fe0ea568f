"""The instructor's Grades panel, the retry action and CLI, and the embedded worker."""

from __future__ import annotations

import time

from lti_app.courses.models import Course
from lti_app.extensions import db
from lti_app.grades.models import FAILED, PENDING, SENT
from lti_app.peer_activities.models import Activity
from tests.conftest import make_app
from tests.grades.helpers import deliver, record, scores, start
from tests.support.lti import INSTRUCTOR, LtiDriver, token_from


def _enter(client, lms, setup, user=INSTRUCTOR):
    page = LtiDriver(client, lms.platform).enter(
        user, resource_link={"id": setup.link_id, "title": "Feedback practice"}
    )
    return token_from(page.request.url)


def _public_id(app, activity_id):
    with app.app_context():
        return db.session.get(Activity, activity_id).public_id


def test_the_grades_panel_shows_sent_waiting_and_failed_with_the_reason(app, client, make_lms):
    lms, setup, users = start(app, make_lms, learners=3)
    token = _enter(client, lms, setup)
    lms.faults.add(
        "/scores",
        422,
        times=1,
        body=b'{"errors": [{"message": "User not found in course or is not a student"}]}',
    )
    record(app, setup, users[0].sub, 10)
    deliver(app)
    record(app, setup, users[1].sub, 20)
    deliver(app)
    record(app, setup, users[2].sub, 30)  # waiting
    activity = _public_id(app, setup.activity_id)
    page = client.get(f"/a/{activity}/grades", query_string={"t": token})
    assert page.status_code == 200
    text = page.text
    assert "<strong>1</strong> sent" in text and "<strong>1</strong> waiting" in text
    assert "<strong>1</strong> failed" in text
    assert "User not found in course or is not a student" in text
    assert "Learner 00000" in text and "Waiting to be sent" in text

    resp = client.post(f"/a/{activity}/grades/retry", data={"t": token})
    assert resp.status_code == 303
    assert sorted(s.status for s in scores(app)) == [PENDING, PENDING, SENT]
    deliver(app)
    assert [s.status for s in scores(app)] == [SENT, SENT, SENT]


def test_learners_cannot_see_the_grades_panel_or_retry(app, client, make_lms):
    from tests.support.lti import LEARNER

    lms, setup, users = start(app, make_lms, learners=1)
    token = _enter(client, lms, setup, LEARNER)
    activity = _public_id(app, setup.activity_id)
    assert client.get(f"/a/{activity}/grades", query_string={"t": token}).status_code == 403
    assert client.post(f"/a/{activity}/grades/retry", data={"t": token}).status_code == 403


def test_retry_needs_the_session_token(app, client, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    _enter(client, lms, setup)
    activity = _public_id(app, setup.activity_id)
    assert client.post(f"/a/{activity}/grades/retry").status_code == 401


def test_another_courses_activity_is_not_found(app, client, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    token = _enter(client, lms, setup)
    with app.app_context():
        first = db.session.get(Course, setup.course_id)
        other = Course(
            registration_id=first.registration_id,
            deployment_id=first.deployment_id,
            context_id="other-course",
        )
        db.session.add(other)
        db.session.flush()
        stranger = Activity(
            registration_id=first.registration_id,
            deployment_id=first.deployment_id,
            course_id=other.id,
            resource_link_id="elsewhere",
            title="Elsewhere",
        )
        db.session.add(stranger)
        db.session.commit()
        stranger_id = stranger.public_id
    assert client.get(f"/a/{stranger_id}/grades", query_string={"t": token}).status_code == 404


def test_the_grades_cli_reports_and_retries(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=2)
    lms.faults.add("/scores", 404, times=2, body=b"")
    for user in users:
        record(app, setup, user.sub, 40)
    deliver(app)
    assert {s.status for s in scores(app)} == {FAILED}
    runner = app.test_cli_runner()
    status = runner.invoke(args=["grades", "status"])
    assert "failed=2" in status.output and "refused it (404)" in status.output
    assert "2 score(s) queued again" in runner.invoke(args=["grades", "retry"]).output
    out = runner.invoke(args=["grades", "deliver", "--seconds", "5"]).output
    assert "sent=2" in out


def test_the_embedded_worker_delivers_without_any_extra_server(tmp_path, platform_server):
    """JOBS_MODE=thread (SQLite, no Redis): a committed score is sent by the web
    process's own background thread, with a fresh database's first key."""
    from lti_app.lms import keys
    from tests.support.lms_services import ServicesLms, generated_learners, setup_course
    from tests.support.platform_server import LiveServer

    (tmp_path / "embedded").mkdir()
    embedded = make_app(tmp_path / "embedded", JOBS_MODE="thread", JOBS_SWEEP_S=1)
    keys.clear_cache()
    with embedded.app_context():
        db.create_all()
    users = generated_learners(2)
    with LiveServer(embedded) as tool, ServicesLms(tool.url, users) as lms:
        with embedded.app_context():
            setup = setup_course(lms, users)
        for user in users:
            record(embedded, setup, user.sub, 90)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and {s.status for s in scores(embedded)} != {SENT}:
            time.sleep(0.1)
        assert {s.status for s in scores(embedded)} == {SENT}
    keys.clear_cache()
