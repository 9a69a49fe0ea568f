"""Real Celery workers on the real PostgreSQL and Redis (required in CI)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.grades.models import SENT, Score
from lti_app.grades.services import line_item_for, record_score
from lti_app.peer_activities.models import Activity
from tests.conftest import PG_URL, REDIS_URL, postgres_app
from tests.support.lms_services import ServicesLms, generated_learners, setup_course
from tests.support.platform_server import LiveServer

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_app(services: None) -> Iterator[Flask]:
    queue = f"peerlift-test-{uuid.uuid4().hex[:8]}"
    with postgres_app(
        REDIS_URL=REDIS_URL, JOBS_MODE="celery", CELERY_BROKER_URL=REDIS_URL, CELERY_QUEUE=queue
    ) as app:
        yield app


def _worker(app: Flask, name: str, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PEERLIFT_ENV="production",
        PEERLIFT_BASE_URL="https://tool.test",
        PEERLIFT_SECRET_KEY="worker-test-secret",
        PEERLIFT_DATABASE_URL=PG_URL,
        PEERLIFT_REDIS_URL=REDIS_URL,
        PEERLIFT_CELERY_QUEUE=app.config["CELERY_QUEUE"],
        PEERLIFT_GRADES_BACKOFF_BASE="1",
        PEERLIFT_GRADES_BACKOFF_CAP="2",
        PEERLIFT_GRADES_BATCH="25",
        PEERLIFT_LOG_LEVEL="INFO",
    )
    celery = str(Path(sys.executable).with_name("celery"))
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                celery,
                "-A",
                "lti_app.worker:celery",
                "worker",
                "--pool=solo",
                "-n",
                f"{name}@%h",
                "-Q",
                app.config["CELERY_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_ready(logs: list[Path], timeout: float = 60) -> None:
    """Until every worker has connected to the broker (so each can take a task)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(log.exists() and " ready." in log.read_text(errors="replace") for log in logs):
            return
        time.sleep(0.2)
    raise AssertionError([log.read_text(errors="replace") for log in logs])


def _sent(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(Score.status == SENT))
        db.session.remove()
        return int(count or 0)


def test_two_workers_drain_one_outbox_through_faults_with_no_duplicate_and_no_loss(
    pg_app: Flask, tmp_path: Path
) -> None:
    users = generated_learners(300)
    with LiveServer(pg_app) as tool, ServicesLms(tool.url, users) as lms:
        with pg_app.app_context():
            setup = setup_course(lms, users)
        lms.faults.add("/scores", 500, times=30)
        lms.faults.add("/scores", 429, times=20, headers={"Retry-After": "1"})
        logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
        workers = [_worker(pg_app, f"w{i}", log) for i, log in enumerate(logs, start=1)]
        try:
            _wait_ready(logs)
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
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=20)
        output = [log.read_text(errors="replace") for log in logs]
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


def test_a_lost_message_is_recovered_by_the_sweep(pg_app: Flask, tmp_path: Path) -> None:
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
        worker = _worker(pg_app, "sweeper", tmp_path / "w.log")
        try:
            with pg_app.app_context():
                from lti_app import jobs

                jobs.enqueue(jobs.SWEEP)  # what beat does every JOBS_SWEEP_S
            deadline = time.monotonic() + 60
            while _sent(pg_app) < 3 and time.monotonic() < deadline:
                time.sleep(0.3)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
        assert _sent(pg_app) == 3, (tmp_path / "w.log").read_text(errors="replace")
