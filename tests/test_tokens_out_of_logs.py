"""Session tokens never reach logs or Referer headers (issue 16, finding 7).

Inside an LMS iframe the session rides in links (``?t=…``, valid for hours,
staff ones too). gunicorn's access log recorded every one of them. These tests
run gunicorn with the project's own ``config/gunicorn.py``, launch through it
and read its access log; check the development server's log filter; and check
``Referrer-Policy: no-referrer`` on every kind of response.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from redis.exceptions import RedisError

from lti_app.log_redaction import RedactingFilter, redact
from tests.conftest import PG_URL, postgres_app
from tests.support.lti import INSTRUCTOR

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://tool.test"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"GET /a/x?t=eyJhbGci.abc.def HTTP/1.1" 200', '"GET /a/x?t=[redacted] HTTP/1.1" 200'),
        (
            "/cd/1/threads/2/updates?since=4&t=tok.en",
            "/cd/1/threads/2/updates?since=4&t=[redacted]",
        ),
        (
            "/lti/register?invite=abc&openid_configuration=https://lms/oc&registration_token=rt",
            "/lti/register?invite=[redacted]&openid_configuration=https://lms/oc"
            "&registration_token=[redacted]",
        ),
        ('<a href="/a/x?p=1&amp;t=tok">', '<a href="/a/x?p=1&amp;t=[redacted]">'),
        ("GET /j/link/InR4Ig.Zx9.sig HTTP/1.1", "GET /j/link/[redacted] HTTP/1.1"),
        ("/a/x?format=csv&at=1&tab=2", "/a/x?format=csv&at=1&tab=2"),
        ("no url here", "no url here"),
    ],
)
def test_secret_url_parameters_are_redacted(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_the_development_servers_request_lines_are_redacted(
    app: Any, caplog: Any, monkeypatch: Any
) -> None:
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, RedactingFilter) for f in logger.filters)
    # Alembic's fileConfig (the migration tests) disables loggers that exist before it.
    monkeypatch.setattr(logger, "disabled", False)
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info(
        '%s - - "%s" %s', "127.0.0.1", "GET /a/x?t=live.session.token HTTP/1.1", "200"
    )
    [record] = [r for r in caplog.records if r.name == "werkzeug"]
    assert "live.session.token" not in record.getMessage()
    assert "t=[redacted]" in record.getMessage()


# -- gunicorn with the project's config -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.services
def test_the_gunicorn_access_log_of_a_page_view_carries_no_token(
    services: None, platform_server: Any, platform: Any, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with postgres_app(platform_server):
        env = dict(
            os.environ,
            PEERLIFT_ENV="production",
            PEERLIFT_BASE_URL=BASE,
            PEERLIFT_SECRET_KEY="gunicorn-test-secret",
            PEERLIFT_DATABASE_URL=PG_URL,
            PEERLIFT_REDIS_URL="",
            PEERLIFT_JOBS_MODE="off",
            PORT=str(port),
            WEB_CONCURRENCY="1",
            PEERLIFT_RATELIMIT="0",
        )
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [gunicorn, "--config", "config/gunicorn.py", "lti_app:create_app()"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_up(url, proc, log)
            token, page_path = _launch(url, platform)
            page = requests.get(
                url + page_path, timeout=10, headers={"Referer": f"{BASE}/lti/launch?t={token}"}
            )
            assert page.status_code == 200, page.text[:500]
            assert page.headers["Referrer-Policy"] == "no-referrer"
            requests.get(url + "/lti/register?invite=secret-invite-value", timeout=10)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    output = log.read_text(errors="replace")
    views = [line for line in output.splitlines() if page_path.split("?")[0] in line]
    assert views, output
    assert all("t=[redacted]" in line for line in views), views
    assert token not in output
    assert "secret-invite-value" not in output and "invite=[redacted]" in output


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")
        try:
            if requests.get(url + "/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start: " + log.read_text(errors="replace"))


def _launch(url: str, platform: Any) -> tuple[str, str]:
    """A real OIDC login and launch through gunicorn; returns (token, page path)."""
    login = requests.post(
        url + "/lti/login",
        allow_redirects=False,
        timeout=10,
        data={
            "iss": platform.issuer,
            "login_hint": "hint",
            "target_link_uri": BASE + "/lti/launch",
            "client_id": platform.client_id,
            "lti_deployment_id": platform.deployment_id,
        },
    )
    assert login.status_code == 302, login.text[:500]
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    state, nonce = query["state"][0], query["nonce"][0]
    cookie = login.headers["Set-Cookie"].split(";", 1)[0]  # Secure: sent by hand over http
    id_token = platform.id_token(INSTRUCTOR, nonce=nonce, target_link_uri=BASE + "/lti/launch")
    launch = requests.post(
        url + "/lti/launch",
        data={"id_token": id_token, "state": state},
        headers={"Cookie": cookie},
        timeout=20,
    )
    assert launch.status_code == 200, launch.text[:500]
    location = launch.headers["Content-Location"]
    return parse_qs(urlsplit(location).query)["t"][0], location


# -- Referrer-Policy on every response ------------------------------------------------


def test_every_kind_of_response_says_no_referrer(app: Any, client: Any) -> None:
    @app.get("/__boom")
    def boom() -> Any:
        raise RuntimeError("unexpected")

    @app.get("/__redis_down")
    def redis_down() -> Any:
        raise RedisError("gone")

    responses = {
        "landing page": client.get("/"),
        "health check": client.get("/healthz"),
        "tool JWKS": client.get("/lti/jwks"),
        "static file": client.get("/static/peerlift.css"),
        "not found": client.get("/no-such-page"),
        "method not allowed": client.get("/lti/launch"),
        "refused launch": client.post("/lti/launch"),
        "expired session": client.get("/lti/deep-link?t=not-a-token"),
        "registration error": client.get("/lti/register"),
        "internal error": client.get("/__boom"),
        "service unavailable": client.get("/__redis_down"),
        "sandbox LMS page": client.get("/sandbox/"),
    }
    statuses = {name: resp.status_code for name, resp in responses.items()}
    assert statuses["internal error"] == 500 and statuses["service unavailable"] == 503
    missing = {
        name: resp.status_code
        for name, resp in responses.items()
        if resp.headers.get("Referrer-Policy") != "no-referrer"
    }
    assert not missing, missing
    for resp in responses.values():
        resp.close()
