"""Launch notices: a learner meets "your post-check is open" (or the pre-check
they have not taken) at their next launch from any link of the course."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import and_, exists, select

from lti_app.analytics.models import POST, PRE, AnalyticsItem, AnalyticsResponse, AnalyticsSetup
from lti_app.extensions import db
from lti_app.peer_activities import notices
from lti_app.peer_activities.models import Activity


@notices.provider
def _checks_open(actor: Any) -> list[notices.Notice]:
    """One query: the course's activities with checks whose open phase the learner
    has not taken."""
    if actor.course is None or actor.is_staff or not actor.roles.is_learner:
        return []
    taken = exists().where(AnalyticsResponse.activity_id == Activity.id,
                           AnalyticsResponse.person_id == actor.person.id,
                           AnalyticsResponse.phase == PRE)
    taken_post = exists().where(AnalyticsResponse.activity_id == Activity.id,
                                AnalyticsResponse.person_id == actor.person.id,
                                AnalyticsResponse.phase == POST)
    has_items = exists().where(AnalyticsItem.activity_id == Activity.id)
    rows = db.session.execute(
        select(Activity.public_id, Activity.title, AnalyticsSetup.post_open)
        .join(AnalyticsSetup, AnalyticsSetup.activity_id == Activity.id)
        .where(Activity.course_id == actor.course.id, has_items,
               ((AnalyticsSetup.post_open.is_(True)) & ~taken_post)
               | (and_(AnalyticsSetup.post_open.is_(False), ~taken)))
        .order_by(Activity.id)).all()
    found = []
    for public_id, title, post_open in rows:
        name = title or "An activity"
        found.append(notices.Notice(
            kind="info", priority=40,
            title=f"{name}: your {'post' if post_open else 'pre'}-check is open",
            body=("The same questions as before, to see what you gained. A few minutes."
                  if post_open else "Before you start: a few minutes, not graded."),
            url=url_for("activities.show", activity_id=public_id, t=actor.token(),
                        _anchor="learning-checks"),
            action=f"Take the {'post' if post_open else 'pre'}-check"))
    return found
