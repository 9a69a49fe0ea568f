"""Reviewing grades (completion, accuracy, helpfulness) and lenient/harsh flags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from lti_app.domain.peer_grades.calibration import DEFAULT_SHARE, blend_accuracy
from lti_app.domain.peer_grades.consensus import deviations, score_table
from lti_app.domain.peer_grades.model import (
    GradeError,
    Rating,
    ReviewerFlag,
    ReviewingGrade,
    ReviewingWeights,
    fmt,
)

#: Completion 0.4, accuracy 0.4, helpfulness 0.2 (see the package docstring).
DEFAULT_WEIGHTS = ReviewingWeights()


def reviewing_grades(
    ratings: Iterable[Rating],
    *,
    max_score: float,
    assigned: Mapping[str, int],
    helpfulness: Iterable[tuple[str, int]] = (),
    weights: ReviewingWeights = DEFAULT_WEIGHTS,
    calibration: Mapping[str, float] | None = None,
    calibration_share: float = DEFAULT_SHARE,
    self_assessment: Mapping[str, float] | None = None,
    self_weight: float = 0.0,
) -> dict[str, ReviewingGrade]:
    """Every reviewer's reviewing grade (see the module docstring).

    ``assigned`` maps reviewers to the number of reviews they were given;
    ``helpfulness`` holds ``(reviewer, stars 1..5)``, one per rated review.
    ``calibration`` (weighted calibration only): reviewer -> calibration agreement
    0..1, blended into accuracy (``calibration.blend_accuracy``);
    ``self_assessment`` with ``self_weight`` > 0: reviewer -> how close their
    self-assessment came to their peers' ratings, 0..1, an extra part of that weight.
    """
    if self_weight < 0:
        raise GradeError("the self-assessment weight must not be negative")
    calibration = calibration or {}
    self_assessment = (self_assessment or {}) if self_weight > 0 else {}
    ratings = list(ratings)
    table = score_table(ratings, max_score)
    devs = deviations(table, {})
    done: dict[str, int] = {}
    for row in table.values():
        for v in row:
            done[v] = done.get(v, 0) + 1
    stars: dict[str, list[int]] = {}
    for v, h in helpfulness:
        if not (isinstance(h, int) and 1 <= h <= 5):
            raise GradeError(f"helpfulness rating {h!r} for {v} is not a whole number 1..5")
        stars.setdefault(v, []).append(h)
    for v, n in assigned.items():
        if n < 0:
            raise GradeError(f"{v} has a negative number of assigned reviews")
    everyone = sorted(set(assigned) | set(done) | set(stars) | set(calibration))
    out: dict[str, ReviewingGrade] = {}
    for v in everyone:
        parts: list[tuple[str, float, float]] = []  # (label, value, weight)
        texts: list[str] = []
        completion = accuracy = helpful = None
        if assigned.get(v, 0) > 0:
            completion = min(1.0, done.get(v, 0) / assigned[v])
            parts.append(("completion", completion, weights.completion))
            texts.append(f"completion {done.get(v, 0)}/{assigned[v]} = {completion:.2f}")
        else:
            texts.append("completion: nothing assigned")
        if v in devs:
            n, _, dev = devs[v]
            accuracy = min(1.0, max(0.0, 1.0 - dev / max_score))
            texts.append(
                f"accuracy 1 − {fmt(dev)}/{fmt(max_score)} = {accuracy:.2f} "
                f"(mean distance from the other reviewers' mean over {n} submission(s))"
            )
        elif v not in calibration:
            texts.append("accuracy: no submission shared with another reviewer")
        if v in calibration:
            accuracy, blended = blend_accuracy(accuracy, calibration[v], calibration_share)
            texts.append(blended)
        if accuracy is not None:
            parts.append(("accuracy", accuracy, weights.accuracy))
        if v in stars:
            hs = stars[v]
            helpful = sum((h - 1) / 4 for h in hs) / len(hs)
            parts.append(("helpfulness", helpful, weights.helpfulness))
            texts.append(
                f"helpfulness {helpful:.2f} (mean of (stars − 1)/4 over {len(hs)} rating(s), "
                f"mean {fmt(sum(hs) / len(hs))} stars)"
            )
        else:
            texts.append("helpfulness: no ratings from authors")
        if v in self_assessment:
            own = self_assessment[v]
            parts.append(("self-assessment", own, self_weight))
            texts.append(
                f"self-assessment {own:.2f} (1 − distance of your own rating's total "
                "from your peers' mean, as a share of the maximum)"
            )
        total_w = sum(w for _, _, w in parts)
        if not parts or total_w <= 0:
            grade = None
            formula = "no part available, so no reviewing grade"
        else:
            grade = sum(x * w for _, x, w in parts) / total_w
            formula = (
                "("
                + " + ".join(f"{fmt(w)}×{label}" for label, _, w in parts)
                + f") / {fmt(total_w)} = {grade:.3f}"
            )
            missing = 3 + (self_weight > 0) - len(parts)
            if missing:
                formula += " (missing parts left out, weights renormalised)"
        out[v] = ReviewingGrade(
            v, grade, completion, accuracy, helpful, "; ".join(texts) + "; " + formula
        )
    return out


def reviewer_flags(
    ratings: Iterable[Rating],
    *,
    max_score: float,
    threshold: float = 0.1,
    min_reviews: int = 3,
) -> list[ReviewerFlag]:
    """Lenient and harsh reviewers, the largest bias first (see the module docstring)."""
    table = score_table(ratings, max_score)
    limit = threshold * max_score
    flags: list[ReviewerFlag] = []
    for v, (n, bias, _) in deviations(table, {}).items():
        if n < min_reviews or abs(bias) <= limit:
            continue
        kind: Literal["lenient", "harsh"] = "lenient" if bias > 0 else "harsh"
        flags.append(
            ReviewerFlag(
                v,
                kind,
                bias,
                n,
                f"{kind}: on {n} submission(s) scored {fmt(abs(bias))} "
                f"{'above' if bias > 0 else 'below'} the other reviewers' mean on average "
                f"(limit {fmt(limit)})",
            )
        )
    flags.sort(key=lambda f: (-abs(f.bias), f.reviewer))
    return flags
