"""Real Celery workers on the real PostgreSQL and Redis (required in CI)."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from sqlalchemy import func, select

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.grades.models import SENT, Score
from lti_app.grades.services import line_item_for, record_score
from lti_app.peer_activities.models import Activity
from tests.support.celery_workers import Workers, pg_app, workers  # noqa: F401 - fixtures
from tests.support.lms_services import ServicesLms, generated_learners, setup_course
from tests.support.platform_server import LiveServer

pytestmark = pytest.mark.services


def _sent(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(Score.status == SENT))
        db.session.remove()
        return int(count or 0)


def test_two_workers_drain_one_outbox_through_faults_with_no_duplicate_and_no_loss(
    pg_app: Flask, workers: Workers
) -> None:
    users = generated_learners(300)
    with LiveServer(pg_app) as tool, ServicesLms(tool.url, users) as lms:
        with pg_app.app_context():
            setup = setup_course(lms, users)
        lms.faults.add("/scores", 500, times=30)
        lms.faults.add("/scores", 429, times=20, headers={"Retry-After": "1"})
        for name in ("w1", "w2"):
            workers.start(name, PEERLIFT_GRADES_BATCH="25")
        try:
            with pg_app.app_context():
                activity = db.session.get(Activity, setup.activity_id)
                item = line_item_for(activity, "completion")
                item_id = activity.lineitem_url.split("/lineitems/")[1].split("?")[0]
                for i, user in enumerate(users):
                    person = db.session.get(Person, setup.learner_ids[user.sub])
                    record_score(item, person, score_given=i % 101, comment=f"#{i}")
                db.session.commit()  # one delivery task after commit
                from lti_app import jobs

                for _ in range(3):  # more tasks than workers: both drain at once
                    jobs.enqueue("grades.deliver")
            revoked = False
            deadline = time.monotonic() + 120
            while _sent(pg_app) < len(users) and time.monotonic() < deadline:
                if not revoked and _sent(pg_app) >= 100:
                    lms.store.revoke_tokens()  # tokens "expire": 401, then one refresh
                    revoked = True
                time.sleep(0.3)
        finally:
            workers.stop()
        output = workers.outputs()
        assert _sent(pg_app) == len(users), output
        got = lms.store.scores(item_id)
        assert {u.sub: got[u.sub]["scoreGiven"] for u in users} == {
            u.sub: i % 101 for i, u in enumerate(users)
        }
        assert all(got[u.sub]["comment"] == f"#{i}" for i, u in enumerate(users))
        counts = lms.store.accepted_counts(item_id)
        assert sorted(set(counts.values())) == [1], "no score delivered twice"
        delivered = [
            sum(int(n) for n in re.findall(r"grades: delivered (\d+)", text)) for text in output
        ]
        assert all(n > 0 for n in delivered), f"both workers delivered: {delivered}"
        assert lms.token_requests() <= 2 + 2, "tokens are shared through Redis"
        assert revoked


def test_a_lost_message_is_recovered_by_the_sweep(pg_app: Flask, workers: Workers) -> None:
    """A score whose delivery message never reached a worker is found by the sweep."""
    users = generated_learners(3)
    with LiveServer(pg_app) as tool, ServicesLms(tool.url, users) as lms:
        with pg_app.app_context():
            setup = setup_course(lms, users)
            activity = db.session.get(Activity, setup.activity_id)
            item = line_item_for(activity, "completion")
            for user in users:
                record_score(
                    item, db.session.get(Person, setup.learner_ids[user.sub]), score_given=50
                )
            db.session.flush()
            from lti_app.jobs import _PENDING

            db.session.info.pop(_PENDING, None)  # the broker "lost" the message
            db.session.commit()
        workers.start("sweeper", PEERLIFT_GRADES_BATCH="25")
        try:
            with pg_app.app_context():
                from lti_app import jobs

                jobs.enqueue(jobs.SWEEP)  # what beat does every JOBS_SWEEP_S
            deadline = time.monotonic() + 60
            while _sent(pg_app) < 3 and time.monotonic() < deadline:
                time.sleep(0.3)
        finally:
            workers.stop()
        assert _sent(pg_app) == 3, workers.output()
