"""Rounds of groups for an activity: look rounds up, form a draft with the matching
engine, and what is read after publishing (late joiners, who left, a learner's
group). Moving people, locking groups, checking and publishing a draft are in
``draft_edits``; adding late joiners is in ``latecomers``.

History (every published round of the course, newest first) feeds the engine's
repeat penalty, so people are not put together again and again across rounds and
across the course's activities.

Side effects: inserts/updates/deletes rows and flushes; the request commits.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

from sqlalchemy import func, select

from lti_app.courses.models import Course, Person
from lti_app.db import utcnow
from lti_app.domain.matching import (
    MatchOptions,
    PastGroup,
    evaluate_groups,
    form_groups,
)
from lti_app.extensions import db
from lti_app.peer_activities.grouping.cohort import Cohort
from lti_app.peer_activities.grouping.models import (
    DRAFT,
    PUBLISHED,
    GroupingGroup,
    GroupingMember,
    GroupingRound,
)
from lti_app.peer_activities.grouping.size_settings import size_range
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)

#: Published rounds further back than this no longer weigh on the repeat penalty.
HISTORY_ROUNDS = 12


class RoundError(ValueError):
    """Something the instructor asked for cannot be done; the message says why."""


def size_bounds(activity: Activity) -> tuple[int, int]:
    """The group size range from the activity's settings (see ``size_settings``)."""
    return size_range(activity.activity_type or "", activity.settings)


def match_options(
    activity: Activity,
    *,
    avoid_same_manager: bool = False,
    organisations: str = "ignore",
    allow_same_manager: Sequence[str] = (),
    allow_skip_level: Sequence[str] = (),
) -> MatchOptions:
    low, high = size_bounds(activity)
    return MatchOptions(
        min_size=low,
        max_size=high,
        avoid_same_manager=avoid_same_manager,
        organisations=organisations,
        allow_same_manager=tuple(allow_same_manager),
        allow_skip_level=tuple(allow_skip_level),
    )


def _options_of(rnd: GroupingRound) -> MatchOptions:
    known = {f.name for f in dataclasses.fields(MatchOptions)}
    return MatchOptions(**{k: v for k, v in (rnd.options or {}).items() if k in known})


def describe(cohort: Cohort, text: str) -> str:
    """Engine sentences name non-learners by id: show names instead."""
    return re.sub(r"\bext:", "", cohort.describe(text))


# -- lookups -------------------------------------------------------------------------


def round_of(activity: Activity, public_id: str) -> GroupingRound | None:
    """Scoped lookup: a round of another activity gives None."""
    found: GroupingRound | None = db.session.scalar(
        select(GroupingRound).where(
            GroupingRound.public_id == public_id, GroupingRound.activity_id == activity.id
        )
    )
    return found


def group_of(rnd: GroupingRound, public_id: str) -> GroupingGroup | None:
    return next((g for g in rnd.groups if g.public_id == public_id), None)


def draft_of(activity: Activity) -> GroupingRound | None:
    found: GroupingRound | None = db.session.scalar(
        select(GroupingRound)
        .where(GroupingRound.activity_id == activity.id, GroupingRound.status == DRAFT)
        .order_by(GroupingRound.number.desc())
        .limit(1)
    )
    return found


def published_of(activity: Activity) -> GroupingRound | None:
    """The round in force: the activity's latest published round."""
    found: GroupingRound | None = db.session.scalar(
        select(GroupingRound)
        .where(GroupingRound.activity_id == activity.id, GroupingRound.status == PUBLISHED)
        .order_by(GroupingRound.number.desc())
        .limit(1)
    )
    return found


def published_count(activity: Activity) -> int:
    count: int = (
        db.session.scalar(
            select(func.count(GroupingRound.id)).where(
                GroupingRound.activity_id == activity.id, GroupingRound.status == PUBLISHED
            )
        )
        or 0
    )
    return count


def history_for(course_id: int, *, exclude: int | None = None) -> list[PastGroup]:
    """The groups of the course's published rounds (any activity), newest first:
    ``rounds_ago`` 1 is the latest published round."""
    rounds = (
        db.session.execute(
            select(GroupingRound.id)
            .where(
                GroupingRound.course_id == course_id,
                GroupingRound.status == PUBLISHED,
                GroupingRound.id != (exclude or 0),
            )
            .order_by(GroupingRound.published_at.desc(), GroupingRound.id.desc())
            .limit(HISTORY_ROUNDS)
        )
        .scalars()
        .all()
    )
    if not rounds:
        return []
    ago = {round_id: n for n, round_id in enumerate(rounds, start=1)}
    members: dict[int, set[str]] = {}
    group_round: dict[int, int] = {}
    for round_id, group_id, pid in db.session.execute(
        select(GroupingMember.round_id, GroupingMember.group_id, Person.public_id)
        .join(Person, Person.id == GroupingMember.person_id)
        .where(GroupingMember.round_id.in_(rounds))
    ):
        members.setdefault(group_id, set()).add(pid)
        group_round[group_id] = round_id
    return [
        PastGroup(frozenset(people), ago[group_round[gid]])
        for gid, people in sorted(members.items())
        if len(people) > 1
    ]


def count_repeats(groups: Iterable[Sequence[str]], history: Sequence[PastGroup]) -> int:
    """Pairs in ``groups`` who already shared a group in ``history``."""
    met = {frozenset(pair) for past in history for pair in combinations(sorted(past.members), 2)}
    return sum(
        1 for group in groups for pair in combinations(sorted(group), 2) if frozenset(pair) in met
    )


def member_ids(rnd: GroupingRound) -> list[list[str]]:
    return [[m.person.public_id for m in g.members] for g in rnd.groups]


# -- forming a draft -------------------------------------------------------------------


def form_draft(
    activity: Activity,
    course: Course,
    cohort: Cohort,
    creator: Person,
    options: MatchOptions,
    *,
    seed: int | None = None,
) -> GroupingRound:
    """Group the cohort's eligible learners into the activity's draft round (created,
    or replaced keeping its locked groups).

    Raises RoundError when fewer than two people can be grouped, and the engine's
    InfeasibleGrouping when the reporting lines leave no valid grouping (nothing is
    written then).
    """
    # One draft at a time per activity: a second instructor pressing "Form groups" at
    # the same moment waits here (PostgreSQL row lock), then replaces the first draft.
    db.session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    eligible = cohort.eligible
    if len(eligible) < 2:
        raise RoundError(
            "At least two learners need to complete the intake survey before groups can be formed."
        )
    draft = draft_of(activity)
    allowed = set(eligible)
    locked: list[list[str]] = []
    if draft is not None:
        for group in draft.groups:
            kept = [m.person.public_id for m in group.members if m.person.public_id in allowed]
            if group.locked and len(kept) >= 2:
                locked.append(kept)
    history = history_for(course.id)
    seed = secrets.randbelow(2**31) if seed is None else seed
    grouping = form_groups(
        [cohort.learners[p] for p in eligible],
        options,
        history=history,
        locked=locked,
        reporting_lines=cohort.reporting_lines,
        rng=random.Random(seed),
    )
    if draft is None:
        last = (
            db.session.scalar(
                select(func.max(GroupingRound.number)).where(
                    GroupingRound.activity_id == activity.id
                )
            )
            or 0
        )
        draft = GroupingRound(
            activity_id=activity.id,
            course_id=course.id,
            number=last + 1,
            status=DRAFT,
            created_by_id=creator.id,
        )
        db.session.add(draft)
    else:
        draft.groups.clear()
    db.session.flush()  # old members go before new ones take their (round, person) seats
    draft.options = dataclasses.asdict(options)
    draft.seed = seed
    draft.notes = [describe(cohort, n) for n in grouping.notes]
    for position, result in enumerate(grouping.groups, start=1):
        group = GroupingGroup(
            position=position,
            score=result.score,
            reasons=[describe(cohort, r) for r in result.reasons],
            locked=result.locked,
        )
        draft.groups.append(group)
        for pid in result.members:
            group.members.append(
                GroupingMember(round_id=draft.id, person_id=cohort.entries[pid].person.id)
            )
    db.session.flush()
    _evaluate(draft, cohort, history)
    log.info(
        "draft round %s of activity %s formed: %d groups, worst %.2f",
        draft.public_id,
        activity.public_id,
        len(draft.groups),
        draft.worst,
    )
    return draft


def _evaluate(rnd: GroupingRound, cohort: Cohort, history: Sequence[PastGroup]) -> None:
    """Refresh every group's score, reasons and violations, and the round's summary."""
    groups = member_ids(rnd)
    people = {p for g in groups for p in g}
    checks = evaluate_groups(
        groups,
        [cohort.learners[p] for p in sorted(people) if p in cohort.learners],
        _options_of(rnd),
        history=history,
        reporting_lines=cohort.reporting_lines,
    )
    for group, check, pids in zip(rnd.groups, checks, groups, strict=True):
        group.score = check.score
        group.reasons = [describe(cohort, r) for r in check.reasons]
        group.violations = [describe(cohort, v) for v in check.violations] + [
            f"{cohort.name(p)} has left the course" for p in pids if not cohort.is_active(p)
        ]
    scores = [g.score for g in rnd.groups]
    rnd.worst = min(scores) if scores else 0.0
    rnd.mean = sum(scores) / len(scores) if scores else 0.0
    rnd.repeats = count_repeats(groups, history)
    db.session.flush()


# -- after publishing ------------------------------------------------------------------


def late_joiners(rnd: GroupingRound, cohort: Cohort) -> list[str]:
    """Eligible learners who are in no group of the round (for a draft: who finished
    the intake after it was formed), first come first."""
    placed = {p for g in member_ids(rnd) for p in g}
    waiting = [p for p in cohort.eligible if p not in placed]
    return sorted(
        waiting, key=lambda p: (cohort.intakes[p].completed_at or utcnow(), cohort.intakes[p].id)
    )


def departed(rnd: GroupingRound, cohort: Cohort) -> list[tuple[GroupingGroup, str]]:
    """(group, name) of members who are no longer active in the course."""
    return [
        (g, m.person.display_name)
        for g in rnd.groups
        for m in g.members
        if not cohort.is_active(m.person.public_id)
    ]


def learner_group(activity: Activity, person: Person) -> GroupingGroup | None:
    """The person's group in the activity's round in force (None: not grouped yet)."""
    rnd = published_of(activity)
    if rnd is None:
        return None
    found: GroupingGroup | None = db.session.scalar(
        select(GroupingGroup)
        .join(GroupingMember, GroupingMember.group_id == GroupingGroup.id)
        .where(GroupingMember.round_id == rnd.id, GroupingMember.person_id == person.id)
    )
    return found


def options_summary(options: Mapping[str, Any]) -> str:
    low, high = options.get("min_size", 3), options.get("max_size", 3)
    size = f"groups of {low}" if low == high else f"groups of {low} to {high}"
    parts = [size]
    if options.get("avoid_same_manager"):
        parts.append("people with the same manager kept apart")
    orgs = options.get("organisations", "ignore")
    if orgs != "ignore":
        parts.append(
            {"similar": "organisations kept together", "mixed": "organisations mixed"}.get(
                orgs, orgs
            )
        )
    return "; ".join(parts)
