"""Just-in-time allocation: the next submission for one reviewer (rule in the
package docstring)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Collection, Sequence
from datetime import datetime

from .model import AllocationError, Choice, SubmissionState


def choose_submission(
    reviewer: str,
    submissions: Sequence[SubmissionState],
    *,
    k: int,
    forbidden: Collection[tuple[str, str]] = (),
    already: Collection[str] = (),
    rng: random.Random,
    allow_extra: bool = True,
    spread: int = 1,
) -> Choice:
    """The submission ``reviewer`` should review next, with the reason (see the
    module docstring for the rule).

    ``spread`` > 1 draws at random among the ``spread`` oldest of the submissions
    that need a review the most (same reviews completed and in progress), instead
    of always the oldest: reviewers opening at the same moment then rarely reach
    for the same one, while every pick still has the fewest reviews."""
    if k < 1:
        raise AllocationError("k (reviews per submission) must be at least 1")
    pair_set = forbidden if isinstance(forbidden, (set, frozenset)) else None
    blocked: set[str] = set()
    if pair_set is None:  # index this reviewer's pairs once; a set is probed directly
        for a, b in forbidden:
            if a == reviewer:
                blocked.add(b)
            elif b == reviewer:
                blocked.add(a)
    done = already if isinstance(already, (set, frozenset)) else set(already)
    best: tuple[int, int, int, datetime] | None = None
    b_tier, b_total, b_completed = 2, 0, 0
    tied: list[str] = []
    for sub in submissions:
        completed = sub.completed
        total = completed + sub.in_progress
        tier = 0 if total < k else 1
        # Cheap rejection on the key before any rule is checked.
        if tier > b_tier:
            continue
        if tier == b_tier:
            if total > b_total:
                continue
            if total == b_total:
                if completed > b_completed:
                    continue
                if completed == b_completed and best is not None and (sub.submitted_at > best[3]):
                    continue
        authors = sub.authors
        if reviewer in authors or sub.id in done:
            continue
        if pair_set is not None:
            if any((reviewer, a) in pair_set or (a, reviewer) in pair_set for a in authors):
                continue
        elif blocked and not blocked.isdisjoint(authors):
            continue
        key = (tier, total, completed, sub.submitted_at)
        if best is None or key < best:
            best = key
            b_tier, b_total, b_completed = tier, total, completed
            tied = [sub.id]
        else:
            tied.append(sub.id)
    if best is None:
        return Choice(
            None,
            f"no submission is open to {reviewer}: all are their own, "
            "already reviewed by them or blocked by a must-not-review pair",
        )
    if best[0] == 1 and not allow_extra:
        return Choice(
            None,
            f"every submission open to {reviewer} already has {k} reviews completed or in progress",
        )
    if spread > 1:
        tied = _oldest_equally_needy(
            reviewer, submissions, best, k, spread, pair_set, blocked, done
        )
    tied.sort()
    pick = tied[0] if len(tied) == 1 else rng.choice(tied)
    extra = (
        "extra review: every open submission already has " + str(k)
        if best[0]
        else (f"below the {k} reviews needed")
    )
    reason = (
        f"{pick}: {best[1]} review(s) completed or in progress ({best[2]} completed), "
        f"submitted {best[3].isoformat()}; {extra}"
    )
    if len(tied) > 1:
        reason += f"; drawn at random among {len(tied)} equally needy submissions"
    return Choice(pick, reason)


def _oldest_equally_needy(
    reviewer: str,
    submissions: Sequence[SubmissionState],
    best: tuple[int, int, int, datetime],
    k: int,
    spread: int,
    pair_set: Collection[tuple[str, str]] | None,
    blocked: set[str],
    done: Collection[str],
) -> list[str]:
    """Ids of the ``spread`` oldest open submissions whose need equals ``best``'s."""
    same: list[tuple[datetime, str]] = []
    for sub in submissions:
        total = sub.completed + sub.in_progress
        if (0 if total < k else 1, total, sub.completed) != best[:3]:
            continue
        if reviewer in sub.authors or sub.id in done:
            continue
        if pair_set is not None:
            if any((reviewer, a) in pair_set or (a, reviewer) in pair_set for a in sub.authors):
                continue
        elif blocked and not blocked.isdisjoint(sub.authors):
            continue
        same.append((sub.submitted_at, sub.id))
    return [sid for _at, sid in heapq.nsmallest(spread, same)]


def next_submission(
    reviewer: str,
    submissions: Sequence[SubmissionState],
    *,
    k: int,
    forbidden: Collection[tuple[str, str]] = (),
    already: Collection[str] = (),
    rng: random.Random,
    allow_extra: bool = True,
) -> str | None:
    """The id of the submission ``reviewer`` should review next, or ``None`` when
    the rules allow none (see the module docstring)."""
    return choose_submission(
        reviewer,
        submissions,
        k=k,
        forbidden=forbidden,
        already=already,
        rng=rng,
        allow_extra=allow_extra,
    ).submission
