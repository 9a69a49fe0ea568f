"""The exact batch solver (max-flow with load bounds) and its explanations."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence

from .model import AllocationError
from .problem import Problem


def solve(p: Problem, rng: random.Random) -> list[list[int]]:
    """Exact allocation by max-flow with per-reviewer load bounds.

    Network: source → submission (capacity k) → eligible reviewer (1) → sink
    (capacity ``lo`` = ⌊S·k/R⌋ in phase 1, then ``hi`` = ⌈S·k/R⌉ in phase 2).
    Augmenting paths never lower the flow into the sink, so the phase-1 floor
    survives phase 2. Phase 1 short of ``R·lo`` or phase 2 short of ``S·k``
    means no allocation exists (any valid one, cut down to ``lo`` per reviewer,
    would give a larger flow). Cost O(S·k · S·R): meant for small or tight cases.
    """
    n_sub, n_rev, k = len(p.subs), len(p.revs), p.k
    lo, extra = divmod(n_sub * k, n_rev)
    hi = lo + (1 if extra else 0)
    order = list(range(n_rev))
    rng.shuffle(order)  # which eligible reviewer is tried first
    rank = {r: i for i, r in enumerate(order)}
    assigned: list[set[int]] = [set() for _ in range(n_sub)]
    holders: list[set[int]] = [set() for _ in range(n_rev)]
    load = [0] * n_rev
    need = [k] * n_sub

    def augment(cap: int) -> tuple[bool, set[int], set[int]]:
        """One shortest augmenting path; (found, reached subs, reached reviewers)."""
        came_sub: dict[int, int] = {}  # submission -> reviewer it was reached from (-1: root)
        came_rev: dict[int, int] = {}  # reviewer -> submission it was reached from
        queue: deque[int] = deque()
        for s in range(n_sub):
            if need[s] > 0:
                came_sub[s] = -1
                queue.append(s)
        while queue:
            s = queue.popleft()
            for r in order:
                if r in came_rev or r in p.banned[s] or r in assigned[s]:
                    continue
                came_rev[r] = s
                if load[r] < cap:
                    load[r] += 1
                    while True:  # walk back: each submission takes r, gives up the one before
                        s_at = came_rev[r]
                        assigned[s_at].add(r)
                        holders[r].add(s_at)
                        r_before = came_sub[s_at]
                        if r_before == -1:
                            need[s_at] -= 1
                            return True, set(), set()
                        assigned[s_at].discard(r_before)
                        holders[r_before].discard(s_at)
                        r = r_before
                for s2 in holders[r]:
                    if s2 not in came_sub:
                        came_sub[s2] = r
                        queue.append(s2)
        return False, set(came_sub), set(came_rev)

    for cap, target in ((lo, n_rev * lo), (hi, n_sub * k)):
        flow = sum(load)
        while flow < target:
            found, subs, revs = augment(cap)
            if not found:
                if cap == lo:
                    short = sorted(p.revs[r] for r in range(n_rev) if load[r] < lo)
                    raise AllocationError(_why_idle(short, lo), tuple(short))
                stuck = sorted(p.subs[s].id for s in subs)
                raise AllocationError(_why_stuck(p, stuck, len(revs), hi), tuple(stuck))
            flow += 1
    slots: list[list[int]] = []
    for s in range(n_sub):
        revs_s = sorted(assigned[s], key=rank.__getitem__)
        slots.append(revs_s)
    return slots


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")


def _why_idle(short: Sequence[str], lo: int) -> str:
    return (
        f"balanced loads need every reviewer to do at least {lo} review(s), but authorship "
        f"and must-not-review pairs leave too few submissions for {_names(short)}; remove "
        "pairs, lower k, or take those reviewers out of the batch"
    )


def _why_stuck(p: Problem, stuck: Sequence[str], n_revs: int, hi: int) -> str:
    return (
        f"submissions {_names(stuck)} cannot all get {p.k} reviewers: the {n_revs} "
        f"reviewer(s) allowed to review them can do at most {hi} review(s) each with "
        "balanced loads; remove must-not-review pairs, lower k or add reviewers"
    )
