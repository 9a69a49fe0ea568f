"""Per-process service clients: the access-token cache and keep-alive HTTP sessions."""

from __future__ import annotations

import threading
from typing import Any

import requests
from flask import Flask, current_app

from lti_app.lms import keys
from lti_app.lms.access_tokens import AccessTokens, Backoff, MemoryTokenStore, RedisTokenStore
from lti_app.lms.service_http import FastHttp, new_session

_EXTENSION = "peerlift.access_tokens"
_FAST = "peerlift.fast_http"
_local = threading.local()


def _sign(claims: dict[str, Any]) -> str:
    return keys.signing_key().sign(claims)


def init_app(app: Flask) -> None:
    """Tokens live in Redis when the tool has one (shared by every process)."""
    url = app.config.get("REDIS_URL") or ""
    store: Any
    if url:
        import redis  # lazy: only a deployment with Redis loads its client

        store = RedisTokenStore(
            redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        )
    else:
        store = MemoryTokenStore()
    app.extensions[_FAST] = FastHttp(pool_size=max(16, int(app.config["GRADES_HTTP_THREADS"])))
    backoff = Backoff(
        base=float(app.config["LTI_TOKEN_BACKOFF_BASE_S"]),
        cap=float(app.config["LTI_TOKEN_BACKOFF_CAP_S"]),
    )
    app.extensions[_EXTENSION] = AccessTokens(
        store,
        _sign,
        timeout=app.config["LTI_SERVICE_TIMEOUT_S"],
        session=new_session(),
        backoff=backoff,
    )


def tokens() -> AccessTokens:
    found: AccessTokens = current_app.extensions[_EXTENSION]
    return found


def http_session() -> requests.Session:
    """This thread's keep-alive session for service calls."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = _local.session = new_session()
    return session


def fast_http() -> FastHttp:
    """The process's urllib3 pools for posting scores (thread-safe)."""
    found: FastHttp = current_app.extensions[_FAST]
    return found
