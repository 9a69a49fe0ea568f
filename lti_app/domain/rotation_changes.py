"""A rotation that already began, adapted to who is in the group now.

Groups change after their rotation is planned: a late joiner is placed in the
group, someone leaves the course, an absent member's seat is given to a
replacement in the round they were to practise in. ``adapt_rotation`` keeps every
round that has started exactly as it was played and rewrites only the rounds not
started yet, with as little change as possible:

* people who left are taken out of the rounds not started;
* a newcomer observes every round not started, and gets a round of their own as
  practitioner (rounds are added at the end);
* a round whose practitioner left is given to a member still waiting for a turn,
  or dropped when nobody waits (the group does not play a round for nobody);
* a round whose client left gets a new client: the observer who has been client
  least, then who played client least before (``prior``), then by id;
* every member who is not ``exempt`` ends with at least one practitioner seat
  (played or planned) whenever the group has two people; ``exempt`` is for an
  instructor who fixed fewer rounds than members and accepted the gap;
* rounds not started are renumbered to fill the numbers the played rounds leave.

Deterministic: the same input always gives the same rounds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from lti_app.domain.rotation import (
    CLIENT,
    OBSERVER,
    PRACTITIONER,
    RotationError,
    RoundPlan,
    Seat,
)


@dataclass(frozen=True)
class PlannedRound:
    """A round not started yet after the change."""

    #: Its number before the change; None for a round added now.
    was: int | None
    plan: RoundPlan
    #: For an added round: the member it was added for (they practise in it).
    added_for: str | None = None


@dataclass(frozen=True)
class Adaptation:
    #: The rounds not started yet, in order, with their new numbers.
    rounds: tuple[PlannedRound, ...]
    #: Numbers (before the change) of the rounds not started that were dropped.
    dropped: tuple[int, ...]
    #: Members seated for the first time (late joiners), sorted.
    joined: tuple[str, ...]
    #: People taken out of the rounds not started (they left), sorted.
    left: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(
            self.dropped
            or self.joined
            or self.left
            or any(r.was is None or r.was != r.plan.number for r in self.rounds)
        )


def _tally(rounds: Iterator[Sequence[tuple[str, str]]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for seats in rounds:
        for member, role in seats:
            counts.setdefault(member, Counter())[role] += 1
    return counts


def adapt_rotation(
    played: Sequence[RoundPlan],
    planned: Sequence[RoundPlan],
    members: Sequence[str],
    *,
    stand_ins: Collection[str] = (),
    away: Collection[str] = (),
    exempt: Collection[str] = (),
    prior: Mapping[str, Mapping[str, int]] | None = None,
) -> Adaptation:
    """The rounds not started (``planned``) rewritten for the group's ``members``
    today, after the rounds already started (``played``, kept as they are).

    ``stand_ins`` are people of other groups seated in a planned round as an
    absentee's replacement: they stay. ``away`` are the members they stand in for
    (absent, not new: they are not seated again). Anyone else seated who is not a
    member has left. Raises RotationError on duplicate members or round numbers.
    """
    if len(set(members)) != len(members):
        raise RotationError("a member appears twice in the group")
    numbers = [p.number for p in (*played, *planned)]
    if len(set(numbers)) != len(numbers):
        raise RotationError("two rounds have the same number")
    counts_before = prior or {}
    present = set(members) | set(stand_ins)
    seated = {s.member for p in (*played, *planned) for s in p.seats} | set(away)
    joined = tuple(sorted(m for m in members if m not in seated))
    left = tuple(sorted({s.member for p in planned for s in p.seats} - present))
    work: list[tuple[int | None, list[tuple[str, str]], str | None]] = [
        (
            p.number,
            [(s.member, s.role) for s in p.seats if s.member in present]
            + [(m, OBSERVER) for m in joined],
            None,
        )
        for p in sorted(planned, key=lambda p: p.number)
    ]
    fixed = [[(s.member, s.role) for s in p.seats] for p in played]

    def counts() -> dict[str, Counter[str]]:
        return _tally(iter([*fixed, *(seats for _, seats, _ in work)]))

    def before(member: str, role: str) -> int:
        return counts_before.get(member, {}).get(role, 0)

    def waiting(tally: Mapping[str, Counter[str]]) -> list[str]:
        """Members without a practitioner seat, who must get one first."""
        return sorted(
            (m for m in members if not tally.get(m, Counter())[PRACTITIONER]),
            key=lambda m: (m in exempt, before(m, PRACTITIONER), m),
        )

    dropped: list[int] = []
    for index, (number, seats, _) in enumerate(work):
        roles = dict(seats)
        tally = counts()
        if PRACTITIONER not in roles.values():
            # Their practitioner left: a member still waiting for a turn takes it.
            candidates = [m for m in waiting(tally) if m in roles]
            if candidates:
                roles[candidates[0]] = PRACTITIONER
        if PRACTITIONER in roles.values() and CLIENT not in roles.values():
            observers = [m for m, r in roles.items() if r == OBSERVER]
            if observers:
                pick = min(
                    observers, key=lambda m: (tally.get(m, Counter())[CLIENT], before(m, CLIENT), m)
                )
                roles[pick] = CLIENT
        if PRACTITIONER not in roles.values() or CLIENT not in roles.values():
            dropped.append(number or 0)
            work[index] = (number, [], None)
            continue
        work[index] = (number, [(m, roles[m]) for m, _ in seats], None)
    work = [w for w in work if w[1]]

    # Everyone still waiting (and not exempt) gets an added round as practitioner.
    while len(members) >= 2:
        tally = counts()
        due = [m for m in waiting(tally) if m not in exempt]
        if not due:
            break
        who = due[0]
        client = min(
            (m for m in members if m != who),
            key=lambda m: (tally.get(m, Counter())[CLIENT], before(m, CLIENT), m),
        )
        seats = [
            (m, PRACTITIONER if m == who else CLIENT if m == client else OBSERVER)
            for m in sorted(members)
        ]
        work.append((None, seats, who))

    taken = {p.number for p in played}
    free = (n for n in range(1, len(numbers) + len(work) + 2) if n not in taken)
    result = tuple(
        PlannedRound(was, RoundPlan(next(free), tuple(Seat(m, r) for m, r in seats)), added_for)
        for was, seats, added_for in work
    )
    return Adaptation(result, tuple(dropped), joined, left)
