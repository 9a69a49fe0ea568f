"""OAuth 2 access tokens for LTI services (client_credentials + a signed JWT assertion).

A token is cached per (registration, sorted scope set) until shortly before it
expires, in Redis when the tool has one so every web and worker process shares
it, else in this process. A lock around the fetch means a burst of workers makes
one token request, not one each (single flight); a 401 on a service call drops
the token (only if it is still the cached one) so the next caller fetches a
fresh one.

A failed token request is remembered in the same store: every process then
backs off together (exponential, jittered, ``Retry-After`` honoured when
longer) and callers get a ``retry`` :class:`ServiceError` saying how long to
wait, without asking the LMS. So while a token endpoint is down each
registration costs it a few requests a minute at most, not one per score batch
per worker. An outage (5xx, timeouts, 429) backs off the whole registration,
since all its scope sets share one token endpoint; a scope the LMS will not
grant backs off only that scope set.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from redis.exceptions import LockError

from lti_app.lms.service_http import (
    MAX_RETRY_AFTER_S,
    ServiceError,
    classify,
    json_body,
    transport_error,
)

log = logging.getLogger(__name__)

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Assertions are short-lived (Security Framework: a few minutes at most).
ASSERTION_TTL_S = 300
#: Stop using a token this long before the platform said it expires.
EXPIRY_MARGIN_S = 60.0


@dataclass(frozen=True)
class Backoff:
    """How long to wait after failed token requests: ``base`` × 2^(failures−1),
    capped, jittered to between half and all of it; ``Retry-After`` wins when longer."""

    base: float = 10.0
    cap: float = 300.0

    def delay(
        self, failures: int, retry_after: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        wait = min(self.cap, self.base * (2 ** max(0, failures - 1)))
        wait *= 0.5 + rand() / 2
        return float(max(wait, min(retry_after or 0.0, MAX_RETRY_AFTER_S)))


@dataclass(frozen=True)
class ServiceAuth:
    """What a token request needs to know about a registration (plain data, so it
    can cross threads and outlive a database session)."""

    registration_id: int
    client_id: str
    token_url: str
    audience: str | None = None


class TokenStore(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, token: str, ttl: float) -> None: ...
    def drop(self, key: str, token: str) -> None: ...
    def delete(self, key: str) -> None: ...
    def lock(self, key: str) -> Any: ...


class MemoryTokenStore:
    """Tokens in this process (the embedded, single-process default)."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def get(self, key: str) -> str | None:
        with self._guard:
            found = self._tokens.get(key)
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]

    def put(self, key: str, token: str, ttl: float) -> None:
        with self._guard:
            self._tokens[key] = (token, time.monotonic() + ttl)

    def drop(self, key: str, token: str) -> None:
        with self._guard:
            if self._tokens.get(key, ("", 0.0))[0] == token:
                del self._tokens[key]

    def delete(self, key: str) -> None:
        with self._guard:
            self._tokens.pop(key, None)

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield


class RedisTokenStore:
    """Tokens shared by every process through Redis, with a fetch lock."""

    #: Compare-and-delete, so a 401 never drops a token another process just renewed.
    _DROP = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('del', KEYS[1]) else return 0 end"
    )

    def __init__(self, client: Any, lock_timeout: float = 30.0):
        self.client = client
        self.lock_timeout = lock_timeout

    def get(self, key: str) -> str | None:
        value = self.client.get(key)
        return value.decode() if isinstance(value, bytes) else value

    def put(self, key: str, token: str, ttl: float) -> None:
        self.client.set(key, token, px=max(1, int(ttl * 1000)))

    def drop(self, key: str, token: str) -> None:
        self.client.eval(self._DROP, 1, key, token)

    def delete(self, key: str) -> None:
        self.client.delete(key)

    def lock(self, key: str) -> Any:
        # The lock expires by itself if its holder dies mid-request.
        return self.client.lock(
            key + ":lock", timeout=self.lock_timeout, blocking_timeout=self.lock_timeout
        )


class AccessTokens:
    """Gets (and caches) access tokens; ``sign`` turns claims into a JWT with our key."""

    def __init__(
        self,
        store: TokenStore,
        sign: Callable[[dict[str, Any]], str],
        *,
        timeout: float = 10.0,
        session: requests.Session | None = None,
        backoff: Backoff | None = None,
    ):
        self.store = store
        self.sign = sign
        self.timeout = timeout
        self.session = session
        self.backoff = backoff or Backoff()
        #: Token requests this process made (benchmarks and tests read it).
        self.requests_made = 0

    @staticmethod
    def key(auth: ServiceAuth, scopes: Sequence[str]) -> str:
        scope_hash = hashlib.sha256(" ".join(sorted(set(scopes))).encode()).hexdigest()[:16]
        return f"peerlift:lti-token:{auth.registration_id}:{scope_hash}"

    @staticmethod
    def _backoff_keys(auth: ServiceAuth, key: str) -> tuple[str, str]:
        """(the registration's outage record, this scope set's refusal record)."""
        return (
            f"peerlift:lti-token-backoff:{auth.registration_id}",
            key.replace(":lti-token:", ":lti-token-backoff:", 1),
        )

    def get(self, auth: ServiceAuth, scopes: Sequence[str]) -> str:
        """A live token for ``scopes``: cached, or fetched by one process at a time.

        Raises a ``retry`` :class:`ServiceError` (with ``retry_after``) while an
        earlier failure is being backed off, without contacting the LMS.
        """
        key = self.key(auth, scopes)
        token = self.store.get(key)
        if token:
            return token
        self._raise_if_backing_off(auth, key)
        try:
            with self.store.lock(key):
                token = self.store.get(key)  # another process may have fetched it meanwhile
                if token:
                    return token
                # ... or failed meanwhile: then wait like everyone else.
                self._raise_if_backing_off(auth, key)
                try:
                    token, ttl = self._fetch(auth, scopes)
                except ServiceError as exc:
                    wait = self._remember_failure(auth, key, exc)
                    raise ServiceError(
                        exc.kind, exc.reason, status=exc.status, retry_after=wait
                    ) from exc
                self.store.put(key, token, ttl)
                for backoff_key in self._backoff_keys(auth, key):
                    self.store.delete(backoff_key)
                return token
        except LockError as exc:
            raise ServiceError(
                "retry",
                "Access token request: another Peerlift process is "
                "still asking the LMS for a token",
                retry_after=5.0,
            ) from exc

    def invalidate(self, auth: ServiceAuth, scopes: Sequence[str], token: str) -> None:
        """Forget ``token`` after the platform refused it (401)."""
        self.store.drop(self.key(auth, scopes), token)

    def _raise_if_backing_off(self, auth: ServiceAuth, key: str) -> None:
        now = time.time()
        for backoff_key in self._backoff_keys(auth, key):
            record = _load(self.store.get(backoff_key))
            if record is None:
                continue
            wait = float(record.get("until", 0)) - now
            if wait > 0:
                raise ServiceError(
                    "retry",
                    f"{record.get('reason', 'Access token request failed')} "
                    f"(Peerlift waits {wait:.0f} s before asking again)",
                    status=record.get("status"),
                    retry_after=wait,
                )

    def _remember_failure(self, auth: ServiceAuth, key: str, exc: ServiceError) -> float:
        """Record the failure so every process waits (the count makes the wait grow);
        returns the wait in seconds."""
        whole_registration, scope_set = self._backoff_keys(auth, key)
        backoff_key = scope_set if isinstance(exc, ScopeRefused) else whole_registration
        previous = _load(self.store.get(backoff_key)) or {}
        failures = int(previous.get("failures", 0)) + 1
        wait = self.backoff.delay(failures, exc.retry_after)
        record = {
            "until": time.time() + wait,
            "failures": failures,
            "reason": exc.reason,
            "status": exc.status,
        }
        # Kept beyond the wait so the next failure doubles it; forgotten after a
        # quiet spell, or at once when a token request succeeds.
        self.store.put(backoff_key, json.dumps(record), wait + self.backoff.cap * 2)
        log.warning(
            "lti-token: registration %s token request failed (%d in a row); "
            "no token requests for %.0f s: %s",
            auth.registration_id,
            failures,
            wait,
            exc.reason,
        )
        return wait

    def _assertion(self, auth: ServiceAuth) -> str:
        now = int(time.time())
        return self.sign(
            {
                "iss": auth.client_id,
                "sub": auth.client_id,
                "aud": auth.audience or auth.token_url,
                "iat": now,
                "exp": now + ASSERTION_TTL_S,
                "jti": secrets.token_urlsafe(24),
            }
        )

    def _fetch(self, auth: ServiceAuth, scopes: Sequence[str]) -> tuple[str, float]:
        what = "Access token request"
        data = {
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": self._assertion(auth),
            "scope": " ".join(sorted(set(scopes))),
        }
        poster = self.session or requests
        self.requests_made += 1
        try:
            resp = poster.post(
                auth.token_url,
                data=data,
                timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise transport_error(exc, what) from exc
        error = classify(resp, what)
        if error is not None:
            # A refused token is a configuration problem (keys, scopes, a disabled
            # tool): keep everything waiting, retried with backoff, with the reason.
            raise ServiceError(
                "retry", error.reason, status=error.status, retry_after=error.retry_after
            )
        body = json_body(resp, what)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ServiceError("retry", f"{what}: the LMS answered without an access_token")
        granted = body.get("scope")
        if isinstance(granted, str) and granted.strip():
            missing = set(scopes) - set(granted.split())
            if missing:
                raise ScopeRefused(
                    "retry",
                    f"{what}: the LMS did not grant "
                    f"{', '.join(sorted(missing))}; check the tool's services "
                    "in the LMS registration",
                )
        try:
            expires_in = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            expires_in = 3600.0
        ttl = max(1.0, expires_in - min(EXPIRY_MARGIN_S, expires_in / 10))
        log.info(
            "lti-token: fetched for registration %s scopes=%s ttl=%.0fs",
            auth.registration_id,
            json.dumps(sorted(set(scopes))),
            ttl,
        )
        return token, ttl


class ScopeRefused(ServiceError):
    """A token the LMS issued without the scopes asked for: only that scope set waits."""


def _load(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
