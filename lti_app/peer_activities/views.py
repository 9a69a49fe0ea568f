"""The activity page a launch lands on, and the setup form for unconfigured links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from lti_app.courses.session import Actor, current_actor, require_actor
from lti_app.peer_activities import notices, registry, rich_text, services, settings_form
from lti_app.peer_activities.services import ActivityInputError

bp = Blueprint("activities", __name__, url_prefix="/a", template_folder="templates")


_NOTHING_TYPED: MultiDict[str, str] = MultiDict()


def kept_input(action: str) -> MultiDict[str, str]:
    """What the person typed into the form posting to ``action``, when this page is
    that form coming back with an error (the same request); else nothing. Templates
    fill each field with ``kept.get(name, stored value)`` so no input is lost, and
    the other forms of the page keep their own values."""
    if request.method == "POST" and request.path == urlsplit(action).path:
        return request.form
    return _NOTHING_TYPED


def settings_in_words(activity: Any) -> list[tuple[str, str]]:
    """(label, value in words) of an activity's settings; [] for an unconfigured one."""
    kind = registry.get(activity.activity_type)
    return settings_form.describe(kind, activity.settings) if kind is not None else []


#: Helpers of the shared templates (installed by ``peer_activities.init_app``).
TEMPLATE_GLOBALS: dict[str, Any] = {
    "launch_notices": notices.for_actor, "editable": rich_text.editable,
    "settings_specs": settings_form.form_specs,
    "settings_form_values": settings_form.form_values,
    "activity_summary": settings_form.summary,
    "settings_in_words": settings_in_words, "kept_input": kept_input,
    "activity_parts": registry.page_parts}


def _activity(activity_id: str) -> Any:
    """The activity ``activity_id`` as the actor may open it: one of their course's
    (or not yet bound to a course); a session without a course only the activity
    it launched into, and never a course's (404 otherwise)."""
    actor = current_actor()
    if actor.course is None and actor.activity != activity_id:
        abort(404)
    activity = services.get_activity(actor.registration.id, actor.deployment.id, activity_id)
    if activity is None:
        abort(404)
    if actor.course is None and activity.course_id is not None:
        abort(404)
    if actor.course is not None and activity.course_id not in (None, actor.course.id):
        abort(404)
    return activity


def course_activity(activity_id: str, *, enabled: Callable[[Any], bool] | None = None
                    ) -> tuple[Actor, Any, Any]:
    """The current actor, their activity ``activity_id`` and their course, for the
    pages that work inside a course. Another platform's, deployment's or course's
    activity, an activity opened outside a course, or one ``enabled`` refuses: 404."""
    actor = current_actor()
    activity = services.get_activity(actor.registration.id, actor.deployment.id, activity_id)
    course = actor.course
    if activity is None or course is None or activity.course_id != course.id \
            or (enabled is not None and not enabled(activity)):
        abort(404)
    return actor, activity, course


@bp.get("/<activity_id>")
@require_actor()
def show(activity_id: str) -> Any:
    """An activity, as the launching person's role sees it."""
    return render_activity(current_actor(), _activity(activity_id))


def render_activity(actor: Actor, activity: Any, *, self_url: str | None = None) -> str:
    """The activity page; also what a launch answers with directly.

    ``self_url`` is this page's own GET address: a launch response (a POST)
    swaps it into the address bar so a reload does not re-post the launch.
    """
    kind = registry.get(activity.activity_type)
    if kind is None and actor.is_staff:
        return render_template("activities/setup.html", activity=activity, actor=actor,
                               types=registry.all_types(), errors={}, form={},
                               self_url=self_url)
    return render_template("activities/show.html", activity=activity, kind=kind, actor=actor,
                           self_url=self_url)


@bp.post("/<activity_id>/setup")
@require_actor(staff=True)
def setup(activity_id: str) -> Any:
    """Choose the type and settings of a link that was added without deep linking."""
    actor = current_actor()
    activity = _activity(activity_id)
    try:
        title = request.form.get("title", "").strip()[:255]
        if not title:
            raise ActivityInputError({"title": ["Give the activity a title."]})
        kind = request.form.get("activity_type", "")
        services.configure_activity(
            activity, activity_type=kind, title=title,
            description=request.form.get("description", "").strip()[:2000],
            settings=services.settings_from_form(kind, request.form))
    except ActivityInputError as exc:
        return render_template("activities/setup.html", activity=activity, actor=actor,
                               types=registry.all_types(), errors=exc.messages,
                               form=request.form), 422
    return redirect(url_for("activities.show", activity_id=activity.public_id, t=actor.token()),
                    code=303)
