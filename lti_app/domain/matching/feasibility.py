"""Cheap infeasibility checks before the search, and the explanation after it.

Before the search (``precheck``):

* Degree: a person needs ``s - 1`` group-mates they may sit with, where ``s`` is
  the smallest planned group size. Someone whose keep-apart set is too large
  (everyone reports to them) cannot be placed.
* Cliques: people who must all be kept apart from each other need a group each.
  These are a manager chain (report, manager, skip-level manager), and, with
  ``avoid_same_manager``, a manager's direct reports together with that
  manager and the manager's own manager when they are learners. A clique larger
  than the number of groups cannot be placed.

After the search (``explain_failure``): the bottleneck is the person in a group
with a violation who has the most keep-apart partners.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .model import InfeasibleGrouping, Learner
from .reporting import Conflicts, ReportingGraph


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def precheck(
    learners: Sequence[Learner],
    people: Sequence[int],
    sizes: Sequence[int],
    graph: ReportingGraph,
    conflicts: Conflicts,
    smallest: int | None = None,
) -> None:
    """Raise ``InfeasibleGrouping`` when a person or a clique cannot be placed.
    ``smallest`` is the smallest size a group may take (default: the plan's)."""
    if not sizes:
        return
    pool = set(people)
    n = len(people)
    smallest = min(sizes) if smallest is None else smallest
    groups = len(sizes)
    keys = conflicts.manager_key
    same: dict[int, list[int]] = {}
    for i in people:
        if keys[i] >= 0:
            same.setdefault(keys[i], []).append(i)

    def clashing(i: int) -> list[int]:
        found = {j for j in conflicts.pairs[i] if j in pool}
        if keys[i] >= 0:
            found.update(j for j in same[keys[i]] if j != i)
        return sorted(found)

    def degree(i: int) -> int:
        # Upper bound of len(clashing(i)): explicit pairs may repeat a same-manager peer.
        own = sum(1 for j in conflicts.pairs[i] if j in pool)
        return own + (len(same[keys[i]]) - 1 if keys[i] >= 0 else 0)

    ranked = sorted(people, key=lambda i: (-degree(i), i))
    worst = ranked[0]
    apart = clashing(worst)
    for i in ranked[1:]:
        if degree(i) <= len(apart):
            break
        found = clashing(i)
        if len(found) > len(apart):
            worst, apart = i, found
    free = n - 1 - len(apart)
    if free < smallest - 1:
        name = learners[worst].label
        reports = [
            j
            for j in apart
            if learners[worst].id
            in (graph.manager(learners[j].id), graph.skip_manager(learners[j].id))
        ]
        if len(reports) == len(apart):
            verb = f"reports to {name} (directly or through one manager)"
            rule = "putting someone with their manager"
        else:
            verb = f"must be kept apart from {name} (manager, report or skip-level"
            verb += ", or the same manager)" if conflicts.same_manager else ")"
            rule = "breaking that rule"
        who = "Everyone else" if free == 0 else f"Everyone but {_people(free)}"
        raise InfeasibleGrouping(
            f"{who} {verb}, so no group of {smallest} can include {name} without {rule}.",
            (learners[worst].id, *(learners[j].id for j in apart)),
        )

    cliques: list[tuple[str, list[int], str]] = []
    index = {learners[i].id: i for i in people}
    for i in people:
        boss = graph.manager(learners[i].id)
        skip = graph.skip_manager(learners[i].id)
        if boss in index and skip in index and conflicts.clash(i, index[skip]):
            why = (
                f"{learners[i].label} reports to {graph.label(boss)}, who reports to "
                f"{graph.label(skip)}, and nobody shares a group with their manager or "
                f"skip-level manager"
            )
            cliques.append((learners[index[skip]].label, [i, index[boss], index[skip]], why))
    for key, reports in sorted(same.items()):
        boss_id = conflicts.key_names[key]
        chain = [
            index[b]
            for b in (boss_id, graph.manager(boss_id))
            if b in index and conflicts.clash(reports[0], index[b])
        ]
        why = (
            f"{_people(len(reports))} report to {graph.label(boss_id)}, and people with the "
            f"same manager are kept apart"
            + (", as are managers and their reports" if chain else "")
        )
        cliques.append((graph.label(boss_id), sorted(set(reports + chain)), why))
    for head, clique, why in cliques:
        if len(clique) > groups:
            raise InfeasibleGrouping(
                f"{_people(len(clique))} around {head} must all be in different groups "
                f"({why}), but {n} people make only {groups} groups.",
                tuple(learners[j].id for j in clique),
            )


def explain_failure(
    learners: Sequence[Learner],
    groups: Sequence[Sequence[int]],
    relation: Callable[[int, int], str | None],
    conflicts: Conflicts,
    avoid_same_manager: bool,
) -> InfeasibleGrouping:
    """The error for a search that ended with a violation, naming the bottleneck."""
    people = sorted(i for g in groups for i in g)
    pool = set(people)
    keys = conflicts.manager_key
    same: dict[int, int] = {}
    for i in people:
        if keys[i] >= 0:
            same[keys[i]] = same.get(keys[i], 0) + 1

    def degree(i: int) -> int:
        own = sum(1 for j in conflicts.pairs[i] if j in pool)
        return own + (same[keys[i]] - 1 if keys[i] >= 0 else 0)

    bad: list[tuple[int, int, int]] = []
    for g in groups:
        for pos, a in enumerate(g):
            for b in g[pos + 1 :]:
                if conflicts.clash(a, b):
                    bad.append((a, b, 0))
    a, b, _ = max(bad, key=lambda t: (max(degree(t[0]), degree(t[1])), -t[0], -t[1]))
    person = a if degree(a) >= degree(b) else b
    sentence = relation(a, b)
    name = learners[person].label
    pairs = "1 such pair" if len(bad) == 1 else f"{len(bad)} such pairs"
    advice = "change the group sizes"
    if avoid_same_manager:
        advice += " or let people with the same manager share groups"
    return InfeasibleGrouping(
        f"No grouping was found that keeps everyone apart from their managers: "
        f"{name} must be kept apart from {degree(person)} of the other {len(people) - 1} "
        f"people, and the best grouping found still has {pairs} "
        f"(for example: {sentence}). To go on, {advice}, or lock some groups by hand.",
        (learners[person].id, learners[b if person == a else a].id),
    )
