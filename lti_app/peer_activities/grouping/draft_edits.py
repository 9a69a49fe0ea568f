"""The instructor's edits to a draft round of groups: move people between groups,
lock a group, check a proposed arrangement (nothing saved), and publish. Each edit
re-checks the groups against the rules (see ``rounds``), so a move that breaks a
rule is flagged, and publishing is blocked by broken groups unless overridden.

Side effects: updates rows and flushes; the request commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from lti_app.db import utcnow
from lti_app.domain.matching import GroupCheck, evaluate_groups
from lti_app.extensions import db
from lti_app.peer_activities.grouping import rounds
from lti_app.peer_activities.grouping.cohort import Cohort
from lti_app.peer_activities.grouping.models import PUBLISHED, GroupingGroup, GroupingRound

log = logging.getLogger(__name__)


def _require_draft(rnd: GroupingRound) -> None:
    if not rnd.is_draft:
        raise rounds.RoundError("These groups are published; form a new round to change them.")


def move_members(rnd: GroupingRound, cohort: Cohort, moves: Mapping[str, str]) -> int:
    """Move people between the draft's groups: ``{person public id: group public id}``
    (``"new"`` starts a new group). Empty groups go; groups are renumbered and
    re-checked, so a move that breaks a rule is flagged, not refused. Returns the
    number of people moved."""
    _require_draft(rnd)
    groups = {g.public_id: g for g in rnd.groups}
    members = {m.person.public_id: m for g in rnd.groups for m in g.members}
    fresh: GroupingGroup | None = None
    moved = 0
    for pid, target_id in moves.items():
        member = members.get(pid)
        if member is None:
            continue
        if target_id == "new":
            if fresh is None:
                fresh = GroupingGroup(position=len(rnd.groups) + 1, score=0.0)
                rnd.groups.append(fresh)
            target = fresh
        else:
            found = groups.get(target_id)
            if found is None:
                raise rounds.RoundError("That group is no longer in the draft; reload the page.")
            target = found
        if member.group is not target:
            member.group.members.remove(member)
            target.members.append(member)
            moved += 1
    for group in [g for g in rnd.groups if not g.members]:
        rnd.groups.remove(group)
    for position, group in enumerate(rnd.groups, start=1):
        group.position = position
    db.session.flush()
    rounds._evaluate(rnd, cohort, rounds.history_for(rnd.course_id, exclude=rnd.id))
    return moved


def check_groups(
    rnd: GroupingRound, cohort: Cohort, proposed: Sequence[Sequence[str]]
) -> tuple[GroupCheck, ...]:
    """Score and rule violations of a proposed rearrangement of the draft's people
    (for live flagging while dragging); nothing is saved."""
    known = {p for g in rounds.member_ids(rnd) for p in g}
    if any(p not in known for g in proposed for p in g):
        raise rounds.RoundError("Only people in this draft can be checked.")
    people = sorted({p for g in proposed for p in g})
    return evaluate_groups(
        [list(g) for g in proposed],
        [cohort.learners[p] for p in people if p in cohort.learners],
        rounds._options_of(rnd),
        history=rounds.history_for(rnd.course_id, exclude=rnd.id),
        reporting_lines=cohort.reporting_lines,
    )


def set_locked(rnd: GroupingRound, group: GroupingGroup, locked: bool) -> None:
    """Lock a draft group (kept as it is when groups are formed again) or unlock it."""
    _require_draft(rnd)
    group.locked = locked
    db.session.flush()


def publish_round(rnd: GroupingRound, cohort: Cohort, *, override: bool = False) -> None:
    """Publish the draft: learners see their group. Groups that break a rule (after
    re-checking against today's roster) block it unless ``override``."""
    _require_draft(rnd)
    if not rnd.groups:
        raise rounds.RoundError("The draft has no groups to publish.")
    rounds._evaluate(rnd, cohort, rounds.history_for(rnd.course_id, exclude=rnd.id))
    broken = [g for g in rnd.groups if g.violations]
    if broken and not override:
        names = ", ".join(f"group {g.position}" for g in broken)
        raise rounds.RoundError(
            f"Some groups break a rule ({names}). Move people to fix them, or "
            "tick “Publish anyway”."
        )
    rnd.status = PUBLISHED
    rnd.published_at = utcnow()
    db.session.flush()
    log.info("round %s published (%d groups)", rnd.public_id, len(rnd.groups))
