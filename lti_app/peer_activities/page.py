"""The shared activity page and what the activities' own views build on: the
activity as the caller may open it inside their course, the page itself (also a
launch's answer), the Settings page, and the helpers of the shared templates.

Not a view module: every activity's views import this, never another view module.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import abort, render_template, request
from werkzeug.datastructures import MultiDict

from lti_app.actor.session import Actor, current_actor
from lti_app.peer_activities import (
    notices,
    registry,
    rich_text,
    services,
    settings_edit,
    settings_form,
)

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


_SECTION = re.compile(r"<section\b([^>]*)>")
_ID = re.compile(r'\bid="([^"]+)"')
_TAB = re.compile(r'\bdata-tab="([^"]+)"')
_H2 = re.compile(r"<h2\b[^>]*>(.*?)</h2>", re.S)
_TAG = re.compile(r"<[^>]+>")


def panel_index(parts: Iterable[str]) -> list[tuple[str, str, str]]:
    """(anchor, title, tab) of each section of a staff page that names its tab: a
    ``<section id=… data-tab=…>`` titled by the first ``<h2>`` after it, in page
    order, for the page's "On this page" index (which peerlift.js turns into tabs).
    Reads the panels' own template output only (user text sits inside, never in
    the section's attributes or heading)."""
    found: list[tuple[str, str, str]] = []
    for part in parts:
        for section in _SECTION.finditer(part):
            anchor, tab = _ID.search(section.group(1)), _TAB.search(section.group(1))
            heading = _H2.search(part, section.end())
            if not (anchor and tab and heading):
                continue
            title = " ".join(html.unescape(_TAG.sub("", heading.group(1))).split())
            if title:
                found.append((html.unescape(anchor.group(1)), title, html.unescape(tab.group(1))))
    return found


#: Helpers of the shared templates (installed by ``peer_activities.init_app``).
TEMPLATE_GLOBALS: dict[str, Any] = {
    "launch_notices": notices.for_actor,
    "editable": rich_text.editable,
    "rich_text_assets": rich_text.assets,
    "settings_specs": settings_form.form_specs,
    "settings_form_values": settings_form.form_values,
    "activity_summary": settings_form.summary,
    "settings_in_words": settings_in_words,
    "kept_input": kept_input,
    "activity_parts": registry.page_parts,
    "panel_index": panel_index,
}


#: Filters of the shared templates: ``{{ stored|rich }}`` shows stored rich text.
TEMPLATE_FILTERS: dict[str, Any] = {"rich": rich_text.shown}


def course_activity(
    activity_id: str, *, enabled: Callable[[Any], bool] | None = None
) -> tuple[Actor, Any, Any]:
    """The current actor, their activity ``activity_id`` and their course, for the
    pages that work inside a course. Another platform's, deployment's or course's
    activity, an activity opened outside a course, or one ``enabled`` refuses: 404."""
    actor = current_actor()
    activity = services.get_activity(actor.registration.id, actor.deployment.id, activity_id)
    course = actor.course
    if (
        activity is None
        or course is None
        or activity.course_id != course.id
        or (enabled is not None and not enabled(activity))
    ):
        abort(404)
    return actor, activity, course


def render_activity(actor: Actor, activity: Any, *, self_url: str | None = None) -> str:
    """The activity page; also what a launch answers with directly.

    ``self_url`` is this page's own GET address: a launch response (a POST)
    swaps it into the address bar so a reload does not re-post the launch.
    """
    kind = registry.get(activity.activity_type)
    if kind is None and actor.is_staff:
        return render_template(
            "activities/setup.html",
            activity=activity,
            actor=actor,
            types=registry.all_types(),
            errors={},
            form={},
            self_url=self_url,
        )
    return render_template(
        "activities/show.html", activity=activity, kind=kind, actor=actor, self_url=self_url
    )


def render_settings(
    actor: Actor,
    activity: Any,
    *,
    errors: dict[str, Any] | None = None,
    typed: Any = None,
    prefix: str = "",
    status: int = 200,
) -> Any:
    """The Settings page: what is typed (after an error) or in force, the reasons
    some settings are fixed now, and the confirmation of a save (``?saved=``)."""
    kind = registry.get(activity.activity_type)
    if kind is None:
        abort(404)
    saved = request.args.get("saved") if request.method == "GET" else None
    names = [n for n in (saved or "").split(",") if n]
    current = settings_form.effective(kind, activity.settings)
    elsewhere = [
        (s.label, settings_form.words(s, current[s.name], current), s.edited_elsewhere)
        for s in settings_form.specs(kind)
        if s.edited_elsewhere and s.shown
    ]
    return render_template(
        "activities/settings.html",
        actor=actor,
        activity=activity,
        kind=kind,
        values=settings_form.form_values(kind, activity.settings, typed, prefix),
        form=typed if typed is not None else {},
        errors=errors or {},
        fixed=settings_edit.locked_settings(activity, kind),
        elsewhere=elsewhere,
        confirmation=settings_edit.confirmation(kind, activity, names),
        nothing_changed=saved is not None and not names,
    ), status
