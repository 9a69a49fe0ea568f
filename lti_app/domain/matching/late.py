"""Late joiners: place newcomers without moving anyone already placed.

Rule, with ``m`` newcomers and ``room`` free seats (``max_size - size`` summed
over the existing groups):

1. Newcomers go into existing groups with a free seat. The most constrained go
   first (most keep-apart partners; ties by the rng). Each takes the allowed
   group (no manager, skip-level or, with the option, same-manager clash) with
   the best resulting score. At most ``k`` newcomers go in this way: the
   largest ``k <= min(room, m)`` that leaves either nobody or at least
   ``min_size`` newcomers for new groups (else ``k = min(room, m)``).
2. Two or more newcomers left over form new groups among themselves, by
   ``form_groups`` (same leftover rule, so two people become a pair, with a
   note).
3. A single newcomer left over joins the best allowed existing group even
   beyond ``max_size`` (never 10 or more), with a note. If no group allows
   them, ``InfeasibleGrouping`` is raised.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

from .engine import _NO_LINES, _Context, form_groups
from .model import MAX_GROUP, Grouping, InfeasibleGrouping, Learner, MatchOptions, PastGroup


def _room_quota(m: int, room: int, min_size: int) -> int:
    for k in range(min(room, m), -1, -1):
        if m - k == 0 or m - k >= min_size:
            return k
    return min(room, m)


def add_late_joiners(
    existing: Sequence[Sequence[str]],
    newcomers: Sequence[Learner],
    learners: Sequence[Learner],
    options: MatchOptions,
    *,
    history: Sequence[PastGroup] = (),
    reporting_lines: Mapping[str, str] = _NO_LINES,
    rng: random.Random,
) -> Grouping:
    """Place ``newcomers`` without moving anyone (see the module docstring).

    The result lists the existing groups first, in their order and each with all
    its members (members in ``learners`` order), then the new groups.
    ``learners`` holds everyone's profile; a newcomer missing from it is taken
    from ``newcomers``. Raises ``InfeasibleGrouping`` when a newcomer is already
    in a group, an existing member has no profile, or the newcomers cannot be
    placed without breaking a rule.
    """
    profiles = list(learners)
    known = {p.id for p in profiles}
    profiles.extend(p for p in newcomers if p.id not in known)
    ctx = _Context(profiles, options, history, reporting_lines)
    groups: list[list[int]] = []
    placed: set[int] = set()
    for group in existing:
        members: list[int] = []
        for person in group:
            i = ctx.index.get(person)
            if i is None:
                raise InfeasibleGrouping(
                    f"{person} is in an existing group but has no profile.", (person,)
                )
            if i in placed:
                raise InfeasibleGrouping(f"{ctx.label(i)} is in two existing groups.", (person,))
            placed.add(i)
            members.append(i)
        groups.append(members)
    fresh: list[int] = []
    for newcomer in newcomers:
        i = ctx.index[newcomer.id]
        if i in placed:
            raise InfeasibleGrouping(f"{ctx.label(i)} is already in a group.", (newcomer.id,))
        if i not in fresh:
            fresh.append(i)
    rng.shuffle(fresh)
    everyone = set(range(len(profiles)))
    fresh.sort(key=lambda i: -sum(1 for j in everyone if j != i and ctx.conflicts.clash(i, j)))

    fits = ctx.conflicts.fits
    score = ctx.scorer.score
    room = sum(max(0, options.max_size - len(g)) for g in groups)
    quota = _room_quota(len(fresh), room, options.min_size)
    joined = 0
    leftover: list[int] = []
    for i in fresh:
        if joined < quota:
            target = _best_group(groups, i, options.max_size, fits, score)
            if target is not None:
                groups[target].append(i)
                joined += 1
                continue
        leftover.append(i)

    notes: list[str] = []
    if joined:
        notes.append(
            f"{joined} newcomer{'s' if joined > 1 else ''} joined existing groups with room."
        )
    new_groups: list[list[int]] = []
    if len(leftover) == 1:
        i = leftover[0]
        target = _best_group(groups, i, MAX_GROUP, fits, score)
        if target is None:
            raise InfeasibleGrouping(
                f"{ctx.label(i)} cannot join any existing group without sitting with their "
                f"manager or a report, and cannot form a group alone.",
                (ctx.learners[i].id,),
            )
        groups[target].append(i)
        if len(groups[target]) > options.max_size:
            notes.append(
                f"{ctx.label(i)} joined a group that is now {len(groups[target])}, above the "
                f"maximum of {options.max_size}, because a single newcomer cannot form a group."
            )
    elif leftover:
        lines = dict(reporting_lines)
        for p in profiles:
            if p.reports_to:
                lines[p.id] = p.reports_to
        sub = form_groups(
            [ctx.learners[i] for i in sorted(leftover)],
            options,
            history=history,
            reporting_lines=lines,
            rng=rng,
        )
        new_groups = [[ctx.index[p] for p in g.members] for g in sub.groups]
        notes.append(
            f"{len(leftover)} newcomers formed {len(new_groups)} new "
            f"group{'s' if len(new_groups) > 1 else ''}."
        )
        notes.extend(sub.notes)
    return ctx.grouping([(g, False) for g in groups + new_groups], notes)


def _best_group(
    groups: list[list[int]],
    i: int,
    limit: int,
    fits: Callable[[int, Sequence[int]], bool],
    score: Callable[[Sequence[int]], float],
) -> int | None:
    """The group ``i`` may join (below ``limit`` members, no clash) that scores
    best with them; ties go to the earlier group."""
    best: int | None = None
    best_value = 0.0
    for g, members in enumerate(groups):
        if len(members) < limit and fits(i, members):
            value = score(sorted([*members, i]))
            if best is None or value > best_value + 1e-12:
                best, best_value = g, value
    return best
