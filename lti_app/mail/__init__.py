"""E-mail notifications, sent only when an SMTP server is configured.

Features never talk SMTP themselves: they call :func:`queue` inside the
transaction that makes a notification due (a reminder, a nudge, a published
summary, a due check-in). The message is a row in an outbox (``mail_message``),
so a rolled-back request sends nothing and an SMTP server that is down only
delays mail: the ``mail.send`` job retries with backoff and the sweep finds
anything a lost message left behind. A ``dedupe_key`` makes queueing
idempotent, so a reminder asked for on every launch is still sent once.

With no ``MAIL_SMTP_HOST`` (the embedded default) :func:`queue` does nothing
and returns ``None``: learners still see everything at their next launch.
"""

from __future__ import annotations

from flask import Flask

from lti_app import jobs
from lti_app.mail import outbox
from lti_app.mail.outbox import configured, queue

__all__ = ["configured", "init_app", "queue"]


def init_app(app: Flask) -> None:
    """The outbox's send job and the sweep that finds what a lost message left."""
    jobs.register_job(outbox.SEND, outbox.send_due)
    jobs.register_sweeper(outbox._sweep)
