"""Submission grades: the configured aggregation (mean, weighted median, trimmed
mean) of a submission's peer scores, optionally accuracy-weighted."""

from __future__ import annotations

import math
from collections.abc import Iterable

from lti_app.domain.peer_grades.consensus import reviewer_stats, score_table
from lti_app.domain.peer_grades.model import (
    TRIM_FROM,
    GradingOptions,
    Rating,
    SubmissionGrade,
    fmt,
)


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    pairs = sorted(pairs)
    half = sum(w for _, w in pairs) / 2
    cum = 0.0
    for i, (x, w) in enumerate(pairs):
        cum += w
        if math.isclose(cum, half, rel_tol=1e-12, abs_tol=1e-12) and i + 1 < len(pairs):
            return (x + pairs[i + 1][0]) / 2
        if cum > half:
            return x
    return pairs[-1][0]


def submission_grades(
    ratings: Iterable[Rating],
    options: GradingOptions,
    *,
    submissions: Iterable[str] = (),
) -> dict[str, SubmissionGrade]:
    """The grade of every rated submission (and of each id in ``submissions``,
    ``None`` when it has no rating), with explanations."""
    ratings = list(ratings)
    table = score_table(ratings, options.max_score)
    stats = reviewer_stats(ratings, options) if options.accuracy_weighting else {}
    out: dict[str, SubmissionGrade] = {}
    for sid in submissions:
        if sid not in table:
            out[sid] = SubmissionGrade(sid, None, None, 0, "no peer ratings yet")
    m = options.max_score
    for sid, row in sorted(table.items()):
        # By score, ties by reviewer id (which of two equal extremes is trimmed).
        pairs = [
            (x, stats[v].weight if stats else 1.0)
            for v, x in sorted(row.items(), key=lambda item: (item[1], item[0]))
        ]
        n = len(pairs)
        weighted = bool(stats) and any(w != 1.0 for _, w in pairs)
        scores = ", ".join(fmt(x) for x, _ in pairs)
        if weighted:
            scores = ", ".join(f"{fmt(x)} (weight {w:.2f})" for x, w in pairs)
        kind = "weighted " if weighted else ""
        if options.method == "median":
            grade = _weighted_median(pairs)
            how = f"{kind}median of {n} peer score(s) [{scores}]"
        else:
            used = pairs
            how = f"{kind}mean of {n} peer score(s) [{scores}]"
            if options.method == "trimmed":
                if n >= TRIM_FROM:
                    used = pairs[1:-1]
                    how = (
                        f"{kind}trimmed mean: of {n} peer scores [{scores}], the lowest "
                        f"({fmt(pairs[0][0])}) and highest ({fmt(pairs[-1][0])}) dropped"
                    )
                else:
                    how += f" (fewer than {TRIM_FROM}, so nothing trimmed)"
            total_w = sum(w for _, w in used)
            grade = sum(x * w for x, w in used) / total_w
        text = f"{how} = {fmt(grade)} / {fmt(m)}"
        if weighted:
            text += "; a reviewer's weight falls with their deviation from the others"
        out[sid] = SubmissionGrade(sid, grade, grade / m, n, text)
    return out
