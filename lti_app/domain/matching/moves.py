"""The local-search neighbourhood: swaps, single moves and 3-cycles.

A change touches two or three groups and is an improvement when it raises
``(min, sum)`` of their scores lexicographically: the minimum goes up, or stays
(within ``EPS``) while the sum goes up. The global worst can then never drop,
and only the touched groups are re-scored.

* Swap: person ``a`` of group W and ``x`` of group G change places.
* Move: ``x`` joins W from G, or ``a`` leaves W for G, when the size bounds
  allow it.
* 3-cycle: for a stuck worst group. ``y`` replaces ``a`` in W, ``x`` replaces
  ``y`` in y's group, and ``a`` replaces ``x`` in x's group. It frees a worst
  group whose only good partners sit in groups that would not take its member.

Partners are drawn by ``candidates``. At level 0 they are a small sample of
people who share a challenge with a member, plus random people. Level 1 is a
sample ``WIDEN`` times larger, and level ``WIDEST`` is everyone. Pools of up to
``EXHAUSTIVE_POOL`` people are always searched whole.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .reporting import Conflicts
from .scoring import Scorer

EPS = 1e-9
EXHAUSTIVE_POOL = 40
LS_DRAWS_PER_CHALLENGE = 4
LS_RANDOM_DRAWS = 8
WIDEN = 6
WIDEST = 2
#: 3-cycles continue only from this many best first steps (y replacing a in W).
CYCLE_FIRST_STEPS = 12


def cost(size: int) -> int:
    """Work units of scoring one group: pairs and triads have an unrolled scorer;
    bigger groups cost about ``size - 1`` times as much (measured)."""
    return 1 if size <= 3 else size - 1


Change = tuple[tuple[int, ...], tuple[list[int], ...], tuple[float, ...]]


def better(d_min: float, d_sum: float, best: tuple[float, float] | None) -> bool:
    """Whether the change (Δmin, Δsum) of the touched groups' scores is an
    improvement that beats ``best`` (Δmin first, then Δsum)."""
    if d_min < -EPS or (d_min <= EPS and d_sum <= EPS):
        return False
    if best is None:
        return True
    b_min, b_sum = best
    if d_min > b_min + EPS:
        return True
    return d_min > b_min - EPS and d_sum > b_sum + EPS


class Neighbourhood:
    """Finds and applies improving changes; counts the group scorings."""

    def __init__(
        self, scorer: Scorer, conflicts: Conflicts, people: Sequence[int], lo: int, hi: int
    ) -> None:
        self.scorer = scorer
        self.conflicts = conflicts
        self.people = list(people)
        self.lo = lo
        self.hi = hi
        self.spent = 0
        by_challenge: dict[int, list[int]] = {}
        for i in self.people:
            for c in scorer.chal[i]:
                by_challenge.setdefault(c, []).append(i)
        self.by_challenge = by_challenge

    def candidates(self, members: Sequence[int], rng: random.Random, level: int) -> list[int]:
        """People to try with a group (see the module docstring)."""
        people = self.people
        if level >= WIDEST or len(people) <= EXHAUSTIVE_POOL:
            return people
        scale = WIDEN if level else 1
        seen = set(members)
        out: list[int] = []
        chal = self.scorer.chal
        by_challenge = self.by_challenge
        for m in members:
            for c in chal[m]:
                lst = by_challenge[c]
                for _ in range(LS_DRAWS_PER_CHALLENGE * scale):
                    x = lst[rng.randrange(len(lst))]
                    if x not in seen:
                        seen.add(x)
                        out.append(x)
        for _ in range(LS_RANDOM_DRAWS * scale):
            x = people[rng.randrange(len(people))]
            if x not in seen:
                seen.add(x)
                out.append(x)
        return out

    @staticmethod
    def apply(
        change: Change,
        groups: list[list[int]],
        scores: list[float],
        where: dict[int, int],
    ) -> tuple[int, ...]:
        touched, members, values = change
        for g, new, value in zip(touched, members, values, strict=True):
            groups[g] = new
            scores[g] = value
            for i in new:
                where[i] = g
        return touched

    def best_pair_change(
        self,
        w: int,
        groups: list[list[int]],
        scores: list[float],
        where: dict[int, int],
        rng: random.Random,
        level: int,
    ) -> Change | None:
        """The best improving swap or move between group ``w`` and another."""
        fits = self.conflicts.fits
        eff = self.scorer.effective
        lo, hi = self.lo, self.hi
        spent = 0
        home = groups[w]
        s_w = scores[w]
        best_gain: tuple[float, float] | None = None
        best: Change | None = None
        tried_moves_out: set[int] = set()
        rests = [[m for m in home if m != a] for a in home]
        for x in self.candidates(home, rng, level):
            g = where[x]
            if g == w:
                continue
            other = groups[g]
            s_g = scores[g]
            base_min = s_w if s_w < s_g else s_g
            base_sum = s_w + s_g
            other_rest = [m for m in other if m != x]
            options: list[tuple[list[int], list[int] | None, int]] = []
            for pos, a in enumerate(home):
                if fits(x, rests[pos]) and fits(a, other_rest):
                    new_w = home.copy()
                    new_w[pos] = x
                    options.append((new_w, None, a))
            if len(home) < hi and len(other) > lo and fits(x, home):
                options.append(([*home, x], other_rest, -1))
            if len(home) > lo and len(other) < hi and g not in tried_moves_out:
                tried_moves_out.add(g)
                for pos, a in enumerate(home):
                    if fits(a, other):
                        options.append((rests[pos], [*other, a], -1))
            for new_w, new_g, a in options:
                n_w = eff(new_w)
                spent += 1
                if n_w < base_min - EPS or (
                    best_gain is not None and n_w - base_min < best_gain[0] - EPS
                ):
                    continue
                if new_g is None:
                    new_g = [a if m == x else m for m in other]
                n_g = eff(new_g)
                spent += 1
                d_min = (n_w if n_w < n_g else n_g) - base_min
                d_sum = n_w + n_g - base_sum
                if (d_min > EPS or d_sum > EPS) and better(d_min, d_sum, best_gain):
                    best_gain = (d_min, d_sum)
                    best = ((w, g), (new_w, new_g), (n_w, n_g))
        self.spent += spent * cost(len(home))
        return best

    def best_cycle(
        self,
        w: int,
        groups: list[list[int]],
        scores: list[float],
        where: dict[int, int],
        rng: random.Random,
        level: int,
    ) -> Change | None:
        """The best improving 3-cycle that raises group ``w``'s score."""
        fits = self.conflicts.fits
        eff = self.scorer.effective
        spent = 0
        home = groups[w]
        s_w = scores[w]
        rests = [[m for m in home if m != a] for a in home]
        firsts: list[tuple[float, int, int, list[int]]] = []
        for y in self.candidates(home, rng, level):
            if where[y] == w:
                continue
            for pos in range(len(home)):
                if fits(y, rests[pos]):
                    new_w = home.copy()
                    new_w[pos] = y
                    n_w = eff(new_w)
                    spent += 1
                    if n_w > s_w + EPS:
                        firsts.append((-n_w, y, pos, new_w))
        firsts.sort(key=lambda t: (t[0], t[1], t[2]))
        best_gain: tuple[float, float] | None = None
        best: Change | None = None
        for neg_w, y, pos, new_w in firsts[:CYCLE_FIRST_STEPS]:
            n_w = -neg_w
            a = home[pos]
            g2 = where[y]
            rest2 = [m for m in groups[g2] if m != y]
            s_2 = scores[g2]
            for x in self.candidates(rest2, rng, min(level, 1)):
                g1 = where[x]
                if g1 in (w, g2):
                    continue
                rest1 = [m for m in groups[g1] if m != x]
                if not fits(x, rest2) or not fits(a, rest1):
                    continue
                s_1 = scores[g1]
                base_min = min(s_w, s_1, s_2)
                new_2 = [*rest2, x]
                n_2 = eff(new_2)
                spent += 1
                if n_2 < base_min - EPS:
                    continue
                new_1 = [*rest1, a]
                n_1 = eff(new_1)
                spent += 1
                d_min = min(n_w, n_1, n_2) - base_min
                d_sum = n_w + n_1 + n_2 - s_w - s_1 - s_2
                if better(d_min, d_sum, best_gain):
                    best_gain = (d_min, d_sum)
                    best = ((w, g2, g1), (new_w, new_2, new_1), (n_w, n_2, n_1))
        self.spent += spent * cost(len(home))
        return best
