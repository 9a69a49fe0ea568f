"""Each group's rotation in the database: planned the first time anyone looks,
and adapted whenever the group changes, so every member gets a practitioner turn.

* First look: one round per member by default (``lti_app.domain.rotation``), or
  the number the instructor fixed; everyone starts on their least-played role.
* Later looks compare the rounds with who is in the group today. A late joiner
  (placed by grouping), someone who left the course, or — under "one round per
  member" — a member without a practitioner seat (the setting changed, or an
  absentee lost their turn) re-plans the rounds not started yet through
  ``lti_app.domain.rotation_changes``: started rounds are never touched.

Side effects: inserts/updates/deletes rounds and seats and flushes; the request
commits. Adapting takes a row lock on the group (PostgreSQL), so two first looks
at the same moment change it once.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Enrolment, Person
from lti_app.domain.rotation import (
    PRACTITIONER,
    plan_rotation,
    rounds_for,
    without_practice,
)
from lti_app.domain.rotation_changes import Adaptation, adapt_rotation
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play.lookups import (
    fixed_rounds,
    plan_of,
    rounds_of_group,
    rounds_of_groups,
    with_seats,
)
from lti_app.peer_activities.role_play.models import READY, RolePlayRound, RolePlaySeat

log = logging.getLogger(__name__)


def prior_counts(activity: Activity, person_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """How often each person played each role in the course's other role-play
    activities (the rotation starts everyone on their least-played role)."""
    rows = db.session.execute(
        select(RolePlaySeat.person_id, RolePlaySeat.role, func.count(RolePlaySeat.id))
        .join(RolePlayRound, RolePlayRound.id == RolePlaySeat.round_id)
        .join(Activity, Activity.id == RolePlayRound.activity_id)
        .where(
            Activity.course_id == activity.course_id,
            Activity.id != activity.id,
            RolePlaySeat.person_id.in_(person_ids),
        )
        .group_by(RolePlaySeat.person_id, RolePlaySeat.role)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for person_id, role, n in rows:
        counts.setdefault(person_id, {})[role] = n
    return counts


def prior_by_public_id(activity: Activity, people: Sequence[Person]) -> dict[str, dict[str, int]]:
    by_id = prior_counts(activity, [p.id for p in people])
    return {p.public_id: by_id.get(p.id, {}) for p in people}


def _active_ids(activity: Activity, person_ids: Collection[int]) -> set[int]:
    """Who of ``person_ids`` is still active in the activity's course."""
    if not person_ids:
        return set()
    return set(
        db.session.scalars(
            select(Enrolment.person_id).where(
                Enrolment.course_id == activity.course_id,
                Enrolment.status == "active",
                Enrolment.person_id.in_(list(person_ids)),
            )
        )
    )


def ensure_plan(
    activity: Activity,
    group: GroupingGroup,
    *,
    known: Mapping[int, bool] | None = None,
    rounds: list[RolePlayRound] | None = None,
) -> list[RolePlayRound]:
    """The group's rounds, planned on first look and adapted to who is in the group
    (``known``: person id → still active in the course, as already read;
    ``rounds``: the group's rounds with their seats, as already read)."""
    loaded = None if rounds is None else {group.id: rounds}
    return plans_and_roster(activity, [group], known=known, loaded=loaded)[0][group.id]


def ensure_plans(
    activity: Activity, groups: Sequence[GroupingGroup]
) -> dict[int, list[RolePlayRound]]:
    """The rounds of each group by group id, planned or adapted as needed."""
    return plans_and_roster(activity, groups)[0]


def plans_and_roster(
    activity: Activity,
    groups: Sequence[GroupingGroup],
    *,
    known: Mapping[int, bool] | None = None,
    loaded: dict[int, list[RolePlayRound]] | None = None,
) -> tuple[dict[int, list[RolePlayRound]], set[int]]:
    """``ensure_plans``, and the ids of the people (members and seated) still active
    in the course: one statement for the rounds with their seats, one for who is
    active (none when ``known`` says it for everyone: person id → active), plus
    what planning or adapting a changed group costs. ``loaded``: the groups'
    rounds (with seats) as already read, by group id."""
    found = loaded if loaded is not None else rounds_of_groups([g.id for g in groups])
    ids = {m.person_id for g in groups for m in g.members} | {
        s.person_id for rounds in found.values() for r in rounds for s in r.seats
    }
    known = known or {}
    active = {i for i in ids if known.get(i)} | _active_ids(activity, ids - set(known))
    for group in groups:
        rounds = found[group.id]
        if not rounds:
            found[group.id] = _plan_fresh(activity, group, active)
        elif _out_of_date(activity, group, rounds, active):
            found[group.id] = adapt_group(activity, group)
            active |= _active_ids(
                activity, {s.person_id for r in found[group.id] for s in r.seats} - ids
            )
    return found, active


def _members(group: GroupingGroup, active: Collection[int]) -> list[Person]:
    return [m.person for m in group.members if m.person_id in active]


def _out_of_date(
    activity: Activity,
    group: GroupingGroup,
    rounds: Sequence[RolePlayRound],
    active: Collection[int],
) -> bool:
    """Someone joined (no seat anywhere, not stood in for), someone seated in a
    round not started has left (the course, or the group), or (one round per
    member) a member has no practitioner seat."""
    members = {p.id for p in _members(group, active)}
    seated = {s.person_id for r in rounds for s in r.seats} | {
        s.stands_in_for_id for r in rounds for s in r.seats if s.stands_in_for_id
    }
    if members - seated:
        return True
    if any(
        s.person_id not in active or (s.person_id not in members and not s.stands_in_for_id)
        for r in rounds
        if r.status == READY
        for s in r.seats
    ):
        return True
    if fixed_rounds(activity) is None and len(members) >= 2:
        practised = {s.person_id for r in rounds for s in r.seats if s.role == PRACTITIONER}
        return bool(members - practised)
    return False


def _plan_fresh(
    activity: Activity, group: GroupingGroup, active: Collection[int]
) -> list[RolePlayRound]:
    members = _members(group, active)
    if len(members) < 2:
        return []
    people = {p.public_id: p for p in members}
    schedule = plan_rotation(
        sorted(people),
        rounds_for(len(people), fixed_rounds(activity)),
        prior_by_public_id(activity, members),
    )
    try:
        with db.session.begin_nested():
            for plan in schedule.rounds:
                rnd = RolePlayRound(
                    activity_id=activity.id, group_id=group.id, number=plan.number, status=READY
                )
                rnd.seats = [RolePlaySeat(person=people[s.member], role=s.role) for s in plan.seats]
                db.session.add(rnd)
            db.session.flush()
    except IntegrityError:  # planned by a concurrent first look: read theirs
        db.session.expire_all()
    log.info(
        "role-play: rotation of %d rounds planned for group %s (%s)",
        len(schedule.rounds),
        group.public_id,
        "; ".join(schedule.reasons),
    )
    return rounds_of_group(group)


def adapt_group(
    activity: Activity, group: GroupingGroup, *, keep_turn_for: Collection[str] = ()
) -> list[RolePlayRound]:
    """Re-plan the group's rounds not started yet for who is in it today (see the
    module docstring). ``keep_turn_for``: members who just lost their practitioner
    seat to a replacement and must get one back even under a fixed round count."""
    # One adaptation at a time per group; the loser re-reads the winner's rounds.
    db.session.execute(
        select(GroupingGroup.id).where(GroupingGroup.id == group.id).with_for_update()
    )
    rounds = list(
        db.session.scalars(
            select(RolePlayRound)
            .where(RolePlayRound.group_id == group.id)
            .options(with_seats())
            .order_by(RolePlayRound.number)
            .execution_options(populate_existing=True)
        )
    )
    db.session.refresh(group, ["members"])
    seats = [s for r in rounds for s in r.seats]
    member_ids = {m.person_id for m in group.members}
    active = _active_ids(activity, member_ids | {s.person_id for s in seats})
    members = _members(group, active)
    people = {p.public_id: p for p in members} | {s.person.public_id: s.person for s in seats}
    pids = sorted(p.public_id for p in members)
    # Replacements still in the course stay; the members they stand in for are away.
    stand_ins = {
        s.person.public_id
        for s in seats
        if s.stands_in_for_id and s.person_id in active and s.person_id not in member_ids
    }
    away = {p.public_id for p in members if any(s.stands_in_for_id == p.id for s in seats)}
    played = [plan_of(r) for r in rounds if r.status != READY]
    planned = [plan_of(r) for r in rounds if r.status == READY]
    exempt: tuple[str, ...] = ()
    if fixed_rounds(activity) is not None:
        seated = {s.person.public_id for s in seats} | away
        exempt = tuple(
            m
            for m in without_practice([*played, *planned], pids)
            if m in seated and m not in keep_turn_for
        )
    change = adapt_rotation(
        played,
        planned,
        pids,
        stand_ins=stand_ins,
        away=away,
        exempt=exempt,
        prior=prior_by_public_id(activity, members),
    )
    if not change.changed:
        return rounds
    try:
        with db.session.begin_nested():
            _write(activity, group, rounds, change, people)
    except IntegrityError:  # adapted concurrently (SQLite has no row lock)
        db.session.expire_all()
    log.info(
        "role-play: group %s re-planned: joined %s, left %s, %d rounds dropped, %d added",
        group.public_id,
        list(change.joined),
        list(change.left),
        len(change.dropped),
        sum(1 for r in change.rounds if r.was is None),
    )
    return rounds_of_group(group)


def _write(
    activity: Activity,
    group: GroupingGroup,
    rounds: Sequence[RolePlayRound],
    change: Adaptation,
    people: dict[str, Person],
) -> None:
    ready = {r.number: r for r in rounds if r.status == READY}
    for number in change.dropped:
        db.session.delete(ready[number])
    db.session.flush()
    # Renumber through negative numbers: (group, number) is unique at every step.
    moving = [
        (ready[p.was], p.plan.number)
        for p in change.rounds
        if p.was is not None and p.was != p.plan.number
    ]
    for rnd, _ in moving:
        rnd.number = -rnd.number
    db.session.flush()
    for rnd, number in moving:
        rnd.number = number
    for planned in change.rounds:
        wanted = {s.member: s.role for s in planned.plan.seats}
        if planned.was is None:
            rnd = RolePlayRound(
                activity_id=activity.id, group_id=group.id, number=planned.plan.number, status=READY
            )
            db.session.add(rnd)
        else:
            rnd = ready[planned.was]
            for seat in list(rnd.seats):
                role = wanted.pop(seat.person.public_id, None)
                if role is None:
                    rnd.seats.remove(seat)
                else:
                    seat.role = role
        rnd.seats.extend(RolePlaySeat(person=people[m], role=r) for m, r in wanted.items())
    db.session.flush()
