"""Batch allocation at a deadline: the shuffled-ring deal, swap repair, and
the exact solver as fallback (rule in the package docstring)."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from .flow import solve
from .model import Allocation, AllocationError, SubmissionState
from .problem import Problem

#: Random repair attempts per conflicting slot before a full scan.
_RANDOM_TRIES = 64


def _check_input(submissions: Sequence[SubmissionState], reviewers: Sequence[str], k: int) -> None:
    if k < 1:
        raise AllocationError("k (reviews per submission) must be at least 1")
    seen: set[str] = set()
    for sub in submissions:
        if sub.id in seen:
            raise AllocationError(f"submission {sub.id} is listed twice", (sub.id,))
        seen.add(sub.id)
    if len(set(reviewers)) != len(reviewers):
        dup = sorted({r for r in reviewers if reviewers.count(r) > 1})
        raise AllocationError(f"reviewer {dup[0]} is listed twice", (dup[0],))
    if submissions and not reviewers:
        raise AllocationError("there are submissions but no reviewers")


def _why_short(p: Problem, s: int) -> str:
    sub = p.subs[s]
    own = sum(1 for a in sub.authors if a in p.index)
    pairs = len(p.banned[s]) - own
    eligible = len(p.revs) - len(p.banned[s])
    parts = [f"{own} {'is an author' if own == 1 else 'are its authors'}"] if own else []
    if pairs:
        parts.append(f"{pairs} must not review an author")
    because = f" ({'; '.join(parts)})" if parts else ""
    return (
        f"submission {sub.id} needs {p.k} reviewers but only {eligible} of the "
        f"{len(p.revs)} reviewers may review it{because}; lower k or add reviewers "
        "(volunteers or staff)"
    )


def allocate_batch(
    submissions: Sequence[SubmissionState],
    reviewers: Sequence[str],
    *,
    k: int,
    forbidden: Collection[tuple[str, str]] = (),
    rng: random.Random,
) -> Allocation:
    """Give every submission exactly ``k`` distinct reviewers with loads within
    one of each other, or raise ``AllocationError`` (see the module docstring)."""
    _check_input(submissions, reviewers, k)
    p = Problem(submissions, reviewers, k, forbidden)
    if not p.subs:
        return Allocation({}, {r: 0 for r in p.revs}, k, "ring")
    for s in range(len(p.subs)):
        if len(p.revs) - len(p.banned[s]) < k:
            raise AllocationError(_why_short(p, s), (p.subs[s].id,))
    slots = _ring(p, rng)
    repaired = _repair(p, slots, rng)
    method = "ring"
    if repaired is None:
        slots = solve(p, rng)
        repaired, method = 0, "flow"
    return _result(p, slots, method, repaired)


def _result(p: Problem, slots: list[list[int]], method: str, repaired: int) -> Allocation:
    loads = [0] * len(p.revs)
    reviewers_of: dict[str, tuple[str, ...]] = {}
    for s, revs in enumerate(slots):
        for r in revs:
            loads[r] += 1
        reviewers_of[p.subs[s].id] = tuple(p.revs[r] for r in revs)
    return Allocation(
        reviewers_of=reviewers_of,
        loads={p.revs[i]: n for i, n in enumerate(loads)},
        k=p.k,
        method=method,
        repaired=repaired,
    )


def _ring(p: Problem, rng: random.Random) -> list[list[int]]:
    """Deal S×k slots round a shuffled ring: submission i (shuffled order) gets
    ring positions i·k … i·k+k−1 (mod R)."""
    ring = list(range(len(p.revs)))
    rng.shuffle(ring)
    order = list(range(len(p.subs)))
    rng.shuffle(order)
    n, k = len(ring), p.k
    slots: list[list[int]] = [[] for _ in p.subs]
    t = 0
    for s in order:
        slots[s] = [ring[(t + c) % n] for c in range(k)]
        t += k
    return slots


def _repair(p: Problem, slots: list[list[int]], rng: random.Random) -> int | None:
    """Swap reviewers between slots until no slot breaks a rule; the number of
    repaired slots, or ``None`` when some conflict cannot be fixed by a swap."""
    conflicts = [
        (s, c) for s, revs in enumerate(slots) for c, r in enumerate(revs) if r in p.banned[s]
    ]
    n_sub = len(slots)

    def swap_ok(s: int, c: int, s2: int, c2: int) -> bool:
        r, r2 = slots[s][c], slots[s2][c2]
        return (
            s2 != s
            and r2 not in p.banned[s]
            and r2 not in slots[s]
            and r not in p.banned[s2]
            and r not in slots[s2]
        )

    repaired = 0
    for s, c in conflicts:
        if slots[s][c] not in p.banned[s]:
            continue  # fixed by an earlier swap
        done = False
        for _ in range(_RANDOM_TRIES):
            s2 = rng.randrange(n_sub)
            c2 = rng.randrange(p.k)
            if swap_ok(s, c, s2, c2):
                done = True
                break
        if not done:
            start = rng.randrange(n_sub)
            for off in range(n_sub):
                s2 = (start + off) % n_sub
                for c2 in range(p.k):
                    if swap_ok(s, c, s2, c2):
                        done = True
                        break
                if done:
                    break
        if not done:
            return None
        slots[s][c], slots[s2][c2] = slots[s2][c2], slots[s][c]
        repaired += 1
    return repaired
