"""Reasons: the terms of a group's score, as short sentences.

Order: the challenge sentence first (the primary criterion, also when nothing is
shared: "no challenge in common"); then the other criteria that score at least
0.5, ordered by their weighted contribution, at most three; then the
organisation mix whenever organisations are not ignored; then, when there is a
history, who met before ("Ben and Chidi met 2 rounds ago") or "none has met
before". Learners are named only when they have a name; otherwise the sentence
counts them ("2 of 3 named 'hiring'").
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import LEVELS, Learner
from .scoring import Scorer

_ALL = {2: "both", 3: "all three", 4: "all four", 5: "all five", 6: "all six"}
MAX_PAIRS_NAMED = 2


def _all(k: int) -> str:
    return _ALL.get(k, f"all {k}")


def _quote(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _join(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _years(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _ago(rounds: int) -> str:
    return "last round" if rounds <= 1 else f"{rounds} rounds ago"


class Explainer:
    """Builds the reasons of a group from the scorer's view of the learners."""

    def __init__(self, learners: Sequence[Learner], scorer: Scorer, organisations: str) -> None:
        self.learners = learners
        self.scorer = scorer
        self.organisations = organisations

    def reasons(self, members: Sequence[int]) -> tuple[str, ...]:
        scorer = self.scorer
        values = scorer.criteria(members)
        out: list[str] = []
        challenge = self._challenges(members) if values[0] is not None else None
        if challenge:
            out.append(challenge)
        ranked: list[tuple[float, int, str]] = []
        builders = (self._level, self._experience, self._function)
        for pos, build in enumerate(builders, start=1):
            value = values[pos]
            if value is not None and value >= 0.5:
                sentence = build(members)
                if sentence:
                    ranked.append((-scorer.weights[pos] * value, pos, sentence))
        ranked.sort()
        out.extend(sentence for _, _, sentence in ranked[:3])
        if values[4] is not None:
            organisation = self._organisation(members)
            if organisation:
                out.append(organisation)
        if scorer.has_history:
            out.extend(self._repeats(members))
        return tuple(out)

    def _named(self, group: Sequence[int]) -> list[str] | None:
        names = [self.learners[i].name for i in group]
        return names if all(names) else None

    def _challenges(self, members: Sequence[int]) -> str | None:
        scorer = self.scorer
        holders: dict[int, list[int]] = {}
        named = 0
        for i in members:
            if scorer.chal[i]:
                named += 1
            for c in scorer.chal[i]:
                holders.setdefault(c, []).append(i)
        if named < 2:
            return None
        top = max(len(h) for h in holders.values())
        if top < 2:
            return "no challenge in common"
        shared = sorted(scorer.challenge_names[c] for c, h in holders.items() if len(h) == top)
        quoted = _quote(shared[:2])
        k = len(members)
        if top == k:
            return f"{_all(k)} named {quoted}"
        first = min(
            (c for c, h in holders.items() if len(h) == top),
            key=lambda c: scorer.challenge_names[c],
        )
        names = self._named(holders[first])
        if names is not None and len(shared) == 1:
            return f"{_join(names)} named {quoted}"
        return f"{top} of {k} named {quoted}"

    def _level(self, members: Sequence[int]) -> str | None:
        known = sorted(v for v in (self.scorer.level[i] for i in members) if v is not None)
        low, high = LEVELS[known[0] - 1], LEVELS[known[-1] - 1]
        if known[0] == known[-1]:
            return f"same level ({low})"
        if known[-1] - known[0] == 1:
            return f"adjacent levels ({low}, {high})"
        return f"levels from {low} to {high}"

    def _experience(self, members: Sequence[int]) -> str | None:
        known = sorted(v for v in (self.scorer.years[i] for i in members) if v is not None)
        low, high = _years(known[0]), _years(known[-1])
        if low == high:
            return f"same experience ({low} years)"
        if known[-1] - known[0] <= 3:
            return f"similar experience ({low}–{high} years)"
        return f"experience from {low} to {high} years"

    def _function(self, members: Sequence[int]) -> str | None:
        known = [v for v in (self.scorer.function[i] for i in members) if v is not None]
        counts: dict[str, int] = {}
        for v in known:
            counts[v] = counts.get(v, 0) + 1
        top = max(counts.values())
        common = min(v for v, c in counts.items() if c == top)
        if top == len(known) == len(members):
            return f"{_all(len(members))} in {common}"
        if top == len(known):
            return f"same function ({common})"
        return f"{top} of {len(known)} in {common}"

    def _organisation(self, members: Sequence[int]) -> str | None:
        known = [v for v in (self.scorer.organisation[i] for i in members) if v is not None]
        if len(known) < 2:
            return None
        distinct = sorted(set(known))
        if len(distinct) == 1:
            return f"same organisation ({distinct[0]})"
        if len(distinct) == len(known):
            return "different organisations"
        return f"{len(distinct)} organisations among {len(known)}"

    def _repeats(self, members: Sequence[int]) -> list[str]:
        scorer = self.scorer
        pairs = scorer.repeat_pairs(members)
        if not pairs:
            return ["none has met before"]
        pairs.sort(key=lambda p: (scorer.met_ago[p[0]][p[1]], p))
        out: list[str] = []
        for a, b in pairs[:MAX_PAIRS_NAMED]:
            names = self._named((a, b))
            ago = _ago(scorer.met_ago[a][b])
            if names is not None:
                out.append(f"{names[0]} and {names[1]} met {ago}")
            else:
                out.append(f"two members met {ago}")
        if len(pairs) > MAX_PAIRS_NAMED:
            out.append(f"{len(pairs)} pairs in all have met before")
        return out
