"""Grouping benchmark: the matching engine on synthetic cohorts.

``python -m bench.grouping [--check] [--seed N] [--repeat N]`` prints, for 2,000
learners into triads, the seconds (best of ``--repeat`` runs, default 3, which
must all give the same grouping), worst and mean group score, repeated pairs and
constraint violations; and for 200 learners the engine against a random *feasible*
grouping (the median of 5), with the ratio of their worst-group scores.
Targets: 2,000 learners in < 5 s with 0 violations; worst group >= 2x the
random baseline's. ``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from collections.abc import Mapping, Sequence

from lti_app.domain.matching import (
    LEVELS,
    Grouping,
    Learner,
    MatchOptions,
    PastGroup,
    evaluate_groups,
    form_groups,
)

CHALLENGES = tuple(
    f"challenge {name}"
    for name in (
        "budget cuts",
        "hiring",
        "difficult conversations",
        "delegation",
        "remote teams",
        "change fatigue",
        "prioritisation",
        "stakeholders",
        "performance reviews",
        "burnout",
        "conflict",
        "cross-team work",
        "strategy",
        "feedback",
        "retention",
        "new manager",
        "time management",
        "influence",
        "restructuring",
        "coaching",
    )
)
FUNCTIONS = ("sales", "engineering", "finance", "operations", "hr", "marketing", "support")
SECONDS_TARGET = 5.0
RATIO_TARGET = 2.0


def cohort(n: int, rng: random.Random) -> tuple[list[Learner], dict[str, str]]:
    """``n`` learners with a management tree per organisation.

    About 60 % of learners report to a learner of a higher level in their
    organisation, the others to a non-learner manager (``ext:…``), whose own
    manager is a non-learner executive; those edges go in ``reporting_lines``.
    Challenges: 3 of 20, with skewed (Zipf-like) popularity.
    """
    orgs = [f"org{k}" for k in range(max(2, n // 40))]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(CHALLENGES))]
    people: list[Learner] = []
    for k in range(n):
        level = min(len(LEVELS), 1 + int(rng.expovariate(0.8)))
        picked: list[str] = []
        while len(picked) < 3:
            name = rng.choices(CHALLENGES, weights)[0]
            if name not in picked:
                picked.append(name)
        people.append(
            Learner(
                id=f"p{k:05d}",
                challenges=tuple(picked),
                level=level,
                years=round(max(0.0, rng.gauss(3.0 * level, 2.5)), 1),
                function=rng.choice(FUNCTIONS),
                organisation=rng.choice(orgs),
            )
        )
    lines: dict[str, str] = {}
    by_org: dict[str, list[Learner]] = {}
    for person in people:
        by_org.setdefault(person.organisation or "", []).append(person)
    learners: list[Learner] = []
    for org, members in sorted(by_org.items()):
        outside = [f"ext:{org}:m{j}" for j in range(3)]
        for boss in outside:
            lines[boss] = f"ext:{org}:ceo"
        for person in members:
            level = person.level or 1
            above = [p for p in members if level < (p.level or 1) <= level + 2]
            inside = above and rng.random() < 0.6
            boss = rng.choice(above).id if inside else rng.choice(outside)
            learners.append(dataclasses.replace(person, reports_to=boss))
    learners.sort(key=lambda lr: lr.id)
    return learners, lines


def previous_round(learners: Sequence[Learner]) -> list[PastGroup]:
    """Last round's triads, formed naively by first challenge (so repeats tempt)."""
    ordered = sorted(learners, key=lambda lr: (lr.challenges[0], lr.level or 0, lr.id))
    return [
        PastGroup(frozenset(lr.id for lr in ordered[k : k + 3]), rounds_ago=1)
        for k in range(0, len(ordered) - 2, 3)
    ]


def managers(learners: Sequence[Learner], lines: Mapping[str, str]) -> dict[str, str]:
    """Everyone's direct manager: ``reporting_lines`` plus the learners' own."""
    boss = dict(lines)
    for lr in learners:
        if lr.reports_to:
            boss[lr.id] = lr.reports_to
    return boss


def clashes(group: Sequence[str], boss: Mapping[str, str]) -> int:
    """Manager/report and skip-level pairs in one group."""
    count = 0
    for a in group:
        mgr = boss.get(a)
        if mgr is None:
            continue
        skip = boss.get(mgr)
        count += sum(1 for b in group if b != a and b in (mgr, skip))
    return count


def violations(
    groups: Sequence[Sequence[str]], learners: Sequence[Learner], lines: Mapping[str, str]
) -> int:
    """Broken hard rules, counted independently of the engine: sizes outside 3..4
    (4 is the leftover rule), manager or skip-level pairs, not placed once."""
    boss = managers(learners, lines)
    count = sum(1 for g in groups if not 3 <= len(g) <= 4)
    count += sum(clashes(g, boss) for g in groups)
    seen: dict[str, int] = {}
    for group in groups:
        for a in group:
            seen[a] = seen.get(a, 0) + 1
    return count + sum(1 for lr in learners if seen.get(lr.id, 0) != 1)


def random_feasible(
    learners: Sequence[Learner],
    sizes: Sequence[int],
    lines: Mapping[str, str],
    rng: random.Random,
) -> list[list[str]]:
    """A random shuffle into the given sizes, repaired by random swaps (each
    involving a group with a violation) until no group holds a manager/report or
    skip-level pair; reshuffled when repairs do not converge."""
    boss = managers(learners, lines)
    while True:
        ids = [lr.id for lr in learners]
        rng.shuffle(ids)
        groups: list[list[str]] = []
        start = 0
        for size in sizes:
            groups.append(ids[start : start + size])
            start += size
        for _ in range(20_000):
            bad = [g for g, members in enumerate(groups) if clashes(members, boss)]
            if not bad:
                return groups
            g = rng.choice(bad)
            h = rng.randrange(len(groups))
            a, b = rng.randrange(len(groups[g])), rng.randrange(len(groups[h]))
            groups[g][a], groups[h][b] = groups[h][b], groups[g][a]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--seed", type=int, default=1, help="cohort and search seed")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs of the 2,000 case (the best counts)"
    )
    args = parser.parse_args(argv)
    options = MatchOptions(min_size=3, max_size=3)
    missed = 0

    learners, lines = cohort(2000, random.Random(args.seed))
    history = previous_round(learners)
    walls: list[float] = []
    cpus: list[float] = []
    results: list[Grouping] = []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        results.append(
            form_groups(
                learners,
                options,
                history=history,
                reporting_lines=lines,
                rng=random.Random(args.seed),
            )
        )
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    grouping = results[0]
    same = all(r == grouping for r in results)
    seconds = min(walls)
    broken = violations([g.members for g in grouping.groups], learners, lines)
    fast = seconds < SECONDS_TARGET and broken == 0 and same
    missed += not fast
    print(f"2000 learners into triads (seed {args.seed}, 20 challenges, reporting lines)")
    print(
        f"  seconds      {seconds:8.2f}   target < {SECONDS_TARGET:.0f} (best of {args.repeat}; "
        f"median {statistics.median(walls):.2f}, CPU {min(cpus):.2f})"
    )
    print(f"  worst group  {grouping.worst:8.3f}")
    print(f"  mean group   {grouping.mean:8.3f}")
    print(f"  repeats      {grouping.repeats:8d}   (pairs who met last round)")
    print(f"  violations   {broken:8d}   target 0")
    print(f"  same result  {'yes' if same else 'NO':>8}   (every repeat, same seed)")
    print(f"  {'PASS' if fast else 'MISS'}: < {SECONDS_TARGET:.0f} s, no violation, deterministic")

    small, small_lines = cohort(200, random.Random(args.seed + 1))
    small_history = previous_round(small)
    engine = form_groups(
        small,
        options,
        history=small_history,
        reporting_lines=small_lines,
        rng=random.Random(args.seed),
    )
    sizes = [len(g.members) for g in engine.groups]
    baseline_rng = random.Random(args.seed + 2)
    worsts: list[float] = []
    means: list[float] = []
    for _ in range(5):
        groups = random_feasible(small, sizes, small_lines, baseline_rng)
        checks = evaluate_groups(
            groups, small, options, history=small_history, reporting_lines=small_lines
        )
        assert not any(c.violations for c in checks)
        worsts.append(min(c.score for c in checks))
        means.append(statistics.fmean(c.score for c in checks))
    random_worst = statistics.median(worsts)
    ratio = engine.worst / random_worst if random_worst > 0 else float("inf")
    small_broken = violations([g.members for g in engine.groups], small, small_lines)
    better = ratio >= RATIO_TARGET and small_broken == 0
    missed += not better
    print("200 learners: engine vs random feasible grouping (median of 5)")
    print(f"  worst group  {engine.worst:8.3f}   random {random_worst:6.3f}")
    print(f"  mean group   {engine.mean:8.3f}   random {statistics.median(means):6.3f}")
    print(f"  violations   {small_broken:8d}")
    print(f"  ratio        {ratio:8.2f}   target >= {RATIO_TARGET:.0f}")
    print(f"  {'PASS' if better else 'MISS'}: worst group >= {RATIO_TARGET:.0f}x random's")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
