"""Secrets that ride in URLs never reach a log line.

Inside an LMS iframe without third-party cookies, a Peerlift session lives in a
signed token carried in links (``?t=…``); reminder e-mails carry signed links
(``/j/link/<token>``) and registration links an invite (``?invite=…``). A URL
is what access logs record, so every access-log line (gunicorn's, see
``config/gunicorn.py``, and the development server's) goes through
:func:`redact` first: the values of the parameters below become
``[redacted]``, and so does the signed segment of a reminder link.

Plain Python (no Flask), so gunicorn's master process can import it cheaply.
"""

from __future__ import annotations

import logging
import re

#: Query and form parameters whose values are credentials.
SECRET_PARAMS = (
    "t",
    "token",
    "invite",
    "registration_token",
    "ticket",
    "state",
    "nonce",
    "id_token",
    "access_token",
    "JWT",
    "jwt",
    "code",
)
REDACTED = "[redacted]"

_PARAM = re.compile(
    r"(?P<lead>[?&;]|&amp;)(?P<name>" + "|".join(SECRET_PARAMS) + r")=(?P<value>[^&;#\s\"']*)"
)
#: Signed path segments: the reminder e-mail's check-in link.
_PATH = re.compile(r"(?P<lead>/j/link/)(?P<value>[^/?#\s\"']+)")


def redact(text: str) -> str:
    """``text`` with the values of secret URL parameters replaced."""
    if "=" not in text and "/j/link/" not in text:
        return text
    text = _PARAM.sub(lambda m: f"{m['lead']}{m['name']}={REDACTED}" if m["value"] else m[0], text)
    return _PATH.sub(lambda m: m["lead"] + REDACTED, text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts a record's message (and its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def install_werkzeug_filter() -> None:
    """The development server logs each request line on ``werkzeug``."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
