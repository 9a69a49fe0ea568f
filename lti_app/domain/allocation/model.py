"""The value types and the error of reviewer allocation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime


class AllocationError(ValueError):
    """No allocation satisfies the rules (or the input contradicts itself).

    ``reason`` is a sentence the instructor can act on; ``ids`` are the
    submissions or reviewers it is about (the bottleneck first).
    """

    def __init__(self, reason: str, ids: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ids = ids


@dataclass(frozen=True)
class SubmissionState:
    """One submission as the allocator sees it.

    ``authors`` has several ids for a group submission. ``completed`` counts
    finished reviews; ``in_progress`` counts reviews leased and not yet expired.
    ``allocate_batch`` only uses ``id`` and ``authors``.
    """

    id: str
    authors: frozenset[str]
    submitted_at: datetime
    completed: int = 0
    in_progress: int = 0

    def __post_init__(self) -> None:
        if not self.authors:
            raise AllocationError(f"submission {self.id} has no author", (self.id,))
        if self.completed < 0 or self.in_progress < 0:
            raise AllocationError(f"submission {self.id} has a negative review count", (self.id,))


@dataclass(frozen=True)
class Choice:
    """The just-in-time answer: the submission id (or ``None``) and why."""

    submission: str | None
    reason: str


@dataclass(frozen=True)
class Allocation:
    """A batch allocation.

    ``reviewers_of`` maps each submission id to its ``k`` reviewers; ``loads``
    maps every reviewer (including those given nothing) to their number of
    reviews; ``method`` is ``"ring"`` or ``"flow"``; ``repaired`` counts the
    slots fixed by swapping after the ring deal.
    """

    reviewers_of: Mapping[str, tuple[str, ...]]
    loads: Mapping[str, int]
    k: int
    method: str
    repaired: int = 0
    notes: tuple[str, ...] = field(default=())

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Every ``(reviewer, submission)`` pair."""
        for sub, revs in self.reviewers_of.items():
            for r in revs:
                yield r, sub

    def submissions_of(self, reviewer: str) -> tuple[str, ...]:
        """The submissions ``reviewer`` is to review (in allocation order)."""
        return tuple(s for s, revs in self.reviewers_of.items() if reviewer in revs)

    @property
    def spread(self) -> int:
        """max − min load over all reviewers (0 with no reviewers)."""
        values = list(self.loads.values())
        return max(values) - min(values) if values else 0

    def explain(self) -> tuple[str, ...]:
        """Sentences for the instructor: what was allocated and how."""
        n_sub = len(self.reviewers_of)
        n_rev = len(self.loads)
        counts: dict[int, int] = {}
        for v in self.loads.values():
            counts[v] = counts.get(v, 0) + 1
        spread = ", ".join(
            f"{c} reviewer{'s' if c != 1 else ''} do {load}"
            for load, c in sorted(counts.items(), reverse=True)
        )
        out = [
            f"{n_sub} submissions × {self.k} reviews = {n_sub * self.k} reviews "
            f"over {n_rev} reviewers: {spread} (max − min = {self.spread}).",
            "Nobody reviews their own or their group's submission or anyone they "
            "must not review; nobody reviews a submission twice.",
        ]
        if self.method == "ring":
            how = "Dealt round a shuffled ring of reviewers"
            if self.repaired:
                how += f"; {self.repaired} conflicting slot(s) repaired by swapping reviewers"
            out.append(how + ".")
        else:
            out.append("Solved exactly as a flow problem (the ring deal could not be repaired).")
        out.extend(self.notes)
        return tuple(out)
