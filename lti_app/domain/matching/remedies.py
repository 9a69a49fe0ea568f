"""Ways out of an impossible grouping, each checked before it is offered.

When the reporting-line rules leave no valid grouping, ``suggest_fixes`` tries
single changes an instructor can make and keeps those with which the engine
itself (``plan_is_feasible``: the steps ``form_groups`` takes, minus the search
for the best groups) proves a grouping exists:

1. a wider size range, closest to the current one first (a range only counts
   when the groups it gives stay inside it, never through the leftover rule);
2. letting one manager's direct reports share groups (only when "keep people
   with the same manager apart" is on), the manager with most reports first;
3. letting one person share a group with their skip-level reports;
4. turning "keep people with the same manager apart" off altogether.

When no single change is enough, a combination is offered: one exception
with the nearest wider range that then works, or every exception at once.
A person is never allowed to share a group with their direct manager: that
rule has no exception. Each fix carries the complete options to form groups
with, so applying it is ``form_groups(..., fix.options)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .engine import _NO_LINES, plan_is_feasible
from .model import MAX_GROUP, Learner, MatchOptions
from .reporting import ReportingGraph

#: At most this many fixes of one kind are offered, out of at most this many tried
#: (each try is one feasibility check: a big cohort with many managers stays quick).
PER_KIND = 3
TRIES_PER_KIND = 12
#: Size ranges offered, and tried at most.
SIZE_FIXES = 2
SIZE_TRIES = 40


@dataclass(frozen=True)
class Fix:
    """One checked way out: ``kind`` is ``sizes``, ``same_manager_for``,
    ``skip_level_for``, ``same_manager_off`` or ``combined``; ``text`` says it in words;
    ``options`` are the options with the change made; ``people`` are the ids
    it is about (the manager first)."""

    kind: str
    text: str
    options: MatchOptions
    people: tuple[str, ...] = ()


def _names(labels: Sequence[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _size_text(low: int, high: int) -> str:
    return f"groups of {low}" if low == high else f"groups of {low} to {high}"


def suggest_fixes(
    learners: Sequence[Learner],
    options: MatchOptions,
    *,
    locked: Sequence[Sequence[str]] = (),
    reporting_lines: Mapping[str, str] = _NO_LINES,
    size_floor: int = 2,
    size_ceiling: int = MAX_GROUP,
) -> tuple[Fix, ...]:
    """The fixes that make grouping possible (see the module docstring); empty
    when grouping is possible already or when no single change is enough.
    ``size_floor``/``size_ceiling`` bound the size ranges the activity allows."""

    def works(candidate: MatchOptions) -> tuple[int, ...] | None:
        return plan_is_feasible(learners, candidate, locked=locked, reporting_lines=reporting_lines)

    if works(options) is not None:
        return ()
    relaxations = _relaxations(learners, options, locked, reporting_lines)
    fixes: list[Fix] = _size_fixes(options, works, size_floor, size_ceiling)
    counts: dict[str, int] = {}
    tries: dict[str, int] = {}
    for fix in relaxations:
        if counts.get(fix.kind, 0) >= PER_KIND or tries.get(fix.kind, 0) >= TRIES_PER_KIND:
            continue
        tries[fix.kind] = tries.get(fix.kind, 0) + 1
        if works(fix.options) is not None:
            fixes.append(fix)
            counts[fix.kind] = counts.get(fix.kind, 0) + 1
    if fixes:
        return tuple(fixes)
    # No single change is enough: one rule exception with a wider range, or
    # every exception at once (still never a person with their direct manager).
    combined: list[Fix] = []
    if len(relaxations) > 1:
        every = options
        for fix in relaxations:
            every = dataclasses.replace(
                every,
                avoid_same_manager=every.avoid_same_manager and fix.options.avoid_same_manager,
                allow_same_manager=(*every.allow_same_manager, *fix.options.allow_same_manager),
                allow_skip_level=(*every.allow_skip_level, *fix.options.allow_skip_level),
            )
        relaxations = [
            *relaxations,
            Fix(
                "combined",
                "; ".join(
                    f.text[0].lower() + f.text[1:]
                    for f in relaxations
                    if f.kind != "same_manager_for" or every.avoid_same_manager
                ),
                every,
            ),
        ]
    for fix in [Fix("combined", "", options), *relaxations]:
        if fix.text and works(fix.options) is not None:
            combined.append(
                Fix("combined", fix.text[0].upper() + fix.text[1:], fix.options, fix.people)
            )
        else:
            for size in _size_fixes(fix.options, works, size_floor, size_ceiling)[:1]:
                text = (
                    size.text
                    if not fix.text
                    else f"{fix.text}, and {size.text[0].lower()}{size.text[1:]}"
                )
                combined.append(Fix("combined", text, size.options, fix.people))
        if len(combined) == SIZE_FIXES:
            break
    return tuple(combined)


def _relaxations(
    learners: Sequence[Learner],
    options: MatchOptions,
    locked: Sequence[Sequence[str]],
    reporting_lines: Mapping[str, str],
) -> list[Fix]:
    """Every single rule exception that could matter, unchecked, in the order
    they are offered."""
    locked_ids = {p for group in locked for p in group}
    pool = [lr for lr in learners if lr.id not in locked_ids]
    graph = ReportingGraph(learners, reporting_lines)
    ids = {lr.id for lr in pool}
    found: list[Fix] = []
    if options.avoid_same_manager:
        reports: dict[str, list[Learner]] = {}
        for learner in pool:
            boss = graph.manager(learner.id)
            if boss is not None and boss not in options.allow_same_manager:
                reports.setdefault(boss, []).append(learner)
        for boss, group in sorted(reports.items(), key=lambda t: (-len(t[1]), t[0])):
            if len(group) < 2:
                continue
            found.append(
                Fix(
                    "same_manager_for",
                    f"Allow {graph.label(boss)}'s {len(group)} reports "
                    f"({_names([lr.label for lr in group])}) to share groups",
                    dataclasses.replace(
                        options, allow_same_manager=(*options.allow_same_manager, boss)
                    ),
                    (boss, *(lr.id for lr in group)),
                )
            )
    skips: dict[str, list[Learner]] = {}
    for learner in pool:
        skip = graph.skip_manager(learner.id)
        if skip in ids and skip not in options.allow_skip_level:
            skips.setdefault(skip, []).append(learner)
    for head, group in sorted(skips.items(), key=lambda t: (-len(t[1]), t[0])):
        plural = "s" if len(group) > 1 else ""
        found.append(
            Fix(
                "skip_level_for",
                f"Allow {graph.label(head)} to share a group with "
                f"{_names([lr.label for lr in group])} (skip-level report{plural})",
                dataclasses.replace(options, allow_skip_level=(*options.allow_skip_level, head)),
                (head, *(lr.id for lr in group)),
            )
        )
    if options.avoid_same_manager:
        found.append(
            Fix(
                "same_manager_off",
                "Stop keeping people with the same manager apart (managers and their "
                "reports stay apart)",
                dataclasses.replace(options, avoid_same_manager=False),
            )
        )
    return found


def _size_fixes(
    options: MatchOptions,
    works: Callable[[MatchOptions], tuple[int, ...] | None],
    floor: int,
    ceiling: int,
) -> list[Fix]:
    """Wider ranges, nearest first (lowering the minimum before raising the
    maximum), whose groups stay inside the new range."""
    low, high = options.min_size, options.max_size
    candidates = [
        (lo, hi)
        for lo in range(max(2, floor), low + 1)
        for hi in range(high, min(MAX_GROUP, ceiling) + 1)
        if (lo, hi) != (low, high)
    ]
    candidates.sort(key=lambda c: ((low - c[0]) + (c[1] - high), c[1] - high, -c[0]))
    fixes: list[Fix] = []
    seen: set[tuple[int, ...]] = set()
    for lo, hi in candidates[:SIZE_TRIES]:
        candidate = dataclasses.replace(options, min_size=lo, max_size=hi)
        sizes = works(candidate)
        if sizes is None or not all(lo <= s <= hi for s in sizes):
            continue
        shape = tuple(sorted(sizes, reverse=True))
        if shape in seen:
            continue
        seen.add(shape)
        counts = _names([str(s) for s in shape])
        fixes.append(
            Fix(
                "sizes",
                f"Use {_size_text(lo, hi)} people instead of {_size_text(low, high)}: "
                f"{len(shape)} group{'s' if len(shape) > 1 else ''} of {counts}",
                candidate,
            )
        )
        if len(fixes) == SIZE_FIXES:
            break
    return fixes
