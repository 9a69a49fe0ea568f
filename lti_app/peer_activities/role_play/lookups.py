"""Read-only lookups of role-play rounds: settings, scoped finds, seats, and who
still owes what. Used by the flow (``services``), completion, and the pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, exists, select
from sqlalchemy.orm import joinedload, selectinload

from lti_app.courses.models import Person
from lti_app.domain.rotation import PRACTITIONER, RoundPlan, Seat, feedback_givers
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play import COMPLETION_RULES
from lti_app.peer_activities.role_play.models import (
    DONE,
    FEEDBACK_DUE,
    OBSERVER_RATING,
    SELF_RATING,
    RolePlayCompletion,
    RolePlayRating,
    RolePlayRound,
    RolePlaySeat,
)

#: Cards of other roles become readable once the round has ended.
ENDED = (FEEDBACK_DUE, DONE)


def fixed_rounds(activity: Activity) -> int | None:
    """The number of rounds the instructor fixed; None (the default): each group
    plays one round per member, so everyone practises."""
    raw = (activity.settings or {}).get("rounds")
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 12 else None


def completion_rule(activity: Activity) -> str:
    raw = (activity.settings or {}).get("completion")
    return raw if raw in COMPLETION_RULES else COMPLETION_RULES[0]


def round_of(activity: Activity, public_id: str) -> RolePlayRound | None:
    """Scoped lookup: a round of another activity gives None."""
    found: RolePlayRound | None = db.session.scalar(
        select(RolePlayRound).where(
            RolePlayRound.public_id == public_id, RolePlayRound.activity_id == activity.id
        )
    )
    return found


def with_seats() -> Any:
    return selectinload(RolePlayRound.seats).joinedload(RolePlaySeat.person)


def rounds_of_group(group: GroupingGroup | int) -> list[RolePlayRound]:
    """The group's rounds in order, with their seats and people (two statements)."""
    group_id = group if isinstance(group, int) else group.id
    return list(
        db.session.scalars(
            select(RolePlayRound)
            .where(RolePlayRound.group_id == group_id)
            .options(with_seats())
            .order_by(RolePlayRound.number)
        )
    )


def rounds_of_groups(group_ids: Sequence[int]) -> dict[int, list[RolePlayRound]]:
    """Rounds of several groups at once (the instructor's overview), by group id, with
    their seats and people: one statement."""
    found: dict[int, list[RolePlayRound]] = {gid: [] for gid in group_ids}
    if not group_ids:
        return found
    for rnd in db.session.scalars(
        select(RolePlayRound)
        .where(RolePlayRound.group_id.in_(group_ids))
        .options(joinedload(RolePlayRound.seats).joinedload(RolePlaySeat.person))
        .order_by(RolePlayRound.group_id, RolePlayRound.number)
    ).unique():
        found[rnd.group_id].append(rnd)
    return found


@cache
def _rounds_of_player() -> Any:
    """:func:`rounds_of_player`'s statement, built once per process (bound
    ``:activity``, ``:group``, ``:grouping_round``, ``:person``)."""
    person = bindparam("person", type_=Integer)
    group = bindparam("group", type_=Integer)
    activity = bindparam("activity", type_=Integer)
    elsewhere = RolePlayRound.group_id.in_(
        select(GroupingGroup.id).where(
            GroupingGroup.round_id == bindparam("grouping_round", type_=Integer)
        )
    ) & RolePlayRound.seats.any(RolePlaySeat.person_id == person)
    completed = exists().where(
        RolePlayCompletion.activity_id == activity, RolePlayCompletion.person_id == person
    )
    return (
        select(RolePlayRound, completed)
        .where(RolePlayRound.activity_id == activity, (RolePlayRound.group_id == group) | elsewhere)
        .options(
            joinedload(RolePlayRound.seats).joinedload(RolePlaySeat.person),
            joinedload(RolePlayRound.logistics),
        )
        .order_by(RolePlayRound.number, RolePlayRound.group_id)
    )


def rounds_of_player(
    activity: Activity, group: GroupingGroup, person: Person
) -> tuple[list[RolePlayRound], list[RolePlayRound], bool | None]:
    """The group's rounds, the rounds of other groups of the same grouping round in
    which ``person`` has a seat (standing in for an absentee), each in order, with
    their seats and people, and whether the person has completed the activity
    (None when there is no round to read it with), and each round's group's
    logistics (meeting place, proposed times): one statement."""
    own: list[RolePlayRound] = []
    guest: list[RolePlayRound] = []
    done: bool | None = None
    params = {
        "activity": activity.id,
        "group": group.id,
        "grouping_round": group.round_id,
        "person": person.id,
    }
    for rnd, flag in db.session.execute(_rounds_of_player(), params).unique():
        (own if rnd.group_id == group.id else guest).append(rnd)
        done = bool(flag)
    return own, guest, done


@cache
def _ratings_of_rounds() -> Select[Any]:
    """Every rating of the ``:rounds`` (expanding), authors joined: built once."""
    return (
        select(RolePlayRating)
        .where(RolePlayRating.round_id.in_(bindparam("rounds", expanding=True)))
        .options(joinedload(RolePlayRating.author))
        .order_by(RolePlayRating.id)
    )


def ratings_for(rounds: Sequence[RolePlayRound]) -> dict[int, list[RolePlayRating]]:
    """Every rating of ``rounds`` in one statement, by round id (oldest first)."""
    found: dict[int, list[RolePlayRating]] = {r.id: [] for r in rounds}
    if not rounds:
        return found
    for rating in db.session.scalars(_ratings_of_rounds(), {"rounds": list(found)}):
        found[rating.round_id].append(rating)
    return found


def ratings_of_activity(activity: Activity) -> dict[int, list[RolePlayRating]]:
    """Every rating of the activity's rounds in one statement, by round id (oldest
    first): the instructor's overview and the cohort's skills read the same rows."""
    found: dict[int, list[RolePlayRating]] = defaultdict(list)
    for rating in db.session.scalars(
        select(RolePlayRating)
        .join(RolePlayRound, RolePlayRound.id == RolePlayRating.round_id)
        .where(RolePlayRound.activity_id == activity.id)
        .options(joinedload(RolePlayRating.author))
        .order_by(RolePlayRating.id)
    ):
        found[rating.round_id].append(rating)
    return found


def seat_of(rnd: RolePlayRound, person: Person) -> RolePlaySeat | None:
    return next((s for s in rnd.seats if s.person_id == person.id), None)


def plan_of(rnd: RolePlayRound) -> RoundPlan:
    """The round as the domain sees it (members by person public id)."""
    return RoundPlan(rnd.number, tuple(Seat(s.person.public_id, s.role) for s in rnd.seats))


def givers_of(rnd: RolePlayRound) -> list[RolePlaySeat]:
    """Seats that owe the practitioner feedback: observers, or the client in a pair."""
    wanted = set(feedback_givers(plan_of(rnd)))
    return [s for s in rnd.seats if s.person.public_id in wanted]


def practitioner_of(rnd: RolePlayRound) -> RolePlaySeat | None:
    return next((s for s in rnd.seats if s.role == PRACTITIONER), None)


def current_round(group_rounds: Sequence[RolePlayRound]) -> RolePlayRound | None:
    """The first round not done yet (None: all done)."""
    return next((r for r in group_rounds if r.status != DONE), None)


def rating_by(rnd: RolePlayRound, author: Person, kind: str) -> RolePlayRating | None:
    found: RolePlayRating | None = db.session.scalar(
        select(RolePlayRating).where(
            RolePlayRating.round_id == rnd.id,
            RolePlayRating.author_id == author.id,
            RolePlayRating.kind == kind,
        )
    )
    return found


# -- who owes what -------------------------------------------------------------------


def ratings_of(rnd: RolePlayRound) -> list[RolePlayRating]:
    return list(
        db.session.scalars(
            select(RolePlayRating)
            .where(RolePlayRating.round_id == rnd.id)
            .order_by(RolePlayRating.id)
        )
    )


def owed(
    rnd: RolePlayRound, given: Sequence[RolePlayRating] | None = None
) -> list[tuple[RolePlaySeat, str]]:
    """Who still owes something for the round: (seat, "feedback" | "self-rating")."""
    rows = ratings_of(rnd) if given is None else given
    done = {(r.author_id, r.kind) for r in rows}
    result = [(s, "feedback") for s in givers_of(rnd) if (s.person_id, OBSERVER_RATING) not in done]
    practitioner = practitioner_of(rnd)
    if practitioner is not None and (practitioner.person_id, SELF_RATING) not in done:
        result.append((practitioner, "self-rating"))
    return result


def own_rating(
    rnd: RolePlayRound, person: Person, kind: str, given: Sequence[RolePlayRating] | None = None
) -> RolePlayRating | None:
    """The person's rating of ``kind`` for the round (from ``given`` when loaded)."""
    if given is None:
        return rating_by(rnd, person, kind)
    return next((r for r in given if r.author_id == person.id and r.kind == kind), None)
