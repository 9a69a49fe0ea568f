"""Inter-rater reliability of peer ratings: Krippendorff's alpha, pure Python.

Input: ``(rater, unit, value)`` triples — for peer assessment, (reviewer,
submission, score) — a sparse reviewers × submissions matrix where anything not
given is missing. A rater rates a unit at most once.

Computation (the coincidence-matrix form, Krippendorff, "Computing
Krippendorff's Alpha-Reliability", 2011):

* units with fewer than 2 values are dropped (they are not pairable);
* every ordered pair of values (c, k) from two different raters of unit u adds
  ``1 / (m_u − 1)`` to the coincidence ``o_ck`` (m_u = the number of values in u);
* ``n_c = Σ_k o_ck`` and ``n = Σ_c n_c`` (the number of pairable values);
* ``D_o = Σ_ck o_ck δ²(c, k) / n`` (observed disagreement) and
  ``D_e = Σ_ck n_c n_k δ²(c, k) / (n (n − 1))`` (expected by chance);
* ``alpha = 1 − D_o / D_e``.

Metrics δ²: nominal ``[c ≠ k]``; interval ``(c − k)²``; ordinal
``(Σ_{g=c..k} n_g − (n_c + n_k) / 2)²`` over the ranks of the values that occur
(the n_g are the pairable frequencies).

Alpha is undefined (``alpha is None``, with a ``reason``) when no unit has two
values, or when ``D_e = 0`` (all pairable values are equal: no variation to be
reliable about). 1 is perfect agreement, 0 agreement at chance level; alpha can
be negative. Conventional reading (Krippendorff 2004): ≥ 0.800 reliable,
0.667–0.800 for tentative conclusions only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

Level = Literal["nominal", "ordinal", "interval"]
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval")


class ReliabilityError(ValueError):
    """Invalid reliability input (a rater twice on a unit, a non-finite value, a bad level)."""


@dataclass(frozen=True)
class AlphaResult:
    """``alpha`` (``None`` when undefined, see ``reason``) and its ingredients."""

    alpha: float | None
    level: str
    units: int
    pairable_values: int
    observed: float | None
    expected: float | None
    reason: str

    def interpretation(self) -> str:
        """The conventional reading of the value (Krippendorff 2004)."""
        if self.alpha is None:
            return "undefined"
        if self.alpha >= 0.8:
            return "reliable"
        if self.alpha >= 0.667:
            return "tentative"
        return "unreliable"


def krippendorff_alpha(
    data: Iterable[tuple[Hashable, Hashable, float]], level: Level = "interval"
) -> AlphaResult:
    """Krippendorff's alpha of ``(rater, unit, value)`` triples (see the module
    docstring)."""
    if level not in LEVELS:
        raise ReliabilityError(f"level must be one of {', '.join(LEVELS)}")
    units: dict[Hashable, dict[Hashable, float]] = {}
    for rater, unit, value in data:
        if isinstance(value, float) and not math.isfinite(value):
            raise ReliabilityError(f"rater {rater!r} gave unit {unit!r} a non-finite value")
        row = units.setdefault(unit, {})
        if rater in row:
            raise ReliabilityError(f"rater {rater!r} rated unit {unit!r} twice")
        row[rater] = value
    pairable = [list(row.values()) for row in units.values() if len(row) >= 2]
    dropped = len(units) - len(pairable)
    if not pairable:
        return AlphaResult(
            None, level, 0, 0, None, None, "undefined: no unit has ratings from two raters"
        )

    # Coincidences o[c][k] and frequencies n_c, over the distinct values.
    coincidence: dict[tuple[float, float], float] = {}
    freq: dict[float, float] = {}
    for values in pairable:
        share = 1.0 / (len(values) - 1)
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] = coincidence.get((c, k), 0.0) + share
            freq[c] = freq.get(c, 0.0) + 1.0
    n = sum(freq.values())
    delta = _metric(level, freq)
    observed = sum(o * delta(c, k) for (c, k), o in coincidence.items()) / n
    values_sorted = sorted(freq)
    if level == "interval":
        # Σ_ck n_c n_k (c − k)² = 2 n Σ n_c c² − 2 (Σ n_c c)², with the mean
        # subtracted first for accuracy.
        mean = sum(v * f for v, f in freq.items()) / n
        spread = sum(f * (v - mean) ** 2 for v, f in freq.items())
        expected = 2 * n * spread / (n * (n - 1))
    else:
        expected = sum(
            freq[c] * freq[k] * delta(c, k) for c in values_sorted for k in values_sorted
        ) / (n * (n - 1))
    note = f"{len(pairable)} unit(s) with 2+ ratings, {int(n)} pairable value(s)"
    if dropped:
        note += f"; {dropped} unit(s) with a single rating left out"
    if expected <= 1e-12 * max(1.0, observed):
        return AlphaResult(
            None,
            level,
            len(pairable),
            int(n),
            observed,
            expected,
            "undefined: every pairable rating has the same value, so there "
            f"is no variation to agree on ({note})",
        )
    alpha = 1.0 - observed / expected
    return AlphaResult(
        alpha,
        level,
        len(pairable),
        int(n),
        observed,
        expected,
        f"{level} alpha = 1 − D_o/D_e = 1 − {observed:.4g}/{expected:.4g} = {alpha:.3f} ({note})",
    )


def _metric(level: str, freq: dict[float, float]) -> Callable[[float, float], float]:
    if level == "nominal":
        return lambda c, k: 0.0 if c == k else 1.0
    if level == "interval":
        return lambda c, k: (float(c) - float(k)) ** 2
    # Ordinal: cumulative frequencies over the sorted values.
    order = sorted(freq)
    cum: dict[float, float] = {}
    running = 0.0
    for v in order:
        running += freq[v]
        cum[v] = running  # Σ_{g ≤ v} n_g

    def ordinal(c: float, k: float) -> float:
        lo, hi = (c, k) if c <= k else (k, c)
        between = cum[hi] - cum[lo] + freq[lo]  # Σ_{g = lo..hi} n_g
        return (between - (freq[lo] + freq[hi]) / 2) ** 2

    return ordinal
