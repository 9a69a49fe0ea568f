"""Late joiners: place newcomers without moving anyone, never above a maximum.

Rule, with ``m`` newcomers (in the order they arrived) and ``room`` free seats
(``max_size - size`` summed over the existing groups):

1. Newcomers go into existing groups below ``max_size``. The most constrained
   go first (most keep-apart partners; ties keep the arrival order). Each takes
   the allowed group (no manager, skip-level or, with the option, same-manager
   clash) with the best resulting score. At most ``k`` newcomers go in this way:
   the largest ``k <= min(room, m)`` that leaves either nobody or a number of
   newcomers that can form groups inside the size range (else ``k = min(room, m)``).
2. The newcomers left, if at least ``min_size``, form new groups among
   themselves by ``form_groups``, strictly inside the size range: the earliest
   ``t`` arrivals for the largest ``t`` that the range and the rules allow.
3. Anyone still left tries every group below its maximum again (new groups too).
4. Whoever is left **waits**: no group grows above ``max_size`` and nobody is
   moved. Each ``Waiting`` says why, which group would take them at one above
   the maximum, and whether the waiting people could form a group together now.
   The instructor may then allow exactly those: ``over_max`` (ids who may join
   a group growing to ``max_size + 1``) and ``small_group`` (the waiting people
   form one group below the minimum). Otherwise they wait for more people.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence

from .engine import _NO_LINES, _Context, form_groups, plan_is_feasible
from .model import Grouping, InfeasibleGrouping, Learner, MatchOptions, PastGroup, Waiting
from .sizes import range_fits


def _room_quota(m: int, room: int, min_size: int, max_size: int) -> int:
    for k in range(min(room, m), -1, -1):
        rest = m - k
        if rest == 0 or (rest >= min_size and range_fits(rest, min_size, max_size)):
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
    over_max: Collection[str] = (),
    small_group: bool = False,
) -> Grouping:
    """Place ``newcomers`` without moving anyone (see the module docstring).

    The result lists the existing groups first, in their order and each with all
    its members (members in ``learners`` order), then the new groups; the
    people who wait are in ``Grouping.waiting``. ``learners`` holds everyone's
    profile; a newcomer missing from it is taken from ``newcomers``. Raises
    ``InfeasibleGrouping`` when a newcomer is already in a group or an existing
    member has no profile.
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
    arrival: list[int] = []
    for newcomer in newcomers:
        i = ctx.index[newcomer.id]
        if i in placed:
            raise InfeasibleGrouping(f"{ctx.label(i)} is already in a group.", (newcomer.id,))
        if i not in arrival:
            arrival.append(i)
    clash = ctx.conflicts.clash
    everyone = range(len(profiles))
    degree = {i: sum(1 for j in everyone if j != i and clash(i, j)) for i in arrival}
    fits = ctx.conflicts.fits
    score = ctx.scorer.score
    top = options.max_size
    room = sum(max(0, top - len(g)) for g in groups)
    quota = _room_quota(len(arrival), room, options.min_size, top)
    notes: list[str] = []
    joined: list[int] = []
    for i in sorted(arrival, key=lambda i: -degree[i]):
        if len(joined) < quota:
            target = _best_group(groups, i, top, fits, score)
            if target is not None:
                groups[target].append(i)
                joined.append(i)
    left = [i for i in arrival if i not in joined]
    new_groups = _new_groups(ctx, left, options, history, reporting_lines, rng)
    grouped = {i for g in new_groups for i in g}
    if new_groups:
        notes.append(
            f"{len(grouped)} newcomers formed {len(new_groups)} new "
            f"group{'s' if len(new_groups) > 1 else ''}."
        )
    left = [i for i in left if i not in grouped]
    everything = groups + new_groups
    for i in sorted(left, key=lambda i: -degree[i]):
        target = _best_group(everything, i, top, fits, score)
        if target is not None:
            everything[target].append(i)
            joined.append(i)
    left = [i for i in left if i not in joined]
    if joined:
        count = len(joined)
        notes.insert(0, f"{count} newcomer{'s' if count > 1 else ''} joined groups with room.")
    for i in [i for i in left if ctx.learners[i].id in over_max]:
        target = _best_group(groups, i, top + 1, fits, score)
        if target is not None:
            groups[target].append(i)
            left.remove(i)
            notes.append(
                f"{ctx.label(i)} joined a group that is now {len(groups[target])}, one above "
                f"the maximum of {top}, as the instructor allowed."
            )
    together = len(left) >= 2 and all(fits(i, left) for i in left)
    if small_group and together:
        everything.append(list(left))
        notes.append(
            f"{len(left)} waiting newcomers formed a group of {len(left)}, below the minimum "
            f"of {options.min_size}, as the instructor allowed."
        )
        left = []
        together = False
    waiting = tuple(
        Waiting(
            id=ctx.learners[i].id,
            reason=_why_waiting(ctx, groups, i, len(left)),
            over_max_group=_best_group(groups, i, top + 1, fits, score),
            together=together,
        )
        for i in left
    )
    if waiting:
        count = len(waiting)
        notes.append(f"{count} newcomer{'s' if count > 1 else ''} wait for a group.")
    grouping = ctx.grouping([(g, False) for g in everything], notes)
    return Grouping(
        groups=grouping.groups,
        worst=grouping.worst,
        mean=grouping.mean,
        repeats=grouping.repeats,
        notes=grouping.notes,
        waiting=waiting,
    )


def _new_groups(
    ctx: _Context,
    left: list[int],
    options: MatchOptions,
    history: Sequence[PastGroup],
    reporting_lines: Mapping[str, str],
    rng: random.Random,
) -> list[list[int]]:
    """New groups of the earliest ``t`` waiting arrivals, for the largest ``t``
    that forms groups inside the size range without breaking a rule."""
    lines = dict(reporting_lines)
    for p in ctx.learners:
        if p.reports_to:
            lines[p.id] = p.reports_to
    for t in range(len(left), options.min_size - 1, -1):
        if not range_fits(t, options.min_size, options.max_size):
            continue
        chosen = [ctx.learners[i] for i in sorted(left[:t])]
        if plan_is_feasible(chosen, options, reporting_lines=lines) is None:
            continue
        sub = form_groups(chosen, options, history=history, reporting_lines=lines, rng=rng)
        return [[ctx.index[p] for p in g.members] for g in sub.groups]
    return []


def _why_waiting(ctx: _Context, groups: list[list[int]], i: int, waiting: int) -> str:
    """Why ``i`` waits: no room, or who in each group with room they must avoid."""
    top = ctx.options.max_size
    clashes: list[str] = []
    for position, members in enumerate(groups, start=1):
        if len(members) >= top:
            continue
        other = next((j for j in members if ctx.conflicts.clash(i, j)), None)
        if other is not None:
            clashes.append(f"group {position} ({ctx.relation(i, other)})")
    if clashes:
        first = "the groups with room would break a rule: " + "; ".join(clashes)
    else:
        first = f"every group already has its maximum of {top}"
    low = ctx.options.min_size
    if waiting < low:
        return (
            f"{first}, and {waiting} waiting {'person is' if waiting == 1 else 'people are'} "
            f"fewer than the {low} a new group needs."
        )
    return f"{first}, and the people waiting cannot form a group without breaking a rule."


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
