"""Completion: when a learner meets the activity's rule, record it once and queue
their completion score (100/100) in the grade outbox.

Side effects: inserts completion rows and flushes; the score is delivered by the
workers after the request commits. Someone already complete is never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Enrolment, Person
from lti_app.extensions import db
from lti_app.grades import services as grades
from lti_app.peer_activities.grouping.models import GroupingMember
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play.lookups import (
    ENDED,
    completion_rule,
    owed,
    ratings_of,
    rounds_of_group,
)
from lti_app.peer_activities.role_play.models import (
    DONE,
    RolePlayCompletion,
    RolePlayRating,
    RolePlayRound,
)

log = logging.getLogger(__name__)

#: The score comment, by completion rule.
COMPLETION_COMMENTS = {
    "rounds_and_feedback": "Role-play complete: all rounds played and feedback given.",
    "rounds_played": "Role-play complete: all rounds played.",
}


def is_complete(
    activity: Activity,
    person_id: int,
    group_rounds: Sequence[RolePlayRound],
    given: Mapping[int, Sequence[RolePlayRating]],
) -> bool:
    """The activity's completion rule for one person of a group."""
    if not group_rounds:
        return False
    if completion_rule(activity) == "rounds_played":
        return all(r.status in ENDED for r in group_rounds)
    for rnd in group_rounds:
        if rnd.status != DONE:
            return False
        if any(seat.person_id == person_id for seat, _ in owed(rnd, given.get(rnd.id, []))):
            return False
    return True


def check_completion(activity: Activity, group_id: int) -> list[Person]:
    """Record completion (once) for every member of the group who meets the rule,
    and queue their completion score (100/100) in the grade outbox. Someone already
    complete is never sent again."""
    group_rounds = rounds_of_group(group_id)
    if not group_rounds:
        return []
    given: dict[int, list[RolePlayRating]] = {r.id: ratings_of(r) for r in group_rounds}
    # The group's own members: a replacement standing in from another group
    # completes through their own group's rounds.
    # Only people still in the course: someone who left did not play the rounds
    # after they left (they were taken out of them).
    members = set(
        db.session.scalars(
            select(GroupingMember.person_id)
            .join(Enrolment, Enrolment.person_id == GroupingMember.person_id)
            .where(
                GroupingMember.group_id == group_id,
                Enrolment.course_id == activity.course_id,
                Enrolment.status == "active",
            )
        )
    )
    people = {
        s.person_id: s.person for r in group_rounds for s in r.seats if s.person_id in members
    }
    already = set(
        db.session.scalars(
            select(RolePlayCompletion.person_id).where(
                RolePlayCompletion.activity_id == activity.id,
                RolePlayCompletion.person_id.in_(people),
            )
        )
    )
    completed: list[Person] = []
    for person_id, person in people.items():
        if person_id in already or not is_complete(activity, person_id, group_rounds, given):
            continue
        try:
            with db.session.begin_nested():
                db.session.add(RolePlayCompletion(activity_id=activity.id, person_id=person_id))
                db.session.flush()
        except IntegrityError:
            continue  # completed concurrently: their score is already queued
        line_item = grades.line_item_for(activity, "completion")
        grades.record_score(
            line_item,
            person,
            score_given=100,
            score_maximum=100,
            comment=COMPLETION_COMMENTS[completion_rule(activity)],
        )
        log.info("role-play %s: %s complete, score queued", activity.public_id, person.public_id)
        completed.append(person)
    return completed


def is_completed(activity: Activity, person: Person) -> bool:
    return (
        db.session.scalar(
            select(RolePlayCompletion.id).where(
                RolePlayCompletion.activity_id == activity.id,
                RolePlayCompletion.person_id == person.id,
            )
        )
        is not None
    )
