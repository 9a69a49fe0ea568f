"""Grouping pages for the instructor's rounds: form (or re-form) the draft groups,
apply an offered way out of an infeasible grouping, move people, check a proposed
arrangement, lock groups, publish, and place late joiners. Actions answer with a
redirect back to the activity page, or re-render it with a message when something
could not be done. The blueprint and shared helpers are in ``routing``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from lti_app.actor.session import Actor, require_actor
from lti_app.domain.matching import InfeasibleGrouping
from lti_app.extensions import db
from lti_app.peer_activities.grouping import draft_edits, fixes, latecomers, rounds
from lti_app.peer_activities.grouping.cohort import load_cohort
from lti_app.peer_activities.grouping.routing import back, bp, messages, page_with, scope
from lti_app.peer_activities.grouping.schemas import OptionsInput, options_form_data
from lti_app.peer_activities.models import Activity

# -- instructors: rounds -----------------------------------------------------------------


def _options_chosen() -> dict[str, Any]:
    """The grouping options the instructor chose on the form (ValidationError if bad)."""
    return dict(OptionsInput().load(options_form_data(request.form), unknown="exclude"))


def _options_refused(actor: Actor, activity: Activity, exc: ValidationError) -> Any:
    return page_with(
        actor, activity, error=" ".join(str(m) for msgs in messages(exc).values() for m in msgs)
    )


@bp.post("/<activity_id>/rounds")
@require_actor(staff=True)
def form_groups(activity_id: str) -> Any:
    """Form (or re-form, keeping locked groups) the activity's draft groups."""
    actor, activity, course = scope(activity_id)
    try:
        choices = _options_chosen()
    except ValidationError as exc:
        return _options_refused(actor, activity, exc)
    options = rounds.match_options(activity, **choices)
    cohort = load_cohort(course)
    try:
        rounds.form_draft(activity, course, cohort, actor.person, options)
    except InfeasibleGrouping as exc:
        return _infeasible(actor, activity, cohort, exc, options, choices)
    except rounds.RoundError as exc:
        return page_with(actor, activity, error=str(exc), options=choices)
    except IntegrityError:
        # Another instructor formed groups at the same moment (SQLite has no row lock).
        db.session.rollback()
        return page_with(
            actor,
            activity,
            options=choices,
            error="Someone else formed groups for this activity at the same "
            "moment. Their draft is shown; form groups again to replace it.",
        )
    return back(actor, activity, done="Draft groups formed.")


def _infeasible(
    actor: Actor,
    activity: Activity,
    cohort: Any,
    exc: InfeasibleGrouping,
    options: Any,
    choices: dict[str, Any],
) -> Any:
    """The page again: why no grouping exists, and the checked ways out."""
    offered = fixes.offer_fixes(activity, cohort, options)
    return page_with(
        actor,
        activity,
        error=rounds.describe(cohort, exc.reason),
        people=[cohort.name(p) for p in exc.people],
        options=choices,
        fixes=[(f.text, fixes.fix_key(f)) for f in offered],
    )


@bp.post("/<activity_id>/fixes")
@require_actor(staff=True)
def apply_fix(activity_id: str) -> Any:
    """Apply one of the offered ways out, then form the draft groups with it."""
    actor, activity, course = scope(activity_id)
    try:
        choices = _options_chosen()
    except ValidationError as exc:
        return _options_refused(actor, activity, exc)
    options = rounds.match_options(activity, **choices)
    cohort = load_cohort(course)
    key = request.form.get("fix", "")[:5000]
    try:
        chosen, _draft = fixes.apply_fix(activity, course, cohort, actor.person, options, key)
    except InfeasibleGrouping as exc:
        return _infeasible(actor, activity, cohort, exc, options, choices)
    except rounds.RoundError as exc:
        return page_with(actor, activity, error=str(exc), options=choices)
    return page_with(
        actor,
        activity,
        status=200,
        message=f"Applied: {chosen.text}. The draft groups below were formed "
        "with this change; check them, then publish.",
    )


def _round(activity: Activity, round_id: str) -> Any:
    rnd = rounds.round_of(activity, round_id)
    if rnd is None:
        abort(404)
    return rnd


@bp.post("/<activity_id>/rounds/<round_id>/moves")
@require_actor(staff=True)
def move_people(activity_id: str, round_id: str) -> Any:
    """Save people moved between draft groups (a select per person)."""
    actor, activity, course = scope(activity_id)
    rnd = _round(activity, round_id)
    moves = {
        key[3:]: value
        for key, value in request.form.items()
        if key.startswith("to.") and isinstance(value, str)
    }
    try:
        draft_edits.move_members(rnd, load_cohort(course), moves)
    except rounds.RoundError as exc:
        return page_with(actor, activity, error=str(exc))
    return back(actor, activity, done="Moves saved.")


@bp.post("/<activity_id>/rounds/<round_id>/check")
@require_actor(staff=True)
def check_groups(activity_id: str, round_id: str) -> Any:
    """JSON: scores, reasons and rule violations of a proposed arrangement (not saved)."""
    _actor, activity, course = scope(activity_id)
    rnd = _round(activity, round_id)
    body = request.get_json(silent=True) or {}
    proposed = body.get("groups") if isinstance(body, dict) else None
    if (
        not isinstance(proposed, list)
        or len(proposed) > 500
        or not all(
            isinstance(grp, list) and all(isinstance(p, str) for p in grp) for grp in proposed
        )
    ):
        return jsonify({"error": "groups must be a list of lists of person ids"}), 400
    cohort = load_cohort(course)
    try:
        checks = draft_edits.check_groups(rnd, cohort, proposed)
    except rounds.RoundError as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify(
        {
            "groups": [
                {
                    "score": round(c.score, 3),
                    "reasons": [rounds.describe(cohort, r) for r in c.reasons],
                    "violations": [rounds.describe(cohort, v) for v in c.violations],
                }
                for c in checks
            ]
        }
    )


@bp.post("/<activity_id>/rounds/<round_id>/groups/<group_id>/lock")
@require_actor(staff=True)
def lock_group(activity_id: str, round_id: str, group_id: str) -> Any:
    """Lock a draft group (kept when groups are formed again), or unlock it."""
    actor, activity, _course = scope(activity_id)
    rnd = _round(activity, round_id)
    group = rounds.group_of(rnd, group_id)
    if group is None:
        abort(404)
    try:
        draft_edits.set_locked(rnd, group, request.form.get("locked") == "1")
    except rounds.RoundError as exc:
        return page_with(actor, activity, error=str(exc))
    return back(actor, activity, done="Group lock updated.")


@bp.post("/<activity_id>/rounds/<round_id>/publish")
@require_actor(staff=True)
def publish(activity_id: str, round_id: str) -> Any:
    """Publish the draft: each learner sees their group."""
    actor, activity, course = scope(activity_id)
    rnd = _round(activity, round_id)
    try:
        draft_edits.publish_round(
            rnd, load_cohort(course), override=request.form.get("override") == "1"
        )
    except rounds.RoundError as exc:
        return page_with(actor, activity, error=str(exc))
    return back(actor, activity, done="Groups published: each learner now sees their group.")


@bp.post("/<activity_id>/rounds/<round_id>/late-joiners")
@require_actor(staff=True)
def add_late_joiners(activity_id: str, round_id: str) -> Any:
    """Place learners who finished the intake after publishing, moving nobody else."""
    actor, activity, course = scope(activity_id)
    rnd = _round(activity, round_id)
    cohort = load_cohort(course)
    over_max = [p for p in request.form.getlist("over_max") if p in cohort.learners][:50]
    try:
        plan = latecomers.add_late_joiners_to(
            rnd, cohort, over_max=over_max, small_group=request.form.get("small_group") == "1"
        )
    except rounds.RoundError as exc:
        return page_with(actor, activity, error=str(exc))
    done = [f"{name} joined group {position}" for name, position in plan.joins]
    waiting = [w.name for w in plan.waiting]
    text = "; ".join(done) + "." if done else "Nobody could be placed yet."
    if waiting:
        text += f" Still waiting: {', '.join(waiting)} (see why below)."
    return page_with(actor, activity, status=200, message=text)
