"""Names and Role Provisioning Services 2.0: a course's members, one page at a time.

Pages are yielded as they arrive so a 10,000-member course never sits in memory
at once. The ``next`` link is followed exactly as the platform sent it (never
lower-cased: pylti1p3 does that and real platforms' opaque cursors break), but
only on the host of the first page, and a loop guard stops a platform whose
pages never end. Moodle pages only when asked, so the first request always
carries ``limit``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from lti_app.lms.service_http import ServiceError, TokenFn, call_with_token, json_body

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
#: Canvas caps pages at 50; asking for that works everywhere.
DEFAULT_PAGE_SIZE = 50
#: 20,000 pages of 50 is a million members: anything longer is a platform loop.
MAX_PAGES = 20_000
_TEXT_FIELDS = ("name", "given_name", "family_name", "email", "lis_person_sourcedid")


@dataclass(frozen=True)
class Member:
    user_id: str
    roles: tuple[str, ...]
    #: ``Active``, ``Inactive`` or ``Deleted`` (Canvas and Moodle only send Active).
    status: str
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    lis_person_sourcedid: str | None = None


@dataclass(frozen=True)
class Page:
    members: tuple[Member, ...]
    #: Members the platform sent that could not be used, with why.
    rejected: tuple[str, ...]
    context: dict[str, Any]


class RosterError(ServiceError):
    """The platform's roster cannot be read as sent (bad paging, bad JSON shape)."""

    def __init__(self, reason: str):
        super().__init__("final", reason)


def with_limit(url: str, limit: int) -> str:
    """``url`` asking for pages of ``limit`` unless it already says how many."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "limit" for k, _ in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, ("limit", str(limit))])))


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def parse_member(raw: Any) -> Member | str:
    """A member, or the reason it cannot be used."""
    if not isinstance(raw, dict):
        return "a member that is not a JSON object"
    user_id = raw.get("user_id")
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 255:
        return "a member without a usable user_id"
    roles = raw.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        return f"member {user_id[:40]!r} has no list of roles"
    status = raw.get("status") if isinstance(raw.get("status"), str) else "Active"
    text = {
        k: (v[:255] if isinstance(v, str) else None)
        for k, v in ((k, raw.get(k)) for k in _TEXT_FIELDS)
    }
    return Member(user_id=user_id, roles=tuple(roles), status=str(status), **text)


def parse_page(body: Any) -> Page:
    if not isinstance(body, dict) or not isinstance(body.get("members"), list):
        raise RosterError("The LMS's membership answer has no list of members")
    members: list[Member] = []
    rejected: list[str] = []
    for raw in body["members"]:
        parsed = parse_member(raw)
        if isinstance(parsed, Member):
            members.append(parsed)
        else:
            rejected.append(parsed)
    context = body.get("context") if isinstance(body.get("context"), dict) else {}
    return Page(tuple(members), tuple(rejected), context or {})


def member_pages(
    url: str,
    token: TokenFn,
    *,
    session: requests.Session,
    page_size: int = DEFAULT_PAGE_SIZE,
    timeout: float = 15.0,
    max_pages: int = MAX_PAGES,
) -> Iterator[Page]:
    """Every page of the membership container at ``url``, in order."""
    what = "Roster request (NRPS)"
    origin = _origin(url)
    next_url: str | None = with_limit(url, page_size)
    seen: set[str] = set()
    while next_url is not None:
        if next_url in seen or len(seen) >= max_pages:
            raise RosterError(
                f"{what}: the LMS's pages never end (page {len(seen) + 1} "
                "repeats an earlier one or exceeds the page limit); stopped"
            )
        seen.add(next_url)
        resp = call_with_token(
            session, "GET", next_url, token, what, timeout=timeout, headers={"Accept": MEDIA_TYPE}
        )
        yield parse_page(json_body(resp, what))
        link = resp.links.get("next", {}).get("url")
        if link and _origin(link) != origin:
            raise RosterError(
                f"{what}: the LMS's next page is on another host "
                f"({urlsplit(link).netloc}); not followed"
            )
        next_url = link or None
