"""What follows a change of a journal's settings (see
lti_app.peer_activities.settings_edit). Every journal setting may change at any
time: entries keep the prompts they answered, and unanswered check-ins move to the
new days (answered ones stay as they were). A changed completion rule completes
whoever now meets it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.journal import completion
from lti_app.peer_activities.journal.models import JournalProgress
from lti_app.peer_activities.journal.services import schedule
from lti_app.peer_activities.models import Activity

SCHEDULE = ("checkin_days", "anchor", "course_end")
RULE = ("entries_required", "completion")


def locked(activity: Activity) -> dict[str, str]:
    """Nothing is fixed."""
    return {}


def applied(activity: Activity, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Reschedule unanswered check-ins when their days changed; complete whoever now
    meets a changed completion rule."""
    if any(before.get(k) != after.get(k) for k in SCHEDULE):
        schedule.reschedule_activity(activity)
    if any(before.get(k) != after.get(k) for k in RULE):
        waiting = db.session.scalars(
            select(JournalProgress.person_id).where(
                JournalProgress.activity_id == activity.id, JournalProgress.completed_at.is_(None)
            )
        ).all()
        for person_id in waiting:
            person = db.session.get(Person, person_id)
            if person is not None:
                completion.check_completion(activity, person)
