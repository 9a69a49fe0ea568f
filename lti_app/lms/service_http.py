"""HTTP to an LMS's LTI Advantage services, and what a failed call means.

Every call names itself with a ``User-Agent`` (Canvas refuses calls without
one). A failure is classified once, here, into what the caller should do:

- ``retry``: the LMS is down, slow or rate-limiting (5xx, timeouts, 429, and
  Canvas's 403 rate limit); try again later, after ``retry_after`` if it said so;
- ``auth``: 401, the access token expired or was revoked; fetch a new token once
  and try again;
- ``final``: a 4xx that cannot succeed by repeating it (course concluded, user
  not a student, line item deleted, score refused as older than the LMS's).

The platform's own message is kept (``reason``) so an instructor can see why.
"""

from __future__ import annotations

import email.utils
import functools
import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
import urllib3

USER_AGENT = "Peerlift/0.1 (LTI 1.3 tool; +https://peerlift.example.org)"
Kind = Literal["retry", "auth", "final"]
#: Longest Retry-After we honour; a platform asking for more gets this.
MAX_RETRY_AFTER_S = 3600.0


class ServiceError(Exception):
    """A service call that did not succeed, with what to do about it."""

    def __init__(
        self,
        kind: Kind,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(reason)
        self.kind: Kind = kind
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Outcome:
    """The result of one call made where raising is inconvenient (a thread pool)."""

    ok: bool
    error: ServiceError | None = None
    body: Any = None


def new_session(pool_size: int = 10) -> requests.Session:
    """A keep-alive session; one per thread that calls services."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    delta = when.timestamp() - (time.time() if now is None else now)
    return min(max(delta, 0.0), MAX_RETRY_AFTER_S)


def platform_message(resp: requests.Response | Answer, limit: int = 300) -> str:
    """The platform's error text: a JSON ``error_description``/``message``/… or the body."""
    text = resp.text or ""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error_description", "message", "error", "errors", "reason"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                text = value
                break
            if isinstance(value, list | dict) and value:
                text = json.dumps(value)
                break
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def _is_rate_limit_403(resp: requests.Response | Answer) -> bool:
    """Canvas answers 403 "Rate Limit Exceeded" when a tool calls too fast."""
    return (
        "Retry-After" in resp.headers
        or "X-Rate-Limit-Remaining" in resp.headers
        or "rate limit" in (resp.text or "").lower()
    )


def classify(resp: requests.Response | Answer, what: str) -> ServiceError | None:
    """None for a 2xx answer; otherwise the :class:`ServiceError` it amounts to."""
    status = resp.status_code
    if 200 <= status < 300:
        return None
    message = platform_message(resp)
    said = f": {message}" if message else ""
    wait = retry_after_seconds(resp.headers.get("Retry-After"))
    if status == 401:
        return ServiceError(
            "auth", f"{what}: the LMS refused the access token (401){said}", status=status
        )
    if status == 429 or (status == 403 and _is_rate_limit_403(resp)):
        return ServiceError(
            "retry",
            f"{what}: the LMS is rate-limiting Peerlift ({status}){said}",
            status=status,
            retry_after=wait,
        )
    if status in (408, 425) or status >= 500:
        return ServiceError(
            "retry",
            f"{what}: the LMS is unavailable ({status}){said}",
            status=status,
            retry_after=wait,
        )
    return ServiceError("final", f"{what}: the LMS refused it ({status}){said}", status=status)


def transport_error(exc: Exception, what: str) -> ServiceError:
    """A timeout or connection failure: the LMS may be down; always worth a retry."""
    timed_out = isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError)
    kind = "timed out" if timed_out else "could not connect"
    return ServiceError("retry", f"{what}: {kind} ({type(exc).__name__})")


@dataclass(frozen=True)
class Answer:
    """An HTTP answer with the attributes :func:`classify` reads (like requests')."""

    status_code: int
    headers: Any
    text: str


@functools.lru_cache(maxsize=1024)
def _bypasses_proxy(host: str) -> bool:
    return bool(urllib.request.proxy_bypass(host))


class FastHttp:
    """urllib3 for the hot path (posting scores): about a third of the CPU that
    requests spends per call, which is what bounds a worker's scores per second.
    Never retries or follows redirects on its own (a repeated POST is the outbox's
    decision), sends the User-Agent, and honours HTTP(S)_PROXY/NO_PROXY like requests.
    Thread-safe: one per process."""

    def __init__(self, pool_size: int = 16):
        self._direct = urllib3.PoolManager(num_pools=32, maxsize=pool_size, retries=False)
        self._proxied = {
            scheme: urllib3.ProxyManager(url, num_pools=32, maxsize=pool_size, retries=False)
            for scheme, url in urllib.request.getproxies().items()
            if scheme in ("http", "https")
        }

    def _manager(self, url: str) -> urllib3.PoolManager:
        parts = urlsplit(url)
        proxied = self._proxied.get(parts.scheme)
        if proxied is None or _bypasses_proxy(parts.hostname or ""):
            return self._direct
        return proxied

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
        """POST; raises urllib3's HTTPError subclasses on transport failures."""
        resp = self._manager(url).request(
            "POST",
            url,
            body=body,
            headers={**headers, "User-Agent": USER_AGENT},
            timeout=urllib3.Timeout(total=timeout),
            retries=False,
            redirect=False,
        )
        return Answer(resp.status, resp.headers, resp.data.decode("utf-8", "replace"))


#: Gets an access token; ``True`` asks for a fresh one after a 401.
TokenFn = Callable[[bool], str]


def call_with_token(
    session: requests.Session,
    method: str,
    url: str,
    token: TokenFn,
    what: str,
    *,
    timeout: float,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> requests.Response:
    """A service call with a bearer token; a 401 fetches a fresh token and tries once
    more. Raises :class:`ServiceError` for anything but a 2xx answer."""
    fresh = False
    while True:
        sent = {**(headers or {}), "Authorization": f"Bearer {token(fresh)}"}
        try:
            resp = session.request(method, url, timeout=timeout, headers=sent, data=data)
        except requests.RequestException as exc:
            raise transport_error(exc, what) from exc
        error = classify(resp, what)
        if error is None:
            return resp
        if error.kind != "auth" or fresh:
            raise error
        fresh = True


def json_body(resp: requests.Response, what: str) -> Any:
    """The JSON of a 2xx answer; malformed JSON is the platform's fault, retried later."""
    try:
        return resp.json()
    except ValueError as exc:
        raise ServiceError(
            "retry",
            f"{what}: the LMS answered with malformed JSON ({exc.__class__.__name__})",
            status=resp.status_code,
        ) from exc
