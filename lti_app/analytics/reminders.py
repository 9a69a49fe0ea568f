"""Launch notices: a learner meets "your post-check is open" (or the pre-check
they have not taken) at their next launch from any link of the course."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import Integer, and_, bindparam, cast, exists, select

from lti_app.analytics.models import POST, PRE, AnalyticsItem, AnalyticsResponse, AnalyticsSetup
from lti_app.peer_activities import notices
from lti_app.peer_activities.models import Activity

KEY = "analytics.checks"


def _query() -> list[Any]:
    """The course's activities with checks whose open phase the learner has not
    taken (one SELECT of the notices statement)."""
    person = bindparam("person", type_=Integer)
    taken = exists().where(
        AnalyticsResponse.activity_id == Activity.id,
        AnalyticsResponse.person_id == person,
        AnalyticsResponse.phase == PRE,
    )
    taken_post = exists().where(
        AnalyticsResponse.activity_id == Activity.id,
        AnalyticsResponse.person_id == person,
        AnalyticsResponse.phase == POST,
    )
    has_items = exists().where(AnalyticsItem.activity_id == Activity.id)
    return [
        select(
            *notices.columns(
                KEY,
                texts=(Activity.public_id, Activity.title),
                numbers=(cast(AnalyticsSetup.post_open, Integer), Activity.id),
            )
        )
        .select_from(Activity)
        .join(AnalyticsSetup, AnalyticsSetup.activity_id == Activity.id)
        .where(
            Activity.course_id == bindparam("course"),
            has_items,
            ((AnalyticsSetup.post_open.is_(True)) & ~taken_post)
            | (and_(AnalyticsSetup.post_open.is_(False), ~taken)),
        )
    ]


def _build(actor: Any, rows: list[Any]) -> list[notices.Notice]:
    found = []
    for row in sorted(rows, key=lambda r: r.n2):
        name, post_open = row.s2 or "An activity", bool(row.n1)
        found.append(
            notices.Notice(
                kind="info",
                priority=40,
                title=f"{name}: your {'post' if post_open else 'pre'}-check is open",
                body=(
                    "The same questions as before, to see what you gained. A few minutes."
                    if post_open
                    else "Before you start: a few minutes, not graded."
                ),
                url=url_for(
                    "activities.show",
                    activity_id=row.s1,
                    t=actor.token(),
                    _anchor="learning-checks",
                ),
                action=f"Take the {'post' if post_open else 'pre'}-check",
            )
        )
    return found


#: Registered by ``analytics.init_app``.
CHECKS_OPEN = notices.Source(
    KEY,
    applies=lambda actor: not actor.is_staff and actor.roles.is_learner,
    queries=_query,
    build=_build,
)
