"""The role-play flow of each group: its rotation, rounds (ready → in progress →
feedback due → done), checklist ratings and feedback, absentees' replacements.
Lookups live in ``lookups``, completion in ``completion``, and what a person may
read in ``visibility`` (not in templates).

Side effects: inserts/updates rows and flushes; a round that ends or is done may
complete learners, which queues their scores in the grade outbox (delivered after
the request commits). The request commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from lti_app import clock
from lti_app.courses.models import Course, Person
from lti_app.domain.rotation import PRACTITIONER, RotationError, replace_absentee
from lti_app.extensions import db
from lti_app.peer_activities.grouping import agreement, rounds
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember
from lti_app.peer_activities.grouping.state import LearnerState
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.rich_text import rich_text
from lti_app.peer_activities.role_play.completion import check_completion
from lti_app.peer_activities.role_play.lookups import (
    ENDED,
    completion_rule,
    current_round,
    givers_of,
    owed,
    plan_of,
    rating_by,
    ratings_of,
    rounds_of_group,
    rounds_of_player,
    seat_of,
)
from lti_app.peer_activities.role_play.models import (
    DONE,
    FEEDBACK_DUE,
    IN_PROGRESS,
    OBSERVER_RATING,
    READY,
    SELF_RATING,
    STATUSES,
    RolePlayRating,
    RolePlayRound,
    RolePlaySeat,
)
from lti_app.peer_activities.role_play.planning import adapt_group, ensure_plan

log = logging.getLogger(__name__)


class RolePlayError(ValueError):
    """An action that cannot be done; ``status`` is the HTTP answer (403, 409, 422)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


# -- taking part ---------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    group: GroupingGroup
    rounds: list[RolePlayRound]
    #: Rounds of other groups the person stands in for (an absentee's replacement).
    guest_rounds: list[RolePlayRound]
    #: Whether the person has completed the activity, when read with the rounds.
    completed: bool | None = None

    def takes_part_in(self, rnd: RolePlayRound) -> bool:
        return rnd.group_id == self.group.id or any(r.id == rnd.id for r in self.guest_rounds)


def participation(
    activity: Activity, course: Course, person: Person, *, known: LearnerState | None = None
) -> Participation | None:
    """The person's group and its rounds, planning them on first use; None when the
    person is not grouped or has not accepted the course's group agreement.
    ``known``: their grouping state as the page read it already (its members'
    enrolment status spares reading who is active)."""
    if known is not None:
        if not known.accepted:
            return None
        group = known.group
    else:
        current = agreement.current_agreement(course)
        if not agreement.has_accepted(course, person, current.version):
            return None
        group = rounds.learner_group(activity, person)
    if group is None:
        return None
    if known is not None:
        # The page: the group's rounds and the learner's guest seats, read together.
        group_rounds, guest, completed = rounds_of_player(activity, group, person)
        own = ensure_plan(activity, group, known=known.active_ids(), rounds=group_rounds)
        return Participation(group, own, guest, completed)
    own = ensure_plan(activity, group)
    # Seats in other groups of the same grouping round (not of earlier groupings).
    guest = list(
        db.session.scalars(
            select(RolePlayRound)
            .join(RolePlaySeat, RolePlaySeat.round_id == RolePlayRound.id)
            .join(GroupingGroup, GroupingGroup.id == RolePlayRound.group_id)
            .where(
                RolePlayRound.activity_id == activity.id,
                RolePlayRound.group_id != group.id,
                GroupingGroup.round_id == group.round_id,
                RolePlaySeat.person_id == person.id,
            )
            .order_by(RolePlayRound.number)
        )
    )
    return Participation(group, own, guest)


def require_participation(activity: Activity, course: Course, person: Person) -> Participation:
    found = participation(activity, course, person)
    if found is None:
        raise RolePlayError(
            "Join a group first: answer the survey and accept the group "
            "agreement, then wait for your instructor to form groups.",
            403,
        )
    return found


def _member_seat(rnd: RolePlayRound, person: Person) -> RolePlaySeat:
    seat = seat_of(rnd, person)
    if seat is None:
        raise RolePlayError("You have no role in this round.", 403)
    return seat


def _require_turn(part: Participation, rnd: RolePlayRound) -> None:
    if not part.takes_part_in(rnd):
        raise RolePlayError("This round belongs to another group.", 403)
    group_rounds = part.rounds if rnd.group_id == part.group.id else rounds_of_group(rnd.group_id)
    if current_round(group_rounds) is not rnd and rnd.status != DONE:
        raise RolePlayError("Finish the earlier rounds first.", 409)


def start_round(part: Participation, person: Person, rnd: RolePlayRound) -> None:
    """A member starts the round (the cards stay as they are; the timer may run)."""
    _require_turn(part, rnd)
    _member_seat(rnd, person)
    if rnd.status != READY:
        raise RolePlayError("This round has already started.", 409)
    rnd.status, rnd.started_at = IN_PROGRESS, clock.now()
    db.session.flush()


def end_round(activity: Activity, part: Participation, person: Person, rnd: RolePlayRound) -> None:
    """A member ends the role-play: feedback is now due and every card is readable."""
    _require_turn(part, rnd)
    _member_seat(rnd, person)
    if rnd.status != IN_PROGRESS:
        raise RolePlayError("Only a round in progress can be ended.", 409)
    rnd.status, rnd.ended_at = FEEDBACK_DUE, clock.now()
    db.session.flush()
    _after_change(activity, rnd)


def _save_rating(
    rnd: RolePlayRound, author: Person, kind: str, ratings: Mapping[str, int], feedback: str
) -> RolePlayRating:
    row = rating_by(rnd, author, kind)
    if row is None:
        row = RolePlayRating(round_id=rnd.id, author_id=author.id, kind=kind)
        db.session.add(row)
    row.ratings = dict(ratings)
    row.feedback = feedback
    db.session.flush()
    return row


def submit_feedback(
    activity: Activity,
    part: Participation,
    person: Person,
    rnd: RolePlayRound,
    ratings: Mapping[str, int],
    feedback: str,
) -> None:
    """An observer (the client, in a pair) rates the practitioner on the checklist
    and writes feedback. Refused (403) for anyone who did not observe the round."""
    seat = seat_of(rnd, person) if part.takes_part_in(rnd) else None
    if seat is None or seat not in givers_of(rnd):
        raise RolePlayError("You did not observe this round, so you cannot give its feedback.", 403)
    if rnd.status == READY:
        raise RolePlayError("Feedback can be given once the round has started.", 409)
    text = rich_text(feedback, limit=10000)
    if not text:
        raise RolePlayError("Write some feedback for the practitioner.", 422)
    _save_rating(rnd, person, OBSERVER_RATING, ratings, text)
    _after_change(activity, rnd)


def submit_self_rating(
    activity: Activity,
    part: Participation,
    person: Person,
    rnd: RolePlayRound,
    ratings: Mapping[str, int],
) -> None:
    """The practitioner rates themselves on the same checklist (after the round)."""
    seat = seat_of(rnd, person) if part.takes_part_in(rnd) else None
    if seat is None or seat.role != PRACTITIONER:
        raise RolePlayError("Only the round's practitioner rates themselves.", 403)
    if rnd.status not in ENDED:
        raise RolePlayError("Rate yourself once the round has ended.", 409)
    _save_rating(rnd, person, SELF_RATING, ratings, "")
    _after_change(activity, rnd)


def advance_round(activity: Activity, staff: Person, rnd: RolePlayRound) -> str:
    """Staff move a stuck round to its next status; returns the new status."""
    index = STATUSES.index(rnd.status)
    if rnd.status == DONE:
        raise RolePlayError("This round is already done.", 409)
    rnd.status = STATUSES[index + 1]
    now = clock.now()
    if rnd.status == IN_PROGRESS:
        rnd.started_at = now
    elif rnd.status == FEEDBACK_DUE:
        rnd.ended_at = now
    rnd.advanced_by_id = staff.id
    db.session.flush()
    log.info("role-play round %s advanced to %s by staff", rnd.public_id, rnd.status)
    if rnd.status == DONE or completion_rule(activity) == "rounds_played":
        check_completion(activity, rnd.group_id)
    return rnd.status


@dataclass(frozen=True)
class Rerun:
    """What a re-run with a replacement did, for the confirmation."""

    replacement: Person
    absent: Person
    #: The round added so the absentee still practises (they lost that turn), if any.
    make_up: int | None


def rerun_with_replacement(
    activity: Activity, staff: Person, rnd: RolePlayRound, absent_id: str, replacement_id: str
) -> Rerun:
    """Someone is absent: the round is played again from the start with a person
    from another group of the activity in the absent person's seat and role.
    Ratings already given for the round are discarded; an absent practitioner gets
    a round added to practise in."""
    published = rounds.published_of(activity)
    replacement: Person | None = None
    if published is not None:
        replacement = db.session.scalar(
            select(Person)
            .join(GroupingMember, GroupingMember.person_id == Person.id)
            .where(
                GroupingMember.round_id == published.id,
                GroupingMember.group_id != rnd.group_id,
                Person.public_id == replacement_id,
            )
        )
    if replacement is None:
        raise RolePlayError("Choose a replacement from another group of this activity.", 422)
    try:
        plan = replace_absentee(plan_of(rnd), absent_id, replacement.public_id)
    except RotationError as exc:
        raise RolePlayError(
            str(exc)
            .replace(absent_id, "that person")
            .replace(replacement.public_id, replacement.display_name),
            422,
        ) from exc
    seat = next(s for s in rnd.seats if s.person.public_id == absent_id)
    assert plan.role_of(replacement.public_id) == seat.role
    # The seat's owner stays the group's member who is away (not the one replaced,
    # when a replacement is replaced in turn).
    seat.stands_in_for_id = seat.stands_in_for_id or seat.person_id
    absent = seat.person
    seat.person = replacement
    for rating in ratings_of(rnd):
        db.session.delete(rating)
    rnd.status, rnd.started_at, rnd.ended_at = READY, None, None
    rnd.advanced_by_id = staff.id
    db.session.flush()
    log.info(
        "role-play round %s re-run: %s replaced by %s",
        rnd.public_id,
        absent_id,
        replacement.public_id,
    )
    # The absentee keeps a practitioner turn: a round is added when this was theirs.
    group = db.session.get(GroupingGroup, rnd.group_id)
    make_up = None
    if group is not None:
        before = {r.id for r in rounds_of_group(group)}
        after = adapt_group(
            activity, group, keep_turn_for=(absent_id,) if seat.role == PRACTITIONER else ()
        )
        make_up = next(
            (
                r.number
                for r in after
                if r.id not in before
                and any(s.person_id == absent.id and s.role == PRACTITIONER for s in r.seats)
            ),
            None,
        )
    return Rerun(replacement, absent, make_up)


def _after_change(activity: Activity, rnd: RolePlayRound) -> None:
    """A round whose feedback is all in is done; then completion is checked (as soon
    as a round ends under the "rounds played" rule)."""
    if rnd.status == FEEDBACK_DUE and not owed(rnd):
        rnd.status = DONE
        db.session.flush()
    if rnd.status == DONE or (rnd.status in ENDED and completion_rule(activity) == "rounds_played"):
        check_completion(activity, rnd.group_id)
