"""The product clock and the sandbox clock: "advance time by N days" moves the time
the activities see (check-ins come due), never security time, and never exists in
production."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from lti_app import clock, create_app, jobs
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.peer_activities.journal import clock as journal_clock
from tests.conftest import make_app

# -- pure ------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=700), st.integers(min_value=1, max_value=30))
def test_advancing_adds_whole_days_and_never_goes_back(start: int, days: int) -> None:
    after = clock.advanced(timedelta(days=start), days)
    assert after == timedelta(days=start + days)
    assert clock.shifted(datetime(2027, 1, 1), after) == datetime(2027, 1, 1) + after


@pytest.mark.parametrize("days", [0, -3])
def test_advancing_by_nothing_or_backwards_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="1 or more"):
        clock.advanced(timedelta(0), days)


def test_the_clock_runs_at_most_two_years_ahead() -> None:
    with pytest.raises(ValueError, match="at most 730 days"):
        clock.advanced(timedelta(days=720), 11)


def test_the_offset_file_is_shared_by_every_process_and_survives_damage(tmp_path: Path) -> None:
    path = tmp_path / "sandbox-clock.json"
    writer, reader = clock.FileOffset(path), clock.FileOffset(path)  # two processes
    assert reader.get() == timedelta(0)
    writer.set(timedelta(days=30))
    assert reader.get() == timedelta(days=30)
    path.write_text("{not json")
    assert reader.get() == timedelta(0)  # real time, never a crash
    writer.set(timedelta(0))
    assert not path.exists() and reader.get() == timedelta(0)


def test_outside_an_app_the_product_clock_is_real_time() -> None:
    assert abs(clock.now() - utcnow()) < timedelta(seconds=5)


# -- production ------------------------------------------------------------------------


def test_production_refuses_the_sandbox_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERLIFT_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PEERLIFT_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PEERLIFT_BASE_URL", "https://peerlift.example.org")
    monkeypatch.setenv("PEERLIFT_SANDBOX", "1")
    monkeypatch.setenv("PEERLIFT_JOBS_MODE", "off")  # no background sweep on an empty database
    app = create_app({"ENV_NAME": "production"})
    assert clock.EXTENSION not in app.extensions
    client = app.test_client()
    assert client.post("/sandbox/clock/advance", data={"days": "30"}).status_code == 404
    assert client.post("/sandbox/clock/reset").status_code == 404
    with app.app_context():
        assert abs(clock.now() - utcnow()) < timedelta(seconds=5)
    bare = Flask(__name__)
    bare.config.update(ENV_NAME="production")
    with pytest.raises(RuntimeError, match="never run in production"):
        clock.install(bare, clock.MemoryOffset())


# -- the sandbox's clock box -------------------------------------------------------------


@pytest.fixture
def sandbox(tmp_path: Path) -> Any:
    app = make_app(tmp_path)
    with app.app_context():
        db.create_all()  # the sweep the clock runs reads the tool's tables
    return app, app.test_client(), app.config["BASE_URL"]


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def test_advancing_moves_the_product_clock_not_security_time_and_runs_the_sweep(
    sandbox: Any,
) -> None:
    app, client, base = sandbox
    home = client.get("/sandbox/", base_url=base).get_data(as_text=True)
    assert "Sandbox clock" in home and "(real time)" in home
    resp = client.post(
        "/sandbox/clock/advance",
        data={"csrf_token": _token(home), "days": "31", "next": "/sandbox/"},
        base_url=base,
    )
    assert resp.status_code == 303 and resp.location.endswith("/sandbox/?clock_moved=31")
    with app.app_context():
        ahead = clock.now() - utcnow()
        assert timedelta(days=31) - timedelta(seconds=5) < ahead <= timedelta(days=31)
        assert journal_clock.now() - utcnow() > timedelta(days=30)
    assert (jobs.SWEEP, {}) in jobs.dispatcher(app).sent  # what came due is enqueued
    page = client.get(resp.location, base_url=base).get_data(as_text=True)
    assert "31</span> days ahead of real time" in page and "Moved 31 days ahead" in page
    expected = (utcnow() + timedelta(days=31)).strftime("%-d %B %Y")
    assert expected in page
    back = client.post(
        "/sandbox/clock/reset",
        data={"csrf_token": _token(page), "next": "/sandbox/"},
        base_url=base,
    )
    assert back.status_code == 303
    with app.app_context():
        assert abs(clock.now() - utcnow()) < timedelta(seconds=5)


@pytest.mark.parametrize("token", ["", "forged.token.value"])
def test_the_clock_refuses_a_post_without_its_form_token(sandbox: Any, token: str) -> None:
    app, client, base = sandbox
    resp = client.post(
        "/sandbox/clock/advance", data={"csrf_token": token, "days": "30"}, base_url=base
    )
    assert resp.status_code == 403
    with app.app_context():
        assert abs(clock.now() - utcnow()) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("days", "message"),
    [("ten", "Enter a whole number of days."), ("0", "1 or more"), ("9999", "at most 730 days")],
)
def test_a_bad_number_of_days_is_explained_next_to_the_field_and_kept(
    sandbox: Any, days: str, message: str
) -> None:
    app, client, base = sandbox
    home = client.get("/sandbox/", base_url=base).get_data(as_text=True)
    resp = client.post(
        "/sandbox/clock/advance",
        data={"csrf_token": _token(home), "days": days, "next": "/sandbox/"},
        base_url=base,
    )
    page = client.get(resp.location, base_url=base).get_data(as_text=True)
    assert 'id="clock-days-error"' in page and message in page
    assert f'value="{days}"' in page and 'aria-invalid="true"' in page
    with app.app_context():
        assert abs(clock.now() - utcnow()) < timedelta(seconds=5)


def test_the_clock_never_redirects_off_the_sandbox(sandbox: Any) -> None:
    _, client, base = sandbox
    home = client.get("/sandbox/", base_url=base).get_data(as_text=True)
    resp = client.post(
        "/sandbox/clock/advance",
        data={"csrf_token": _token(home), "days": "1", "next": "//evil.example.com/x"},
        base_url=base,
    )
    assert resp.status_code == 303 and "evil.example.com" not in resp.location


def test_resetting_the_sandbox_puts_the_clock_back_to_real_time(sandbox: Any) -> None:
    app, _, _ = sandbox
    app.extensions[clock.EXTENSION].set(timedelta(days=60))
    result = app.test_cli_runner().invoke(args=["sandbox", "reset"])
    assert result.exit_code == 0 and "back to real time" in result.output
    with app.app_context():
        assert abs(clock.now() - utcnow()) < timedelta(seconds=5)
