"""Late joiners of a published round: placed without moving anyone and without
growing any group above the activity's maximum (lti_app.domain.matching.late).

Whoever cannot be placed waits; the instructor sees why and may allow, for one
person, a group of one above the maximum, or let the people waiting form a
smaller group now, or wait for more people. The preview on the activity page
and the action use the round's seed, so the page shows what the button does.

Side effects: ``add_late_joiners_to`` inserts members/groups and flushes; the
request commits.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection
from dataclasses import dataclass, field

from lti_app.domain.matching import Grouping, add_late_joiners
from lti_app.extensions import db
from lti_app.peer_activities.grouping.cohort import Cohort
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember, GroupingRound
from lti_app.peer_activities.grouping.rounds import (
    RoundError,
    _evaluate,
    _options_of,
    describe,
    history_for,
    late_joiners,
    member_ids,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WaitingView:
    public_id: str
    name: str
    reason: str
    #: Position of the group that would take them at one above the maximum.
    over_max_position: int | None
    over_max_size: int


@dataclass(frozen=True)
class LatePlan:
    """What "Add them to groups" does now: who joins which group, who waits."""

    joins: list[tuple[str, int]] = field(default_factory=list)
    waiting: list[WaitingView] = field(default_factory=list)
    #: The people waiting could form one (smaller) group together now.
    together: bool = False
    min_size: int = 0
    max_size: int = 0


def _run(
    rnd: GroupingRound, cohort: Cohort, over_max: Collection[str] = (), small_group: bool = False
) -> tuple[list[str], Grouping]:
    if rnd.is_draft:
        raise RoundError("Late joiners are added to published groups; this is a draft.")
    newcomers = late_joiners(rnd, cohort)
    if not newcomers:
        raise RoundError("Nobody is waiting for a group.")
    existing = member_ids(rnd)
    everyone = sorted({p for g in existing for p in g} | set(newcomers))
    missing = [p for p in everyone if p not in cohort.learners]
    if missing:
        raise RoundError(
            "Some group members have no intake answers any more: "
            + ", ".join(cohort.name(p) for p in missing)
            + "."
        )
    grouping = add_late_joiners(
        existing,
        [cohort.learners[p] for p in newcomers],
        [cohort.learners[p] for p in everyone],
        _options_of(rnd),
        history=history_for(rnd.course_id, exclude=rnd.id),
        reporting_lines=cohort.reporting_lines,
        rng=random.Random(rnd.seed or 0),
        over_max=over_max,
        small_group=small_group,
    )
    return newcomers, grouping


def _plan(rnd: GroupingRound, cohort: Cohort, newcomers: list[str], grouping: Grouping) -> LatePlan:
    fresh = set(newcomers)
    joins = sorted(
        (
            (cohort.name(p), position)
            for position, g in enumerate(grouping.groups, 1)
            for p in g.members
            if p in fresh
        ),
        key=lambda j: (j[1], j[0]),
    )
    waiting = []
    for w in grouping.waiting:
        target = w.over_max_group
        waiting.append(
            WaitingView(
                w.id,
                cohort.name(w.id),
                describe(cohort, w.reason),
                None if target is None else target + 1,
                0 if target is None else len(grouping.groups[target].members) + 1,
            )
        )
    options = _options_of(rnd)
    return LatePlan(
        joins,
        waiting,
        any(w.together for w in grouping.waiting),
        options.min_size,
        options.max_size,
    )


def preview_late_joiners(rnd: GroupingRound, cohort: Cohort) -> LatePlan:
    """What pressing "Add them to groups" would do now (nothing is written)."""
    try:
        newcomers, grouping = _run(rnd, cohort)
    except RoundError:
        return LatePlan()
    return _plan(rnd, cohort, newcomers, grouping)


def add_late_joiners_to(
    rnd: GroupingRound, cohort: Cohort, *, over_max: Collection[str] = (), small_group: bool = False
) -> LatePlan:
    """Place the late joiners who fit (and, if the instructor allowed it, ``over_max``
    people one above a maximum, or the waiting people as one smaller group);
    nobody already grouped moves. Returns who joined where and who still waits."""
    newcomers, grouping = _run(rnd, cohort, over_max, small_group)
    history = history_for(rnd.course_id, exclude=rnd.id)
    for index, result in enumerate(grouping.groups):
        if index < len(rnd.groups):
            group = rnd.groups[index]
        else:
            group = GroupingGroup(position=index + 1)
            rnd.groups.append(group)
        already = {m.person.public_id for m in group.members}
        for pid in result.members:
            if pid not in already:
                group.members.append(
                    GroupingMember(
                        round_id=rnd.id, person_id=cohort.entries[pid].person.id, added_late=True
                    )
                )
        group.score = result.score
        group.reasons = [describe(cohort, r) for r in result.reasons]
    rnd.notes = [*rnd.notes, *(describe(cohort, n) for n in grouping.notes)]
    db.session.flush()
    _evaluate(rnd, cohort, history)
    plan = _plan(rnd, cohort, newcomers, grouping)
    log.info(
        "round %s: %d late joiners placed, %d waiting",
        rnd.public_id,
        len(plan.joins),
        len(plan.waiting),
    )
    return plan
