"""Role-play logistics: the group's meeting place, proposed times ("works for me"),
and the shared round clock (start, stop, and its state for polling pages).

Every action is scoped to the caller's platform, deployment and course (another
activity's or group's id is a 404) and to the caller's own group: a learner acts on
their group only; staff may act on any group of the activity. Forms carry the
session token ``t``, which is also their CSRF token. Success answers with a redirect
to the activity page; a refusal re-renders it with the reason next to the field and
what was typed kept.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for

from lti_app import clock
from lti_app.actor.session import Actor, require_actor
from lti_app.courses.models import Course
from lti_app.peer_activities.grouping import state as grouping_state
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity, render_activity
from lti_app.peer_activities.role_play import logistics, lookups, panel, services
from lti_app.peer_activities.role_play.models import RolePlayRound
from lti_app.peer_activities.role_play.services import RolePlayError

bp = Blueprint("role_play_logistics", __name__, url_prefix="/rp")


def _scope(activity_id: str) -> tuple[Actor, Activity, Course]:
    found: tuple[Actor, Activity, Course] = course_activity(activity_id, enabled=panel.enabled)
    return found


def _group(actor: Actor, activity: Activity, course: Course) -> GroupingGroup:
    """The group acted on: staff name it (``group``); a learner's is their own."""
    if actor.is_staff:
        _, published = grouping_state.rounds_in_force(activity)
        wanted = request.form.get("group", "")
        for group in published.groups if published is not None else []:
            if group.public_id == wanted:
                return group
        abort(404)
    return services.require_participation(activity, course, actor.person).group


def _round(actor: Actor, activity: Activity, course: Course, round_id: str) -> RolePlayRound:
    rnd = lookups.round_of(activity, round_id)
    if rnd is None:
        abort(404)
    if not actor.is_staff:
        part = services.require_participation(activity, course, actor.person)
        if not part.takes_part_in(rnd):
            abort(404)
    return rnd


def _back(actor: Actor, activity: Activity, anchor: str = "rp-logistics") -> Any:
    return redirect(
        url_for("activities.show", activity_id=activity.public_id, t=actor.token(), _anchor=anchor),
        code=303,
    )


def _refused(actor: Actor, activity: Activity, exc: RolePlayError, where: str) -> Any:
    if actor.is_staff and where == "meeting":
        return _staff_page(actor, activity, error=(request.form.get("group", ""), str(exc)))
    g.role_play_flash = {"error": str(exc), "field": where}
    return render_activity(actor, activity), exc.status


def _staff_page(actor: Actor, activity: Activity, error: tuple[str, str] | None = None) -> Any:
    _, published = grouping_state.rounds_in_force(activity)
    groups = list(published.groups) if published is not None else []
    rows = logistics.logistics_of(activity, groups)
    now = clock.now()
    shown = [
        (
            group,
            [m.person.display_name for m in group.members],
            logistics.view_of(
                rows.get(group.id),
                {m.person_id: m.person.display_name for m in group.members},
                None,
                now,
            ),
        )
        for group in groups
    ]
    return render_template(
        "role_play/logistics.html", actor=actor, activity=activity, groups=shown, error=error
    ), (422 if error else 200)


@bp.get("/<activity_id>/logistics")
@require_actor(staff=True)
def staff_page(activity_id: str) -> Any:
    """Staff: every group's meeting place and proposed times; set a meeting place."""
    actor, activity, _ = _scope(activity_id)
    return _staff_page(actor, activity)


@bp.post("/<activity_id>/meeting")
@require_actor()
def set_meeting_place(activity_id: str) -> Any:
    """A group member (or staff) sets where the group meets: a link or a place."""
    actor, activity, course = _scope(activity_id)
    try:
        group = _group(actor, activity, course)
        logistics.set_meeting_place(activity, group, actor.person, request.form.get("place", ""))
    except RolePlayError as exc:
        return _refused(actor, activity, exc, "meeting")
    if actor.is_staff:
        return redirect(
            url_for(
                "role_play_logistics.staff_page", activity_id=activity.public_id, t=actor.token()
            ),
            code=303,
        )
    return _back(actor, activity)


@bp.post("/<activity_id>/slots")
@require_actor()
def propose_time(activity_id: str) -> Any:
    """A group member proposes a time to meet (typed in their own time zone)."""
    actor, activity, course = _scope(activity_id)
    if actor.is_staff:
        abort(403)
    try:
        group = _group(actor, activity, course)
        starts_at = logistics.parse_local_time(
            request.form.get("starts_at", ""), request.form.get("utc_offset", "")
        )
        logistics.propose_slot(activity, group, actor.person, starts_at)
    except RolePlayError as exc:
        return _refused(actor, activity, exc, "slot")
    return _back(actor, activity)


def _slot_action(activity_id: str, slot_id: str, action: str) -> Any:
    actor, activity, course = _scope(activity_id)
    try:
        group = _group(actor, activity, course)
        if action == "works":
            if actor.is_staff:
                abort(403)
            logistics.toggle_works_for(activity, group, actor.person, slot_id)
        else:
            logistics.remove_slot(activity, group, actor.person, slot_id, staff=actor.is_staff)
    except RolePlayError as exc:
        return _refused(actor, activity, exc, "slots")
    return _back(actor, activity)


@bp.post("/<activity_id>/slots/<slot_id>/works")
@require_actor()
def works_for_me(activity_id: str, slot_id: str) -> Any:
    """A group member marks (or unmarks) a proposed time as working for them."""
    return _slot_action(activity_id, slot_id, "works")


@bp.post("/<activity_id>/slots/<slot_id>/delete")
@require_actor()
def remove_time(activity_id: str, slot_id: str) -> Any:
    """The proposer (or staff) withdraws a proposed time."""
    return _slot_action(activity_id, slot_id, "delete")


@bp.post("/<activity_id>/rounds/<round_id>/clock/start")
@require_actor()
def start_clock(activity_id: str, round_id: str) -> Any:
    """A member of the round starts the shared clock: everyone's page counts down."""
    actor, activity, course = _scope(activity_id)
    try:
        rnd = _round(actor, activity, course, round_id)
        raw = request.form.get("minutes", "")
        minutes = int(raw) if raw.strip().isdigit() else logistics.round_minutes(activity)
        logistics.start_clock(rnd, minutes)
    except RolePlayError as exc:
        return _refused(actor, activity, exc, "clock")
    return _back(actor, activity, f"round-{round_id}")


@bp.post("/<activity_id>/rounds/<round_id>/clock/stop")
@require_actor()
def stop_clock(activity_id: str, round_id: str) -> Any:
    """A member of the round stops the shared clock, for everyone."""
    actor, activity, course = _scope(activity_id)
    try:
        rnd = _round(actor, activity, course, round_id)
    except RolePlayError as exc:
        return _refused(actor, activity, exc, "clock")
    logistics.stop_clock(rnd)
    return _back(actor, activity, f"round-{round_id}")


@bp.get("/<activity_id>/rounds/<round_id>/clock")
@require_actor()
def clock_state(activity_id: str, round_id: str) -> Any:
    """The round clock as the server sees it now (pages poll it to follow the others)."""
    actor, activity, course = _scope(activity_id)
    try:
        rnd = _round(actor, activity, course, round_id)
    except RolePlayError:
        abort(404)
    state = logistics.clock_state(rnd, logistics.round_minutes(activity))
    resp = jsonify(
        {
            "running": state.running,
            "status": rnd.status,
            "seconds": state.seconds,
            "left": state.left,
            "ends_at": state.ends_at_iso,
            "now": logistics.iso_utc(state.now),
        }
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp
