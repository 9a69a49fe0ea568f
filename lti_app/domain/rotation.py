"""Role rotation for role-play groups: who plays practitioner, client and observer
in each round.

The schedule is a Latin square over a cycle of role *slots*:

* pairs (2): ``practitioner, client`` — the two swap each round; there is no
  observer, so the client also gives the practitioner feedback (the activity
  decides who gives feedback; see ``feedback_givers``);
* triads (3): ``practitioner, client, observer`` — round k gives member i the
  slot (i + k) mod 3, so in 3 rounds each person plays each role once;
* groups of 4: ``practitioner, client, observer, observer`` — two observers per
  round; over 4 rounds each person is practitioner once, client once and
  observer twice;
* larger groups (a late joiner made one bigger): more observers, same rule.

Every round has exactly one practitioner and one client. By default a group
plays one round per member (``rounds_for``), so everyone is practitioner once:
pairs 2 rounds, triads 3, groups of 4 play 4, of 5 play 5. An instructor may fix
the number instead: fewer rounds than members leaves someone who never practises
(``without_practice`` names them, so the page can say so before anyone starts);
more rounds repeat the cycle.

Across activities, the order of members on the square is chosen so each person
starts with the role they have played least so far (``prior`` counts); ties are
broken by the members' ids, so the same input always gives the same schedule.

Absentees: a round can be re-run with a replacement pulled from another group,
who takes the absent person's seat for that round (``replace_absentee``).
Membership changes once a rotation has begun (late joiners, leavers, an absentee
who lost their practitioner turn) are handled by ``rotation_changes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations

PRACTITIONER = "practitioner"
CLIENT = "client"
OBSERVER = "observer"
ROLES = (PRACTITIONER, CLIENT, OBSERVER)

#: Above this many members the order is not searched (n! orders): sorted ids are used.
_SEARCH_LIMIT = 6


class RotationError(ValueError):
    """The input cannot be scheduled; the message says why."""


@dataclass(frozen=True)
class Seat:
    member: str
    role: str


@dataclass(frozen=True)
class RoundPlan:
    """One round: every member's role (1-based ``number``)."""

    number: int
    seats: tuple[Seat, ...]

    def role_of(self, member: str) -> str | None:
        return next((s.role for s in self.seats if s.member == member), None)

    def members_in(self, role: str) -> tuple[str, ...]:
        return tuple(s.member for s in self.seats if s.role == role)


@dataclass(frozen=True)
class Schedule:
    #: Members in their order on the square (member i starts in slot i).
    members: tuple[str, ...]
    rounds: tuple[RoundPlan, ...]
    #: Why each member starts where they do, one sentence each, in ``members`` order.
    reasons: tuple[str, ...]


def role_cycle(size: int) -> tuple[str, ...]:
    """The role slots of a group of ``size`` (at least 2): practitioner, client, and
    the rest observers."""
    if size < 2:
        raise RotationError("a role-play group needs at least two people")
    return (PRACTITIONER, CLIENT) + (OBSERVER,) * (size - 2)


def feedback_givers(plan: RoundPlan) -> tuple[str, ...]:
    """Who writes feedback for the round's practitioner: the observers, or the
    client when there is no observer (pairs)."""
    observers = plan.members_in(OBSERVER)
    return observers or plan.members_in(CLIENT)


def _start_cost(
    member: str, role: str, cycle_roles: frozenset[str], prior: Mapping[str, Mapping[str, int]]
) -> int:
    """How many more times ``member`` played ``role`` than their least-played role."""
    counts = prior.get(member, {})
    least = min(counts.get(r, 0) for r in cycle_roles)
    return counts.get(role, 0) - least


def rounds_for(size: int, fixed: int | None = None) -> int:
    """How many rounds a group of ``size`` plays: the instructor's ``fixed`` number
    when there is one, else one per member (everyone is practitioner once)."""
    return fixed if fixed is not None else size


def without_practice(plans: Sequence[RoundPlan], members: Sequence[str]) -> tuple[str, ...]:
    """The ``members`` (in their order) who have no practitioner seat in ``plans``."""
    practised = {m for plan in plans for m in plan.members_in(PRACTITIONER)}
    return tuple(m for m in members if m not in practised)


def plan_rotation(
    members: Sequence[str],
    rounds: int | None = None,
    prior: Mapping[str, Mapping[str, int]] | None = None,
) -> Schedule:
    """The rotation of one group over ``rounds`` rounds (default: one per member,
    so everyone is practitioner once).

    ``prior`` maps a member to how often they played each role before (other
    activities of the course); missing counts are 0. Members are placed on the
    square so that, with fewer rounds than members, those left without a
    practitioner turn are those who practised most before; then so that the total
    "extra plays" of everyone's first role is smallest (each person starts with a
    least-played role whenever the group allows it); then by sorted member id.
    Raises RotationError for fewer than two members, duplicate members, or fewer
    than one round.
    """
    if rounds is None:
        rounds = len(members)
    if rounds < 1:
        raise RotationError("a rotation needs at least one round")
    if len(set(members)) != len(members):
        raise RotationError("a member appears twice in the group")
    cycle = role_cycle(len(members))
    ordered = sorted(members)
    counts = prior or {}
    cycle_roles = frozenset(cycle)

    n = len(ordered)
    # Member i is practitioner in round (n - i) mod n + 1: with fewer rounds than
    # members, the seats past the last round never practise.
    misses = [i for i in range(n) if (n - i) % n >= rounds]

    def cost(order: Sequence[str]) -> tuple[int, int]:
        # First: those left without practice are those who practised most before;
        # then: everyone starts on a least-played role.
        missed = sum(counts.get(order[i], {}).get(PRACTITIONER, 0) for i in misses)
        return (
            -missed,
            sum(_start_cost(m, cycle[i], cycle_roles, counts) for i, m in enumerate(order)),
        )

    best: tuple[str, ...] = tuple(ordered)
    if counts and n <= _SEARCH_LIMIT:
        # permutations() of a sorted list come in lexicographic order: the first
        # order with the lowest cost is the deterministic choice.
        best_cost = cost(best)
        for order in permutations(ordered):
            c = cost(order)
            if c < best_cost:
                best, best_cost = order, c
    plans = tuple(
        RoundPlan(k + 1, tuple(Seat(m, cycle[(i + k) % n]) for i, m in enumerate(best)))
        for k in range(rounds)
    )
    reasons = tuple(_reason(m, cycle[i], cycle_roles, counts) for i, m in enumerate(best))
    return Schedule(best, plans, reasons)


def _reason(
    member: str, role: str, cycle_roles: frozenset[str], prior: Mapping[str, Mapping[str, int]]
) -> str:
    played = prior.get(member, {}).get(role, 0)
    if not any(prior.get(member, {}).get(r, 0) for r in cycle_roles):
        return f"{member} starts as {role}: no earlier role-plays counted."
    if _start_cost(member, role, cycle_roles, prior) == 0:
        return f"{member} starts as {role}: their least-played role ({played} times before)."
    return (
        f"{member} starts as {role} ({played} times before): the group's other "
        "members needed their least-played roles more."
    )


def role_counts(plans: Sequence[RoundPlan]) -> dict[str, dict[str, int]]:
    """How often each member played each role in ``plans`` (the ``prior`` input)."""
    counts: dict[str, dict[str, int]] = {}
    for plan in plans:
        for seat in plan.seats:
            per = counts.setdefault(seat.member, {})
            per[seat.role] = per.get(seat.role, 0) + 1
    return counts


def replace_absentee(plan: RoundPlan, absent: str, replacement: str) -> RoundPlan:
    """The round re-run with ``replacement`` (someone from another group) in the
    absent member's seat and role; everyone else keeps theirs. Raises
    RotationError when ``absent`` is not in the round or ``replacement`` already is."""
    if plan.role_of(absent) is None:
        raise RotationError(f"{absent} has no seat in round {plan.number}")
    if plan.role_of(replacement) is not None:
        raise RotationError(f"{replacement} already has a seat in round {plan.number}")
    return RoundPlan(
        plan.number,
        tuple(Seat(replacement, s.role) if s.member == absent else s for s in plan.seats),
    )
