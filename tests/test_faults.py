"""Faults of the services the tool needs, on the real PostgreSQL and Redis: the
database restarts under a running tool, Redis disappears. The tool answers with a
readable page (never a stack trace), recovers without a restart, and loses no
work. (The LMS failing to answer is covered by tests/grades: scores wait and are
retried.)"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis
from flask import Flask
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.peer_review.models import PeerReviewSubmission
from tests.conftest import PG_URL, REDIS_URL, postgres_app
from tests.peer_review.support import ANA, PeerReviewDriver
from tests.support.lti import INSTRUCTOR, LtiDriver

pytestmark = pytest.mark.services


@pytest.fixture
def pg_app(services: None, platform_server: Any) -> Iterator[Flask]:
    with postgres_app(platform_server) as app:
        yield app


def _restart_database_sessions() -> int:
    """What a database restart does to the tool: every server connection to the
    test database is closed under it (the pool still holds them)."""
    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


def test_after_a_database_restart_pages_and_hand_ins_just_work(
    pg_app: Flask, platform_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pr = PeerReviewDriver(LtiDriver(pg_app.test_client(), platform_server[1]), pg_app)
    pr.create_activity(reviews_per_submission="1")
    pr.enter(INSTRUCTOR)
    ana = pr.enter(ANA)
    assert _restart_database_sessions() >= 1
    caplog.set_level(logging.WARNING)
    # A read: the dead pooled connection is found on first use and replaced.
    assert pr.client.get(f"/a/{pr.activity}", query_string={"t": ana.token}).status_code == 200
    assert "database connection lost" in caplog.text
    _restart_database_sessions()
    # A hand-in right after another restart is saved, once.
    resp = pr.submit(ana, "My essay, written before the restart.")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    with pg_app.app_context():
        bodies = db.session.scalars(select(PeerReviewSubmission.body)).all()
    assert len(bodies) == 1 and "written before the restart" in bodies[0]


def test_when_redis_is_gone_launches_get_a_readable_503_and_recover_when_it_is_back(
    services: None, platform_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    dead = "redis://127.0.0.1:1/15"  # nothing listens there: Redis "disappeared"
    with postgres_app(platform_server, REDIS_URL=dead) as app:
        lti = LtiDriver(app.test_client(), platform_server[1])
        caplog.set_level(logging.ERROR)
        resp = lti.login()
        text = resp.get_data(as_text=True)
        assert resp.status_code == 503
        assert "briefly unavailable" in text and "Traceback" not in text
        assert resp.headers["Retry-After"]
        assert "service unavailable" in caplog.text
        # Redis comes back (the store is pointed at a live server): no restart needed.
        store = app.extensions["peerlift.store"]
        store.client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        assert lti.launch(INSTRUCTOR).status_code == 200


def test_redis_dropping_its_connections_does_not_fail_launches(
    services: None, platform_server: Any
) -> None:
    with postgres_app(platform_server, REDIS_URL=REDIS_URL) as app:
        lti = LtiDriver(app.test_client(), platform_server[1])
        assert lti.launch(INSTRUCTOR).status_code == 200
        admin = redis.Redis.from_url(REDIS_URL)
        admin.client_kill_filter(_type="normal", skipme=True)  # as a Redis restart does
        assert lti.launch(INSTRUCTOR).status_code == 200
