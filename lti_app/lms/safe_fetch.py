"""HTTP requests to URLs a stranger chose, guarded against SSRF.

Dynamic Registration makes the server fetch a URL that arrives in a query
string (``openid_configuration``) and then POST to another URL named in the
document it got back (``registration_endpoint``). Without a guard, anyone
holding a registration link could make Peerlift read its cloud metadata
service, its database admin port or any intranet page. The rules:

* ``https`` only; plain ``http`` only when ``allow_private`` is on
  (development and tests). No user:password@ in the URL.
* The host name is resolved **once**; every address it resolves to must be
  public (not loopback, private, link-local, multicast, reserved,
  unspecified, shared/CGNAT or otherwise non-global, also when wrapped in an
  IPv4-mapped, 6to4 or Teredo IPv6 address). With ``allow_private`` the
  address is not checked, but the connection is still pinned.
* The connection goes to the address that was checked: a requests adapter
  swaps the host for that IP in the connection pool key, keeps the original
  name for TLS (SNI and certificate verification) and sends it in the
  ``Host`` header. A DNS answer that changes between the check and the
  connection (DNS rebinding) therefore cannot redirect us; requests never
  resolves the name itself.
* Redirects are not followed (a 3xx is an error: a redirect is how an
  allowed URL would smuggle us to a forbidden one), environment proxies and
  ``.netrc`` are ignored, the body is capped (256 KiB by default, checked while
  reading, after decompression) and a successful answer must be JSON.
* Every step has a timeout, and the whole exchange (connect, TLS, sending,
  headers, body) a hard wall-clock deadline: a watchdog shuts the socket down
  when it passes, so a server that trickles a byte every second cannot hold a
  web worker beyond it (per-read timeouts alone never fire on a trickle).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.models import PreparedRequest

from lti_app.lms.deadline import Deadline, DeadlineAdapter
from lti_app.lms.platform_keys import USER_AGENT

log = logging.getLogger(__name__)

MAX_BYTES = 256 * 1024
MAX_URL_LENGTH = 2048
_CHUNK = 16 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A request we refused to make or that failed.

    ``code`` is stable (``invalid_url``, ``blocked_url``, ``unresolvable``,
    ``unreachable``, ``timeout``, ``redirect``, ``too_large``, ``not_json``);
    ``reason`` is precise and meant for the log.
    """

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class FetchPolicy:
    #: Allow http:// and loopback/private addresses (development and tests only).
    allow_private: bool
    #: Seconds for connecting and for each read.
    timeout: float
    max_bytes: int = MAX_BYTES
    #: TLS verification: True (system/certifi CAs) or a CA bundle path (tests).
    verify: bool | str = True
    #: Wall-clock seconds for the whole exchange; None: twice ``timeout``.
    deadline: float | None = None

    @property
    def total_seconds(self) -> float:
        return self.deadline if self.deadline is not None else 2 * self.timeout


@dataclass(frozen=True)
class JsonResponse:
    status: int
    #: The parsed body when it is JSON (always, for a 2xx), else None.
    data: Any
    #: The start of the body as text, for error messages and logs.
    snippet: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks, with the one address we will connect to."""

    url: str
    scheme: str
    hostname: str
    port: int
    #: ``Host`` header value: the name as in the URL, with a non-default port.
    host_header: str
    ip: str


def _resolve(hostname: str, port: int) -> list[str]:
    """Every address ``hostname`` resolves to (tests replace this)."""
    infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in seen:
            seen.append(addr)
    return seen


#: The resolver in use; a module attribute so tests can substitute a fake DNS.
resolve: Callable[[str, int], list[str]] = _resolve


def blocked_reason(ip: IPAddress) -> str | None:
    """Why we must not connect to ``ip`` from a server, or None when it is public."""
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        candidates += [e for e in embedded if e is not None]
    for addr in candidates:
        for attr in (
            "is_loopback",
            "is_private",
            "is_link_local",
            "is_multicast",
            "is_reserved",
            "is_unspecified",
        ):
            if getattr(addr, attr):
                return f"{addr} is {attr[3:].replace('_', '-')}"
        if not addr.is_global:
            return f"{addr} is not a public address"
    return None


def redact(url: str) -> str:
    """``url`` without query and fragment, for logs (queries may carry tokens)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:300]


def check_url(url: str, policy: FetchPolicy) -> Target:
    """Validate ``url`` and resolve its host; raise :class:`FetchError` if it is off limits."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise FetchError("invalid_url", "URL missing or longer than 2048 characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError("invalid_url", f"{redact(url)} is not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise FetchError("invalid_url", f"{redact(url)} is not an http(s) URL")
    if scheme == "http" and not policy.allow_private:
        raise FetchError("blocked_url", f"{redact(url)} uses plain http; only https is allowed")
    if parts.username is not None or parts.password is not None:
        raise FetchError("invalid_url", "URLs with a user name or password are not accepted")
    raw_host = parts.hostname
    if not raw_host:
        raise FetchError("invalid_url", f"{redact(url)} has no host")
    try:
        hostname = raw_host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise FetchError("invalid_url", f"host {raw_host!r} is not a valid name") from exc
    port = port or (443 if scheme == "https" else 80)
    try:
        literal: IPAddress | None = ipaddress.ip_address(hostname)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = resolve(hostname, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError("unresolvable", f"host {hostname} does not resolve: {exc}") from exc
        if not addresses:
            raise FetchError("unresolvable", f"host {hostname} has no address")
    if not policy.allow_private:
        for addr in addresses:
            try:
                why = blocked_reason(ipaddress.ip_address(addr.split("%", 1)[0]))
            except ValueError:
                why = f"{addr!r} is not an IP address"
            if why:
                raise FetchError("blocked_url", f"{redact(url)}: host {hostname} resolves to {why}")
    name_in_url = f"[{hostname}]" if ":" in hostname else hostname
    default_port = 443 if scheme == "https" else 80
    host_header = name_in_url if port == default_port else f"{name_in_url}:{port}"
    return Target(
        url=url.strip(),
        scheme=scheme,
        hostname=hostname,
        port=port,
        host_header=host_header,
        ip=addresses[0],
    )


class _PinnedAdapter(DeadlineAdapter):
    """Connects to the checked IP while TLS and ``Host`` keep the original name."""

    def __init__(self, target: Target, deadline: Deadline):
        self._target = target
        super().__init__(deadline)

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> Any:
        base_host, base_pool = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params: dict[str, Any] = dict(base_host)
        pool_kwargs: dict[str, Any] = dict(base_pool)
        requested = str(host_params.get("host") or "").strip("[]").lower()
        if requested != self._target.hostname:
            # Only the URL we checked may go through this adapter.
            raise ValueError(f"host {requested!r} was not checked")
        host_params["host"] = self._target.ip
        if host_params.get("scheme") == "https":
            # SNI and certificate verification use the name, not the IP.
            pool_kwargs["server_hostname"] = self._target.hostname
        return host_params, pool_kwargs


def _snippet(body: bytes) -> str:
    text = body[:2000].decode("utf-8", errors="replace")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:300]


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def request_json(
    method: str,
    url: str,
    policy: FetchPolicy,
    *,
    bearer: str | None = None,
    body: dict[str, Any] | None = None,
) -> JsonResponse:
    """Send one guarded request and read a JSON answer.

    Raises :class:`FetchError` when the URL is refused, the server cannot be
    reached in time, it redirects, the body is too large, or a 2xx answer is
    not JSON. A non-2xx answer is returned (with its body, parsed if JSON) so
    the caller can show the platform's own error.
    """
    target = check_url(url, policy)
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT, "Host": target.host_header}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    data: bytes | None = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    deadline = Deadline(policy.total_seconds)
    session = requests.Session()
    session.trust_env = False  # no environment proxies (they would bypass the pin), no .netrc
    adapter = _PinnedAdapter(target, deadline)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    step = min(policy.timeout, policy.total_seconds)
    try:
        try:
            resp = session.request(
                method,
                target.url,
                headers=headers,
                data=data,
                timeout=(step, step),
                allow_redirects=False,
                stream=True,
                verify=policy.verify,
            )
        except requests.Timeout as exc:
            raise FetchError("timeout", f"{redact(url)} did not answer in time: {exc}") from exc
        except (requests.RequestException, ValueError) as exc:
            if deadline.expired:
                raise _too_slow(url, policy) from exc
            raise FetchError("unreachable", f"{redact(url)} unreachable: {exc}") from exc
        try:
            return _read(resp, url, policy, deadline)
        finally:
            resp.close()
    finally:
        deadline.cancel()
        session.close()


def _too_slow(url: str, policy: FetchPolicy) -> FetchError:
    return FetchError(
        "timeout",
        f"{redact(url)} did not send its whole answer within "
        f"{policy.total_seconds:g} s (connect, headers and body); cut off",
    )


def _read(
    resp: requests.Response, url: str, policy: FetchPolicy, deadline: Deadline
) -> JsonResponse:
    status = resp.status_code
    if 300 <= status < 400:
        location = resp.headers.get("Location", "")
        raise FetchError(
            "redirect",
            f"{redact(url)} answered HTTP {status} redirecting to "
            f"{redact(location)}; redirects are not followed",
        )
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(
            "too_large", f"{redact(url)} declares {declared} bytes (limit {policy.max_bytes})"
        )
    body = bytearray()
    try:
        for chunk in resp.raw.stream(_CHUNK, decode_content=True):
            body += chunk
            if len(body) > policy.max_bytes:
                raise FetchError(
                    "too_large", f"{redact(url)} sent more than {policy.max_bytes} bytes"
                )
            if deadline.expired:
                raise _too_slow(url, policy)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if deadline.expired:
            raise _too_slow(url, policy) from exc
        raise FetchError("unreachable", f"{redact(url)}: reading the answer failed: {exc}") from exc
    if deadline.expired:  # the watchdog cut the body short: never use a partial answer
        raise _too_slow(url, policy)
    raw = bytes(body)
    content_type = resp.headers.get("Content-Type", "")
    parsed: Any = None
    if _is_json_type(content_type):
        try:
            parsed = json.loads(raw)
        except ValueError as exc:
            if 200 <= status < 300:
                raise FetchError("not_json", f"{redact(url)} sent invalid JSON: {exc}") from exc
    elif 200 <= status < 300:
        raise FetchError(
            "not_json", f"{redact(url)} answered {content_type or 'no type'!r}, not JSON"
        )
    log.debug("fetched %s %s -> %s (%d bytes)", resp.request.method, redact(url), status, len(raw))
    return JsonResponse(status=status, data=parsed, snippet=_snippet(raw))


def get_json(url: str, policy: FetchPolicy, *, bearer: str | None = None) -> JsonResponse:
    return request_json("GET", url, policy, bearer=bearer)


def post_json(
    url: str, body: dict[str, Any], policy: FetchPolicy, *, bearer: str | None = None
) -> JsonResponse:
    return request_json("POST", url, policy, bearer=bearer, body=body)
