"""The tool's own RSA keys: generation, rotation, the published JWKS, the signing key.

Keys live in the database so every web and worker process signs with the same
key. Parsed keys are cached per process for ``_CACHE_TTL_S`` seconds, so a
rotation reaches every process within that time without a restart.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import or_, select

from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.lms.models import ToolKey

log = logging.getLogger(__name__)

_CACHE_TTL_S = 30.0
_lock = threading.Lock()
_cache: dict[str, Any] = {}


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})


class NoSigningKey(RuntimeError):
    pass


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _new_key_row(activates_at: datetime) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_urlsafe(16)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update(kid=kid, alg="RS256", use="sig")
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return ToolKey(kid=kid, private_pem=pem, public_jwk=json.dumps(jwk), activates_at=activates_at)


def ensure_key() -> ToolKey | None:
    """Create the first key if the tool has none. Returns the new key, or None."""
    if db.session.scalar(select(ToolKey.id).limit(1)) is not None:
        return None
    key = _new_key_row(utcnow())
    db.session.add(key)
    db.session.flush()
    clear_cache()
    log.info("keys: created first tool key kid=%s", key.kid)
    return key


def rotate(activate_in: timedelta, overlap: timedelta) -> ToolKey:
    """Publish a new key now, sign with it after ``activate_in``, retire the old ones.

    Old keys stay published until ``activate_in + overlap`` from now, so platforms
    that cached our JWKS keep verifying assertions signed before the switch.
    """
    now = utcnow()
    new = _new_key_row(now + activate_in)
    for old in _published_rows(now):
        retire = now + activate_in + overlap
        if old.retires_at is None or old.retires_at > retire:
            old.retires_at = retire
    db.session.add(new)
    db.session.flush()
    clear_cache()
    log.info("keys: rotated; new kid=%s signs from %s", new.kid, new.activates_at.isoformat())
    return new


def _published_rows(now: datetime) -> list[ToolKey]:
    return list(
        db.session.scalars(
            select(ToolKey)
            .where(or_(ToolKey.retires_at.is_(None), ToolKey.retires_at > now))
            .order_by(ToolKey.activates_at)
        )
    )


def all_keys() -> list[ToolKey]:
    return list(db.session.scalars(select(ToolKey).order_by(ToolKey.activates_at)))


def _load() -> dict[str, Any]:
    now_mono = time.monotonic()
    with _lock:
        if _cache and now_mono - _cache["loaded"] < _CACHE_TTL_S:
            return _cache
    now = utcnow()
    rows = _published_rows(now)
    if not rows and ensure_key() is not None:
        now = utcnow()  # the new key activates now: it must sign at once
        # A fresh installation: the first key is made on first use, so the JWKS
        # is never empty and deep linking can sign (the caller's boundary commits).
        rows = _published_rows(now)
    jwks = {"keys": [json.loads(r.public_jwk) for r in rows]}
    active = [r for r in rows if r.activates_at <= now]
    signing: SigningKey | None = None
    if active:
        row = active[-1]
        private = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
        assert isinstance(private, rsa.RSAPrivateKey)
        signing = SigningKey(kid=row.kid, private_key=private)
    # Re-check soon when a scheduled key is about to activate or retire.
    upcoming = [r.activates_at for r in rows if r.activates_at > now] + [
        r.retires_at for r in rows if r.retires_at
    ]
    ttl = _CACHE_TTL_S
    if upcoming:
        ttl = min(ttl, max(0.0, (min(upcoming) - now).total_seconds()))
    with _lock:
        _cache.clear()
        _cache.update(jwks=jwks, signing=signing, loaded=now_mono - (_CACHE_TTL_S - ttl))
        return dict(_cache)


def published_jwks() -> dict[str, Any]:
    """The JWKS we publish: every key from creation until it retires."""
    jwks: dict[str, Any] = _load()["jwks"]
    return jwks


def signing_key() -> SigningKey:
    key: SigningKey | None = _load()["signing"]
    if key is None:
        raise NoSigningKey("the tool has no active key: run `flask --app lti_app keys rotate`")
    return key
