"""Shared generators and oracles for the matching tests.

The oracles here are written independently of the engine (no engine helper is
used to decide what is allowed), so the tests check the rules, not the code.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence

from lti_app.domain.matching import LEVELS, Learner, MatchOptions, PastGroup
from lti_app.domain.matching.reporting import Conflicts, ReportingGraph
from lti_app.domain.matching.scoring import Scorer

CHALLENGES = (
    "budget cuts",
    "hiring",
    "delegation",
    "remote teams",
    "conflict",
    "burnout",
    "strategy",
    "feedback",
)
FUNCTIONS = ("sales", "engineering", "finance", "hr")
ORGANISATIONS = ("acme", "globex", "initech")


def cohort(
    n: int,
    rng: random.Random,
    *,
    reports: float = 0.5,
    outside: float = 0.3,
    challenges: int = 6,
) -> tuple[list[Learner], dict[str, str]]:
    """``n`` learners with random profiles and a random reporting forest.

    Each learner reports, with probability ``reports``, to an earlier learner
    (so some learners manage others), else with probability ``outside`` to one
    of two non-learner managers, who themselves report to learners or to a
    non-learner executive (given back as ``reporting_lines``).
    """
    ids = [f"p{k:02d}" for k in range(n)]
    lines = {
        "ext:m0": ids[rng.randrange(n)] if n and rng.random() < 0.5 else "ext:ceo",
        "ext:m1": "ext:ceo",
    }
    learners = []
    for k, pid in enumerate(ids):
        roll = rng.random()
        if k and roll < reports:
            boss: str | None = ids[rng.randrange(k)]
        elif roll < reports + outside:
            boss = rng.choice(("ext:m0", "ext:m1"))
        else:
            boss = None
        learners.append(
            Learner(
                id=pid,
                name=f"Person {k}",
                challenges=tuple(rng.sample(CHALLENGES[:challenges], rng.randint(1, 3))),
                level=rng.randint(1, len(LEVELS)),
                years=float(rng.randint(0, 20)),
                function=rng.choice(FUNCTIONS),
                organisation=rng.choice(ORGANISATIONS),
                reports_to=boss,
            )
        )
    return learners, lines


def managers(learners: Sequence[Learner], lines: Mapping[str, str]) -> dict[str, str]:
    """Direct manager of everyone known: reporting_lines, overridden by learners."""
    boss = {k: v for k, v in lines.items() if k != v}
    for learner in learners:
        if learner.reports_to and learner.reports_to != learner.id:
            boss[learner.id] = learner.reports_to
    return boss


def forbidden(
    a: str,
    b: str,
    boss: Mapping[str, str],
    same_manager: bool,
    allow_same: Sequence[str] = (),
    allow_skip: Sequence[str] = (),
) -> bool:
    """Whether ``a`` and ``b`` may not share a group (manager, skip-level unless
    the skip-level manager is in ``allow_skip``, optionally the same direct
    manager unless that manager is in ``allow_same``)."""
    for low, high in ((a, b), (b, a)):
        mgr = boss.get(low)
        if mgr is None:
            continue
        if mgr == high:
            return True
        skip = boss.get(mgr)
        if skip == high and skip != low and skip not in allow_skip:
            return True
    mgr = boss.get(a)
    return same_manager and mgr is not None and mgr == boss.get(b) and mgr not in allow_same


def broken_pairs(
    groups: Sequence[Sequence[str]],
    boss: Mapping[str, str],
    same_manager: bool,
    allow_same: Sequence[str] = (),
    allow_skip: Sequence[str] = (),
) -> list[tuple[str, str]]:
    return [
        (a, b)
        for group in groups
        for a, b in itertools.combinations(group, 2)
        if forbidden(a, b, boss, same_manager, allow_same, allow_skip)
    ]


def feasible_oracle(
    learners: Sequence[Learner],
    lines: Mapping[str, str],
    options: MatchOptions,
    budget: int = 200_000,
) -> bool | None:
    """Whether some grouping inside ``[min_size, max_size]`` keeps every rule:
    a plain backtracking over everyone, independent of the engine (``None``
    when its budget runs out first)."""
    boss = managers(learners, lines)
    ids = [lr.id for lr in learners]
    n = len(ids)
    lo, hi = options.min_size, options.max_size
    bad = [
        [
            forbidden(
                ids[a],
                ids[b],
                boss,
                options.avoid_same_manager,
                options.allow_same_manager,
                options.allow_skip_level,
            )
            for b in range(n)
        ]
        for a in range(n)
    ]
    order = sorted(range(n), key=lambda a: -sum(bad[a]))
    spent = 0

    def place(k: int, groups: list[list[int]]) -> bool:
        nonlocal spent
        spent += 1
        if spent > budget:
            raise TimeoutError
        if sum(max(0, lo - len(g)) for g in groups) > n - k:
            return False
        if k == n:
            return True
        a = order[k]
        tried_empty = False
        for g in groups:
            if len(g) >= hi or any(bad[a][b] for b in g):
                continue
            if not g:
                if tried_empty:
                    continue
                tried_empty = True
            g.append(a)
            if place(k + 1, groups):
                return True
            g.pop()
        return False

    try:
        return any(
            place(0, [[] for _ in range(g)]) for g in range(1, n // lo + 1) if g * lo <= n <= g * hi
        )
    except TimeoutError:
        return None


def partitions(people: Sequence[int], sizes: Sequence[int]) -> Iterator[list[tuple[int, ...]]]:
    """Every partition of ``people`` into groups with the multiset ``sizes``."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    for size in sorted(set(sizes)):
        remaining = list(sizes)
        remaining.remove(size)
        for mates in itertools.combinations(rest, size - 1):
            chosen = set(mates)
            left = [p for p in rest if p not in chosen]
            for tail in partitions(left, remaining):
                yield [(first, *mates), *tail]


def brute_force_worst(
    learners: Sequence[Learner],
    options: MatchOptions,
    sizes: Sequence[int],
    lines: Mapping[str, str],
    history: Sequence[PastGroup] = (),
) -> float | None:
    """The best achievable worst-group score over all feasible partitions with
    these sizes (``None`` when none is feasible). Scores come from the engine's
    scorer, whose formulas are tested separately."""
    graph = ReportingGraph(learners, lines)
    conflicts = Conflicts(learners, graph, options.avoid_same_manager)
    scorer = Scorer(learners, options, history, conflicts)
    boss = managers(learners, lines)
    ids = [lr.id for lr in learners]
    cache: dict[tuple[int, ...], float | None] = {}

    def group_score(group: tuple[int, ...]) -> float | None:
        if group not in cache:
            bad = any(
                forbidden(ids[a], ids[b], boss, options.avoid_same_manager)
                for a, b in itertools.combinations(group, 2)
            )
            cache[group] = None if bad else scorer.score(group)
        return cache[group]

    best: float | None = None
    for partition in partitions(list(range(len(learners))), sizes):
        worst = 2.0
        for group in partition:
            value = group_score(group)
            if value is None:
                break
            worst = min(worst, value)
        else:
            if best is None or worst > best:
                best = worst
    return best
