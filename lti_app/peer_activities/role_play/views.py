"""Role-play pages and actions: scenario and checklist authoring (staff), starting
and ending rounds, observer feedback and self-ratings (group members), and moving
a stuck round on (staff). The activity page shows the panels (see ``panel``);
actions answer with a redirect back to it, or re-render it with the reason when
something could not be done.

Every view is scoped: the activity must belong to the caller's platform,
deployment and course, and be a role-play; anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from lti_app.actor import confirm
from lti_app.actor.session import Actor, require_actor
from lti_app.courses.models import Course
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity, render_activity
from lti_app.peer_activities.rich_text import editable
from lti_app.peer_activities.role_play import coverage, lookups, panel, scenarios, services
from lti_app.peer_activities.role_play.models import RolePlayRound
from lti_app.peer_activities.role_play.schemas import (
    checklist_input,
    ratings_input,
    scenario_input,
)
from lti_app.peer_activities.role_play.services import RolePlayError

bp = Blueprint(
    "role_play", __name__, url_prefix="/rp", template_folder="templates", static_folder="static"
)


def _scope(activity_id: str) -> tuple[Actor, Activity, Course]:
    found: tuple[Actor, Activity, Course] = course_activity(activity_id, enabled=panel.enabled)
    return found


def _round(activity: Activity, round_id: str) -> RolePlayRound:
    rnd = lookups.round_of(activity, round_id)
    if rnd is None:
        abort(404)
    return rnd


def _back(
    actor: Actor, activity: Activity, done: str | None = None, anchor: str = "role-play"
) -> Any:
    """The activity page again at ``anchor`` (the staff page opens the tab holding it);
    ``done`` is what it then confirms, once."""
    return redirect(
        url_for(
            "activities.show",
            activity_id=activity.public_id,
            t=actor.token(),
            **confirm.url_args(actor, done),
            _anchor=anchor,
        ),
        code=303,
    )


def _refused(actor: Actor, activity: Activity, message: str, status: int) -> Any:
    g.role_play_flash = {"error": message}
    return render_activity(actor, activity), status


def _done(actor: Actor, activity: Activity, message: str) -> Any:
    """The activity page again, saying what was done; the address bar becomes the
    page's own address, so a reload does not post again."""
    g.role_play_flash = {"message": message}
    page = url_for("activities.show", activity_id=activity.public_id, t=actor.token())
    return render_activity(actor, activity, self_url=page)


def _messages(exc: ValidationError) -> str:
    found = exc.normalized_messages()  # type: ignore[no-untyped-call]
    parts: list[str] = []
    for value in found.values():
        parts.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return " ".join(parts)


# -- authoring (staff) -------------------------------------------------------------------


def _scenario_form(
    actor: Actor,
    activity: Activity,
    scenario: Any,
    form: Any,
    errors: dict[str, Any],
    status: int = 200,
) -> Any:
    return render_template(
        "role_play/scenario_edit.html",
        actor=actor,
        activity=activity,
        scenario=scenario,
        form=form,
        errors=errors,
    ), status


@bp.get("/<activity_id>/scenarios/new")
@require_actor(staff=True)
def new_scenario(activity_id: str) -> Any:
    """The form for a new scenario: a title and a card per role."""
    actor, activity, _ = _scope(activity_id)
    return _scenario_form(actor, activity, None, {}, {})


@bp.post("/<activity_id>/scenarios")
@require_actor(staff=True)
def create_scenario(activity_id: str) -> Any:
    """Save a new scenario (cards sanitised)."""
    actor, activity, _ = _scope(activity_id)
    try:
        data = scenario_input(request.form)
    except ValidationError as exc:
        return _scenario_form(actor, activity, None, request.form, exc.normalized_messages(), 422)  # type: ignore[no-untyped-call]
    scenarios.save_scenario(activity, data)
    return _back(actor, activity, done="Scenario saved.", anchor="rp-scenarios")


@bp.get("/<activity_id>/scenarios/<scenario_id>")
@require_actor(staff=True)
def edit_scenario(activity_id: str, scenario_id: str) -> Any:
    """Edit one scenario's title and cards."""
    actor, activity, _ = _scope(activity_id)
    scenario = scenarios.scenario_of(activity, scenario_id)
    if scenario is None:
        abort(404)
    form = {
        "title": scenario.title,
        "practitioner_card": editable(scenario.practitioner_card),
        "client_card": editable(scenario.client_card),
        "observer_card": editable(scenario.observer_card),
    }
    return _scenario_form(actor, activity, scenario, form, {})


@bp.post("/<activity_id>/scenarios/<scenario_id>")
@require_actor(staff=True)
def update_scenario(activity_id: str, scenario_id: str) -> Any:
    """Save changes to a scenario."""
    actor, activity, _ = _scope(activity_id)
    scenario = scenarios.scenario_of(activity, scenario_id)
    if scenario is None:
        abort(404)
    try:
        data = scenario_input(request.form)
    except ValidationError as exc:
        messages = exc.normalized_messages()  # type: ignore[no-untyped-call]
        return _scenario_form(actor, activity, scenario, request.form, messages, 422)
    scenarios.save_scenario(activity, data, scenario)
    return _back(actor, activity, done="Scenario saved.", anchor="rp-scenarios")


@bp.post("/<activity_id>/scenarios/<scenario_id>/delete")
@require_actor(staff=True)
def delete_scenario(activity_id: str, scenario_id: str) -> Any:
    """Remove a scenario (rounds then play the remaining ones in turn)."""
    actor, activity, _ = _scope(activity_id)
    scenario = scenarios.scenario_of(activity, scenario_id)
    if scenario is None:
        abort(404)
    scenarios.delete_scenario(scenario)
    return _back(actor, activity, done="Scenario deleted.", anchor="rp-scenarios")


@bp.post("/<activity_id>/checklist")
@require_actor(staff=True)
def save_checklist(activity_id: str) -> Any:
    """Replace the observer checklist (one 'Skill: behaviour' per line)."""
    actor, activity, _ = _scope(activity_id)
    try:
        items = checklist_input(request.form.get("checklist", ""))
    except ValidationError as exc:
        return _refused(actor, activity, _messages(exc), 422)
    scenarios.save_checklist(activity, items)
    return _back(actor, activity, done="Observer checklist saved.", anchor="rp-checklist")


@bp.post("/<activity_id>/one-round-per-member")
@require_actor(staff=True)
def use_one_round_per_member(activity_id: str) -> Any:
    """Every group plays one round per member, so everyone practises (the fix offered
    when a fixed number of rounds leaves someone out)."""
    actor, activity, _ = _scope(activity_id)
    groups = coverage.use_one_round_per_member(activity)
    message = "Each group now plays one round per member, so everyone practises."
    if groups:
        message += (
            " "
            + "; ".join(
                f"Group {position}: {count} round{'s' if count != 1 else ''}"
                for position, count in groups
            )
            + "."
        )
    return _done(actor, activity, message)


@bp.post("/<activity_id>/rounds/<round_id>/advance")
@require_actor(staff=True)
def advance_round(activity_id: str, round_id: str) -> Any:
    """Move a stuck round on to its next step."""
    actor, activity, _ = _scope(activity_id)
    rnd = _round(activity, round_id)
    try:
        services.advance_round(activity, actor.person, rnd)
    except RolePlayError as exc:
        return _refused(actor, activity, str(exc), exc.status)
    return _back(actor, activity, done="The round moved on to its next step.")


@bp.post("/<activity_id>/rounds/<round_id>/replace")
@require_actor(staff=True)
def replace_absentee(activity_id: str, round_id: str) -> Any:
    """Re-run a round with someone from another group in an absent person's seat."""
    actor, activity, _ = _scope(activity_id)
    rnd = _round(activity, round_id)
    try:
        done = services.rerun_with_replacement(
            activity,
            actor.person,
            rnd,
            request.form.get("absent", ""),
            request.form.get("replacement", ""),
        )
    except RolePlayError as exc:
        return _refused(actor, activity, str(exc), exc.status)
    message = (
        f"Round {rnd.number} will be played again from the start, with "
        f"{done.replacement.display_name} standing in for {done.absent.display_name}."
    )
    if done.make_up is not None:
        message += f" {done.absent.display_name} practises in round {done.make_up}, added for them."
    return _done(actor, activity, message)


# -- taking part (group members) -------------------------------------------------------


def _member_action(activity_id: str, round_id: str, action: str) -> Any:
    actor, activity, course = _scope(activity_id)
    if actor.is_staff:
        abort(403)
    rnd = _round(activity, round_id)
    try:
        part = services.require_participation(activity, course, actor.person)
        if action == "start":
            services.start_round(part, actor.person, rnd)
        elif action == "end":
            services.end_round(activity, part, actor.person, rnd)
        else:
            items = scenarios.checklist_of(activity)
            ratings = ratings_input(request.form, items)
            if action == "feedback":
                services.submit_feedback(
                    activity, part, actor.person, rnd, ratings, request.form.get("feedback", "")
                )
            else:
                services.submit_self_rating(activity, part, actor.person, rnd, ratings)
    except RolePlayError as exc:
        return _refused(actor, activity, str(exc), exc.status)
    except ValidationError as exc:
        return _refused(actor, activity, _messages(exc), 422)
    return _back(actor, activity, done="Saved.")


@bp.post("/<activity_id>/rounds/<round_id>/start")
@require_actor()
def start_round(activity_id: str, round_id: str) -> Any:
    """A group member starts the round."""
    return _member_action(activity_id, round_id, "start")


@bp.post("/<activity_id>/rounds/<round_id>/end")
@require_actor()
def end_round(activity_id: str, round_id: str) -> Any:
    """A group member ends the role-play; feedback is now due."""
    return _member_action(activity_id, round_id, "end")


@bp.post("/<activity_id>/rounds/<round_id>/feedback")
@require_actor()
def give_feedback(activity_id: str, round_id: str) -> Any:
    """The round's observer rates the practitioner and writes feedback."""
    return _member_action(activity_id, round_id, "feedback")


@bp.post("/<activity_id>/rounds/<round_id>/self")
@require_actor()
def rate_self(activity_id: str, round_id: str) -> Any:
    """The round's practitioner rates themselves on the checklist."""
    return _member_action(activity_id, round_id, "self")
