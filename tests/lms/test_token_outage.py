"""A token endpoint outage: every process backs off together (issue 16 finding 3).

Real Redis (required in CI): several processes, each with several threads,
ask for the same registration's token while the platform's token endpoint
answers 500. The requests the platform receives are counted and bounded, and
after the outage one request serves everyone; with real Celery workers the
scores recorded during the outage reach the gradebook once it ends.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

import pytest
from flask import Flask
from sqlalchemy import func, select

from lti_app.lms.access_tokens import AccessTokens, Backoff, RedisTokenStore, ServiceAuth
from lti_app.lms.service_http import ServiceError
from tests.conftest import REDIS_URL
from tests.support.celery_workers import Workers, pg_app, workers  # noqa: F401 - fixtures
from tests.support.platform_server import LiveServer

SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]


class TokenEndpoint:
    """A platform token endpoint that is down until told otherwise; counts POSTs."""

    def __init__(self) -> None:
        self.down = True
        self.requests = 0
        self.lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self.lock:
            self.requests += 1
        if self.down:
            start_response("500 Internal Server Error", [("Content-Type", "application/json")])
            return [b'{"error": "server_error"}']
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"access_token": "tok-after-outage", "token_type": "Bearer", "expires_in": 3600}']


def _hammer(
    token_url: str, registration_id: int, go: Any, stop: Any, threads: int, results: Any
) -> None:
    """One 'worker process': ``threads`` threads asking for a token non-stop."""
    import redis

    store = RedisTokenStore(redis.Redis.from_url(REDIS_URL), lock_timeout=10)
    tokens = AccessTokens(
        store, lambda claims: "signed-assertion", timeout=3, backoff=Backoff(base=1.0, cap=4.0)
    )
    auth = ServiceAuth(registration_id=registration_id, client_id="c", token_url=token_url)
    got: list[str] = []
    refused: list[float] = []
    results.put("ready")
    go.wait(60)

    def run() -> None:
        while not stop.is_set():
            try:
                got.append(tokens.get(auth, SCOPES))
            except ServiceError as exc:  # every failure says how long to wait
                refused.append(exc.retry_after if exc.kind == "retry" else -1.0)
            time.sleep(0.02)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    results.put(
        {
            "pid": os.getpid(),
            "tokens": sorted(set(got)),
            "refused": len(refused),
            "requests": tokens.requests_made,
            "all_retry_with_wait": all(w is not None and w >= 0 for w in refused),
        }
    )


def test_default_backoff_allows_a_few_token_requests_a_minute() -> None:
    """Worst case (shortest jitter, every attempt failing): the production defaults
    send at most 4 requests in the first minute and 1 every 2.5 minutes after."""
    backoff = Backoff()  # the defaults of LTI_TOKEN_BACKOFF_BASE_S / _CAP_S
    now, failures, attempts = 0.0, 0, []
    while now < 600:
        attempts.append(now)
        failures += 1
        now += backoff.delay(failures, None, rand=lambda: 0.0)
    assert sum(1 for t in attempts if t < 60) <= 4
    assert sum(1 for t in attempts if 300 <= t < 600) <= 3


def test_retry_after_wins_when_longer_and_is_capped() -> None:
    backoff = Backoff(base=1, cap=4)
    assert backoff.delay(1, 120.0, rand=lambda: 1.0) == 120.0
    assert backoff.delay(1, 10**9, rand=lambda: 1.0) == 3600.0
    assert backoff.delay(5, None, rand=lambda: 1.0) == 4.0


@pytest.mark.services
def test_token_outage_costs_the_platform_a_few_requests_across_processes(services) -> None:
    registration_id = int(uuid.uuid4().int % 10**9)
    endpoint = TokenEndpoint()
    outage_s = float(os.environ.get("PEERLIFT_TEST_TOKEN_OUTAGE_S", "12"))
    ctx = multiprocessing.get_context("spawn")
    results, go, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    with LiveServer(endpoint) as server:
        procs = [
            ctx.Process(
                target=_hammer, args=(server.url + "/token", registration_id, go, stop, 6, results)
            )
            for _ in range(3)
        ]
        for p in procs:
            p.start()
        assert [results.get(timeout=120) for _ in procs] == ["ready"] * 3
        go.set()
        started = time.monotonic()
        time.sleep(outage_s)
        during = endpoint.requests
        endpoint.down = False
        time.sleep(6)  # longer than the backoff cap: everyone gets the new token
        stop.set()
        outcome = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=10)
        elapsed = time.monotonic() - started
    # 18 threads in 3 processes, asking every 20 ms for `outage_s` seconds. Base 1 s,
    # cap 4 s, shortest jitter: attempts at 0, .5, 1.5, 3.5 and then every >= 2 s.
    bound = 4 + int((outage_s - 3.5) / 2) + 1
    assert 1 <= during <= bound, f"{during} token requests in {outage_s:.0f} s (bound {bound})"
    # After the outage: one more request, and every process got that token.
    assert endpoint.requests == during + 1, endpoint.requests
    assert all(o["tokens"] == ["tok-after-outage"] for o in outcome), outcome
    assert sum(o["requests"] for o in outcome) == endpoint.requests
    assert sum(o["refused"] for o in outcome) > 100  # they were asking all along
    assert all(o["all_retry_with_wait"] for o in outcome)
    assert elapsed < outage_s + 30
    print(
        f"token outage: {during} token requests in {outage_s:.0f} s from 3 processes x 6 "
        f"threads; {sum(o['refused'] for o in outcome)} asks answered from the backoff"
    )


# -- end to end: real Celery workers, the sandbox LMS, scores waiting out the outage --


@pytest.mark.services
def test_scores_wait_out_a_token_outage_and_are_delivered_after_it(
    pg_app: Flask, workers: Workers
) -> None:
    from lti_app import jobs
    from lti_app.courses.models import Person
    from lti_app.extensions import db
    from lti_app.grades.models import SENT, Score
    from lti_app.grades.services import line_item_for, record_score
    from lti_app.peer_activities.models import Activity
    from tests.support.lms_services import ServicesLms, generated_learners, setup_course

    def sent() -> int:
        with pg_app.app_context():
            count = db.session.scalar(select(func.count()).where(Score.status == SENT))
            db.session.remove()
            return int(count or 0)

    outage_s = float(os.environ.get("PEERLIFT_TEST_TOKEN_OUTAGE_S", "12"))
    users = generated_learners(120)
    with LiveServer(pg_app) as tool, ServicesLms(tool.url, users) as lms:
        with pg_app.app_context():
            setup = setup_course(lms, users)
        lms.faults.add("/token", 500)
        for name in ("w1", "w2"):
            workers.start(
                name,
                PEERLIFT_LTI_TOKEN_BACKOFF_BASE="1",
                PEERLIFT_LTI_TOKEN_BACKOFF_CAP="4",
                PEERLIFT_GRADES_BATCH="20",
            )
        try:
            with pg_app.app_context():
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
                db.session.commit()
                for _ in range(3):
                    jobs.enqueue("grades.deliver")
            start_by = time.monotonic() + 90  # workers take a while to start on a busy box
            while lms.token_requests() == 0 and time.monotonic() < start_by:
                time.sleep(0.05)
            time.sleep(outage_s)  # the outage, from the first token request on
            during = lms.token_requests()
            lms.faults.clear()
            deadline = time.monotonic() + 90
            while sent() < len(users) and time.monotonic() < deadline:
                time.sleep(0.3)
        finally:
            workers.stop()
        output = workers.outputs()
        assert sent() == len(users), output
        bound = 4 + int((outage_s - 3.5) / 2) + 1
        assert 1 <= during <= bound, f"{during} token requests during a {outage_s:.0f} s outage"
        assert lms.token_requests() == during + 1, "one token request after the outage"
        assert sorted(set(lms.store.accepted_counts(item_id).values())) == [1]
        print(
            f"token outage with 2 Celery workers: {during} token requests in "
            f"{outage_s:.0f} s; {len(users)} scores delivered after it"
        )
