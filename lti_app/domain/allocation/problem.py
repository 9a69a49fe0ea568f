"""Indices and eligibility shared by the batch allocator and its exact solver."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from .model import SubmissionState


def blocked_by(forbidden: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Person -> the people they must not review (symmetric)."""
    blocked: dict[str, set[str]] = {}
    for a, b in forbidden:
        blocked.setdefault(a, set()).add(b)
        blocked.setdefault(b, set()).add(a)
    return blocked


class Problem:
    """Indices and eligibility for the batch allocator."""

    def __init__(
        self,
        submissions: Sequence[SubmissionState],
        reviewers: Sequence[str],
        k: int,
        forbidden: Collection[tuple[str, str]],
    ) -> None:
        self.subs = list(submissions)
        self.revs = list(reviewers)
        self.k = k
        self.index = {r: i for i, r in enumerate(self.revs)}
        blocked = blocked_by(forbidden)
        # Reviewer indices each submission must not get.
        self.banned: list[frozenset[int]] = []
        for sub in self.subs:
            bad: set[int] = set()
            for author in sub.authors:
                i = self.index.get(author)
                if i is not None:
                    bad.add(i)
                for other in blocked.get(author, ()):
                    j = self.index.get(other)
                    if j is not None:
                        bad.add(j)
            self.banned.append(frozenset(bad))
