"""Does everyone practise? Per-person practice counts for the instructor, who would
never be the practitioner (in the draft groups, before publishing, and in the
published rotations, before they are played), and the one-click fix: one round
per member for every group.

Side effects: only ``use_one_round_per_member`` writes (the activity's settings,
and the rounds it adds through ``planning``); it flushes, the request commits.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lti_app.courses.models import Person
from lti_app.domain.rotation import (
    CLIENT,
    OBSERVER,
    PRACTITIONER,
    plan_rotation,
    without_practice,
)
from lti_app.extensions import db
from lti_app.peer_activities.grouping import rounds as grouping_rounds
from lti_app.peer_activities.grouping import state as grouping_state
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play.lookups import ENDED, fixed_rounds
from lti_app.peer_activities.role_play.models import RolePlayRound
from lti_app.peer_activities.role_play.planning import ensure_plans, prior_by_public_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PracticeCount:
    """One person's seats in their group's rotation (played and planned)."""

    name: str
    practitioner: int
    client: int
    observer: int
    #: Practitioner turns already played (the round ended).
    practised: int

    @property
    def never(self) -> bool:
        return self.practitioner == 0


def practice_counts(
    members: Sequence[Person], rounds: Sequence[RolePlayRound]
) -> list[PracticeCount]:
    """Each member's practitioner / client / observer seats over the group's rounds."""
    seats: dict[int, Counter[str]] = {m.id: Counter() for m in members}
    played: Counter[int] = Counter()
    for rnd in rounds:
        for seat in rnd.seats:
            if seat.person_id in seats:
                seats[seat.person_id][seat.role] += 1
                if seat.role == PRACTITIONER and rnd.status in ENDED:
                    played[seat.person_id] += 1
    return [
        PracticeCount(
            m.display_name,
            seats[m.id][PRACTITIONER],
            seats[m.id][CLIENT],
            seats[m.id][OBSERVER],
            played[m.id],
        )
        for m in members
    ]


@dataclass(frozen=True)
class Gap:
    """A group in which some people would never be the practitioner."""

    position: int
    size: int
    rounds: int
    names: tuple[str, ...]


def draft_gaps(activity: Activity) -> list[Gap]:
    """Who would never practise in the draft groups under the fixed round count
    (empty under one round per member, or without a draft)."""
    fixed = fixed_rounds(activity)
    draft = grouping_state.rounds_in_force(activity)[0] if fixed is not None else None
    if fixed is None or draft is None:
        return []
    groups = [(g.position, [m.person for m in g.members]) for g in draft.groups]
    too_big = [(pos, people) for pos, people in groups if len(people) > fixed]
    if not too_big:
        return []
    prior = prior_by_public_id(activity, [p for _, people in too_big for p in people])
    gaps = []
    for position, people in too_big:
        names = {p.public_id: p.display_name for p in people}
        schedule = plan_rotation(sorted(names), fixed, prior)
        missing = without_practice(schedule.rounds, sorted(names))
        gaps.append(Gap(position, len(people), fixed, tuple(sorted(names[m] for m in missing))))
    return gaps


def use_one_round_per_member(activity: Activity) -> list[tuple[int, int]]:
    """Drop the fixed round count: each group plays one round per member. Published
    groups whose rotation leaves someone out get the rounds they need (rounds
    already played stay). Returns (group position, rounds) of the published groups."""
    settings = dict(activity.settings or {})
    settings.pop("rounds", None)
    activity.settings = settings
    db.session.flush()
    published = grouping_rounds.published_of(activity)
    groups = list(published.groups) if published is not None else []
    plans = ensure_plans(activity, groups)
    log.info("role-play %s: one round per member from now on", activity.public_id)
    return [(g.position, len(plans[g.id])) for g in groups]
