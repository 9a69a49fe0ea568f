"""The public operations: form, evaluate and extend a grouping.

Hard constraints (never broken by ``form_groups``/``add_late_joiners``, only
reported by ``evaluate_groups``): sizes follow ``sizes.plan_sizes`` (within
``[min_size, max_size]``, except the documented leftover rule); no
manager/report pair; no skip-level pair; with ``avoid_same_manager`` no two
direct reports of one manager; everyone is placed exactly once.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .exact import MAX_CONSTRAINED, UNKNOWN, exact_partition, keep_apart
from .explain import Explainer
from .feasibility import explain_failure, precheck
from .model import (
    GroupCheck,
    Grouping,
    GroupResult,
    InfeasibleGrouping,
    Learner,
    MatchOptions,
    PastGroup,
)
from .reporting import Conflicts, ReportingGraph
from .scoring import Scorer
from .search import Search
from .sizes import plan_sizes, size_plans

_NO_LINES: Mapping[str, str] = MappingProxyType({})
#: Size plans tried at most per grouping (the preferred ones and the one with most
#: groups); cohorts up to 40 people never have more.
MAX_PLANS = 24


class _Context:
    """Everything derived from one cohort: indexes, graph, scorer, explainer."""

    def __init__(
        self,
        learners: Sequence[Learner],
        options: MatchOptions,
        history: Sequence[PastGroup],
        reporting_lines: Mapping[str, str],
    ) -> None:
        self.learners = list(learners)
        self.index: dict[str, int] = {}
        for i, learner in enumerate(self.learners):
            if learner.id in self.index:
                raise ValueError(f"learner id {learner.id!r} appears twice")
            self.index[learner.id] = i
        self.options = options
        self.graph = ReportingGraph(self.learners, reporting_lines)
        self.conflicts = Conflicts(
            self.learners,
            self.graph,
            options.avoid_same_manager,
            options.allow_same_manager,
            options.allow_skip_level,
        )
        self.scorer = Scorer(self.learners, options, history, self.conflicts)
        self.explainer = Explainer(self.learners, self.scorer, options.organisations)

    def label(self, i: int) -> str:
        return self.learners[i].label

    def result(self, members: Sequence[int], locked: bool = False) -> GroupResult:
        ordered = sorted(members)
        return GroupResult(
            members=tuple(self.learners[i].id for i in ordered),
            score=self.scorer.score(ordered),
            reasons=self.explainer.reasons(ordered),
            locked=locked,
        )

    def relation(self, a: int, b: int) -> str | None:
        """Why learners ``a`` and ``b`` may not share a group (with the exceptions)."""
        o = self.options
        return self.graph.relation(
            self.learners[a].id,
            self.learners[b].id,
            o.avoid_same_manager,
            o.allow_same_manager,
            o.allow_skip_level,
        )

    def violations(self, members: Sequence[int]) -> list[str]:
        found: list[str] = []
        for pos, a in enumerate(members):
            for b in members[pos + 1 :]:
                sentence = self.relation(a, b)
                if sentence:
                    found.append(sentence)
        return found

    def grouping(self, groups: Sequence[tuple[Sequence[int], bool]], notes: list[str]) -> Grouping:
        results = [self.result(members, locked) for members, locked in groups]
        repeats = sum(len(self.scorer.repeat_pairs(sorted(m))) for m, _ in groups)
        scores = [r.score for r in results]
        return Grouping(
            groups=tuple(results),
            worst=min(scores) if scores else 0.0,
            mean=sum(scores) / len(scores) if scores else 0.0,
            repeats=repeats,
            notes=tuple(notes),
        )


def _search_bounds(sizes: Sequence[int], options: MatchOptions) -> tuple[int, int]:
    """Sizes the local search may move between: the options' range when the plan
    fits it, else exactly the planned sizes (which differ by at most one, so a
    move can only trade the sizes of two groups)."""
    if all(options.min_size <= s <= options.max_size for s in sizes):
        return options.min_size, options.max_size
    return min(sizes), max(sizes)


def _feasible_plan(
    ctx: _Context, people: list[int], plans: Sequence[tuple[list[int], list[str]]]
) -> tuple[list[int], list[str], list[list[int]] | None]:
    """The first size plan the hard rules allow, with a grouping that proves it
    (``exact``); a plan the exact search could not decide in its budget comes
    after every proven one, without a proof. With more than ``MAX_PLANS`` plans
    (big cohorts, wide ranges) only the preferred ones and the one with the most
    groups (the easiest for the rules) are tried; with too many constrained
    people for the exact search, the first plan the pre-check allows goes to
    the local search. Raises ``InfeasibleGrouping``,
    explained by the plan with the most groups, when every plan is ruled out."""
    errors: list[tuple[int, InfeasibleGrouping]] = []
    undecided: list[tuple[list[int], list[str]]] = []
    partners = keep_apart(ctx.conflicts, people)
    exact = sum(1 for i in people if partners[i]) <= MAX_CONSTRAINED
    if len(plans) > MAX_PLANS:  # the preferred ones, and the one with most groups
        plans = [*plans[: MAX_PLANS - 1], max(plans, key=lambda p: len(p[0]))]
    for sizes, notes in plans:
        lo, hi = _search_bounds(sizes, ctx.options)
        try:
            precheck(ctx.learners, people, sizes, ctx.graph, ctx.conflicts, smallest=lo)
        except InfeasibleGrouping as error:
            errors.append((len(sizes), error))
            continue
        if not exact:
            undecided.append((sizes, notes))
            break
        found = exact_partition(ctx.conflicts, people, len(sizes), lo, hi, partners)
        if isinstance(found, list):
            return sizes, notes, found
        if found is UNKNOWN:
            undecided.append((sizes, notes))
    if undecided:
        sizes, notes = undecided[0]
        return sizes, notes, None
    if errors:
        raise max(errors, key=lambda e: e[0])[1]
    sizes, _ = plans[0]
    lo, hi = _search_bounds(sizes, ctx.options)
    search = Search(ctx.scorer, ctx.conflicts, people, sizes, lo, hi, 1, None)
    raise explain_failure(
        ctx.learners,
        search.run(random.Random(0)),
        ctx.relation,
        ctx.conflicts,
        ctx.options.avoid_same_manager,
    )


def _plans(ctx: _Context, people: list[int]) -> list[tuple[list[int], list[str]]]:
    options = ctx.options
    try:
        return size_plans(len(people), options.min_size, options.max_size)
    except InfeasibleGrouping:
        only = people[0]
        raise InfeasibleGrouping(
            f"{ctx.label(only)} is the only person to group, so there is nobody to "
            f"group them with; add them to a group by hand or wait for more people.",
            (ctx.learners[only].id,),
        ) from None


def _group(
    ctx: _Context, people: list[int], rng: random.Random
) -> tuple[list[list[int]], list[str]]:
    """Group ``people`` (indexes) by the rules; raise when infeasible."""
    options = ctx.options
    plans = _plans(ctx, people)
    if not plans[0][0]:
        return [], plans[0][1]
    sizes, notes, start = _feasible_plan(ctx, people, plans)
    lo, hi = _search_bounds(sizes, options)
    search = Search(
        ctx.scorer, ctx.conflicts, people, sizes, lo, hi, options.restarts, options.max_seconds
    )
    groups = search.run(rng, start)
    if any(ctx.conflicts.count(g) for g in groups):
        raise explain_failure(
            ctx.learners, groups, ctx.relation, ctx.conflicts, options.avoid_same_manager
        )
    return groups, notes


def plan_is_feasible(
    learners: Sequence[Learner],
    options: MatchOptions,
    *,
    locked: Sequence[Sequence[str]] = (),
    reporting_lines: Mapping[str, str] = _NO_LINES,
) -> tuple[int, ...] | None:
    """The sizes ``form_groups`` would use when it can prove a grouping exists
    for these options (the same deterministic steps, without the search for the
    best one), else ``None``. Used to check each fix before it is offered."""
    ctx = _Context(learners, options, (), reporting_lines)
    taken = {ctx.index[p] for group in locked for p in group if p in ctx.index}
    people = [i for i in range(len(ctx.learners)) if i not in taken]
    try:
        plans = _plans(ctx, people)
        if not plans[0][0]:
            return ()
        sizes, _notes, start = _feasible_plan(ctx, people, plans)
    except InfeasibleGrouping:
        return None
    return tuple(sizes) if start is not None else None


def form_groups(
    learners: Sequence[Learner],
    options: MatchOptions,
    *,
    history: Sequence[PastGroup] = (),
    locked: Sequence[Sequence[str]] = (),
    reporting_lines: Mapping[str, str] = _NO_LINES,
    rng: random.Random,
) -> Grouping:
    """Group the learners: maximise the worst group's score, then the mean.

    ``locked`` groups are kept exactly (``locked=True`` in the result) and their
    members are not regrouped; their scores count in ``worst``/``mean``, and a
    locked group that breaks a rule gets a note instead of an error.
    ``reporting_lines`` adds manager edges for people who are not learners.
    Groups come back locked ones first, then by score, best first; members
    within a group in the order of ``learners``.

    Raises ``InfeasibleGrouping`` when no grouping satisfies the hard
    constraints, naming the bottleneck person, and ``ValueError`` for duplicate
    learner ids.
    """
    ctx = _Context(learners, options, history, reporting_lines)
    taken: set[int] = set()
    kept: list[list[int]] = []
    notes: list[str] = []
    for group in locked:
        members: list[int] = []
        for person in group:
            i = ctx.index.get(person)
            if i is None:
                raise InfeasibleGrouping(
                    f"{person} is in a locked group but is not a learner in this cohort.",
                    (person,),
                )
            if i in taken:
                raise InfeasibleGrouping(
                    f"{ctx.label(i)} is in more than one locked group.", (person,)
                )
            taken.add(i)
            members.append(i)
        if members:
            kept.append(members)
            for sentence in ctx.violations(sorted(members)):
                notes.append(f"A locked group breaks a rule: {sentence}.")
    if kept:
        count = len(kept)
        notes.insert(0, f"{count} locked group{'s' if count > 1 else ''} kept as they are.")
    people = [i for i in range(len(ctx.learners)) if i not in taken]
    groups, size_notes = _group(ctx, people, rng)
    notes.extend(size_notes)
    scored = sorted(groups, key=lambda g: (-ctx.scorer.score(sorted(g)), sorted(g)))
    return ctx.grouping([(g, True) for g in kept] + [(g, False) for g in scored], notes)


def evaluate_groups(
    groups: Sequence[Sequence[str]],
    learners: Sequence[Learner],
    options: MatchOptions,
    *,
    history: Sequence[PastGroup] = (),
    reporting_lines: Mapping[str, str] = _NO_LINES,
) -> tuple[GroupCheck, ...]:
    """Score, reasons and rule violations of an arbitrary (hand-edited) grouping.

    Never raises for violations. Sizes are checked against ``[min_size,
    max_size]`` widened by the leftover rule for the number of people grouped
    (so with triads and 14 people, groups of 4 are fine). A person listed in
    two groups, or twice, or who is not a learner, is reported in each group
    where they appear; use ``unplaced_learners`` for those in no group.
    """
    ctx = _Context(learners, options, history, reporting_lines)
    known = {i for group in groups for p in group if (i := ctx.index.get(p)) is not None}
    low, high = options.min_size, options.max_size
    if len(known) >= 2:
        sizes, _ = plan_sizes(len(known), options.min_size, options.max_size)
        low, high = min(low, min(sizes)), max(high, max(sizes))
    appearances: dict[str, int] = {}
    for group in groups:
        for p in set(group):
            appearances[p] = appearances.get(p, 0) + 1
    checks: list[GroupCheck] = []
    for group in groups:
        violations: list[str] = []
        size = len(group)
        if size > high:
            violations.append(f"group of {size} is above the maximum of {high}")
        elif size < low:
            violations.append(f"group of {size} is below the minimum of {low}")
        members: list[int] = []
        for p in dict.fromkeys(group):
            i = ctx.index.get(p)
            if i is None:
                violations.append(f"{p} is not a learner in this cohort")
                continue
            members.append(i)
            if group.count(p) > 1:
                violations.append(f"{ctx.label(i)} is listed twice in this group")
            if appearances[p] > 1:
                violations.append(f"{ctx.label(i)} is also in another group")
        members.sort()
        violations.extend(ctx.violations(members))
        checks.append(
            GroupCheck(
                members=tuple(group),
                score=ctx.scorer.score(members),
                reasons=ctx.explainer.reasons(members),
                violations=tuple(violations),
            )
        )
    return tuple(checks)


def unplaced_learners(
    groups: Sequence[Sequence[str]], learners: Sequence[Learner]
) -> tuple[str, ...]:
    """Ids of the learners who are in none of ``groups`` (in ``learners`` order)."""
    placed = {p for group in groups for p in group}
    return tuple(learner.id for learner in learners if learner.id not in placed)
