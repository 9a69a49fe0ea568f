"""An exact answer to "can these people be split into ``g`` groups of ``lo`` to
``hi`` without a keep-apart pair in any group?".

The local search is a heuristic: when it ends with a violation, that is not a
proof that none exists. This backtracking search decides it, so the engine
only reports "impossible" when it is, and a fix it offers (``remedies``) is
checked by the same deterministic procedure that ``form_groups`` then uses.

Only people with a keep-apart partner in the pool are placed by the search;
the others fit anywhere and fill the groups up afterwards, which keeps big
cohorts with few reporting lines cheap. People are taken most constrained
first; an empty group is tried only once per step (empty groups are
interchangeable); a branch is cut when the groups still below ``lo`` need
more people than are left. The search is deterministic and bounded by
``NODE_BUDGET`` placements: past it the answer is ``UNKNOWN``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from .reporting import Conflicts

#: Placements tried before giving up with ``UNKNOWN``.
NODE_BUDGET = 20_000
#: Above this many constrained people the search is not attempted (``UNKNOWN``).
MAX_CONSTRAINED = 400


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


class _Spent(Exception):
    pass


def keep_apart(conflicts: Conflicts, people: Sequence[int]) -> dict[int, list[int]]:
    """Everyone's keep-apart partners within ``people`` (linear in the pairs, not
    quadratic in the people: same-manager peers come from one bucket each)."""
    pool = set(people)
    keys = conflicts.manager_key
    same: dict[int, list[int]] = {}
    for i in people:
        if keys[i] >= 0:
            same.setdefault(keys[i], []).append(i)
    partners: dict[int, list[int]] = {}
    for i in people:
        found = {j for j in conflicts.pairs[i] if j in pool}
        if keys[i] >= 0:
            found.update(j for j in same[keys[i]] if j != i)
        partners[i] = sorted(found)
    return partners


def exact_partition(
    conflicts: Conflicts,
    people: Sequence[int],
    groups: int,
    lo: int,
    hi: int,
    partners: dict[int, list[int]] | None = None,
) -> list[list[int]] | None | _Unknown:
    """Groups (learner indexes) that keep every pair apart, ``None`` when there
    are none, or ``UNKNOWN`` when the budget ran out first. ``partners`` may be
    given (``keep_apart``) when several plans are tried for the same people."""
    n = len(people)
    if groups <= 0 or not groups * lo <= n <= groups * hi:
        return None
    pool = set(people)
    if partners is None:
        partners = keep_apart(conflicts, people)
    constrained = sorted((i for i in people if partners[i]), key=lambda i: (-len(partners[i]), i))
    free = [i for i in people if not partners[i]]
    if len(constrained) > MAX_CONSTRAINED:
        return UNKNOWN
    members: list[list[int]] = [[] for _ in range(groups)]
    where: dict[int, int] = {}
    nodes = 0

    def deficit() -> int:
        return sum(max(0, lo - len(m)) for m in members)

    def place(k: int) -> bool:
        nonlocal nodes
        if k == len(constrained):
            return deficit() <= len(free)
        if deficit() > len(free) + len(constrained) - k:
            return False
        i = constrained[k]
        seen_empty = False
        order = sorted(range(groups), key=lambda g: (len(members[g]), g))
        for g in order:
            m = members[g]
            if len(m) >= hi:
                continue
            if not m:
                if seen_empty:
                    continue
                seen_empty = True
            if any(where.get(j) == g for j in partners[i] if j in pool):
                continue
            nodes += 1
            if nodes > NODE_BUDGET:
                raise _Spent
            m.append(i)
            where[i] = g
            if place(k + 1):
                return True
            m.pop()
            del where[i]
        return False

    try:
        if not place(0):
            return None
    except _Spent:
        return UNKNOWN
    # Fill with the unconstrained: first up to ``lo``, then the smallest groups.
    rest = list(free)
    for m in members:
        while len(m) < lo:
            m.append(rest.pop())
    for i in rest:
        smallest = min(range(groups), key=lambda g: (len(members[g]), g))
        members[smallest].append(i)
    return [sorted(m) for m in members]
