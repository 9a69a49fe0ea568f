"""Submissions short of their ``k`` reviews: how many each lacks, whether peers
can still close the gap, and why not, in sentences an instructor can act on.

Two moments use it. While reviews are open, ``shortfalls(..., unavoidable_only=True)``
names the submissions that can *never* get ``k`` peer reviews, whatever
anyone does: fewer than ``k`` learners may review them at all (their own
authors and anyone in a reporting line with an author are excluded). When the
review phase closes, ``shortfalls`` lists every submission still below ``k``
(completed reviews plus live leases), with how many reviewers could still take
it, so the instructor picks a remedy: volunteers, a staff review, or accepting
fewer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .model import SubmissionState
from .problem import blocked_by


@dataclass(frozen=True)
class Shortfall:
    """One submission below ``k`` reviews.

    ``eligible``: the reviewers who may review it at all (not an author, no
    reporting line with an author); ``blocked``: reviewers kept off it by a
    reporting line only; ``available``: eligible reviewers who have not
    reviewed it and hold no lease on it (who could still take it).
    """

    submission: str
    completed: int
    in_progress: int
    k: int
    eligible: int
    blocked: int
    available: int

    @property
    def missing(self) -> int:
        """Reviews it still lacks, counting reviews in progress as coming."""
        return max(0, self.k - self.completed - self.in_progress)

    @property
    def unavoidable(self) -> bool:
        """Peers can never give it ``k`` reviews: fewer than ``k`` may review it."""
        return self.eligible < self.k

    def reason(self) -> str:
        """Why it is short, in plain words (no names: the caller adds the author)."""
        have = f"{self.completed} of {self.k} reviews"
        if self.in_progress:
            have += f" ({self.in_progress} more in progress)"
        if self.unavoidable:
            why = f"only {self.eligible} learner{'s' if self.eligible != 1 else ''} may review it"
            if self.blocked:
                why += (
                    f" ({self.blocked} {'is' if self.blocked == 1 else 'are'} in a "
                    "reporting line with its author)"
                )
            return f"{have}: {why}, so peers alone cannot give it {self.k}"
        if self.available:
            return (
                f"{have}: {self.available} learner{'s' if self.available != 1 else ''} "
                "who could review it did not get to it"
            )
        return f"{have}: everyone who may review it has already reviewed it"


def shortfalls(
    submissions: Sequence[SubmissionState],
    reviewers: Collection[str],
    *,
    k: int,
    forbidden: Collection[tuple[str, str]] = (),
    reviewed: Mapping[str, Collection[str]] | None = None,
    unavoidable_only: bool = False,
) -> tuple[Shortfall, ...]:
    """Every submission whose completed + in-progress reviews are below ``k``
    (or, with ``unavoidable_only``, every submission fewer than ``k`` of
    ``reviewers`` may review, whatever its count), oldest first.

    ``reviewers`` are the people who may review at all (the learners of the
    cohort); ``reviewed`` maps a submission id to the reviewers who reviewed it
    or hold a lease on it (they cannot take it again)."""
    blocked_of = blocked_by(forbidden)
    seen = reviewed or {}
    pool = set(reviewers)
    out: list[Shortfall] = []
    for sub in sorted(submissions, key=lambda s: (s.submitted_at, s.id)):
        total = sub.completed + sub.in_progress
        authors = sub.authors
        blocked = set().union(*(blocked_of.get(a, set()) for a in authors)) - authors
        eligible = pool - authors - blocked
        if unavoidable_only:
            if len(eligible) >= k:
                continue
        elif total >= k:
            continue
        out.append(
            Shortfall(
                submission=sub.id,
                completed=sub.completed,
                in_progress=sub.in_progress,
                k=k,
                eligible=len(eligible),
                blocked=len(blocked & (pool - authors)),
                available=len(eligible - set(seen.get(sub.id, ()))),
            )
        )
    return tuple(out)
