"""Single use under concurrency, on the real PostgreSQL and Redis (required in CI)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lti_app.courses.models import Enrolment, Person
from lti_app.extensions import db
from lti_app.launch.state_store import RedisStore
from lti_app.peer_activities.models import Activity
from tests.conftest import REDIS_URL, postgres_app
from tests.support.lti import LAUNCH_URL, LEARNER, LtiDriver

pytestmark = pytest.mark.services


@pytest.fixture(params=["postgres-store", "redis-store"])
def pg_app(request: Any, services: None, platform_server: Any) -> Iterator[Flask]:
    redis_url = REDIS_URL if request.param == "redis-store" else ""
    with postgres_app(platform_server, REDIS_URL=redis_url) as app:
        yield app


def _race(n: int, fn: Any) -> list[Any]:
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_an_id_token_posted_many_times_at_once_is_accepted_exactly_once(
    pg_app: Flask, platform: Any
) -> None:
    first = LtiDriver(pg_app.test_client(), platform)
    state, nonce = first.start()
    cookie = first.client.get_cookie("peerlift-state-" + state[:16], path="/lti/")
    token = platform.id_token(LEARNER, nonce=nonce, target_link_uri=LAUNCH_URL)

    def post(_: int) -> int:
        client = pg_app.test_client()
        client.set_cookie(cookie.key, cookie.value, path="/lti/")
        return client.post("/lti/launch", data={"id_token": token, "state": state}).status_code

    statuses = _race(8, post)
    assert sorted(statuses) == [200] + [400] * 7


def test_simultaneous_first_launches_create_one_person_and_one_activity(
    pg_app: Flask, platform: Any
) -> None:
    def launch(_: int) -> int:
        driver = LtiDriver(pg_app.test_client(), platform)
        return driver.launch(LEARNER, resource_link={"id": "shared-link"}).status_code

    assert _race(6, launch) == [200] * 6
    with pg_app.app_context():
        for model in (Person, Enrolment, Activity):
            assert db.session.scalar(select(func.count()).select_from(model)) == 1


def test_redis_store_take_is_atomic(services: None) -> None:
    store = RedisStore(REDIS_URL)
    store.put("race-key", {"v": 1}, 30)
    results = _race(16, lambda _: store.take("race-key"))
    assert [r for r in results if r] == [{"v": 1}]


def test_redis_store_values_expire(services: None) -> None:
    store = RedisStore(REDIS_URL)
    store.put("short-lived", {"v": 1}, 1)
    assert store.client.ttl(store.prefix + "short-lived") in (0, 1)
