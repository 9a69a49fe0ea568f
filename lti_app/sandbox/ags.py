"""Assignment and Grade Services 2.0: line items, scores and results of the course.

Strict where real platforms are strict, so tool bugs show up here first: line item
URLs carry ``?type_id=1`` like Moodle's (a client that drops the query string
when appending ``/scores`` gets a 400), scores need the score media type, and a
score whose timestamp is not newer than the stored one is refused with 409.
"""

from __future__ import annotations

import numbers
from typing import Any, TypeGuard

from flask import Blueprint, Response, request

from lti_app.sandbox.context import (
    AGS_LINEITEM,
    AGS_LINEITEM_READONLY,
    AGS_RESULT_READONLY,
    AGS_SCORE,
    LINEITEM_QUERY,
    current,
)
from lti_app.sandbox.oauth import require_scope
from lti_app.sandbox.responses import ApiError, json_body, media_json, paginate
from lti_app.sandbox.store import is_learner, parse_timestamp

bp = Blueprint("ags", __name__, url_prefix="/api/courses/<ctx_id>/lineitems")

LINEITEM_MEDIA = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_MEDIA = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"
RESULTS_MEDIA = "application/vnd.ims.lis.v2.resultcontainer+json"
ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
_OPTIONAL_TEXT = ("resourceId", "tag", "resourceLinkId", "startDateTime", "endDateTime")
#: Container filters: query parameter → line item field.
_FILTERS = {"resource_link_id": "resourceLinkId", "resource_id": "resourceId", "tag": "tag"}


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _course(ctx_id: str) -> None:
    if current().store.course(ctx_id) is None:
        raise ApiError(404, f"no course {ctx_id!r}")


def _item(ctx_id: str, item_id: str) -> dict[str, Any]:
    """The line item named in the URL; the URL must keep its ``type_id`` query."""
    _course(ctx_id)
    if request.args.get("type_id") != LINEITEM_QUERY.split("=", 1)[1]:
        raise ApiError(
            400,
            f"missing ?{LINEITEM_QUERY}: line item URLs carry a query string; "
            "keep it when appending /scores or /results (AGS 2.0 §3.2)",
        )
    item = current().store.lineitem(ctx_id, item_id)
    if item is None:
        raise ApiError(404, f"no line item {item_id!r} in this course")
    return item


def lineitem_json(item: dict[str, Any]) -> dict[str, Any]:
    body = {
        "id": current().lineitem_url(item["context_id"], item["id"]),
        "label": item["label"],
        "scoreMaximum": item["scoreMaximum"],
    }
    body.update({k: item[k] for k in _OPTIONAL_TEXT if item.get(k) is not None})
    return body


def lineitem_fields(body: dict[str, Any], ctx_id: str) -> dict[str, Any]:
    """Validate a line item sent by the tool (POST or PUT) and keep what we store."""
    label, maximum = body.get("label"), body.get("scoreMaximum")
    if not isinstance(label, str) or not label.strip() or len(label) > 255:
        raise ApiError(400, "label is required: 1-255 characters")
    if not _is_number(maximum) or maximum <= 0:
        raise ApiError(400, "scoreMaximum is required and must be a number > 0")
    fields: dict[str, Any] = {"label": label, "scoreMaximum": maximum}
    for key in _OPTIONAL_TEXT:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise ApiError(400, f"{key} must be a string")
        fields[key] = value
    for key in ("startDateTime", "endDateTime"):
        if fields[key] is not None:
            _timestamp(fields[key], key)
    link_id = fields["resourceLinkId"]
    if link_id is not None and current().store.link(ctx_id, link_id) is None:
        raise ApiError(404, f"resourceLinkId {link_id!r} is not a resource link of this course")
    return fields


def _timestamp(value: Any, name: str) -> None:
    try:
        parse_timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(
            400,
            f"{name} must be an ISO 8601 date-time with a UTC offset, "
            f"e.g. 2026-01-31T12:00:00.123Z",
        ) from exc


@bp.get("")
@require_scope(AGS_LINEITEM, AGS_LINEITEM_READONLY)
def list_lineitems(ctx_id: str) -> Any:
    """The course's line items, filtered by resource_link_id, resource_id and tag."""
    _course(ctx_id)
    items = current().store.lineitems(ctx_id)
    for param, key in _FILTERS.items():
        if param in request.args:
            items = [i for i in items if i.get(key) == request.args[param]]
    page, headers = paginate(items)
    return media_json([lineitem_json(i) for i in page], CONTAINER_MEDIA, headers=headers)


@bp.post("")
@require_scope(AGS_LINEITEM)
def create_lineitem(ctx_id: str) -> Any:
    _course(ctx_id)
    item = current().store.add_lineitem(ctx_id, lineitem_fields(json_body(), ctx_id))
    return media_json(lineitem_json(item), LINEITEM_MEDIA, 201)


@bp.get("/<item_id>")
@require_scope(AGS_LINEITEM, AGS_LINEITEM_READONLY)
def get_lineitem(ctx_id: str, item_id: str) -> Any:
    return media_json(lineitem_json(_item(ctx_id, item_id)), LINEITEM_MEDIA)


@bp.put("/<item_id>")
@require_scope(AGS_LINEITEM)
def update_lineitem(ctx_id: str, item_id: str) -> Any:
    """Replace a line item's fields; it cannot move to another resource link."""
    old = _item(ctx_id, item_id)
    fields = lineitem_fields(json_body(), ctx_id)
    if fields["resourceLinkId"] not in (None, old.get("resourceLinkId")):
        raise ApiError(400, "resourceLinkId of a line item cannot be changed")
    fields["resourceLinkId"] = old.get("resourceLinkId")
    item = current().store.update_lineitem(ctx_id, item_id, fields)
    if item is None:
        raise ApiError(404, "line item deleted meanwhile")
    return media_json(lineitem_json(item), LINEITEM_MEDIA)


@bp.delete("/<item_id>")
@require_scope(AGS_LINEITEM)
def delete_lineitem(ctx_id: str, item_id: str) -> Any:
    _item(ctx_id, item_id)
    current().store.delete_lineitem(ctx_id, item_id)
    return Response(status=204)


def score_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a score like Moodle does: an enrolled learner, numbers in range,
    known progress values, an ISO 8601 timestamp."""
    user = current().store.user(body.get("userId") or "")
    if user is None or not is_learner(user):
        raise ApiError(400, f"userId {body.get('userId')!r} is not a learner of this course")
    for key, allowed in (
        ("activityProgress", ACTIVITY_PROGRESS),
        ("gradingProgress", GRADING_PROGRESS),
    ):
        if body.get(key) not in allowed:
            raise ApiError(400, f"{key} must be one of {', '.join(allowed)}")
    _timestamp(body.get("timestamp"), "timestamp")
    given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
    if given is not None and (not _is_number(given) or given < 0):
        raise ApiError(400, "scoreGiven must be a number >= 0")
    if (given is not None or maximum is not None) and (not _is_number(maximum) or maximum <= 0):
        raise ApiError(400, "scoreMaximum must be a number > 0 (required with scoreGiven)")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ApiError(400, "comment must be a string")
    keys = (
        "userId",
        "scoreGiven",
        "scoreMaximum",
        "comment",
        "timestamp",
        "activityProgress",
        "gradingProgress",
    )
    return {k: body[k] for k in keys if body.get(k) is not None}


@bp.post("/<item_id>/scores")
@require_scope(AGS_SCORE)
def post_score(ctx_id: str, item_id: str) -> Any:
    """Record a learner's score; refuse one not newer than the stored one (409)."""
    _item(ctx_id, item_id)
    if request.mimetype != SCORE_MEDIA:
        raise ApiError(415, f"send scores as Content-Type: {SCORE_MEDIA}")
    score = score_fields(json_body())
    if not current().store.put_score(item_id, score):
        raise ApiError(
            409,
            "Refusing score with an earlier timestamp: the stored score is as "
            "new or newer (compared at whole seconds, like Moodle)",
        )
    return Response(status=204)


def result_json(item: dict[str, Any], score: dict[str, Any]) -> dict[str, Any]:
    """A score as the result it produced, scaled to the line item's scoreMaximum."""
    url = current().lineitem_url(item["context_id"], item["id"], "/results")
    result: dict[str, Any] = {
        "id": f"{url}&user_id={score['userId']}",
        "scoreOf": current().lineitem_url(item["context_id"], item["id"]),
        "userId": score["userId"],
        "resultMaximum": item["scoreMaximum"],
    }
    if "scoreGiven" in score:
        result["resultScore"] = score["scoreGiven"] * item["scoreMaximum"] / score["scoreMaximum"]
    if "comment" in score:
        result["comment"] = score["comment"]
    return result


@bp.get("/<item_id>/results")
@require_scope(AGS_RESULT_READONLY)
def results(ctx_id: str, item_id: str) -> Any:
    item = _item(ctx_id, item_id)
    scores = current().store.scores(item_id)
    wanted = request.args.get("user_id")
    found = [
        result_json(item, s) for uid, s in sorted(scores.items()) if wanted is None or uid == wanted
    ]
    page, headers = paginate(found)
    return media_json(list(page), RESULTS_MEDIA, headers=headers)
