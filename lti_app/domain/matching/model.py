"""The value types of the group-matching engine.

Everything here is a frozen dataclass so that results can be cached, compared in
tests and handed to templates without defensive copies. Ids are opaque strings:
the web layer passes person public ids, and managers that are not learners may be
any id (for example ``"ext:boss@acme.com"``).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Human labels for the ordinal ``Learner.level`` (1 = the first label).
LEVELS: tuple[str, ...] = (
    "Individual contributor",
    "Team lead",
    "Manager",
    "Senior manager",
    "Director",
    "Executive",
)

#: Groups are discussion circles: never 10 people or more, whatever the leftovers.
MAX_GROUP = 9

ORGANISATION_MODES = ("similar", "mixed", "ignore")


@dataclass(frozen=True)
class Learner:
    """One person to be grouped, from their intake survey.

    ``reports_to`` is the id of the direct manager, who need not be a learner.
    ``challenges``, ``function`` and ``organisation`` are normalised keys; the
    challenge keys are quoted verbatim in reasons ("all three named 'budget cuts'").
    Missing data (``None`` or an empty tuple) makes a criterion not applicable for
    that person rather than counting as a mismatch. A ``level`` outside
    ``1..len(LEVELS)`` is clamped into it; negative ``years`` count as 0.
    """

    id: str
    name: str = ""
    challenges: tuple[str, ...] = ()
    level: int | None = None
    years: float | None = None
    function: str | None = None
    organisation: str | None = None
    reports_to: str | None = None

    @property
    def label(self) -> str:
        """The name for messages to the instructor: the name, else the id."""
        return self.name or self.id


@dataclass(frozen=True)
class MatchOptions:
    """How to group.

    ``organisations``: ``"similar"`` rewards groups from one organisation,
    ``"mixed"`` rewards groups spanning several, ``"ignore"`` drops the criterion.
    ``repeat_penalty`` is subtracted for a pair who met in the previous round and
    halves every ``repeat_half_life`` rounds further back (see ``scoring``).
    ``restarts`` is the number of greedy-seed + local-search runs; the best is kept.
    ``max_seconds`` optionally caps the wall-clock time of the search (the result
    is then no longer guaranteed to be the same across machines); ``None`` relies
    on the deterministic work budget alone.

    ``allow_same_manager`` lists managers whose direct reports may share a group
    even with ``avoid_same_manager``; ``allow_skip_level`` lists people who may
    share a group with their skip-level reports. Both are the instructor's
    exceptions, chosen from the fixes an infeasible grouping offers (see
    ``remedies``); the direct manager/report rule has no exception. Lists are
    accepted (from JSON) and kept as sorted tuples.
    """

    min_size: int = 3
    max_size: int = 3
    avoid_same_manager: bool = False
    allow_same_manager: tuple[str, ...] = ()
    allow_skip_level: tuple[str, ...] = ()
    organisations: str = "ignore"
    w_challenges: float = 0.5
    w_level: float = 0.15
    w_experience: float = 0.1
    w_function: float = 0.1
    w_organisation: float = 0.15
    repeat_penalty: float = 0.5
    repeat_half_life: float = 2.0
    restarts: int = 8
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        for name in ("allow_same_manager", "allow_skip_level"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} must be a list of ids")
            object.__setattr__(self, name, tuple(sorted(set(value))))
        if self.min_size < 2:
            raise ValueError("min_size must be at least 2")
        if self.max_size < self.min_size:
            raise ValueError("max_size must be at least min_size")
        if self.max_size > MAX_GROUP:
            raise ValueError(f"max_size must be at most {MAX_GROUP} (groups stay below 10)")
        if self.organisations not in ORGANISATION_MODES:
            raise ValueError(f"organisations must be one of {', '.join(ORGANISATION_MODES)}")
        weights = (
            self.w_challenges,
            self.w_level,
            self.w_experience,
            self.w_function,
            self.w_organisation,
        )
        if any(w < 0 for w in weights):
            raise ValueError("weights must not be negative")
        if not 0 <= self.repeat_penalty <= 100:
            raise ValueError("repeat_penalty must be between 0 and 100")
        if self.repeat_half_life <= 0:
            raise ValueError("repeat_half_life must be positive")
        if self.restarts < 1:
            raise ValueError("restarts must be at least 1")
        if self.max_seconds is not None and self.max_seconds <= 0:
            raise ValueError("max_seconds must be positive")


@dataclass(frozen=True)
class PastGroup:
    """A group from an earlier round; ``rounds_ago`` 1 is the round before this one."""

    members: frozenset[str]
    rounds_ago: int


@dataclass(frozen=True)
class GroupResult:
    """One formed group.

    ``score`` is the weighted criteria mean in 0..1 minus the repeat penalty, so
    it can go below 0 when members met recently (at most by ``repeat_penalty``).
    """

    members: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]
    locked: bool = False


@dataclass(frozen=True)
class Waiting:
    """A late joiner who could not be placed without breaking a rule or a maximum.

    ``reason`` says why, in words. ``over_max_group`` is the index (in
    ``Grouping.groups``) of the group they would join if that group may grow to
    one above the maximum (``None``: no group takes them even then).
    ``together`` is true when all the waiting people could form one group
    among themselves now, below the minimum size.
    """

    id: str
    reason: str
    over_max_group: int | None = None
    together: bool = False


@dataclass(frozen=True)
class Grouping:
    """A whole grouping: its groups, the worst and mean group score, the number
    of pairs who already shared a group in the history, notes on how the
    leftovers (or anything else unusual) were handled, and the late joiners
    left waiting (``add_late_joiners`` only)."""

    groups: tuple[GroupResult, ...]
    worst: float
    mean: float
    repeats: int
    notes: tuple[str, ...] = ()
    waiting: tuple[Waiting, ...] = ()


@dataclass(frozen=True)
class GroupCheck:
    """The score, reasons and hard-constraint violations of one (edited) group."""

    members: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]
    violations: tuple[str, ...]


class InfeasibleGrouping(ValueError):
    """No grouping satisfies the hard constraints (or the input contradicts itself).

    ``reason`` is a sentence the instructor can act on and ``people`` the ids it
    is about (the bottleneck person first).
    """

    def __init__(self, reason: str, people: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.people = people
