"""Deep Linking 2.0, platform side: receive the tool's LtiDeepLinkingResponse.

The response arrives as a form field ``JWT`` posted by the tool's page inside
the launch iframe. It is checked the way the certification suite checks a
platform would: signature against the tool's JWKS, issuer, audience, deployment,
message type, version, and the ``data`` we sent echoed back. Each
``ltiResourceLink`` becomes a resource link in the course, with its coupled line
item when it declares one.
"""

from __future__ import annotations

import numbers
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from flask import Blueprint, render_template, request

from lti_app.sandbox.context import Sandbox, current, origin_of
from lti_app.sandbox.platform import CLAIM, DL

bp = Blueprint("deep_linking", __name__)


class DeepLinkError(ValueError):
    """A deep-linking response the sandbox refuses; the message is shown as is."""


def verified_claims(sandbox: Sandbox, token: str) -> dict[str, Any]:
    """The response's claims, after every check a platform must make."""
    if not token:
        raise DeepLinkError("The form carried no JWT field.")
    try:
        jwks = sandbox.tool.fetch_jwks()
    except (requests.RequestException, ValueError) as exc:
        raise DeepLinkError(
            f"Could not fetch the tool's JWKS ({sandbox.tool.jwks_url}): {exc}"
        ) from exc
    try:
        claims = sandbox.platform.verify_tool_jwt(token, jwks, audience=sandbox.platform.issuer)
    except jwt.InvalidTokenError as exc:
        raise DeepLinkError(f"The JWT is not valid: {exc}") from exc
    expected = {
        "iss": sandbox.platform.client_id,
        CLAIM + "deployment_id": sandbox.platform.deployment_id,
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
    }
    for name, value in expected.items():
        if claims.get(name) != value:
            raise DeepLinkError(f"{name} must be {value!r}, not {claims.get(name)!r}.")
    if not claims.get("nonce"):
        raise DeepLinkError("nonce is required in a deep-linking response.")
    return claims


def _resource_link(sandbox: Sandbox, item: Any) -> dict[str, Any]:
    """Check one content item; the resource link fields we keep."""
    if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
        kind = item.get("type") if isinstance(item, dict) else type(item).__name__
        raise DeepLinkError(
            f"Content item type {kind!r} was not offered (accept_types is ['ltiResourceLink'])."
        )
    url = item.get("url") or sandbox.tool.launch_url
    if not isinstance(url, str) or origin_of(url) != sandbox.tool.origin or urlsplit(url).fragment:
        raise DeepLinkError(f"Content item url {url!r} is not on the tool's origin.")
    custom = item.get("custom") or {}
    if not isinstance(custom, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in custom.items()
    ):
        raise DeepLinkError("custom must map strings to strings.")
    title, text = item.get("title") or "Untitled Peerlift activity", item.get("text") or ""
    if not isinstance(title, str) or not isinstance(text, str):
        raise DeepLinkError("title and text must be strings.")
    return {
        "url": url,
        "title": title[:255],
        "text": text[:1000],
        "custom": custom,
        "lineItem": _line_item(item.get("lineItem"), title),
    }


def _line_item(raw: Any, title: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    maximum = raw.get("scoreMaximum") if isinstance(raw, dict) else None
    if not isinstance(maximum, numbers.Real) or isinstance(maximum, bool) or maximum <= 0:
        raise DeepLinkError("lineItem.scoreMaximum is required and must be a number > 0.")
    fields = {
        "label": raw.get("label") or title,
        "scoreMaximum": maximum,
        "resourceId": raw.get("resourceId"),
        "tag": raw.get("tag"),
    }
    if not all(v is None or isinstance(v, str) for k, v in fields.items() if k != "scoreMaximum"):
        raise DeepLinkError("lineItem label, resourceId and tag must be strings.")
    return fields


def content_links(sandbox: Sandbox, claims: dict[str, Any]) -> list[dict[str, Any]]:
    items = claims.get(DL + "content_items", [])
    if not isinstance(items, list):
        raise DeepLinkError("content_items must be an array.")
    if len(items) > 1:
        raise DeepLinkError(f"{len(items)} content items sent, but accept_multiple was false.")
    return [_resource_link(sandbox, item) for item in items]


def add_to_course(sandbox: Sandbox, ctx_id: str, link: dict[str, Any]) -> dict[str, Any]:
    """Place the resource link in the course, with its coupled line item."""
    store = sandbox.store
    created = store.add_link(
        ctx_id, url=link["url"], title=link["title"], text=link["text"], custom=link["custom"]
    )
    if link["lineItem"]:
        item = store.add_lineitem(
            ctx_id,
            {
                **link["lineItem"],
                "resourceLinkId": created["id"],
                "startDateTime": None,
                "endDateTime": None,
            },
        )
        store.couple(created["id"], item["id"])
        created["lineitem"] = item
    return created


@bp.post("/deep-link-return")
def deep_link_return() -> Any:
    """Where the tool's auto-submitting form lands, inside the launch iframe."""
    sandbox = current()
    try:
        claims = verified_claims(sandbox, request.form.get("JWT", ""))
        links = content_links(sandbox, claims)
        pending = sandbox.store.take_dl_request(str(claims.get(DL + "data", "")))
        if pending is None:
            raise DeepLinkError(
                "The data claim does not echo a pending deep-linking request "
                "(it must be returned exactly as sent, once)."
            )
    except DeepLinkError as exc:
        return render_template(
            "sandbox/error.html",
            title="Deep-linking response refused",
            message=str(exc),
            status=400,
            in_frame=True,
        ), 400
    added = [add_to_course(sandbox, pending["context_id"], link) for link in links]
    return render_template(
        "sandbox/deep_link_result.html",
        added=added,
        message=claims.get(DL + "msg"),
        error=claims.get(DL + "errormsg"),
        course=sandbox.store.course(pending["context_id"]),
    )
