"""Outbound fetches keep a hard wall-clock deadline (issue 16, finding 12).

A platform that trickles its answer (one byte at a time, each well within the
per-read timeout) held a registration request ~31 s until gunicorn killed the
worker. The deadline covers connect, headers and body: the fetch is cut off at
it, the person gets a clear page, the audit log a line.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from lti_app.extensions import db
from lti_app.lms import invites, safe_fetch
from lti_app.lms.safe_fetch import FetchError, FetchPolicy

CONFIG = b'{"issuer": "x", "padding": "' + b"x" * 64 + b'"}'


class Trickler:
    """A TCP server that answers one byte every ``pace`` seconds: in the status line
    and headers (``stage="headers"``) or, after prompt headers, in the body."""

    def __init__(self, stage: str, pace: float = 0.25):
        self.stage, self.pace = stage, pace
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/openid-configuration"
        self.stop = threading.Event()
        self.bytes_sent = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(CONFIG)).encode() + b"\r\n\r\n"
        )
        with conn:
            conn.recv(65536)
            slow, fast = (head + CONFIG, b"") if self.stage == "headers" else (CONFIG, head)
            try:
                conn.sendall(fast)
                for i in range(len(slow)):
                    if self.stop.is_set():
                        return
                    conn.sendall(slow[i : i + 1])
                    self.bytes_sent += 1
                    time.sleep(self.pace)
            except OSError:
                return  # the client gave up: what we want

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture(params=["headers", "body"])
def trickler(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    server = Trickler(request.param)
    yield server
    server.close()


def test_a_trickling_server_is_cut_off_at_the_deadline(trickler: Trickler) -> None:
    policy = FetchPolicy(allow_private=True, timeout=1, deadline=2)
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        safe_fetch.get_json(trickler.url, policy)
    elapsed = time.monotonic() - started
    assert err.value.code == "timeout"
    assert "within 2 s" in err.value.reason and "cut off" in err.value.reason
    assert 1.8 <= elapsed < 3.0, elapsed  # each byte came within the 1 s read timeout
    assert trickler.bytes_sent >= 4


def test_a_prompt_server_is_unaffected_by_the_deadline_watchdog(trickler: Trickler) -> None:
    trickler.pace = 0.0
    resp = safe_fetch.get_json(trickler.url, FetchPolicy(allow_private=True, timeout=1, deadline=2))
    assert resp.ok and resp.data["issuer"] == "x"


def test_registration_with_a_trickling_platform_gets_a_clear_page_at_the_deadline(
    app, client, trickler: Trickler, caplog: Any
) -> None:
    app.config["LTI_HTTP_TIMEOUT_S"] = 1  # the whole exchange: twice this
    caplog.set_level(logging.INFO, logger="peerlift.audit")
    with app.app_context():
        _, invite = invites.create("", timedelta(hours=1))
        db.session.commit()
    started = time.monotonic()
    resp = client.get(
        "/lti/register", query_string={"invite": invite, "openid_configuration": trickler.url}
    )
    elapsed = time.monotonic() - started
    body = resp.get_data(as_text=True)
    assert resp.status_code == 504, body
    assert "did not answer in time" in body and "openid_configuration_timeout" in body
    assert elapsed < 3.0, elapsed
    lines = [r.getMessage() for r in caplog.records if r.name == "peerlift.audit"]
    assert any(
        "code=openid_configuration_timeout" in line and "cut off" in line for line in lines
    ), lines


def test_a_platform_trickling_its_keys_gets_a_503_at_the_deadline(
    lti: Any, app: Any, client: Any, caplog: Any
) -> None:
    """The launch's JWKS fetch has the same wall-clock deadline."""
    from lti_app.lms import registry

    server = Trickler("body")
    try:
        with app.app_context():
            registry.list_registrations()[0].jwks_url = server.url
            db.session.commit()
        app.extensions["peerlift.platform_keys"].timeout = 1  # deadline: twice this
        caplog.set_level(logging.INFO, logger="peerlift.audit")
        started = time.monotonic()
        resp = lti.launch()
        elapsed = time.monotonic() - started
    finally:
        server.close()
    body = resp.get_data(as_text=True)
    assert resp.status_code == 503, body
    assert "keys could not be fetched" in body and resp.headers["Retry-After"]
    assert elapsed < 3.5, elapsed
    assert any(
        "code=jwks_unreachable" in r.getMessage() and "cut off" in r.getMessage()
        for r in caplog.records
        if r.name == "peerlift.audit"
    )
