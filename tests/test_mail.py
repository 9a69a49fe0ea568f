"""The mail outbox against a real (local) SMTP server: queued in the transaction,
sent by ``mail.send``, kept pending with the error while the server is down.

``SmtpSink`` is a tiny SMTP server (socketserver, enough of RFC 5321 for smtplib)
that other tests use too; ``aiosmtpd`` is not a dependency and the stdlib
``smtpd`` is deprecated.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_app import mail
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.mail import outbox
from lti_app.mail.models import MailMessage


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        sender, recipients = "", list[str]()
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            verb = raw.decode("ascii", "replace").strip()
            upper = verb.upper()
            if upper.startswith("EHLO"):
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif upper.startswith("HELO"):
                self.reply("250 sink")
            elif upper.startswith("MAIL FROM:"):
                sender, recipients = verb[10:].strip(" <>"), []
                self.reply("250 OK")
            elif upper.startswith("RCPT TO:"):
                address = verb[8:].strip(" <>")
                if address in self.server.refuse:
                    self.reply("550 no such user")
                else:
                    recipients.append(address)
                    self.reply("250 OK")
            elif upper == "DATA":
                self.reply("354 end with .")
                lines = []
                while True:
                    line = self.rfile.readline(65536)
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.server.received.append(
                    (sender, recipients, message_from_bytes(b"".join(lines), policy=policy.default))
                )
                self.reply("250 queued")
            elif upper == "QUIT":
                self.reply("221 bye")
                return
            elif upper in ("RSET", "NOOP"):
                self.reply("250 OK")
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), _Session)
        self.received: list[tuple[str, list[str], Any]] = []
        self.refuse: set[str] = set()


class SmtpSink:
    """A local SMTP server on a free port; ``start``/``stop`` to bring it up and down
    (the port stays reserved for it)."""

    def __init__(self) -> None:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.received: list[tuple[str, list[str], Any]] = []
        self.refuse: set[str] = set()
        self._server: _Server | None = None

    def start(self) -> SmtpSink:
        self._server = _Server(self.port)
        self._server.received = self.received
        self._server.refuse = self.refuse
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def configure(self, app: Flask) -> None:
        app.config.update(
            MAIL_SMTP_HOST="127.0.0.1",
            MAIL_SMTP_PORT=self.port,
            MAIL_SMTP_TIMEOUT=5,
            MAIL_FROM="peerlift@acme.test",
        )

    @property
    def to(self) -> list[str]:
        return sorted(r for _, rcpts, _ in self.received for r in rcpts)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def _rows() -> list[MailMessage]:
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


def test_nothing_is_queued_without_an_smtp_server(app: Flask) -> None:
    with app.app_context():
        assert not mail.configured()
        assert mail.queue(to="ana@acme.test", subject="Hi", body="x", dedupe_key="k") is None
        assert outbox.send_due() == 0
        assert _rows() == []


def test_a_message_is_queued_once_per_key_and_sent_with_its_headers(
    app: Flask, smtp: SmtpSink
) -> None:
    smtp.configure(app)
    with app.app_context():
        first = mail.queue(
            to=" ana@acme.test ", subject="Your\nreminder", body="Body text", dedupe_key="k1"
        )
        assert first is not None
        assert mail.queue(to="ana@acme.test", subject="again", body="x", dedupe_key="k1") is None
        assert mail.queue(to="not an address", subject="x", body="x") is None
        db.session.commit()
        assert outbox.send_due() == 1
        assert outbox.send_due() == 0  # sent messages are not sent again
        row = _rows()[0]
        assert row.status == "sent" and row.sent_at is not None and row.last_error is None
    ((sender, rcpts, message),) = smtp.received
    assert sender == "peerlift@acme.test" and rcpts == ["ana@acme.test"]
    assert message["Subject"] == "Your reminder"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content().strip() == "Body text"


def test_a_server_that_is_down_leaves_the_message_pending_until_a_later_run(
    app: Flask, smtp: SmtpSink
) -> None:
    smtp.configure(app)
    smtp.stop()
    with app.app_context():
        mail.queue(to="ben@acme.test", subject="Reminder", body="x", dedupe_key="k2")
        db.session.commit()
        assert outbox.send_due() == 0
        row = _rows()[0]
        assert row.status == "pending" and row.attempts == 1
        assert "SMTP server unavailable" in (row.last_error or "")
        assert row.next_attempt_at is not None and row.next_attempt_at > utcnow()
        assert row.lease_until is None
        assert outbox.send_due() == 0  # backing off: not tried again at once
        assert _rows()[0].attempts == 1
        smtp.start()
        row = _rows()[0]
        row.next_attempt_at = utcnow() - timedelta(seconds=1)  # the backoff has passed
        db.session.commit()
        assert outbox.send_due() == 1
        row = _rows()[0]
        assert row.status == "sent" and row.last_error is None
    assert smtp.to == ["ben@acme.test"]


def test_a_refused_recipient_fails_for_good_and_the_others_still_go(
    app: Flask, smtp: SmtpSink
) -> None:
    smtp.configure(app)
    smtp.refuse.add("gone@acme.test")
    with app.app_context():
        mail.queue(to="gone@acme.test", subject="x", body="x")
        mail.queue(to="cho@acme.test", subject="x", body="x")
        db.session.commit()
        assert outbox.send_due() == 1
        gone, cho = _rows()
        assert gone.status == "failed" and "refused" in (gone.last_error or "")
        assert cho.status == "sent"
    assert smtp.to == ["cho@acme.test"]


def test_a_message_that_cannot_be_built_fails_and_does_not_block_the_others(
    app: Flask, smtp: SmtpSink
) -> None:
    smtp.configure(app)
    with app.app_context():
        mail.queue(to="ana@acme.test\r\nBcc: evil@acme.test", subject="x", body="x")
        mail.queue(to="ben@acme.test", subject="x", body="x")
        db.session.commit()
        try:
            outbox.send_due()
        finally:
            db.session.rollback()
        bad, good = _rows()
        assert bad.status == "failed" and good.status == "sent"
    assert smtp.to == ["ben@acme.test"]


def test_the_sweep_asks_for_a_send_only_when_something_is_due(app: Flask, smtp: SmtpSink) -> None:
    from lti_app import jobs

    with app.app_context():
        sent = jobs.dispatcher().sent
        outbox._sweep()
        assert sent == []  # not configured: nothing
        smtp.configure(app)
        outbox._sweep()
        assert sent == []  # nothing pending
        mail.queue(to="ana@acme.test", subject="x", body="x")
        db.session.commit()
        sent.clear()
        outbox._sweep()
        assert sent == [(outbox.SEND, {})]


def test_email_message_refuses_header_injection() -> None:
    """Why such a message must be failed, not retried: the stdlib refuses CR/LF in a
    header value (so no header can be injected)."""
    with pytest.raises(ValueError):
        EmailMessage()["To"] = "ana@acme.test\r\nBcc: evil@acme.test"
