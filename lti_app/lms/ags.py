"""Assignment and Grade Services 2.0: line items and scores.

Scores and results hang off the line item URL's *path*; its query string must
be kept (Moodle's line items carry ``?type_id=N``). Line items are looked up by
``resource_link_id`` and ``tag`` before one is created, so a copied course or a
retried creation never makes a duplicate gradebook column.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import urllib3

from lti_app.lms.service_http import (
    FastHttp,
    ServiceError,
    TokenFn,
    call_with_token,
    classify,
    json_body,
    transport_error,
)

SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_MEDIA = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
#: Line item lookups follow at most this many pages.
MAX_LINEITEM_PAGES = 50


def service_url(lineitem_url: str, suffix: str) -> str:
    """``{lineitem path}/scores`` (or ``/results``) with the line item's query kept."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def post_score(
    http: FastHttp, lineitem_url: str, score: dict[str, Any], token: str, *, timeout: float = 10.0
) -> ServiceError | None:
    """POST one score; None when the LMS took it, else what went wrong."""
    what = "Score delivery (AGS)"
    try:
        resp = http.post(
            service_url(lineitem_url, "/scores"),
            json.dumps(score).encode(),
            {"Content-Type": SCORE_MEDIA, "Authorization": f"Bearer {token}"},
            timeout,
        )
    except urllib3.exceptions.HTTPError as exc:
        return transport_error(exc, what)
    return classify(resp, what)


def is_superseded(error: ServiceError) -> bool:
    """The LMS refused a score because it already holds one with this or a newer
    timestamp: Moodle answers 409 ("Refusing score with an earlier timestamp"),
    Canvas 400 ("… before last updated timestamp"). Our timestamps only grow, so
    the LMS holds this very score (an attempt that reached it before the worker
    could record it) or a newer grade (set by hand in the gradebook): nothing to
    retry, nothing failed."""
    if error.status == 409:
        return True
    reason = error.reason.lower()
    return (
        error.status == 400
        and "timestamp" in reason
        and ("before" in reason or "earlier" in reason or "older" in reason)
    )


def find_line_items(
    session: requests.Session,
    lineitems_url: str,
    token: TokenFn,
    *,
    resource_link_id: str | None = None,
    tag: str | None = None,
    timeout: float = 10.0,
) -> list[dict[str, Any]]:
    """Line items of the context matching the filters (checked here too, because a
    platform may ignore them)."""
    what = "Line item lookup (AGS)"
    parts = urlsplit(lineitems_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if resource_link_id is not None:
        query.append(("resource_link_id", resource_link_id))
    if tag is not None:
        query.append(("tag", tag))
    url: str | None = urlunsplit(parts._replace(query=urlencode(query)))
    found: list[dict[str, Any]] = []
    pages = 0
    while url is not None and pages < MAX_LINEITEM_PAGES:
        pages += 1
        resp = call_with_token(
            session, "GET", url, token, what, timeout=timeout, headers={"Accept": CONTAINER_MEDIA}
        )
        body = json_body(resp, what)
        if not isinstance(body, list):
            raise ServiceError(
                "retry", f"{what}: the LMS answered with something other than a list of line items"
            )
        for item in body:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            if resource_link_id is not None and item.get("resourceLinkId") != resource_link_id:
                continue
            if tag is not None and item.get("tag") != tag:
                continue
            found.append(item)
        url = resp.links.get("next", {}).get("url") or None
    return found


def create_line_item(
    session: requests.Session,
    lineitems_url: str,
    token: TokenFn,
    item: dict[str, Any],
    *,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Create a line item; returns the platform's copy (with its ``id`` URL)."""
    what = "Line item creation (AGS)"
    resp = call_with_token(
        session,
        "POST",
        lineitems_url,
        token,
        what,
        timeout=timeout,
        data=json.dumps(item).encode(),
        headers={"Content-Type": LINEITEM_MEDIA, "Accept": LINEITEM_MEDIA},
    )
    body = json_body(resp, what)
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise ServiceError("retry", f"{what}: the LMS's answer has no line item id")
    return body
