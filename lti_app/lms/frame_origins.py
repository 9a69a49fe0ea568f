"""Which sites may frame the tool: the CSP ``frame-ancestors`` of every page.

An LMS shows the tool in an iframe, so framing cannot simply be refused (and
``X-Frame-Options`` cannot name several origins); instead each page names the
origins of the platforms that may frame it. For a page a person reached through
a launch, that is their platform's origins; for pages before a launch (login
initiation, launch errors) it is every active platform's.

A platform's origins are its issuer's and OIDC login URL's, plus those learned
at launches: the launch POST's ``Origin`` header and the return URLs in its
claims. Canvas, for instance, issues tokens as ``canvas.instructure.com`` but
frames the tool from the institution's own domain, which only a launch tells
us. Learning is safe: it happens only after the id_token has been verified for
that registration, and only widens that registration's own list.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update

from lti_app.extensions import db
from lti_app.lms import registry
from lti_app.lms.models import ACTIVE, Registration

#: Learned origins kept per registration (the most recent).
MAX_LEARNED = 20
_ALL_TTL_S = 10.0
_all_lock = threading.Lock()
_all: tuple[float, tuple[str, ...]] = (0.0, ())


_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
_IPV6 = re.compile(r"^[0-9a-f:.]+$")


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, lower-cased; else None (so
    nothing but a plain origin can reach the CSP header)."""
    if not url or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        return None
    if _HOST.match(host):
        shown = host
    elif ":" in host and _IPV6.match(host):
        shown = f"[{host}]"
    else:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{shown}" + (f":{port}" if port and port != default else "")


def static_origins(reg: Registration) -> list[str]:
    return [o for o in (origin_of(reg.issuer), origin_of(reg.auth_login_url)) if o]


def for_registration(reg: Registration) -> list[str]:
    """Every origin ``reg`` may frame the tool from."""
    return list(dict.fromkeys([*static_origins(reg), *(reg.frame_origins or [])]))


def candidates_from_launch(claims: dict[str, Any], origin_header: str | None) -> list[str]:
    """Origins a verified launch tells us the platform frames the tool from."""
    presentation = claims.get("https://purl.imsglobal.org/spec/lti/claim/launch_presentation")
    deep = claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings")
    urls = [
        origin_header,
        presentation.get("return_url") if isinstance(presentation, dict) else None,
        deep.get("deep_link_return_url") if isinstance(deep, dict) else None,
    ]
    return [o for o in (origin_of(u) for u in urls if isinstance(u, str)) if o]


def learn(reg: Registration, origins: Iterable[str]) -> bool:
    """Add new ``origins`` to ``reg``'s learned list (writes only when one is new)."""
    known = set(for_registration(reg))
    new = [o for o in dict.fromkeys(origins) if o not in known]
    if not new:
        return False
    current = (
        db.session.scalar(select(Registration.frame_origins).where(Registration.id == reg.id)) or []
    )
    merged = [o for o in current if o not in new] + new
    db.session.execute(
        update(Registration)
        .where(Registration.id == reg.id)
        .values(frame_origins=merged[-MAX_LEARNED:])
    )
    reg.frame_origins = merged[-MAX_LEARNED:]
    registry.clear_cache()
    global _all
    _all = (0.0, ())
    return True


def all_active() -> tuple[str, ...]:
    """Every active platform's origins (cached for a few seconds)."""
    global _all
    stamp, value = _all
    if time.monotonic() - stamp < _ALL_TTL_S:
        return value
    found: list[str] = []
    for reg in db.session.scalars(select(Registration).where(Registration.status == ACTIVE)):
        found.extend(for_registration(reg))
    value = tuple(dict.fromkeys(found))
    with _all_lock:
        _all = (time.monotonic(), value)
    return value
