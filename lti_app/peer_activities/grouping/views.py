"""Grouping pages for the intake survey and the group agreement: a learner's own
answers and acceptance, and the instructor's survey, agreement and reporting-line
import. Forming and publishing groups is in ``round_views``; the blueprint and shared
helpers are in ``routing``. The activity page itself shows the panels (see
``panel``); actions here answer with a redirect back to it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from marshmallow import ValidationError

from lti_app.actor.session import Actor, require_actor
from lti_app.courses.models import Course
from lti_app.domain.matching import LEVELS
from lti_app.peer_activities.grouping import agreement, intake, reporting_lines, survey_editor
from lti_app.peer_activities.grouping.people import roster
from lti_app.peer_activities.grouping.routing import back, bp, learner_only, messages, scope
from lti_app.peer_activities.grouping.schemas import (
    AgreementInput,
    SurveyInput,
    intake_form_data,
    intake_schema,
)
from lti_app.peer_activities.models import Activity

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
    actor, activity, course = scope(activity_id)
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
    actor, activity, course = scope(activity_id)
    learner_only(actor)
    survey = intake.survey_for(course)
    raw = intake_form_data(request.form)
    try:
        data = intake_schema(survey.challenges, survey.questions).load(raw, unknown="exclude")
        intake.save_intake(course, actor.person, data)
    except ValidationError as exc:
        return _intake_page(actor, activity, course, form=raw, errors=messages(exc), status=422)
    except intake.IntakeInputError as exc:
        return _intake_page(actor, activity, course, form=raw, errors=exc.messages, status=422)
    return back(actor, activity, done="Your answers are saved.")


@bp.post("/<activity_id>/agreement/accept")
@require_actor()
def accept_agreement(activity_id: str) -> Any:
    """Record the learner's acceptance of the group agreement version they read."""
    actor, activity, course = scope(activity_id)
    learner_only(actor)
    try:
        version = int(request.form.get("version", ""))
        agreement.accept_agreement(course, actor.person, version)
    except (ValueError, agreement.StaleAgreement):
        pass  # the page shows the version in force, to be read and accepted
    return back(actor, activity, done="Agreement accepted.")


# -- instructors: survey, agreement, reporting lines -----------------------------------------


@bp.route("/<activity_id>/survey", methods=["GET", "POST"])
@require_actor(staff=True)
def edit_survey(activity_id: str) -> Any:
    """Edit the course's challenge list and extra intake questions: rows of a form
    (see ``survey_editor``); the line format posted as before still saves."""
    actor, activity, course = scope(activity_id)
    survey = intake.survey_for(course)
    grids = survey_editor.rows_of(survey.challenges, survey.questions)
    errors: dict[str, Any] = {}
    action = request.form.get("action", "save")
    if request.method == "POST" and "ch-count" not in request.form:  # the line format
        form = {k: request.form.get(k, "") for k in ("challenges", "questions")}
        try:
            data = SurveyInput().load(form, unknown="exclude")
        except ValidationError as exc:
            errors = messages(exc)
        else:
            intake.save_survey(course, challenges=data["challenges"], questions=data["questions"])
            return back(actor, activity, done="Intake survey saved.")
    elif request.method == "POST":
        grids = survey_editor.rows_from(request.form)
        if action == "import":
            imported, errors = survey_editor.import_text(request.form)
            grids = imported or grids
        elif action == "save":
            data, errors = survey_editor.check(grids)
            if data is not None:
                intake.save_survey(
                    course, challenges=data["challenges"], questions=data["questions"]
                )
                return back(actor, activity, done="Intake survey saved.")
        elif action != "preview":
            survey_editor.apply(grids, action)
    text = survey_editor.as_text(grids)
    if errors.get("challenges") or errors.get("questions"):
        text = {k: request.form.get(k, text[k]) for k in text}
    preview = None
    if request.method == "POST" and action in {"preview", "import"} and not errors:
        preview, _problems = survey_editor.check(grids)
    return render_template(
        "grouping/survey_edit.html",
        actor=actor,
        activity=activity,
        grids=grids,
        text=text,
        errors=errors,
        preview=preview,
        loaded=action == "import" and not errors,
        limits={"ch": survey_editor.CHALLENGE[3], "q": survey_editor.QUESTION[3]},
    ), (422 if errors else 200)


@bp.route("/<activity_id>/agreement", methods=["GET", "POST"])
@require_actor(staff=True)
def edit_agreement(activity_id: str) -> Any:
    """Edit the course's group agreement; a change makes a new version."""
    actor, activity, course = scope(activity_id)
    current = agreement.current_agreement(course)
    form = {"text": current.text}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        form = {"text": request.form.get("text", "")}
        try:
            data = AgreementInput().load(form, unknown="exclude")
        except ValidationError as exc:
            errors = messages(exc)
        else:
            agreement.save_agreement(course, actor.person, data["text"])
            return back(actor, activity, done="Group agreement saved.")
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
    actor, activity, course = scope(activity_id)
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
