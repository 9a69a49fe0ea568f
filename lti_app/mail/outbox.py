"""Queueing and sending e-mail through the outbox (see the package docstring)."""

from __future__ import annotations

import contextlib
import logging
import random
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from lti_app import jobs
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.mail.models import MailMessage

log = logging.getLogger(__name__)

SEND = "mail.send"
#: Attempts before a message is marked failed (about a day of backoff).
MAX_ATTEMPTS = 12
_BATCH = 50
_LEASE = timedelta(minutes=2)


def configured() -> bool:
    """Whether e-mail goes out at all (``PEERLIFT_SMTP_HOST`` is set)."""
    return bool(current_app.config.get("MAIL_SMTP_HOST"))


def queue(
    *, to: str | None, subject: str, body: str, dedupe_key: str | None = None
) -> MailMessage | None:
    """Queue a plain-text message to ``to`` in the current transaction.

    Does nothing (returns ``None``) when SMTP is not configured, when there is
    no address, or when a message with the same ``dedupe_key`` was queued
    before. The caller's commit sends it (``mail.send`` after commit).
    """
    if not configured() or not to or "@" not in to:
        return None
    if dedupe_key is not None:
        dedupe_key = dedupe_key[:255]
        found = db.session.scalar(
            select(MailMessage.id).where(MailMessage.dedupe_key == dedupe_key)
        )
        if found is not None:
            return None
    message = MailMessage(
        to_address=to.strip()[:255],
        subject=" ".join(subject.split())[:255],
        body=body,
        dedupe_key=dedupe_key,
        status="pending",
    )
    try:
        with db.session.begin_nested():  # a concurrent queue of the same key wins
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        return None
    jobs.after_commit(db.session(), SEND)
    return message


def _due(now: Any) -> Any:
    """Pending, past its backoff, and not leased by a live worker."""
    return and_(
        MailMessage.status == "pending",
        or_(MailMessage.next_attempt_at.is_(None), MailMessage.next_attempt_at <= now),
        or_(MailMessage.lease_until.is_(None), MailMessage.lease_until < now),
    )


def _claim(now: Any) -> list[int]:
    due = select(MailMessage.id).where(_due(now)).order_by(MailMessage.id).limit(_BATCH)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(
            update(MailMessage).where(MailMessage.id.in_(ids)).values(lease_until=now + _LEASE)
        )
    db.session.commit()
    return ids


def _smtp() -> smtplib.SMTP:
    cfg = current_app.config
    host, port = cfg["MAIL_SMTP_HOST"], int(cfg.get("MAIL_SMTP_PORT") or 25)
    timeout = float(cfg.get("MAIL_SMTP_TIMEOUT") or 10)
    if cfg.get("MAIL_SMTP_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if cfg.get("MAIL_SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
    if cfg.get("MAIL_SMTP_USER"):
        smtp.login(cfg["MAIL_SMTP_USER"], cfg.get("MAIL_SMTP_PASSWORD") or "")
    return smtp


def _email(message: MailMessage) -> EmailMessage:
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = formataddr(("Peerlift", cfg.get("MAIL_FROM") or "no-reply@localhost"))
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(
        domain=(cfg.get("MAIL_FROM") or "x@localhost").rpartition("@")[2] or None
    )
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def _backoff(attempts: int) -> timedelta:
    base = min(60 * 2 ** max(attempts - 1, 0), 4 * 3600)
    return timedelta(seconds=base * (0.8 + 0.4 * random.random()))


def send_due() -> int:
    """Send every due message; returns how many went out. Safe to run in many
    workers at once (leases; ``SKIP LOCKED`` on PostgreSQL)."""
    if not configured():
        return 0
    sent = 0
    while True:
        now = utcnow()
        ids = _claim(now)
        if not ids:
            return sent
        try:
            smtp = _smtp()
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail: SMTP server unavailable (%s); %d message(s) wait", exc, len(ids))
            _fail_all(ids, f"SMTP server unavailable: {exc}")
            return sent
        try:
            for message in db.session.scalars(select(MailMessage).where(MailMessage.id.in_(ids))):
                try:
                    email = _email(message)
                except (ValueError, TypeError) as exc:  # e.g. CR/LF in an address
                    _record(message, ok=False, error=f"cannot build the message: {exc}", final=True)
                    db.session.commit()
                    continue
                try:
                    smtp.send_message(email)
                except smtplib.SMTPRecipientsRefused as exc:
                    _record(message, ok=False, error=f"recipient refused: {exc}", final=True)
                except (OSError, smtplib.SMTPException) as exc:
                    _record(message, ok=False, error=str(exc))
                else:
                    _record(message, ok=True)
                    sent += 1
                db.session.commit()
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()


def _record(
    message: MailMessage, *, ok: bool, error: str | None = None, final: bool = False
) -> None:
    message.lease_until = None
    if ok:
        message.status, message.sent_at, message.last_error = "sent", utcnow(), None
        return
    message.attempts += 1
    message.last_error = (error or "")[:2000]
    if final or message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        log.warning(
            "mail: message %s to %s failed for good: %s", message.id, message.to_address, error
        )
    else:
        message.next_attempt_at = utcnow() + _backoff(message.attempts)


def _fail_all(ids: list[int], error: str) -> None:
    for message in db.session.scalars(select(MailMessage).where(MailMessage.id.in_(ids))):
        _record(message, ok=False, error=error)
    db.session.commit()


def _sweep() -> None:
    if not configured():
        return
    due = db.session.scalar(select(MailMessage.id).where(_due(utcnow())).limit(1))
    if due is not None:
        jobs.enqueue(SEND)
