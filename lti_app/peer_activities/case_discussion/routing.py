"""The ``case_discussion`` blueprint and the request helpers its two view modules
(``views``: the case, threads and posts; ``facilitation_views``: the facilitator's
tools) share: who may open which group or thread, where to go back to, how a
refusal shows on the activity page. Not a view module, so neither view module
imports the other.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, url_for

from lti_app.actor import confirm
from lti_app.actor.session import Actor
from lti_app.courses.models import Course
from lti_app.peer_activities.case_discussion import lookups, page_reads, panel
from lti_app.peer_activities.case_discussion.lookups import Access
from lti_app.peer_activities.case_discussion.models import CaseDiscussionThread
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity, render_activity

bp = Blueprint(
    "case_discussion",
    __name__,
    url_prefix="/cd",
    template_folder="templates",
    static_folder="static",
)


def group_page(actor: Actor, activity: Activity, acc: Access, status: int = 200) -> Any:
    """A group's threads and rounds (staff and the group's facilitator)."""
    disc = panel.discussion(activity, acc, actor.person)
    return render_template(
        "case_discussion/group.html", actor=actor, activity=activity, disc=disc, info=panel.flash()
    ), status


def scope(activity_id: str) -> tuple[Actor, Activity, Course]:
    found: tuple[Actor, Activity, Course] = course_activity(activity_id, enabled=panel.enabled)
    return found


def group_access(actor: Actor, activity: Activity, course: Course, group_id: str) -> Access:
    """The caller's access to a group of the activity; 404 when they may not read it."""
    group = lookups.group_of(activity, group_id)
    if group is None:
        abort(404)
    acc = lookups.access(group, actor.person, course, staff=actor.is_staff)
    if not acc.can_read:
        abort(404)
    return acc


def thread_access(
    actor: Actor, activity: Activity, course: Course, thread_id: str
) -> tuple[CaseDiscussionThread, Access]:
    found = page_reads.thread_access(activity, course.id, actor.person.id, thread_id)
    if found is None:
        abort(404)
    staff = actor.is_staff
    # lookups.access, from the flags read with the thread.
    acc = Access(found.group, not staff and found.member, staff or found.facilitator, staff)
    if not acc.can_read:
        abort(404)
    return found.thread, acc


def access_to(
    actor: Actor, course: Course, thread: CaseDiscussionThread | None
) -> tuple[CaseDiscussionThread, Access]:
    """The thread and the caller's access to its group; 404 when they may not read it
    (a learner of another group never learns the thread exists)."""
    group = lookups.group_by_id(thread.group_id) if thread is not None else None
    if thread is None or group is None:
        abort(404)
    acc = lookups.access(group, actor.person, course, staff=actor.is_staff)
    if not acc.can_read:
        abort(404)
    return thread, acc


def back_to_activity(
    actor: Actor, activity: Activity, anchor: str = "case-discussion", done: str | None = None
) -> Any:
    """The activity page again; ``done`` is what it then confirms, once."""
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


def refused_on_activity(
    actor: Actor, activity: Activity, message: str, status: int, form: dict[str, str] | None = None
) -> Any:
    g.case_discussion_flash = {"error": message, "form": form or {}}
    return render_activity(actor, activity), status
