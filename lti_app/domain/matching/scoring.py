"""The soft score of a group.

``score = base - penalty``, where

* ``base`` (0..1) is the weighted mean of the criteria that apply to the group.
  A criterion applies when at least two members have the data and its weight is
  above zero; the weights of the criteria that apply are renormalised to sum to 1.
  With no criterion applicable the base is a neutral 0.5.

  - challenges: ``0.7 * coverage + 0.3 * overlap``. ``coverage = (c - 1) / (k - 1)``,
    where ``c`` is how many members named the most-shared challenge and ``k`` how
    many members named any (1 when all share one, 0 when nobody shares one).
    ``overlap`` is the mean, over pairs, of ``|A ∩ B| / min(|A|, |B|)`` (the
    overlap coefficient). The second challenge in common separates near-ties.
  - level: ``1 - (max - min) / (len(LEVELS) - 1)``.
  - experience: ``1 - min(1, (max - min) / 10)`` over years (a 10-year span or
    more scores 0).
  - function: ``(c - 1) / (k - 1)`` for the most common function.
  - organisation: ``"similar"`` as function; ``"mixed"`` ``(d - 1) / (k - 1)``
    with ``d`` distinct organisations; ``"ignore"`` never applies.

* ``penalty`` is the mean, over all pairs of the group, of
  ``repeat_penalty * 0.5 ** ((rounds_ago - 1) / repeat_half_life)`` for the pairs
  who met (the most recent meeting counts; pairs who never met count 0). So a
  triad with one pair from last round loses ``0.5 / 3``, and the score can go
  below 0, by at most ``repeat_penalty``.

The search adds ``-CONFLICT_COST`` per keep-apart pair, so that it repairs
violations before it improves the score; reported scores never include it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .fast import COVERAGE_SHARE, EXPERIENCE_SPAN, group_base, pair_base, triad_base
from .model import LEVELS, Learner, MatchOptions, PastGroup
from .reporting import Conflicts

CONFLICT_COST = 1000.0

#: Criterion names, in the order of ``Scorer.criteria``.
CRITERIA = ("challenges", "level", "experience", "function", "organisation")


def repeat_weight(options: MatchOptions, rounds_ago: int) -> float:
    """The penalty for one pair who last met ``rounds_ago`` rounds ago (≥ 1)."""
    age = max(1, rounds_ago)
    decay: float = 0.5 ** ((age - 1) / options.repeat_half_life)
    return options.repeat_penalty * decay


class Scorer:
    """Scores groups given as tuples/lists of learner indexes."""

    def __init__(
        self,
        learners: Sequence[Learner],
        options: MatchOptions,
        history: Sequence[PastGroup],
        conflicts: Conflicts,
    ) -> None:
        self.options = options
        self.conflicts = conflicts
        index = {learner.id: i for i, learner in enumerate(learners)}
        self.index = index
        keys: dict[str, int] = {}
        self.challenge_names: list[str] = []
        chal: list[tuple[int, ...]] = []
        masks: list[int] = []
        for learner in learners:
            ids: list[int] = []
            for name in learner.challenges:
                if name not in keys:
                    keys[name] = len(keys)
                    self.challenge_names.append(name)
                if keys[name] not in ids:
                    ids.append(keys[name])
            chal.append(tuple(ids))
            mask = 0
            for c in ids:
                mask |= 1 << c
            masks.append(mask)
        self.challenge_keys = keys
        self.chal = chal
        self.masks = masks
        top = len(LEVELS)
        self.level = [None if lr.level is None else min(top, max(1, lr.level)) for lr in learners]
        self.years = [None if lr.years is None else max(0.0, lr.years) for lr in learners]
        self.function = [lr.function or None for lr in learners]
        self.organisation = [lr.organisation or None for lr in learners]
        # Most recent meeting per pair, as a penalty weight and in rounds.
        self.met: list[dict[int, float]] = [{} for _ in learners]
        self.met_ago: list[dict[int, int]] = [{} for _ in learners]
        for past in sorted(history, key=lambda p: (p.rounds_ago, sorted(p.members))):
            present = sorted(index[m] for m in past.members if m in index)
            weight = repeat_weight(options, past.rounds_ago)
            for a_pos, a in enumerate(present):
                for b in present[a_pos + 1 :]:
                    if b not in self.met_ago[a]:
                        self.met_ago[a][b] = self.met_ago[b][a] = max(1, past.rounds_ago)
                        self.met[a][b] = self.met[b][a] = weight
        self.has_history = bool(history)
        self.weights = (
            options.w_challenges,
            options.w_level,
            options.w_experience,
            options.w_function,
            options.w_organisation if options.organisations != "ignore" else 0.0,
        )
        self.mixed = options.organisations == "mixed"
        self.level_span = float(max(1, top - 1))
        # Dense copies for the fast paths (``fast``): ids instead of strings.
        fn_ids: dict[str, int] = {}
        org_ids: dict[str, int] = {}
        self.fn_id = [-1 if v is None else fn_ids.setdefault(v, len(fn_ids)) for v in self.function]
        self.org_id = [
            -1 if v is None else org_ids.setdefault(v, len(org_ids)) for v in self.organisation
        ]
        self.nchal = [len(c) for c in chal]

    # -- criteria ---------------------------------------------------------------

    def criteria(self, members: Sequence[int]) -> tuple[float | None, ...]:
        """Each criterion's value in 0..1, or ``None`` where it does not apply."""
        w_ch, w_lv, w_ex, w_fn, w_org = self.weights
        return (
            self.challenges_value(members) if w_ch > 0 else None,
            self._level(members) if w_lv > 0 else None,
            self._experience(members) if w_ex > 0 else None,
            _share(self.function, members) if w_fn > 0 else None,
            self._organisation(members) if w_org > 0 else None,
        )

    def challenges_value(self, members: Sequence[int]) -> float | None:
        """The challenge criterion, or ``None`` when fewer than two named any."""
        nchal = self.nchal
        masks = self.masks
        named = [i for i in members if nchal[i]]
        k = len(named)
        if k < 2:
            return None
        # at_least[j]: the challenges named by at least j + 1 of the members seen.
        at_least = [0] * k
        total = 0.0
        for pos, a in enumerate(named):
            mask_a = masks[a]
            for j in range(pos, 0, -1):
                at_least[j] |= at_least[j - 1] & mask_a
            at_least[0] |= mask_a
            len_a = nchal[a]
            for b in named[:pos]:
                common = mask_a & masks[b]
                if common:
                    len_b = nchal[b]
                    total += common.bit_count() / (len_a if len_a < len_b else len_b)
        top = k
        while not at_least[top - 1]:
            top -= 1
        coverage = (top - 1) / (k - 1)
        overlap = total / (k * (k - 1) / 2)
        return COVERAGE_SHARE * coverage + (1 - COVERAGE_SHARE) * overlap

    def _level(self, members: Sequence[int]) -> float | None:
        known = [v for v in (self.level[i] for i in members) if v is not None]
        if len(known) < 2:
            return None
        return 1.0 - (max(known) - min(known)) / self.level_span

    def _experience(self, members: Sequence[int]) -> float | None:
        known = [v for v in (self.years[i] for i in members) if v is not None]
        if len(known) < 2:
            return None
        return 1.0 - min(1.0, (max(known) - min(known)) / EXPERIENCE_SPAN)

    def _organisation(self, members: Sequence[int]) -> float | None:
        if not self.mixed:
            return _share(self.organisation, members)
        known = [v for v in (self.organisation[i] for i in members) if v is not None]
        if len(known) < 2:
            return None
        return (len(set(known)) - 1) / (len(known) - 1)

    # -- totals -----------------------------------------------------------------

    def base(self, members: Sequence[int]) -> float:
        """The weighted mean of the applicable criteria (0..1)."""
        k = len(members)
        if k == 3:
            return triad_base(self, members[0], members[1], members[2])
        if k == 2:
            return pair_base(self, members[0], members[1])
        return group_base(self, members)

    def penalty(self, members: Sequence[int]) -> float:
        """The mean repeat penalty over the group's pairs."""
        k = len(members)
        if k < 2:
            return 0.0
        met = self.met
        total = 0.0
        for a_pos in range(k):
            own = met[members[a_pos]]
            if own:
                for b in members[a_pos + 1 :]:
                    total += own.get(b, 0.0)
        return total / (k * (k - 1) / 2)

    def score(self, members: Sequence[int]) -> float:
        """The reported score: base minus repeat penalty."""
        return self.base(members) - self.penalty(members)

    def effective(self, members: Sequence[int]) -> float:
        """What the search maximises per group: the score, minus a large cost per
        keep-apart pair, so that any violation makes a group the worst."""
        if len(members) == 3:
            a, b, c = members
            value = triad_base(self, a, b, c)
            met = self.met
            own = met[a]
            if own:
                value -= (own.get(b, 0.0) + own.get(c, 0.0)) / 3.0
            own = met[b]
            if own:
                value -= own.get(c, 0.0) / 3.0
            conflicts = self.conflicts
            pairs = conflicts.pairs
            clashes = (b in pairs[a]) + (c in pairs[a]) + (c in pairs[b])
            if conflicts.same_manager:
                keys = conflicts.manager_key
                ka, kb, kc = keys[a], keys[b], keys[c]
                clashes = (
                    (b in pairs[a] or (ka >= 0 and ka == kb))
                    + (c in pairs[a] or (ka >= 0 and ka == kc))
                    + (c in pairs[b] or (kb >= 0 and kb == kc))
                )
        else:
            value = self.base(members) - self.penalty(members)
            clashes = self.conflicts.count(members)
        return value - CONFLICT_COST * clashes if clashes else value

    def repeat_pairs(self, members: Sequence[int]) -> list[tuple[int, int]]:
        """The pairs of the group who already shared a group, as index pairs."""
        found: list[tuple[int, int]] = []
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                if b in self.met_ago[a]:
                    found.append((a, b))
        return found


def _share(values: Sequence[str | None], members: Sequence[int]) -> float | None:
    counts: dict[str, int] = {}
    known = 0
    for i in members:
        value = values[i]
        if value is not None:
            known += 1
            counts[value] = counts.get(value, 0) + 1
    if known < 2:
        return None
    return (max(counts.values()) - 1) / (known - 1)
