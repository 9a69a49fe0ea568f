"""Grouping pages: the intake survey, the group agreement, and the instructor's
form / move / lock / publish actions. The activity page itself shows the panels
(see ``panel``); actions here answer with a redirect back to it, or re-render it
with a message when something could not be done.

Every view is scoped: the activity must belong to the caller's platform,
deployment and course, and be a group activity; anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from lti_app.actor.session import Actor, require_actor
from lti_app.courses.models import Course
from lti_app.domain.matching import LEVELS, InfeasibleGrouping
from lti_app.extensions import db
from lti_app.peer_activities.grouping import (
    agreement,
    fixes,
    intake,
    latecomers,
    panel,
    reporting_lines,
    rounds,
)
from lti_app.peer_activities.grouping.cohort import load_cohort
from lti_app.peer_activities.grouping.people import roster
from lti_app.peer_activities.grouping.schemas import (
    AgreementInput,
    OptionsInput,
    SurveyInput,
    intake_form_data,
    intake_schema,
    options_form_data,
    questions_as_text,
)
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity, render_activity

bp = Blueprint(
    "grouping", __name__, url_prefix="/g", template_folder="templates", static_folder="static"
)


#: Request bodies larger than these are refused before they are parsed.
BODY_LIMITS = {
    "grouping.import_reporting_lines": 2 * 1024 * 1024,
    "grouping.check_groups": 256 * 1024,
}


@bp.before_request
def _limit_bodies() -> None:
    limit = BODY_LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Any:
    if request.endpoint == "grouping.check_groups":
        return jsonify({"error": "too many groups to check"}), 413
    limit = reporting_lines.MAX_CSV_BYTES // 1024
    return render_template(
        "error.html",
        title="That file is too large",
        message=f"Reporting-line files may be up to {limit} KB. Split the file into smaller "
        "files, go back, and upload them one by one.",
        code="413",
        ref=None,
        new_window_url=None,
    ), 413


def _scope(activity_id: str) -> tuple[Actor, Activity, Course]:
    return course_activity(activity_id, enabled=panel.enabled)


def _learner_only(actor: Actor) -> None:
    if not actor.roles.is_learner:
        abort(403)


def _back(actor: Actor, activity: Activity) -> Any:
    return redirect(
        url_for(
            "activities.show", activity_id=activity.public_id, t=actor.token(), _anchor="groups"
        ),
        code=303,
    )


def _page_with(actor: Actor, activity: Activity, *, status: int = 422, **flash: Any) -> Any:
    """The activity page again, with a message on the grouping panel."""
    g.grouping_flash = flash
    # The address bar becomes the activity page again, so a reload does not re-post.
    page = url_for("activities.show", activity_id=activity.public_id, t=actor.token())
    return render_activity(actor, activity, self_url=page), status


# -- learners ------------------------------------------------------------------------


def _intake_page(
    actor: Actor,
    activity: Activity,
    course: Course,
    *,
    form: dict[str, Any],
    errors: dict[str, Any],
    status: int = 200,
) -> Any:
    survey = intake.survey_for(course)
    people = [
        (e.person.public_id, e.person.display_name)
        for e in roster(course)
        if e.active and e.person.id != actor.person.id
    ]
    return render_template(
        "grouping/intake.html",
        actor=actor,
        activity=activity,
        survey=survey,
        levels=list(enumerate(LEVELS, start=1)),
        people=people,
        form=form,
        errors=errors,
        preview=not actor.roles.is_learner,
    ), status


@bp.get("/<activity_id>/intake")
@require_actor()
def intake_form(activity_id: str) -> Any:
    """The intake survey: a learner's own answers (staff see a preview)."""
    actor, activity, course = _scope(activity_id)
    if not (actor.roles.is_learner or actor.is_staff):
        abort(403)
    form = (
        intake.intake_form_values(intake.intake_of(course, actor.person))
        if actor.roles.is_learner
        else {"challenges": []}
    )
    return _intake_page(actor, activity, course, form=form, errors={})


@bp.post("/<activity_id>/intake")
@require_actor()
def save_intake(activity_id: str) -> Any:
    """Save the learner's own intake answers."""
    actor, activity, course = _scope(activity_id)
    _learner_only(actor)
    survey = intake.survey_for(course)
    raw = intake_form_data(request.form)
    try:
        data = intake_schema(survey.challenges, survey.questions).load(raw, unknown="exclude")
        intake.save_intake(course, actor.person, data)
    except ValidationError as exc:
        return _intake_page(actor, activity, course, form=raw, errors=_messages(exc), status=422)
    except intake.IntakeInputError as exc:
        return _intake_page(actor, activity, course, form=raw, errors=exc.messages, status=422)
    return _back(actor, activity)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    """Field → flat list of messages (nested list-item errors folded in)."""

    def flat(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [m for v in value.values() for m in flat(v)]
        if isinstance(value, list | tuple):
            return [m for v in value for m in flat(v)]
        return [str(value)]

    messages = exc.normalized_messages()  # type: ignore[no-untyped-call]
    if not isinstance(messages, dict):
        return {"_schema": flat(messages)}
    return {str(k): list(dict.fromkeys(flat(v))) for k, v in messages.items()}


@bp.post("/<activity_id>/agreement/accept")
@require_actor()
def accept_agreement(activity_id: str) -> Any:
    """Record the learner's acceptance of the group agreement version they read."""
    actor, activity, course = _scope(activity_id)
    _learner_only(actor)
    try:
        version = int(request.form.get("version", ""))
        agreement.accept_agreement(course, actor.person, version)
    except (ValueError, agreement.StaleAgreement):
        pass  # the page shows the version in force, to be read and accepted
    return _back(actor, activity)


# -- instructors: survey, agreement, reporting lines -----------------------------------------


@bp.route("/<activity_id>/survey", methods=["GET", "POST"])
@require_actor(staff=True)
def edit_survey(activity_id: str) -> Any:
    """Edit the course's challenge list and extra intake questions."""
    actor, activity, course = _scope(activity_id)
    survey = intake.survey_for(course)
    form = {
        "challenges": "\n".join(survey.challenges),
        "questions": questions_as_text(survey.questions),
    }
    errors: dict[str, Any] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("challenges", "questions")}
        try:
            data = SurveyInput().load(form, unknown="exclude")
        except ValidationError as exc:
            errors = _messages(exc)
        else:
            intake.save_survey(course, challenges=data["challenges"], questions=data["questions"])
            return _back(actor, activity)
    return render_template(
        "grouping/survey_edit.html", actor=actor, activity=activity, form=form, errors=errors
    ), (422 if errors else 200)


@bp.route("/<activity_id>/agreement", methods=["GET", "POST"])
@require_actor(staff=True)
def edit_agreement(activity_id: str) -> Any:
    """Edit the course's group agreement; a change makes a new version."""
    actor, activity, course = _scope(activity_id)
    current = agreement.current_agreement(course)
    form = {"text": current.text}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        form = {"text": request.form.get("text", "")}
        try:
            data = AgreementInput().load(form, unknown="exclude")
        except ValidationError as exc:
            errors = _messages(exc)
        else:
            agreement.save_agreement(course, actor.person, data["text"])
            return _back(actor, activity)
    return render_template(
        "grouping/agreement_edit.html",
        actor=actor,
        activity=activity,
        current=current,
        form=form,
        errors=errors,
    ), (422 if errors else 200)


@bp.post("/<activity_id>/reporting-lines")
@require_actor(staff=True)
def import_reporting_lines(activity_id: str) -> Any:
    """Import reporting lines from an uploaded CSV; show what matched and what did not."""
    actor, activity, course = _scope(activity_id)
    upload = request.files.get("file")
    limit = reporting_lines.MAX_CSV_BYTES
    if upload is None or not upload.filename:
        report = reporting_lines.ImportReport(error="Choose a CSV file to upload.")
    else:
        try:
            raw = upload.stream.read(limit + 1)
        finally:
            upload.close()
        report = reporting_lines.import_reporting_lines(course, raw)
    status = 422 if report.error else 200
    return render_template(
        "grouping/import_result.html",
        actor=actor,
        activity=activity,
        report=report,
        limit_kb=limit // 1024,
    ), status


# -- instructors: rounds -----------------------------------------------------------------


def _options_chosen() -> dict[str, Any]:
    """The grouping options the instructor chose on the form (ValidationError if bad)."""
    return dict(OptionsInput().load(options_form_data(request.form), unknown="exclude"))


def _options_refused(actor: Actor, activity: Activity, exc: ValidationError) -> Any:
    return _page_with(
        actor, activity, error=" ".join(str(m) for msgs in _messages(exc).values() for m in msgs)
    )


@bp.post("/<activity_id>/rounds")
@require_actor(staff=True)
def form_groups(activity_id: str) -> Any:
    """Form (or re-form, keeping locked groups) the activity's draft groups."""
    actor, activity, course = _scope(activity_id)
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
        return _page_with(actor, activity, error=str(exc), options=choices)
    except IntegrityError:
        # Another instructor formed groups at the same moment (SQLite has no row lock).
        db.session.rollback()
        return _page_with(
            actor,
            activity,
            options=choices,
            error="Someone else formed groups for this activity at the same "
            "moment. Their draft is shown; form groups again to replace it.",
        )
    return _back(actor, activity)


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
    return _page_with(
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
    actor, activity, course = _scope(activity_id)
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
        return _page_with(actor, activity, error=str(exc), options=choices)
    return _page_with(
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
    actor, activity, course = _scope(activity_id)
    rnd = _round(activity, round_id)
    moves = {
        key[3:]: value
        for key, value in request.form.items()
        if key.startswith("to.") and isinstance(value, str)
    }
    try:
        rounds.move_members(rnd, load_cohort(course), moves)
    except rounds.RoundError as exc:
        return _page_with(actor, activity, error=str(exc))
    return _back(actor, activity)


@bp.post("/<activity_id>/rounds/<round_id>/check")
@require_actor(staff=True)
def check_groups(activity_id: str, round_id: str) -> Any:
    """JSON: scores, reasons and rule violations of a proposed arrangement (not saved)."""
    _actor, activity, course = _scope(activity_id)
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
        checks = rounds.check_groups(rnd, cohort, proposed)
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
    actor, activity, _course = _scope(activity_id)
    rnd = _round(activity, round_id)
    group = rounds.group_of(rnd, group_id)
    if group is None:
        abort(404)
    try:
        rounds.set_locked(rnd, group, request.form.get("locked") == "1")
    except rounds.RoundError as exc:
        return _page_with(actor, activity, error=str(exc))
    return _back(actor, activity)


@bp.post("/<activity_id>/rounds/<round_id>/publish")
@require_actor(staff=True)
def publish(activity_id: str, round_id: str) -> Any:
    """Publish the draft: each learner sees their group."""
    actor, activity, course = _scope(activity_id)
    rnd = _round(activity, round_id)
    try:
        rounds.publish_round(rnd, load_cohort(course), override=request.form.get("override") == "1")
    except rounds.RoundError as exc:
        return _page_with(actor, activity, error=str(exc))
    return _back(actor, activity)


@bp.post("/<activity_id>/rounds/<round_id>/late-joiners")
@require_actor(staff=True)
def add_late_joiners(activity_id: str, round_id: str) -> Any:
    """Place learners who finished the intake after publishing, moving nobody else."""
    actor, activity, course = _scope(activity_id)
    rnd = _round(activity, round_id)
    cohort = load_cohort(course)
    over_max = [p for p in request.form.getlist("over_max") if p in cohort.learners][:50]
    try:
        plan = latecomers.add_late_joiners_to(
            rnd, cohort, over_max=over_max, small_group=request.form.get("small_group") == "1"
        )
    except rounds.RoundError as exc:
        return _page_with(actor, activity, error=str(exc))
    done = [f"{name} joined group {position}" for name, position in plan.joins]
    waiting = [w.name for w in plan.waiting]
    text = "; ".join(done) + "." if done else "Nobody could be placed yet."
    if waiting:
        text += f" Still waiting: {', '.join(waiting)} (see why below)."
    return _page_with(actor, activity, status=200, message=text)
