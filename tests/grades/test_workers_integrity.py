"""Integrity under faults with real Celery workers on PostgreSQL and Redis: the first
launch of a course syncs its roster, a worker killed mid-batch fails no score the
LMS holds, and "Send grades" for a big course answers at once and completes."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lti_app import jobs
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.extensions import db
from lti_app.grades.models import DONE, FAILED, SENT, GradeSend, Score
from lti_app.grades.services import line_item_for, record_score
from lti_app.lms import registry
from lti_app.lms.registry import PlatformSpec
from lti_app.peer_activities.models import Activity
from tests.support.celery_workers import Workers, pg_app, workers  # noqa: F401 - fixtures
from tests.support.lms_services import (
    PASS_THROUGH,
    ServicesLms,
    generated_learners,
    setup_course,
)
from tests.support.lti import INSTRUCTOR, LtiDriver
from tests.support.peer_seed import seed_peer_review, staff_token
from tests.support.platform_server import LiveServer

pytestmark = pytest.mark.services


def _wait(check: Any, seconds: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}\n{workers.output()}"
        time.sleep(0.2)


def _count(app: Flask, *where: Any) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Score).where(*where))
        db.session.remove()
        return int(n or 0)


def test_first_instructor_launch_of_a_new_course_syncs_its_roster_within_seconds(
    pg_app: Flask, workers: Workers
) -> None:
    users = generated_learners(30)
    with LiveServer(pg_app) as tool, ServicesLms(tool.url, users) as lms:
        with pg_app.app_context():
            p = lms.platform
            registry.add_platform(
                PlatformSpec(
                    issuer=p.issuer,
                    client_id=p.client_id,
                    auth_login_url=p.auth_login_url,
                    auth_token_url=p.token_url,
                    jwks_url=p.jwks_url,
                    name="Services LMS",
                ),
                [p.deployment_id],
                allow_http=True,
            )
            db.session.commit()
        workers.start("w1")
        launched = LtiDriver(pg_app.test_client(), p).launch(INSTRUCTOR)
        assert launched.status_code == 200, launched.get_data(as_text=True)
        _wait(
            lambda: lms.faults.calls("/memberships", "GET"),
            15,
            "the platform got no NRPS request",
            workers,
        )

        def synced() -> bool:
            with pg_app.app_context():
                course = db.session.scalar(select(Course))
                db.session.remove()
                return course is not None and course.roster_sync_status == "ok"

        _wait(synced, 15, "the roster was not stored", workers)
        with pg_app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Enrolment)) >= 30
        assert "no such course" not in workers.output()


def test_a_course_whose_first_sync_failed_is_synced_again_by_the_sweep(
    pg_app: Flask, workers: Workers
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from lti_app.db import utcnow

    users = generated_learners(5)
    with LiveServer(pg_app) as tool, ServicesLms(tool.url, users) as lms:
        with pg_app.app_context():
            setup = setup_course(lms, users[:1])
            long_ago = utcnow() - timedelta(hours=1)
            db.session.execute(
                update(Course).values(
                    roster_sync_status="failed",
                    roster_sync_error="LMS down",
                    created_at=long_ago,
                    updated_at=long_ago,
                )
            )
            db.session.commit()
        workers.start("w1")
        with pg_app.app_context():
            jobs.enqueue(jobs.SWEEP)  # what beat does every JOBS_SWEEP_S

        def synced() -> bool:
            with pg_app.app_context():
                course = db.session.get(Course, setup.course_id)
                db.session.remove()
                return course is not None and course.roster_sync_status == "ok"

        _wait(synced, 20, "the sweep did not sync the course again", workers)


def test_a_worker_killed_mid_batch_leaves_no_score_failed_that_the_lms_holds(
    pg_app: Flask, workers: Workers
) -> None:
    users = generated_learners(200)
    with LiveServer(pg_app) as tool, ServicesLms(tool.url, users) as lms:
        slow = lms.faults.add("/scores", PASS_THROUGH, delay=0.15)
        first = workers.start("doomed", PEERLIFT_GRADES_BATCH="80", PEERLIFT_GRADES_LEASE="4")
        with pg_app.app_context():
            setup = setup_course(lms, users)
            activity = db.session.get(Activity, setup.activity_id)
            item = line_item_for(activity, "completion")
            item_id = activity.lineitem_url.split("/lineitems/")[1].split("?")[0]
            for i, user in enumerate(users):
                record_score(
                    item,
                    db.session.get(Person, setup.learner_ids[user.sub]),
                    score_given=i % 101,
                    comment=f"#{i}",
                )
            db.session.commit()  # one delivery task, after commit
        # Kill it once the LMS holds scores the worker has not recorded yet.
        _wait(
            lambda: len(lms.store.accepted_counts(item_id)) >= 20,
            30,
            "the first worker delivered nothing",
            workers,
        )
        held = len(lms.store.accepted_counts(item_id))
        assert _count(pg_app, Score.status == SENT) < held, "killed mid-batch"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        lms.faults.faults.remove(slow)
        workers.start("heir", PEERLIFT_GRADES_BATCH="80", PEERLIFT_GRADES_LEASE="4")
        time.sleep(4.5)  # the dead worker's lease runs out
        with pg_app.app_context():
            jobs.enqueue(jobs.SWEEP)
        _wait(
            lambda: _count(pg_app, Score.status == SENT) == len(users),
            60,
            "not every score was marked sent",
            workers,
        )
        assert _count(pg_app, Score.status == FAILED) == 0
        superseded = _count(pg_app, Score.last_status == 409)
        assert superseded > 0, "the heir met scores the dead worker had delivered"
        counts = lms.store.accepted_counts(item_id)
        assert len(counts) == len(users) and set(counts.values()) == {1}
        got = lms.store.scores(item_id)
        assert {u.sub: got[u.sub]["scoreGiven"] for u in users} == {
            u.sub: i % 101 for i, u in enumerate(users)
        }


def test_send_grades_for_a_big_course_answers_at_once_and_completes(
    pg_app: Flask, workers: Workers
) -> None:
    users = generated_learners(1500)
    with LiveServer(pg_app) as tool, ServicesLms(tool.url, users) as lms:
        with pg_app.app_context():
            setup = setup_course(lms, users)
            seeded = seed_peer_review(setup.activity_id, started=1200)
            token = staff_token(setup.course_id)
            aid = db.session.get(Activity, setup.activity_id).public_id
        workers.start("w1", PEERLIFT_GRADES_PUBLISH_BATCH="300")
        workers.start("w2", PEERLIFT_GRADES_PUBLISH_BATCH="300")
        client = pg_app.test_client()
        began = time.perf_counter()
        resp = client.post(f"/a/{aid}/grades/send", data={"t": token, "non_starters": "leave"})
        took = time.perf_counter() - began
        assert resp.status_code == 303 and took < 1.0, took
        page = client.get(resp.headers["Location"])
        assert "Sending grades has started" in page.text

        def done() -> bool:
            with pg_app.app_context():
                run = db.session.scalar(select(GradeSend))
                db.session.remove()
                return run is not None and run.status == DONE

        _wait(done, 120, "the send did not finish", workers)
        _wait(
            lambda: _count(pg_app, Score.status == SENT) == 2 * len(seeded.starters),
            120,
            "not every grade reached the LMS",
            workers,
        )
        assert _count(pg_app) == 2 * len(seeded.starters), "nothing for non-starters"
        assert _count(pg_app, Score.status == FAILED) == 0
        assert (
            "had grades put in the outbox"
            in client.get(f"/a/{aid}/grades", query_string={"t": token}).text
        )
