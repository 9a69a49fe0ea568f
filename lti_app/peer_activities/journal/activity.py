"""The reflection journal as an activity of the tool: everything it plugs in, in one
place (the contract: lti_app.peer_activities.registry). Installed by
``lti_app.peer_activities.init_app``.

Its blueprint ``journal`` carries the routes of ``views``, ``followup_views``
(check-ins, observation, the learner's own data) and ``staff_views`` (the
instructor's actions); all are loaded here."""

from __future__ import annotations

from typing import Any

from lti_app.actor.session import Actor
from lti_app.peer_activities.journal import (
    JournalSettings,
    completion,
    followup_views,
    panel,
    routing,
    staff_views,
    views,
)
from lti_app.peer_activities.journal import notices as journal_notices
from lti_app.peer_activities.journal.services import schedule
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.registry import ActivityType, Export, Job, Panel


def _in_course(build: Any) -> Any:
    """The journal is kept inside a course: outside it, its panel has no data (the
    template then says to open it from the course)."""

    def panel_data(actor: Actor, activity: Activity) -> Any:
        if actor.course is None or activity.course_id != actor.course.id:
            return None
        return build(actor, activity)

    return panel_data


JOURNAL = ActivityType(
    key="journal",
    label="Reflection journal",
    summary="Private, prompted reflection, an action plan, and check-ins {checkin_days} "
    "on what was applied at work.",
    settings_schema=JournalSettings,
    rules="lti_app.peer_activities.journal.settings_rules",
    learner_panel=Panel("journal/_activity.html", _in_course(panel.learner_panel)),
    staff_panel=Panel("journal/_activity.html", _in_course(panel.staff_panel)),
    mentor_panel=Panel("journal/_mentor.html"),
    notices=journal_notices.SOURCES,
    completion=completion.is_completed,
    exports=(Export("Check-in answers (CSV)", "journal.answers_csv"),),
    jobs=(Job(schedule.DUE_JOB, schedule.remind_due_checkins),),
    sweepers=(schedule.find_due_checkins,),
    blueprints=(routing.bp,),
    route_modules=(views, followup_views, staff_views),
    template_globals={"journal_day": panel.fmt_day},
)
