"""The reporting-line graph and the hard "keep apart" constraints derived from it.

Edges come from ``Learner.reports_to`` plus ``reporting_lines`` (id -> manager id)
for people who are not learners, so that a skip-level relation through a manager
who is not in the cohort is still seen. A learner's own ``reports_to`` wins over
an entry for them in ``reporting_lines``. Self-loops are ignored.

Two learners may not share a group when one is the other's direct manager, or the
other's skip-level manager (the manager's manager: exactly two hops; longer chains
are allowed). With ``avoid_same_manager`` two direct reports of the same manager
are kept apart as well. The instructor's exceptions lift the last two rules for
named people: ``allow_same`` (managers whose reports may share a group) and
``allow_skip`` (people who may share a group with their skip-level reports);
the direct manager/report rule has none. Only two hops are ever followed, so cycles in the data
(A reports to B, B reports to A) cannot hang; a two-hop walk that comes back to
the person themself is ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from .model import Learner


class ReportingGraph:
    """Manager look-ups over learners and non-learner managers."""

    def __init__(self, learners: Sequence[Learner], reporting_lines: Mapping[str, str]) -> None:
        manager: dict[str, str] = {}
        for person, boss in sorted(reporting_lines.items()):
            if boss and boss != person:
                manager[person] = boss
        for learner in learners:
            if learner.reports_to and learner.reports_to != learner.id:
                manager[learner.id] = learner.reports_to
        self._manager = manager
        self._labels = {learner.id: learner.label for learner in learners}

    def label(self, person: str) -> str:
        """The learner's name (else id), or the id of a non-learner."""
        return self._labels.get(person, person)

    def manager(self, person: str) -> str | None:
        """The direct manager's id, if known."""
        return self._manager.get(person)

    def skip_manager(self, person: str) -> str | None:
        """The manager's manager (two hops), ignoring a cycle back to ``person``."""
        boss = self._manager.get(person)
        if boss is None:
            return None
        skip = self._manager.get(boss)
        if skip is None or skip == person:
            return None
        return skip

    def relation(
        self,
        a: str,
        b: str,
        avoid_same_manager: bool,
        allow_same: Collection[str] = (),
        allow_skip: Collection[str] = (),
    ) -> str | None:
        """Why ``a`` and ``b`` may not share a group, as a sentence, or ``None``."""
        if a == b:
            return None
        label = self.label
        if self.manager(a) == b:
            return f"{label(a)} reports to {label(b)}"
        if self.manager(b) == a:
            return f"{label(b)} reports to {label(a)}"
        for low, high in ((a, b), (b, a)):
            if self.skip_manager(low) == high and high not in allow_skip:
                middle = self.manager(low)
                assert middle is not None
                return (
                    f"{label(high)} is {label(low)}'s skip-level manager (through {label(middle)})"
                )
        if avoid_same_manager:
            boss = self.manager(a)
            if boss is not None and boss == self.manager(b) and boss not in allow_same:
                return f"{label(a)} and {label(b)} both report to {label(boss)}"
        return None


class Conflicts:
    """The keep-apart relation over learner indexes, for the search.

    Manager/report and skip-level pairs are stored explicitly (``pairs[i]``);
    same-manager pairs are implicit through ``manager_key`` so that a manager with
    many reports does not cost a quadratic number of pairs.
    """

    def __init__(
        self,
        learners: Sequence[Learner],
        graph: ReportingGraph,
        avoid_same_manager: bool,
        allow_same: Collection[str] = (),
        allow_skip: Collection[str] = (),
    ) -> None:
        index = {learner.id: i for i, learner in enumerate(learners)}
        skip_ok = set(allow_skip)
        same_ok = set(allow_same)
        pairs: list[set[int]] = [set() for _ in learners]
        keys: dict[str, int] = {}
        manager_key: list[int] = []
        for i, learner in enumerate(learners):
            skip = graph.skip_manager(learner.id)
            for boss in (graph.manager(learner.id), None if skip in skip_ok else skip):
                j = index.get(boss) if boss is not None else None
                if j is not None and j != i:
                    pairs[i].add(j)
                    pairs[j].add(i)
            boss = graph.manager(learner.id)
            if avoid_same_manager and boss is not None and boss not in same_ok:
                manager_key.append(keys.setdefault(boss, len(keys)))
            else:
                manager_key.append(-1)
        self.pairs = pairs
        self.manager_key = manager_key
        self.same_manager = avoid_same_manager
        self.key_names = {key: boss for boss, key in keys.items()}

    def clash(self, i: int, j: int) -> bool:
        """Whether learners ``i`` and ``j`` must be kept apart."""
        if j in self.pairs[i]:
            return True
        key = self.manager_key[i]
        return key >= 0 and key == self.manager_key[j] and i != j

    def fits(self, i: int, members: Sequence[int]) -> bool:
        """Whether ``i`` may join ``members`` (members equal to ``i`` are skipped)."""
        pairs = self.pairs[i]
        key = self.manager_key[i]
        keys = self.manager_key
        for j in members:
            if j == i:
                continue
            if j in pairs or (key >= 0 and keys[j] == key):
                return False
        return True

    def count(self, members: Sequence[int]) -> int:
        """The number of keep-apart pairs inside a group."""
        pairs = self.pairs
        keys = self.manager_key
        same = self.same_manager
        total = 0
        for pos, a in enumerate(members):
            own = pairs[a]
            key = keys[a]
            for b in members[pos + 1 :]:
                if b in own or (same and key >= 0 and key == keys[b]):
                    total += 1
        return total
