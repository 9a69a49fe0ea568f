"""Deep Linking 2.0 response: the signed JWT that hands a resource link back to the LMS."""

from __future__ import annotations

import secrets
import time
from typing import Any

from lti_app.lms.keys import SigningKey
from lti_app.peer_activities.services import CUSTOM_KEY

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
COMPLETION_TAG = "peerlift-completion"
#: Scores are sent as 0-100.
SCORE_MAXIMUM = 100


def content_item(
    activity: Any, kind_label: str, launch_url: str, settings: dict[str, Any]
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": activity.title,
        "url": launch_url,
        "custom": {CUSTOM_KEY: activity.public_id},
    }
    if activity.description:
        item["text"] = activity.description[:1000]
    targets = settings.get("accept_presentation_document_targets") or []
    if "iframe" in targets:
        item["iframe"] = {"height": 800}
    elif "window" in targets:
        item["window"] = {"targetName": "peerlift"}
    if settings.get("accept_lineitem") is not False:
        item["lineItem"] = {
            "scoreMaximum": SCORE_MAXIMUM,
            "label": f"{activity.title} ({kind_label}): completion"[:255],
            "resourceId": f"{activity.public_id}:completion",
            "tag": COMPLETION_TAG,
        }
    return item


def response_jwt(
    *,
    key: SigningKey,
    client_id: str,
    platform_issuer: str,
    deployment_id: str,
    settings: dict[str, Any],
    items: list[dict[str, Any]],
    message: str | None = None,
) -> str:
    """Sign the LtiDeepLinkingResponse. ``data`` is echoed exactly when it was sent."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": client_id,
        "aud": platform_issuer,
        "iat": now,
        "exp": now + 300,
        "nonce": secrets.token_urlsafe(16),
        CLAIM + "deployment_id": deployment_id,
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
        DL + "content_items": items,
    }
    if "data" in settings:
        claims[DL + "data"] = settings["data"]
    if message:
        claims[DL + "msg"] = message
    return key.sign(claims)
