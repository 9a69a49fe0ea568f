"""Jobs leave only when the outermost transaction commits (real PostgreSQL and Redis)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from sqlalchemy import text

from lti_app import jobs
from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.grades.services import DELIVER, line_item_for, record_score
from lti_app.peer_activities.models import Activity
from tests.conftest import REDIS_URL, postgres_app
from tests.support.lms_services import generated_learners, setup_course

pytestmark = pytest.mark.services
SYNC = "roster.sync"


@pytest.fixture
def pg(services: None) -> Iterator[Flask]:
    with postgres_app() as app:
        yield app


def _sent(app: Flask) -> list[tuple[str, dict]]:
    return list(app.extensions["peerlift.jobs"].sent)


def test_a_job_asked_in_a_released_savepoint_waits_for_the_outer_commit(pg: Flask) -> None:
    with pg.app_context():
        db.session.execute(text("SELECT 1"))
        with db.session.begin_nested():
            jobs.after_commit(db.session(), SYNC, course_id=1)
        assert _sent(pg) == [], "a SAVEPOINT release is not a commit"
        with db.session.begin_nested(), db.session.begin_nested():
            jobs.after_commit(db.session(), SYNC, course_id=2)
        assert _sent(pg) == []
        db.session.commit()
    assert _sent(pg) == [(SYNC, {"course_id": 1}), (SYNC, {"course_id": 2})]


def test_a_rolled_back_outer_transaction_dispatches_nothing_after_a_released_savepoint(
    pg: Flask,
) -> None:
    with pg.app_context():
        db.session.execute(text("SELECT 1"))
        with db.session.begin_nested():
            jobs.after_commit(db.session(), SYNC, course_id=1)
        jobs.after_commit(db.session(), DELIVER)
        db.session.rollback()
        db.session.commit()  # a later, empty transaction sends nothing either
    assert _sent(pg) == []


def test_a_rolled_back_savepoint_drops_only_the_jobs_asked_inside_it(pg: Flask) -> None:
    with pg.app_context():
        jobs.after_commit(db.session(), SYNC, course_id=1)
        outer = db.session.begin_nested()
        jobs.after_commit(db.session(), SYNC, course_id=2)
        inner = db.session.begin_nested()
        jobs.after_commit(db.session(), SYNC, course_id=3)
        inner.rollback()
        outer.commit()
        sibling = db.session.begin_nested()
        jobs.after_commit(db.session(), SYNC, course_id=4)
        sibling.rollback()
        db.session.commit()
    assert _sent(pg) == [(SYNC, {"course_id": 1}), (SYNC, {"course_id": 2})]


def test_a_request_that_fails_dispatches_nothing(pg: Flask) -> None:
    """Through the request boundary: a view that asks for a job and then fails."""
    app = pg

    @app.post("/__test/fails")
    def fails() -> str:
        with db.session.begin_nested():
            jobs.after_commit(db.session(), SYNC, course_id=7)
        raise RuntimeError("boom")

    @app.post("/__test/works")
    def works() -> str:
        with db.session.begin_nested():
            jobs.after_commit(db.session(), SYNC, course_id=8)
        return "ok"

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    assert client.post("/__test/fails").status_code == 500
    assert _sent(app) == []
    assert client.post("/__test/works").status_code == 200
    assert _sent(app) == [(SYNC, {"course_id": 8})]


def test_many_scores_in_one_transaction_make_one_delivery_job(pg: Flask, platform_server) -> None:
    from tests.support.lms_services import ServicesLms
    from tests.support.platform_server import LiveServer

    users = generated_learners(60)
    with LiveServer(pg) as tool, ServicesLms(tool.url, users) as lms, pg.app_context():
        setup = setup_course(lms, users)
        activity = db.session.get(Activity, setup.activity_id)
        item = line_item_for(activity, "completion")
        for user in users:  # each new score is inserted in its own savepoint
            record_score(item, db.session.get(Person, setup.learner_ids[user.sub]), score_given=50)
        db.session.commit()
    assert _sent(pg) == [(DELIVER, {})]


def test_celery_collapses_delivery_requests_into_two_waiting_tasks(services: None) -> None:
    queue = f"peerlift-test-{uuid.uuid4().hex[:8]}"
    with (
        postgres_app(
            REDIS_URL=REDIS_URL, JOBS_MODE="celery", CELERY_BROKER_URL=REDIS_URL, CELERY_QUEUE=queue
        ) as app,
        app.app_context(),
    ):
        for _ in range(50):
            jobs.enqueue(DELIVER)
        for course_id in (1, 1, 2):
            jobs.enqueue(SYNC, course_id=course_id)
        broker = redis.Redis.from_url(REDIS_URL)
        try:
            assert broker.llen(queue) == 2 + 2, "2 delivery tasks, 1 sync per course"
            dispatcher = app.extensions["peerlift.jobs"]
            assert (dispatcher.sent, dispatcher.collapsed) == (4, 49)
        finally:
            broker.delete(queue, *broker.keys(f"peerlift:jobs:*:{queue}*"))
