"""Rate limits on the endpoints anyone can reach without a session: login,
launch and dynamic registration. Past the limit: a readable 429 page with
Retry-After; other clients and the rest of the tool are unaffected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from lti_app.extensions import db, limiter
from lti_app.lms import keys
from tests.conftest import make_app


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(
        tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_LAUNCH="3/minute", RATELIMIT_REGISTER="2/hour"
    )
    with app.app_context():
        db.create_all()
        keys.ensure_key()
        db.session.commit()
    limiter.reset()
    yield app
    limiter.reset()
    with app.app_context():
        db.engine.dispose()


def test_login_past_the_limit_gets_a_readable_429_with_retry_after(limited: Flask) -> None:
    client = limited.test_client()
    params = {"iss": "https://unknown.test", "login_hint": "x", "target_link_uri": "x"}
    codes = [client.get("/lti/login", query_string=params).status_code for _ in range(3)]
    assert 429 not in codes
    resp = client.get("/lti/login", query_string=params)
    assert resp.status_code == 429
    assert "Too many attempts" in resp.get_data(as_text=True)
    assert int(resp.headers["Retry-After"]) > 0
    assert "Traceback" not in resp.get_data(as_text=True)


def test_the_limit_is_per_client_address(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(4):
        client.post("/lti/launch", data={}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    blocked = client.post("/lti/launch", data={}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    other = client.post("/lti/launch", data={}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert blocked.status_code == 429
    assert other.status_code != 429


def test_dynamic_registration_is_limited_more_strictly(limited: Flask) -> None:
    client = limited.test_client()
    codes = [client.get("/lti/register").status_code for _ in range(3)]
    assert codes[-1] == 429 and 429 not in codes[:2]


def test_endpoints_platforms_poll_are_not_rate_limited(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(6):
        assert client.get("/lti/jwks").status_code == 200
