"""The score of a pair or a triad, unrolled for speed.

These are the formulas of ``scoring`` (see its docstring), written out for two
and three members. A criterion with data for fewer than two members does not
apply. The search scores hundreds of thousands of triads, so this path avoids
building lists and dicts. A property test checks it against an independent
implementation of the documented formulas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Scorer(Protocol):
    """What these formulas read of ``scoring.Scorer`` (which imports this module,
    never the other way round): per-learner dense arrays, indexed by learner."""

    weights: tuple[float, float, float, float, float]
    mixed: bool
    level_span: float
    nchal: list[int]
    masks: list[int]
    level: list[int | None]
    years: list[float | None]
    fn_id: list[int]
    org_id: list[int]

    def challenges_value(self, members: Sequence[int]) -> float | None: ...


COVERAGE_SHARE = 0.7
EXPERIENCE_SPAN = 10.0
NEUTRAL = 0.5


def _same3(x: int, y: int, z: int) -> float:
    """The share rule for three known values: 1 all equal, 0.5 two equal, else 0."""
    if x == y:
        return 1.0 if y == z else 0.5
    return 0.5 if (x == z or y == z) else 0.0


def _range3(x: float | None, y: float | None, z: float | None) -> float | None:
    """max - min of the known values, or ``None`` with fewer than two known."""
    if x is not None and y is not None and z is not None:
        return max(x, y, z) - min(x, y, z)
    known = [v for v in (x, y, z) if v is not None]
    return abs(known[0] - known[1]) if len(known) == 2 else None


def _share3(x: int, y: int, z: int, mixed: bool) -> float | None:
    """Most-common share (or distinct share when ``mixed``) of known ids (≥ 0)."""
    if x >= 0 and y >= 0 and z >= 0:
        same = _same3(x, y, z)
        return 1.0 - same if mixed else same
    known = [v for v in (x, y, z) if v >= 0]
    if len(known) < 2:
        return None
    equal = known[0] == known[1]
    return float(equal != mixed)


def triad_base(s: Scorer, a: int, b: int, c: int) -> float:
    """``Scorer.base`` for three learners."""
    w_ch, w_lv, w_ex, w_fn, w_org = s.weights
    total = 0.0
    weight = 0.0
    if w_ch > 0:
        nchal = s.nchal
        na, nb, nc = nchal[a], nchal[b], nchal[c]
        if na and nb and nc:
            masks = s.masks
            ma, mb, mc = masks[a], masks[b], masks[c]
            ab, ac, bc = ma & mb, ma & mc, mb & mc
            coverage = 1.0 if ab & mc else (0.5 if (ab or ac or bc) else 0.0)
            overlap = 0.0
            if ab:
                overlap += ab.bit_count() / (na if na < nb else nb)
            if ac:
                overlap += ac.bit_count() / (na if na < nc else nc)
            if bc:
                overlap += bc.bit_count() / (nb if nb < nc else nc)
            total += w_ch * (COVERAGE_SHARE * coverage + (1 - COVERAGE_SHARE) * overlap / 3.0)
            weight += w_ch
        else:
            value = s.challenges_value((a, b, c))
            if value is not None:
                total += w_ch * value
                weight += w_ch
    if w_lv > 0:
        level = s.level
        la, lb, lc = level[a], level[b], level[c]
        if la is not None and lb is not None and lc is not None:
            high = la if la > lb else lb
            low = lb if la > lb else la
            span = (lc if lc > high else high) - (lc if lc < low else low)
            total += w_lv * (1.0 - span / s.level_span)
            weight += w_lv
        elif (known := _range3(la, lb, lc)) is not None:
            total += w_lv * (1.0 - known / s.level_span)
            weight += w_lv
    if w_ex > 0:
        years = s.years
        ya, yb, yc = years[a], years[b], years[c]
        if ya is not None and yb is not None and yc is not None:
            high_y = ya if ya > yb else yb
            low_y = yb if ya > yb else ya
            spread: float | None = (yc if yc > high_y else high_y) - (yc if yc < low_y else low_y)
        else:
            spread = _range3(ya, yb, yc)
        if spread is not None:
            spread /= EXPERIENCE_SPAN
            total += w_ex * (1.0 - (spread if spread < 1.0 else 1.0))
            weight += w_ex
    if w_fn > 0:
        fn = s.fn_id
        fa, fb, fc = fn[a], fn[b], fn[c]
        if fa >= 0 and fb >= 0 and fc >= 0:
            if fa == fb:
                total += w_fn * (1.0 if fb == fc else 0.5)
            elif fa == fc or fb == fc:
                total += w_fn * 0.5
            weight += w_fn
        elif (share := _share3(fa, fb, fc, False)) is not None:
            total += w_fn * share
            weight += w_fn
    if w_org > 0:
        org = s.org_id
        share = _share3(org[a], org[b], org[c], s.mixed)
        if share is not None:
            total += w_org * share
            weight += w_org
    return total / weight if weight > 0 else NEUTRAL


def pair_base(s: Scorer, a: int, b: int) -> float:
    """``Scorer.base`` for two learners."""
    w_ch, w_lv, w_ex, w_fn, w_org = s.weights
    total = 0.0
    weight = 0.0
    if w_ch > 0:
        na, nb = s.nchal[a], s.nchal[b]
        if na and nb:
            common = s.masks[a] & s.masks[b]
            if common:
                overlap = common.bit_count() / (na if na < nb else nb)
                total += w_ch * (COVERAGE_SHARE + (1 - COVERAGE_SHARE) * overlap)
            weight += w_ch
    if w_lv > 0:
        la, lb = s.level[a], s.level[b]
        if la is not None and lb is not None:
            total += w_lv * (1.0 - abs(la - lb) / s.level_span)
            weight += w_lv
    if w_ex > 0:
        ya, yb = s.years[a], s.years[b]
        if ya is not None and yb is not None:
            span = abs(ya - yb) / EXPERIENCE_SPAN
            total += w_ex * (1.0 - (span if span < 1.0 else 1.0))
            weight += w_ex
    if w_fn > 0:
        fa, fb = s.fn_id[a], s.fn_id[b]
        if fa >= 0 and fb >= 0:
            total += w_fn * (fa == fb)
            weight += w_fn
    if w_org > 0:
        oa, ob = s.org_id[a], s.org_id[b]
        if oa >= 0 and ob >= 0:
            total += w_org * ((oa == ob) != s.mixed)
            weight += w_org
    return total / weight if weight > 0 else NEUTRAL


def group_base(s: Scorer, members: Sequence[int]) -> float:
    """``Scorer.base`` for any group size, in one pass per criterion."""
    w_ch, w_lv, w_ex, w_fn, w_org = s.weights
    total = 0.0
    weight = 0.0
    if w_ch > 0:
        value = s.challenges_value(members)
        if value is not None:
            total += w_ch * value
            weight += w_ch
    if w_lv > 0:
        span = _range(s.level, members)
        if span is not None:
            total += w_lv * (1.0 - span / s.level_span)
            weight += w_lv
    if w_ex > 0:
        span = _range(s.years, members)
        if span is not None:
            span /= EXPERIENCE_SPAN
            total += w_ex * (1.0 - (span if span < 1.0 else 1.0))
            weight += w_ex
    if w_fn > 0:
        share = _share(s.fn_id, members, False)
        if share is not None:
            total += w_fn * share
            weight += w_fn
    if w_org > 0:
        share = _share(s.org_id, members, s.mixed)
        if share is not None:
            total += w_org * share
            weight += w_org
    return total / weight if weight > 0 else NEUTRAL


def _range(values: Sequence[float | None], members: Sequence[int]) -> float | None:
    low = high = 0.0
    known = 0
    for i in members:
        v = values[i]
        if v is not None:
            if not known:
                low = high = v
            elif v < low:
                low = v
            elif v > high:
                high = v
            known += 1
    return high - low if known >= 2 else None


def _share(ids: Sequence[int], members: Sequence[int], mixed: bool) -> float | None:
    """(c - 1) / (k - 1) for the most common id, or (d - 1) / (k - 1) for the
    number of distinct ids when ``mixed``; ids < 0 are unknown."""
    counts: dict[int, int] = {}
    known = 0
    for i in members:
        v = ids[i]
        if v >= 0:
            known += 1
            counts[v] = counts.get(v, 0) + 1
    if known < 2:
        return None
    if mixed:
        return (len(counts) - 1) / (known - 1)
    return (max(counts.values()) - 1) / (known - 1)
