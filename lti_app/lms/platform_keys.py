"""Platform public keys (JWKS), cached per registration, re-fetched once on an unknown kid.

Platforms rotate keys (Canvas keeps several, D2L rotates hourly). We cache the
parsed keys for ``ttl`` seconds; a ``kid`` we have not seen triggers one re-fetch,
at most once per ``refetch_interval`` per registration, so a flood of forged
tokens with random kids cannot make us hammer the platform (and the launch
checks its single-use state before it asks for a key, so such tokens never get
this far). When the platform's JWKS cannot be fetched after the cache expired,
a key from the last good copy is still used for up to ``stale_if_error``
seconds: a platform whose key URL is briefly down keeps launching.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
import urllib3

from lti_app.lms.deadline import Deadline, DeadlineAdapter

log = logging.getLogger(__name__)

USER_AGENT = "Peerlift-LTI/0.1 (+https://github.com/peerlift)"
_MAX_JWKS_BYTES = 256 * 1024


class PlatformKeyError(Exception):
    """The platform's key could not be had; ``reason`` is precise, for the log."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class _Entry:
    url: str
    keys: dict[str, Any] = field(default_factory=dict)
    fetched_at: float = 0.0
    #: When an unknown kid last forced a re-fetch (rate-limited).
    miss_refetch_at: float | None = None


class PlatformKeyCache:
    def __init__(
        self,
        ttl: float,
        refetch_interval: float,
        timeout: float,
        session: requests.Session | None = None,
        stale_if_error: float = 86400.0,
    ):
        self.ttl = ttl
        self.stale_if_error = stale_if_error
        self.refetch_interval = refetch_interval
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._entries: dict[tuple[int, str], _Entry] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, registration_id: int, jwks_url: str, kid: str) -> Any:
        """Return the public key object for ``kid`` or raise :class:`PlatformKeyError`."""
        cache_key = (registration_id, jwks_url)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(cache_key)
        if entry and now - entry.fetched_at < self.ttl and kid in entry.keys:
            return entry.keys[kid]
        miss = entry is not None and now - entry.fetched_at < self.ttl
        if (
            miss
            and entry
            and entry.miss_refetch_at is not None
            and now - entry.miss_refetch_at < self.refetch_interval
        ):
            raise PlatformKeyError(
                "unknown_kid",
                f"no key with kid {kid!r} in the platform JWKS (re-fetched "
                f"{now - entry.miss_refetch_at:.0f}s ago; not re-fetching yet)",
            )
        try:
            keys = self._fetch(jwks_url)
        except PlatformKeyError as exc:
            age = now - entry.fetched_at if entry else None
            if (
                exc.code == "jwks_unreachable"
                and entry
                and kid in entry.keys
                and age is not None
                and age < self.ttl + self.stale_if_error
            ):
                log.warning(
                    "platform JWKS %s unreachable; using the copy fetched %.0f s ago (%s)",
                    jwks_url,
                    age,
                    exc.reason,
                )
                return entry.keys[kid]
            raise
        with self._lock:
            self._entries[cache_key] = _Entry(
                url=jwks_url,
                keys=keys,
                fetched_at=time.monotonic(),
                miss_refetch_at=now if miss else None,
            )
        if kid not in keys:
            raise PlatformKeyError("unknown_kid", f"no key with kid {kid!r} in the platform JWKS")
        return keys[kid]

    def _fetch(self, url: str) -> dict[str, Any]:
        # One session per fetch (hourly at most) so the exchange can carry a hard
        # wall-clock deadline: a platform trickling its keys cannot hold a launch.
        deadline = Deadline(2 * self.timeout)
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        adapter = DeadlineAdapter(deadline)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        try:
            resp = session.get(
                url, timeout=self.timeout, stream=True, headers={"Accept": "application/json"}
            )
            body = resp.raw.read(_MAX_JWKS_BYTES + 1, decode_content=True)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if deadline.expired:
                raise PlatformKeyError(
                    "jwks_unreachable",
                    f"platform JWKS {url} did not send "
                    f"its keys within {deadline.seconds:g}s; cut off",
                ) from exc
            raise PlatformKeyError(
                "jwks_unreachable", f"platform JWKS {url} unreachable: {exc}"
            ) from exc
        finally:
            deadline.cancel()
            session.close()
        if deadline.expired:  # cut short by the watchdog: never parse a partial key set
            raise PlatformKeyError(
                "jwks_unreachable",
                f"platform JWKS {url} did not send its keys within {deadline.seconds:g}s; cut off",
            )
        if resp.status_code != 200:
            raise PlatformKeyError(
                "jwks_unreachable", f"platform JWKS {url} answered HTTP {resp.status_code}"
            )
        if len(body) > _MAX_JWKS_BYTES:
            raise PlatformKeyError("jwks_invalid", f"platform JWKS {url} is too large")
        try:
            data = json.loads(body)
            raw_keys = data["keys"]
            if not isinstance(raw_keys, list):
                raise TypeError("keys is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise PlatformKeyError(
                "jwks_invalid", f"platform JWKS {url} is not a JSON key set: {exc}"
            ) from exc
        keys: dict[str, Any] = {}
        for jwk in raw_keys:
            if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid"):
                continue
            if jwk.get("alg", "RS256") != "RS256" or jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[str(jwk["kid"])] = jwt.PyJWK(jwk, algorithm="RS256").key
            except (jwt.PyJWKError, ValueError, TypeError) as exc:
                log.warning(
                    "platform JWKS %s: skipping unusable key %s: %s", url, jwk.get("kid"), exc
                )
        log.info("platform JWKS %s fetched: %d usable keys", url, len(keys))
        return keys
