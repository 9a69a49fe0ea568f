"""Calibration and self-assessment pages and actions (issue 20, rows 1 and 2): the
learner's calibration page and try, the author's self-assessment, and the
instructor's example submissions and settings. Same blueprint and scoping as
``views``: another platform's, deployment's or course's activity is a 404, and so
is an example of another activity.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from lti_app.actor.session import Actor, require_actor
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import calibration_panel, grading, schemas
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.routing import (
    back,
    bp,
    refused,
    scope,
    validation_message,
)
from lti_app.peer_activities.peer_review.services import calibrating, self_assessing
from lti_app.peer_activities.peer_review.submissions import PeerReviewError
from lti_app.peer_activities.services import ActivityInputError, clean_settings


def _page(actor: Actor, activity: Activity, error: str = "", status: int = 200) -> Any:
    return render_template(
        "peer_review/calibration.html",
        actor=actor,
        activity=activity,
        error=error,
        form=request.form if error else {},
        **calibration_panel.calibration_page(activity, actor.person),
    ), status


@bp.get("/<activity_id>/calibration")
@require_actor()
def calibration(activity_id: str) -> Any:
    """The calibration step: assess the examples, then compare with the reference."""
    actor, activity = scope(activity_id)
    if calibrating.mode(activity) == calibrating.OFF:
        abort(404)
    return _page(actor, activity)


@bp.post("/<activity_id>/calibration")
@require_actor()
def calibrate(activity_id: str) -> Any:
    """Save a calibration try (every example rated with the rubric)."""
    actor, activity = scope(activity_id)
    if calibrating.mode(activity) == calibrating.OFF:
        abort(404)
    criteria = subs.criteria(activity)
    try:
        points = {
            e.public_id: schemas.review_points(_prefixed(request.form, e.public_id), criteria)
            for e in calibrating.standing(activity, actor.person, criteria).examples
        }
        calibrating.submit_try(activity, actor.person, points)
    except ValidationError as exc:
        return _page(actor, activity, validation_message(exc), 422)
    except PeerReviewError as exc:
        return _page(actor, activity, str(exc), 422)
    return redirect(
        url_for(
            "peer_review.calibration",
            activity_id=activity.public_id,
            t=actor.token(),
            _anchor="compared",
        ),
        code=303,
    )


def _prefixed(form: Any, key: str) -> dict[str, str]:
    """The fields ``<key>:<name>`` of one example's rubric, as ``<name>``."""
    head = key + ":"
    return {k[len(head) :]: v for k, v in form.items() if k.startswith(head)}


@bp.post("/<activity_id>/self-assessment")
@require_actor()
def self_assess(activity_id: str) -> Any:
    """The author rates their own work with the rubric."""
    actor, activity = scope(activity_id)
    criteria = subs.criteria(activity)
    try:
        points = schemas.review_points(request.form, criteria)
        self_assessing.save(activity, actor.person, points, request.form.get("comment", ""))
    except ValidationError as exc:
        return refused(actor, activity, validation_message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    grading.check_completion(activity, [actor.person])
    return back(actor, activity)


@bp.post("/<activity_id>/examples")
@bp.post("/<activity_id>/examples/<example_id>")
@require_actor(staff=True)
def save_example(activity_id: str, example_id: str | None = None) -> Any:
    """Add an example submission with its reference assessment, or edit one."""
    actor, activity = scope(activity_id)
    example = None
    if example_id is not None:
        example = calibrating.example_by_id(activity, example_id)
        if example is None:
            abort(404)
    criteria = subs.criteria(activity)
    try:
        calibrating.save_example(
            activity,
            example,
            title=request.form.get("title", ""),
            body=request.form.get("body", "")[:50000],
            reference=schemas.review_points(request.form, criteria),
            comment=request.form.get("comment", ""),
        )
    except ValidationError as exc:
        return refused(actor, activity, validation_message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    done = "Example saved." if example else "Example added."
    return back(actor, activity, done=done, anchor="pr-calibration")


@bp.post("/<activity_id>/examples/<example_id>/delete")
@require_actor(staff=True)
def delete_example(activity_id: str, example_id: str) -> Any:
    """Remove an example nobody has assessed yet."""
    actor, activity = scope(activity_id)
    example = calibrating.example_by_id(activity, example_id)
    if example is None:
        abort(404)
    try:
        calibrating.delete_example(activity, example)
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity, done="Example removed.", anchor="pr-calibration")


#: The settings the activity page's calibration form changes.
_CALIBRATION_SETTINGS = (
    "calibration",
    "calibration_tolerance",
    "calibration_tries",
    "self_assessment",
    "self_assessment_weight",
)


@bp.post("/<activity_id>/calibration/settings")
@require_actor(staff=True)
def calibration_settings(activity_id: str) -> Any:
    """Calibration mode, tolerance, most tries; self-assessment and its weight."""
    actor, activity = scope(activity_id)
    merged = dict(activity.settings)
    merged.update({k: request.form.get(k, "").strip() for k in _CALIBRATION_SETTINGS})
    try:
        activity.settings = clean_settings("peer_review", merged)
    except ActivityInputError as exc:
        found = [f"{' '.join(v)}" for v in exc.messages.values()]
        return refused(actor, activity, " ".join(found))
    return back(
        actor, activity, done="Calibration and self-assessment saved.", anchor="pr-calibration"
    )
