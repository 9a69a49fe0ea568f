"""Completion: when a learner meets the activity's rule (posted N times in their
group and, unless the rule says otherwise, read the group's published summary),
record it once and queue their completion score (100/100) in the grade outbox.

Side effects: inserts a completion row and flushes; the score is delivered by the
workers after the request commits. Someone already complete is never sent again.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, exists, func, select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.grades import services as grades
from lti_app.peer_activities.case_discussion import lookups
from lti_app.peer_activities.case_discussion.models import (
    PUBLISHED,
    CaseDiscussionCompletion,
    CaseDiscussionPost,
    CaseDiscussionSummary,
    CaseDiscussionSummaryRead,
)
from lti_app.peer_activities.grouping import rounds as grouping_rounds
from lti_app.peer_activities.grouping.models import PUBLISHED as GROUPING_PUBLISHED
from lti_app.peer_activities.grouping.models import GroupingMember, GroupingRound
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)


def rule_text(activity: Activity) -> str:
    n = lookups.completion_posts(activity)
    posts = f"posted {n} time{'' if n == 1 else 's'} in the group's discussion"
    if lookups.completion_needs_summary(activity):
        return posts + " and read the group's published summary"
    return posts


def read_summary(activity: Activity, person: Person) -> bool:
    """Whether the person opened their group's published summary."""
    group = grouping_rounds.learner_group(activity, person)
    if group is None:
        return False
    return (
        db.session.scalar(
            select(CaseDiscussionSummaryRead.id)
            .join(
                CaseDiscussionSummary,
                CaseDiscussionSummary.id == CaseDiscussionSummaryRead.summary_id,
            )
            .where(
                CaseDiscussionSummary.group_id == group.id,
                CaseDiscussionSummary.status == PUBLISHED,
                CaseDiscussionSummaryRead.person_id == person.id,
            )
        )
        is not None
    )


def meets_rule(activity: Activity, person: Person) -> bool:
    if lookups.posts_by(activity, person) < lookups.completion_posts(activity):
        return False
    return not lookups.completion_needs_summary(activity) or read_summary(activity, person)


def is_completed(activity: Activity, person: Person) -> bool:
    return (
        db.session.scalar(
            select(CaseDiscussionCompletion.id).where(
                CaseDiscussionCompletion.activity_id == activity.id,
                CaseDiscussionCompletion.person_id == person.id,
            )
        )
        is not None
    )


@cache
def _standing() -> Select[Any]:
    """Completed already, posts, and read the group's published summary: what
    ``is_completed`` and ``meets_rule`` read, as one statement built once."""
    activity_id, person_id = (
        bindparam("activity_id", type_=Integer),
        bindparam("person_id", type_=Integer),
    )
    published = (
        select(GroupingRound.id)
        .where(GroupingRound.activity_id == activity_id, GroupingRound.status == GROUPING_PUBLISHED)
        .order_by(GroupingRound.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    group_id = (  # grouping_rounds.learner_group
        select(GroupingMember.group_id)
        .where(GroupingMember.round_id == published, GroupingMember.person_id == person_id)
        .limit(1)
        .scalar_subquery()
    )
    return select(
        exists()
        .where(
            CaseDiscussionCompletion.activity_id == activity_id,
            CaseDiscussionCompletion.person_id == person_id,
        )
        .label("completed"),
        select(func.count(CaseDiscussionPost.id))
        .where(
            CaseDiscussionPost.activity_id == activity_id,
            CaseDiscussionPost.author_id == person_id,
        )
        .scalar_subquery()
        .label("posts"),
        exists()
        .where(
            CaseDiscussionSummary.id == CaseDiscussionSummaryRead.summary_id,
            CaseDiscussionSummary.group_id == group_id,
            CaseDiscussionSummary.status == PUBLISHED,
            CaseDiscussionSummaryRead.person_id == person_id,
        )
        .label("read"),
    )


def check_completion(activity: Activity, person: Person) -> bool:
    """Record completion (once) when the learner meets the rule and queue their
    score; True when they completed just now."""
    if activity.course_id is None:
        return False
    completed, posts, read = db.session.execute(
        _standing(), {"activity_id": activity.id, "person_id": person.id}
    ).one()
    if completed or posts < lookups.completion_posts(activity):
        return False
    if lookups.completion_needs_summary(activity) and not read:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(CaseDiscussionCompletion(activity_id=activity.id, person_id=person.id))
            db.session.flush()
    except IntegrityError:
        return False  # completed concurrently: their score is already queued
    line_item = grades.line_item_for(activity, "completion")
    grades.record_score(
        line_item,
        person,
        score_given=100,
        score_maximum=100,
        comment=f"Case discussion complete: {rule_text(activity)}.",
    )
    log.info("case discussion %s: %s complete, score queued", activity.public_id, person.public_id)
    return True
