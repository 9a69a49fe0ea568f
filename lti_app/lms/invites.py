"""One-time registration links (``/lti/register?invite=…``) for Dynamic Registration.

The registration endpoint makes the server fetch a URL the caller chose and
creates a (pending) registration, so it must not be open to the world: it only
works with an invite an administrator created with
``flask --app lti_app platforms invite``. The invite token is shown once; only
its SHA-256 is stored, so a database dump does not hand out working links.
An invite is single use (claimed atomically) and expires.

Side effects: flushes rows; the caller (CLI command or request) commits.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlencode

from sqlalchemy import CursorResult, select, update

from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.lms.models import Registration, RegistrationInvite

log = logging.getLogger(__name__)

REGISTER_PATH = "/lti/register"
#: A real token is 43 characters; anything much longer is not one of ours.
_MAX_TOKEN_LENGTH = 128


class InviteError(Exception):
    """The invite cannot be used. ``code`` is stable; ``reason`` is for the log."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def registration_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{REGISTER_PATH}?{urlencode({'invite': token})}"


def create(note: str, ttl: timedelta) -> tuple[RegistrationInvite, str]:
    """A new invite and its token (return value only: the token is not stored)."""
    if ttl <= timedelta(0):
        raise ValueError("an invite must be valid for some time")
    token = secrets.token_urlsafe(32)
    invite = RegistrationInvite(
        token_hash=hash_token(token), note=note[:255], expires_at=utcnow() + ttl
    )
    db.session.add(invite)
    db.session.flush()
    log.info(
        "invite %s created, expires %s, note=%r",
        invite.id,
        invite.expires_at.isoformat(),
        invite.note,
    )
    return invite, token


def find_usable(token: str | None) -> RegistrationInvite:
    """The unused, unexpired invite for ``token``, or :class:`InviteError`."""
    if not token:
        raise InviteError("invite_missing", "no invite token in the request")
    if len(token) > _MAX_TOKEN_LENGTH or not token.isascii():
        raise InviteError("invite_unknown", "malformed invite token")
    invite: RegistrationInvite | None = db.session.scalar(
        select(RegistrationInvite).where(RegistrationInvite.token_hash == hash_token(token))
    )
    if invite is None:
        raise InviteError("invite_unknown", "no invite with this token")
    if invite.used_at is not None:
        raise InviteError(
            "invite_used",
            f"invite {invite.id} was used at "
            f"{invite.used_at.isoformat()} (registration {invite.registration_id})",
        )
    if invite.expires_at <= utcnow():
        raise InviteError(
            "invite_expired", f"invite {invite.id} expired at {invite.expires_at.isoformat()}"
        )
    return invite


def claim(invite: RegistrationInvite) -> None:
    """Mark the invite used, atomically: of two concurrent requests only one wins.

    The conditional UPDATE locks the row until the request's transaction ends
    (a second claimer waits, then finds it used); if the request fails, the
    rollback releases the invite again.
    """
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(RegistrationInvite)
            .where(
                RegistrationInvite.id == invite.id,
                RegistrationInvite.used_at.is_(None),
                RegistrationInvite.expires_at > utcnow(),
            )
            .values(used_at=utcnow())
        ),
    )
    if result.rowcount != 1:
        raise InviteError("invite_used", f"invite {invite.id} was used or expired meanwhile")
    db.session.refresh(invite)


def link(invite: RegistrationInvite, registration: Registration) -> None:
    """Record which registration a claimed invite produced."""
    invite.registration_id = registration.id
    db.session.flush()
