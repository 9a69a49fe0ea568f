"""Pages of learning measurement and the L&D dashboard (blueprint ``analytics``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from lti_app.actor import confirm
from lti_app.actor.session import Actor, current_actor, require_actor
from lti_app.analytics import checks, dashboard, exports, figures, glossary, survey
from lti_app.analytics import report_pdf as sponsor_pdf
from lti_app.analytics.checks import CheckError
from lti_app.analytics.models import POST, PRE
from lti_app.lrs import outbox as lrs
from lti_app.peer_activities.page import course_activity, render_activity

bp = Blueprint("analytics", __name__, url_prefix="/an", template_folder="templates")


def template_hooks() -> dict[str, Any]:
    """The panels the activity page shows (``analytics.init_app`` registers this)."""
    return {"analytics_learner": _learner_panel, "analytics_staff": _staff_panel}


def _learner_panel(actor: Actor, activity: Any) -> checks.LearnerView:
    return checks.learner_view(activity, actor.person)


def _staff_panel(actor: Actor, activity: Any) -> dashboard.ActivityResults:
    return dashboard.activity_results(activity)


def _back(actor: Actor, activity: Any, done: str | None = None) -> Any:
    """The activity page again; ``done`` is what it then confirms, once."""
    return redirect(
        url_for(
            "activities.show",
            activity_id=activity.public_id,
            t=actor.token(),
            **confirm.url_args(actor, done),
            _anchor="learning-checks",
        ),
        code=303,
    )


def _refused(actor: Actor, activity: Any, exc: CheckError) -> Any:
    g.analytics_error = str(exc)
    return render_activity(actor, activity), exc.status


def _staff(activity_id: str) -> tuple[Actor, Any]:
    actor, activity, _course = course_activity(activity_id)
    if not actor.is_staff:
        abort(403)
    return actor, activity


def _learner(activity_id: str) -> tuple[Actor, Any]:
    actor, activity, _course = course_activity(activity_id)
    if actor.is_staff or not actor.roles.is_learner:
        abort(403)
    return actor, activity


# -- staff: objectives and checks ------------------------------------------------------


@bp.post("/<activity_id>/setup")
@require_actor(staff=True)
def save_setup(activity_id: str) -> Any:
    """Objectives, the retrospective option and the ceiling of an activity's checks."""
    actor, activity = _staff(activity_id)
    try:
        checks.save_setup(
            activity,
            objectives=(request.form.get("objectives") or "").splitlines(),
            retrospective=request.form.get("retrospective") == "1",
            ceiling_percent=_int(request.form.get("ceiling"), 90),
        )
    except CheckError as exc:
        return _refused(actor, activity, exc)
    return _back(actor, activity, done="Learning checks saved.")


@bp.post("/<activity_id>/items")
@require_actor(staff=True)
def add_item(activity_id: str) -> Any:
    """Add a knowledge question or a self-assessment scale to both checks."""
    actor, activity = _staff(activity_id)
    raw_correct = (request.form.get("correct") or "").strip()
    try:
        checks.add_item(
            activity,
            kind=request.form.get("kind", ""),
            prompt=request.form.get("prompt", ""),
            options=(request.form.get("options") or "").splitlines(),
            correct=_int(raw_correct, 0) - 1 if raw_correct else None,
        )
    except CheckError as exc:
        return _refused(actor, activity, exc)
    return _back(actor, activity, done="Question added.")


@bp.post("/<activity_id>/items/<item_id>/delete")
@require_actor(staff=True)
def delete_item(activity_id: str, item_id: str) -> Any:
    """Remove an item (only before anyone has answered)."""
    actor, activity = _staff(activity_id)
    try:
        checks.delete_item(activity, item_id)
    except CheckError as exc:
        return _refused(actor, activity, exc)
    return _back(actor, activity, done="Question removed.")


@bp.post("/<activity_id>/post-open")
@require_actor(staff=True)
def set_post_open(activity_id: str) -> Any:
    """Open the post-check and feedback survey (closing the pre-check), or close them."""
    actor, activity = _staff(activity_id)
    checks.set_post_open(activity, request.form.get("open") == "1")
    return _back(actor, activity, done="Post-check and survey updated.")


@bp.get("/<activity_id>/results")
@require_actor(staff=True)
def results(activity_id: str) -> Any:
    """An activity's learning results: cohort statistics, charts and every learner."""
    actor, activity = _staff(activity_id)
    return render_template(
        "analytics/results.html",
        actor=actor,
        activity=activity,
        r=figures.activity_figures(dashboard.activity_results(activity, detail=True)),
        terms=glossary.TERMS,
    )


# -- learners: checks and survey -------------------------------------------------------


@bp.post("/<activity_id>/checks/<phase>")
@require_actor()
def submit_check(activity_id: str, phase: str) -> Any:
    """A learner submits their pre- or post-check (once)."""
    if phase not in (PRE, POST):
        abort(404)
    actor, activity = _learner(activity_id)
    try:
        checks.submit_check(activity, actor.person, phase, request.form)
    except CheckError as exc:
        return _refused(actor, activity, exc)
    return _back(actor, activity, done="Your answers are submitted.")


@bp.post("/<activity_id>/feedback")
@require_actor()
def save_feedback(activity_id: str) -> Any:
    """A learner answers (or updates) the feedback survey."""
    actor, activity = _learner(activity_id)
    try:
        survey.save_feedback(activity, actor.person, request.form)
    except CheckError as exc:
        return _refused(actor, activity, exc)
    return _back(actor, activity, done="Your feedback is saved.")


# -- the L&D dashboard -----------------------------------------------------------------


def _course_scope() -> tuple[Actor, dashboard.Scope]:
    actor = current_actor()
    if actor.course is None:
        abort(404)
    return actor, dashboard.course_scope(actor.course)


def _programme_scope() -> tuple[Actor, dashboard.Scope]:
    actor = current_actor()
    if actor.course is None:
        abort(404)
    return actor, dashboard.programme_scope(actor.registration.id, actor.deployment.id)


def _scope(which: str) -> tuple[Actor, dashboard.Scope]:
    if which == "course":
        return _course_scope()
    if which == "programme":
        return _programme_scope()
    abort(404)


@bp.get("/<any(course, programme):which>")
@require_actor(staff=True)
def board(which: str) -> Any:
    """The L&D dashboard of this course, or of every course of this platform deployment."""
    actor, scope = _scope(which)
    return render_template(
        "analytics/dashboard.html",
        actor=actor,
        scope=scope,
        which=which,
        d=figures.dashboard_figures(dashboard.build(scope)),
        lrs=lrs.status(actor.registration.id),
        terms=glossary.TERMS,
    )


@bp.get("/<any(course, programme):which>/report")
@require_actor(staff=True)
def report(which: str) -> Any:
    """The one-page sponsor report (print it, or save it as PDF from the browser)."""
    actor, scope = _scope(which)
    return render_template(
        "analytics/report.html",
        actor=actor,
        scope=scope,
        which=which,
        d=figures.dashboard_figures(dashboard.build(scope)),
        terms=glossary.TERMS,
    )


@bp.get("/<any(course, programme):which>/report.pdf")
@require_actor(staff=True)
def report_pdf(which: str) -> Any:
    """The one-page sponsor report as an A4 PDF (the same figures as the page)."""
    actor, scope = _scope(which)
    reg = actor.registration
    platform = f"{reg.name or reg.issuer} (deployment {actor.deployment.deployment_id})"
    body = sponsor_pdf.render(figures.dashboard_figures(dashboard.build(scope)), platform=platform)
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="peerlift-sponsor-report-{which}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/<any(course, programme):which>/export/<table>.csv")
@require_actor(staff=True)
def export(which: str, table: str) -> Any:
    """One table of the dashboard as CSV (pseudonymous learner ids)."""
    _actor, scope = _scope(which)
    if table not in exports.TABLES:
        abort(404)
    body = exports.to_csv(table, scope)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="peerlift-{which}-{table}.csv"',
            "Cache-Control": "no-store",
        },
    )


def _int(raw: str | None, default: int) -> int:
    try:
        return int((raw or "").strip() or default)
    except ValueError:
        return default
