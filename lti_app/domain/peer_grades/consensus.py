"""Leave-one-out consensus: each reviewer's bias and deviation from the others on
the submissions they share, and the accuracy weights derived from them (see the
package docstring)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from lti_app.domain.peer_grades.model import (
    GradeError,
    GradingOptions,
    Rating,
    ReviewerStats,
    fmt,
)

Table = dict[str, dict[str, float]]  # submission -> reviewer -> score


def score_table(ratings: Iterable[Rating], max_score: float) -> Table:
    if not max_score > 0:
        raise GradeError("max_score must be positive")
    table: Table = {}
    for r in ratings:
        if not (math.isfinite(r.score) and 0 <= r.score <= max_score):
            raise GradeError(
                f"{r.reviewer} gave {r.submission} {r.score}, outside 0..{fmt(max_score)}"
            )
        row = table.setdefault(r.submission, {})
        if r.reviewer in row:
            raise GradeError(f"{r.reviewer} rated {r.submission} twice")
        row[r.reviewer] = float(r.score)
    return table


def deviations(table: Table, weights: Mapping[str, float]) -> dict[str, tuple[int, float, float]]:
    """Reviewer -> (n compared, bias, mean absolute deviation) against the
    weighted leave-one-out consensus."""
    acc: dict[str, list[float]] = {}
    for row in table.values():
        if len(row) < 2:
            continue
        total_w = sum(weights.get(v, 1.0) for v in row)
        total_wx = sum(weights.get(v, 1.0) * x for v, x in row.items())
        for v, x in row.items():
            w = weights.get(v, 1.0)
            consensus = (total_wx - w * x) / (total_w - w)
            diff = x - consensus
            entry = acc.setdefault(v, [0.0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += diff
            entry[2] += abs(diff)
    return {v: (int(n), s / n, a / n) for v, (n, s, a) in acc.items()}


def _reviewers(table: Table) -> list[str]:
    return sorted({v for row in table.values() for v in row})


def reviewer_stats(ratings: Iterable[Rating], options: GradingOptions) -> dict[str, ReviewerStats]:
    """Every reviewer's deviation, bias and (if weighting is on) accuracy weight."""
    table = score_table(ratings, options.max_score)
    weights = {v: 1.0 for v in _reviewers(table)}
    rounds = 0
    if options.accuracy_weighting:
        for _ in range(options.iterations):
            rounds += 1
            devs = deviations(table, weights)
            new = {
                v: max(
                    options.floor,
                    1.0 / (1.0 + (devs[v][2] / options.max_score / options.scale) ** 2),
                )
                if v in devs
                else 1.0
                for v in weights
            }
            moved = max((abs(new[v] - weights[v]) for v in weights), default=0.0)
            weights = new
            if moved < 1e-9:
                break
    devs = deviations(table, weights)
    out: dict[str, ReviewerStats] = {}
    for v, w in weights.items():
        if v not in devs:
            out[v] = ReviewerStats(
                v,
                0,
                None,
                None,
                w,
                "no submission shared with another reviewer, so no comparison; weight 1",
            )
            continue
        n, bias, dev = devs[v]
        text = (
            f"over {n} submission(s) shared with others, off the others' "
            f"{'weighted ' if options.accuracy_weighting else ''}mean by "
            f"{fmt(dev)} on average ({fmt(100 * dev / options.max_score)} % of "
            f"{fmt(options.max_score)}), bias {'+' if bias > 0 else ''}{fmt(bias)}"
        )
        if options.accuracy_weighting:
            text += (
                f"; weight = max({fmt(options.floor)}, 1 / (1 + ({dev / options.max_score:.3f}"
                f" / {fmt(options.scale)})²)) = {w:.3f} after {rounds} round(s)"
            )
        out[v] = ReviewerStats(v, n, bias, dev, w, text)
    return out
