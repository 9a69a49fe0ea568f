"""The search: a constrained greedy seed, then local search, restarted.

Objective (lexicographic, as CATME): maximise the worst group's score, then the
mean. Each hard-constraint violation costs ``CONFLICT_COST`` in the score the
search sees, so a group with a violation is always the worst and gets repaired
first.

* Seed: groups are built one at a time. Each starts with the most constrained
  person not yet placed (most keep-apart partners; ties broken by the rng). It
  is filled with the best-scoring compatible candidate from a sample: people
  who share a challenge with the group, plus random people, or everyone when
  the pool is small. Restarts after the first pick at random among the best
  ``GRASP_CHOICES`` candidates instead, for diversity.
* Local search (``moves``): Phase A always works on the current worst group,
  found with a lazy heap. It tries swaps/moves, then 3-cycles, on a growing
  neighbourhood, until the worst group cannot be improved. Phase B sweeps every
  group once with swaps/moves to raise the mean. The phases alternate until
  neither improves. Only the touched groups are re-scored.
* ``restarts`` seeds are tried, each with its own rng drawn from the caller's,
  and the best ``(worst, mean)`` is kept. The work has a deterministic budget
  of ``max(BUDGET_MIN, BUDGET_PER_PERSON * n)`` work units (group scorings
  weighted by ``moves.cost``), so big cohorts may run fewer restarts. An
  optional ``max_seconds`` also stops the search, and then the result depends
  on the machine's speed.
"""

from __future__ import annotations

import contextlib
import heapq
import random
import time
from collections.abc import Callable, Sequence

from .moves import EPS, EXHAUSTIVE_POOL, WIDEST, Change, Neighbourhood, cost
from .reporting import Conflicts
from .scoring import CONFLICT_COST, Scorer

#: Work budget, in group scorings: per person to group, and at least.
BUDGET_PER_PERSON = 150
BUDGET_MIN = 60_000
#: Repairs of hard-rule violations may go on up to this many times the budget.
REPAIR_FACTOR = 4
#: Seed sampling.
DRAWS_PER_CHALLENGE = 3
RANDOM_DRAWS = 6
GRASP_CHOICES = 3
#: 3-cycles over everyone only for pools up to this size.
CYCLE_EXHAUSTIVE_POOL = 150


class _Budget(Exception):
    """Raised inside the local search when the work or time budget is spent."""


class Search:
    """Groups ``people`` (learner indexes) into groups of the planned ``sizes``."""

    def __init__(
        self,
        scorer: Scorer,
        conflicts: Conflicts,
        people: Sequence[int],
        sizes: Sequence[int],
        lo: int,
        hi: int,
        restarts: int,
        max_seconds: float | None,
    ) -> None:
        self.scorer = scorer
        self.conflicts = conflicts
        self.people = sorted(people)
        self.sizes = sorted(sizes, reverse=True)
        self.restarts = restarts
        self.deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.budget = max(BUDGET_MIN, BUDGET_PER_PERSON * len(people))
        self.moves = Neighbourhood(scorer, conflicts, self.people, lo, hi)
        pset = set(self.people)
        keys = conflicts.manager_key
        same: dict[int, int] = {}
        for i in self.people:
            if keys[i] >= 0:
                same[keys[i]] = same.get(keys[i], 0) + 1
        self.degree = {
            i: sum(1 for j in conflicts.pairs[i] if j in pset)
            + (same[keys[i]] - 1 if keys[i] >= 0 else 0)
            for i in self.people
        }
        # Phase A's escalation for a stuck worst group: (neighbourhood level, kind).
        n = len(self.people)
        steps: list[tuple[int, str]] = []
        for level in range(WIDEST + 1) if n > EXHAUSTIVE_POOL else (WIDEST,):
            steps.append((level, "pair"))
            if level < WIDEST or n <= CYCLE_EXHAUSTIVE_POOL:
                steps.append((level, "cycle"))
        self.steps = steps

    def _check_budget(self, worst: float) -> None:
        """Stop when the work or time budget is spent, but never while the worst
        group still breaks a hard rule (repairs are bounded by Phase A's
        escalation, which ends when no change helps) unless the work reaches
        ``REPAIR_FACTOR`` times the budget."""
        if worst < -CONFLICT_COST / 2 and self.moves.spent < REPAIR_FACTOR * self.budget:
            return
        if self.moves.spent >= self.budget:
            raise _Budget
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _Budget

    def run(self, rng: random.Random, start: list[list[int]] | None = None) -> list[list[int]]:
        """The best grouping found over the restarts (may still hold violations).
        ``start``, a grouping that keeps every rule, replaces the first greedy
        seed; the search never makes its worst group worse, so the result then
        keeps every rule too."""
        best: list[list[int]] | None = None
        best_key = (0.0, 0.0)
        for restart in range(self.restarts):
            sub = random.Random(rng.getrandbits(64))
            if restart == 0 and start is not None:
                groups = [list(g) for g in start]
            else:
                groups = self._seed(sub, grasp=restart > 0)
            scores = [self.scorer.effective(g) for g in groups]
            self.moves.spent += sum(cost(len(g)) for g in groups)
            with contextlib.suppress(_Budget):
                self._improve(groups, scores, sub)
            key = (min(scores), sum(scores) / len(scores))
            if (
                best is None
                or key[0] > best_key[0] + EPS
                or (key[0] > best_key[0] - EPS and key[1] > best_key[1] + EPS)
            ):
                best, best_key = [list(g) for g in groups], key
            spent = self.moves.spent >= self.budget * 0.8 or (
                self.deadline is not None and time.monotonic() > self.deadline
            )
            if spent and best_key[0] > -CONFLICT_COST / 2:
                break
        assert best is not None
        return best

    # -- greedy seed ----------------------------------------------------------------

    def _seed(self, rng: random.Random, grasp: bool) -> list[list[int]]:
        order = list(self.people)
        rng.shuffle(order)
        degree = self.degree
        order.sort(key=lambda i: -degree[i])
        pool = list(order)
        position = {i: p for p, i in enumerate(pool)}
        placed: set[int] = set()
        fits = self.conflicts.fits
        effective = self.scorer.effective
        chal = self.scorer.chal
        by_challenge = self.moves.by_challenge

        def take(i: int) -> None:
            p = position.pop(i)
            last = pool.pop()
            if last != i:
                pool[p] = last
                position[last] = p
            placed.add(i)

        groups: list[list[int]] = []
        cursor = 0
        for size in self.sizes:
            while order[cursor] in placed:
                cursor += 1
            members = [order[cursor]]
            take(order[cursor])
            while len(members) < size:
                if len(pool) <= EXHAUSTIVE_POOL:
                    candidates = sorted(pool)
                else:
                    seen: set[int] = set()
                    candidates = []
                    for m in members:
                        for c in chal[m]:
                            lst = by_challenge[c]
                            for _ in range(DRAWS_PER_CHALLENGE):
                                x = lst[rng.randrange(len(lst))]
                                if x not in placed and x not in seen:
                                    seen.add(x)
                                    candidates.append(x)
                    for _ in range(RANDOM_DRAWS):
                        x = pool[rng.randrange(len(pool))]
                        if x not in seen:
                            seen.add(x)
                            candidates.append(x)
                ranked = [(-effective([*members, x]), x) for x in candidates if fits(x, members)]
                self.moves.spent += len(ranked) * cost(len(members) + 1)
                if ranked:
                    ranked.sort()
                    pick = rng.randrange(min(GRASP_CHOICES, len(ranked))) if grasp else 0
                    best = ranked[pick][1]
                else:
                    fallback = [x for x in order[cursor:] if x not in placed]
                    best = next((x for x in fallback if fits(x, members)), fallback[0])
                members.append(best)
                take(best)
            groups.append(members)
        return groups

    # -- local search ---------------------------------------------------------------

    def _improve(self, groups: list[list[int]], scores: list[float], rng: random.Random) -> None:
        where = {i: g for g, members in enumerate(groups) for i in members}
        version = [0] * len(groups)
        while True:
            moved = self._phase_worst(groups, scores, where, version, rng)
            moved += self._phase_sweep(groups, scores, where, version, rng)
            if not moved:
                return

    def _phase_worst(
        self,
        groups: list[list[int]],
        scores: list[float],
        where: dict[int, int],
        version: list[int],
        rng: random.Random,
    ) -> int:
        heap = [(s, g, version[g]) for g, s in enumerate(scores)]
        heapq.heapify(heap)
        # How far the current version of a group has been escalated already.
        effort: dict[int, tuple[int, int]] = {}
        moved = 0
        moves = self.moves
        while heap:
            worst, w, ver = heap[0]
            if ver != version[w]:
                heapq.heappop(heap)
                continue
            self._check_budget(worst)
            done_ver, step = effort.get(w, (-1, -1))
            step = step + 1 if done_ver == version[w] else 0
            if step >= len(self.steps):
                return moved
            level, kind = self.steps[step]
            finder: Callable[..., Change | None] = (
                moves.best_pair_change if kind == "pair" else moves.best_cycle
            )
            change = finder(w, groups, scores, where, rng, level)
            if change is None:
                effort[w] = (version[w], step)
                continue
            moved += 1
            for g in moves.apply(change, groups, scores, where):
                version[g] += 1
                heapq.heappush(heap, (scores[g], g, version[g]))
        return moved

    def _phase_sweep(
        self,
        groups: list[list[int]],
        scores: list[float],
        where: dict[int, int],
        version: list[int],
        rng: random.Random,
    ) -> int:
        order = list(range(len(groups)))
        rng.shuffle(order)
        moved = 0
        worst = min(scores)
        for w in order:
            self._check_budget(worst)
            change = self.moves.best_pair_change(w, groups, scores, where, rng, 0)
            if change is not None:
                moved += 1
                for g in self.moves.apply(change, groups, scores, where):
                    version[g] += 1
        return moved
