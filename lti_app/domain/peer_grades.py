"""Grades from peer ratings (peer assessment), pure Python.

Inputs are ``Rating(reviewer, submission, score)`` with ``0 ≤ score ≤ max_score``
(a rubric total; ``Rubric.total`` turns per-criterion points into one, as
``Σ weight_c × points_c`` with ``max_score = Rubric.max_total``). One reviewer
rates a submission at most once.

**Leave-one-out consensus.** For reviewer v on submission s,
``consensus₋ᵥ(s) = Σ_{u≠v} w_u x_us / Σ_{u≠v} w_u`` over the other reviewers of s
(all ``w = 1`` unless accuracy weighting says otherwise). Submissions v rated
alone give no comparison. Over the n submissions v shares with others:
``bias_v = mean(x_vs − consensus₋ᵥ(s))`` and ``deviation_v = mean |x_vs − consensus₋ᵥ(s)|``.

**Submission grade** (``submission_grades``), on the 0..max scale:

* ``mean``: ``Σ w x / Σ w``;
* ``median``: the weighted median — sort the scores, take the first whose
  cumulative weight reaches half the total; if it reaches exactly half, the mean
  of it and the next (so with equal weights, the usual median: the middle score,
  or the mean of the two middle ones);
* ``trimmed``: with n ≥ 4 ratings, drop one highest and one lowest score, then
  the (weighted) mean of the rest; with n < 4 nothing is dropped (plain mean).

**Accuracy weighting** (optional, like Moodle Workshop's "comparison with the
best" and Kritik's grading power): every reviewer starts at ``w = 1``; then,
``iterations`` times (default 3; stops early when no weight moves by 1e-9),
``d_v = deviation_v / max_score`` (the leave-one-out consensus using the current
weights) and ``w_v = max(floor, 1 / (1 + (d_v / scale)²))`` (defaults
``scale = 0.1``, ``floor = 0.1``: a reviewer off by 10 % of the scale on average
counts half, by 30 % a tenth). Reviewers with nothing to compare keep ``w = 1``.

**Reviewing grade** (``reviewing_grades``), in 0..1, the weighted mean of the
parts that exist (the weights of missing parts are dropped and the rest
renormalised):

* completion = ``min(1, reviews done / reviews assigned)``; missing when nothing
  was assigned;
* accuracy = ``1 − deviation_v / max_score`` (unweighted consensus, so it does
  not depend on the weighting option), clamped to 0..1; missing without any
  comparison;
* helpfulness = the mean of ``(h − 1) / 4`` over the authors' 1–5 ratings of
  v's reviews; missing without ratings.

Default weights: completion 0.4, accuracy 0.4, helpfulness 0.2.

**Lenient / harsh flags** (``reviewer_flags``): with at least ``min_reviews``
comparisons (default 3), ``bias_v > threshold × max_score`` is lenient and
``< −threshold × max_score`` harsh (default threshold 0.1), from the unweighted
consensus. Flags inform the instructor; they never change a grade.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Method = Literal["mean", "median", "trimmed"]
METHODS: tuple[str, ...] = ("mean", "median", "trimmed")

#: Number of ratings from which the trimmed mean drops the extremes.
TRIM_FROM = 4


class GradeError(ValueError):
    """Invalid grading input: a score out of range, a duplicate rating, bad options."""


def _fmt(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Rating:
    """One reviewer's score for one submission, on the 0..max scale."""

    reviewer: str
    submission: str
    score: float


@dataclass(frozen=True)
class Criterion:
    """A rubric criterion: points in ``0..max_points``, counted ``weight`` times."""

    name: str
    max_points: float
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not self.max_points > 0:
            raise GradeError(f"criterion {self.name}: max_points must be positive")
        if not self.weight >= 0:
            raise GradeError(f"criterion {self.name}: weight must not be negative")


@dataclass(frozen=True)
class Rubric:
    """Criteria whose weighted points add up to a rubric total."""

    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        names = [c.name for c in self.criteria]
        if not names:
            raise GradeError("a rubric needs at least one criterion")
        if len(set(names)) != len(names):
            raise GradeError("criterion names must be unique")
        if not self.max_total > 0:
            raise GradeError("the rubric's total weight must be positive")

    @property
    def max_total(self) -> float:
        return sum(c.weight * c.max_points for c in self.criteria)

    def total(self, points: Mapping[str, float]) -> float:
        """``Σ weight × points`` over every criterion; each criterion must be
        scored, within its range, and nothing else may be."""
        unknown = set(points) - {c.name for c in self.criteria}
        if unknown:
            raise GradeError(f"unknown criterion {sorted(unknown)[0]}")
        out = 0.0
        for c in self.criteria:
            if c.name not in points:
                raise GradeError(f"criterion {c.name} is not scored")
            value = points[c.name]
            if not 0 <= value <= c.max_points:
                raise GradeError(
                    f"criterion {c.name}: {_fmt(value)} is outside 0..{_fmt(c.max_points)}"
                )
            out += c.weight * value
        return out

    def rating(self, reviewer: str, submission: str, points: Mapping[str, float]) -> Rating:
        return Rating(reviewer, submission, self.total(points))


@dataclass(frozen=True)
class GradingOptions:
    """How submission grades are computed (see the module docstring)."""

    max_score: float
    method: Method = "mean"
    accuracy_weighting: bool = False
    scale: float = 0.1
    floor: float = 0.1
    iterations: int = 3

    def __post_init__(self) -> None:
        if not self.max_score > 0:
            raise GradeError("max_score must be positive")
        if self.method not in METHODS:
            raise GradeError(f"method must be one of {', '.join(METHODS)}")
        if not self.scale > 0:
            raise GradeError("scale must be positive")
        if not 0 < self.floor <= 1:
            raise GradeError("floor must be in (0, 1]")
        if self.iterations < 1:
            raise GradeError("iterations must be at least 1")


@dataclass(frozen=True)
class SubmissionGrade:
    """``grade`` on the 0..max scale (``None`` without ratings), ``fraction`` in 0..1."""

    submission: str
    grade: float | None
    fraction: float | None
    n_ratings: int
    explanation: str


@dataclass(frozen=True)
class ReviewerStats:
    """A reviewer against the leave-one-out consensus, in score units."""

    reviewer: str
    n_compared: int
    bias: float | None
    deviation: float | None
    weight: float
    explanation: str


@dataclass(frozen=True)
class ReviewingWeights:
    completion: float = 0.4
    accuracy: float = 0.4
    helpfulness: float = 0.2

    def __post_init__(self) -> None:
        if min(self.completion, self.accuracy, self.helpfulness) < 0:
            raise GradeError("reviewing weights must not be negative")


@dataclass(frozen=True)
class ReviewingGrade:
    """``grade`` in 0..1 (``None`` when no part exists) and its parts."""

    reviewer: str
    grade: float | None
    completion: float | None
    accuracy: float | None
    helpfulness: float | None
    explanation: str


@dataclass(frozen=True)
class ReviewerFlag:
    reviewer: str
    kind: Literal["lenient", "harsh"]
    bias: float
    n_compared: int
    explanation: str


Table = dict[str, dict[str, float]]  # submission -> reviewer -> score


def _table(ratings: Iterable[Rating], max_score: float) -> Table:
    if not max_score > 0:
        raise GradeError("max_score must be positive")
    table: Table = {}
    for r in ratings:
        if not (math.isfinite(r.score) and 0 <= r.score <= max_score):
            raise GradeError(
                f"{r.reviewer} gave {r.submission} {r.score}, outside 0..{_fmt(max_score)}"
            )
        row = table.setdefault(r.submission, {})
        if r.reviewer in row:
            raise GradeError(f"{r.reviewer} rated {r.submission} twice")
        row[r.reviewer] = float(r.score)
    return table


def _deviations(
    table: Table, weights: Mapping[str, float]
) -> dict[str, tuple[int, float, float]]:
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
    table = _table(ratings, options.max_score)
    weights = {v: 1.0 for v in _reviewers(table)}
    rounds = 0
    if options.accuracy_weighting:
        for _ in range(options.iterations):
            rounds += 1
            devs = _deviations(table, weights)
            new = {
                v: max(options.floor, 1.0 / (1.0 + (devs[v][2] / options.max_score
                                                  / options.scale) ** 2))
                if v in devs else 1.0
                for v in weights
            }
            moved = max((abs(new[v] - weights[v]) for v in weights), default=0.0)
            weights = new
            if moved < 1e-9:
                break
    devs = _deviations(table, weights)
    out: dict[str, ReviewerStats] = {}
    for v, w in weights.items():
        if v not in devs:
            out[v] = ReviewerStats(v, 0, None, None, w, "no submission shared with another "
                                   "reviewer, so no comparison; weight 1")
            continue
        n, bias, dev = devs[v]
        text = (
            f"over {n} submission(s) shared with others, off the others' "
            f"{'weighted ' if options.accuracy_weighting else ''}mean by "
            f"{_fmt(dev)} on average ({_fmt(100 * dev / options.max_score)} % of "
            f"{_fmt(options.max_score)}), bias {'+' if bias > 0 else ''}{_fmt(bias)}"
        )
        if options.accuracy_weighting:
            text += (
                f"; weight = max({_fmt(options.floor)}, 1 / (1 + ({dev / options.max_score:.3f}"
                f" / {_fmt(options.scale)})²)) = {w:.3f} after {rounds} round(s)"
            )
        out[v] = ReviewerStats(v, n, bias, dev, w, text)
    return out


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
    table = _table(ratings, options.max_score)
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
        scores = ", ".join(_fmt(x) for x, _ in pairs)
        if weighted:
            scores = ", ".join(f"{_fmt(x)} (weight {w:.2f})" for x, w in pairs)
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
                        f"({_fmt(pairs[0][0])}) and highest ({_fmt(pairs[-1][0])}) dropped"
                    )
                else:
                    how += f" (fewer than {TRIM_FROM}, so nothing trimmed)"
            total_w = sum(w for _, w in used)
            grade = sum(x * w for x, w in used) / total_w
        text = f"{how} = {_fmt(grade)} / {_fmt(m)}"
        if weighted:
            text += "; a reviewer's weight falls with their deviation from the others"
        out[sid] = SubmissionGrade(sid, grade, grade / m, n, text)
    return out


def reviewing_grades(
    ratings: Iterable[Rating],
    *,
    max_score: float,
    assigned: Mapping[str, int],
    helpfulness: Iterable[tuple[str, int]] = (),
    weights: ReviewingWeights = ReviewingWeights(),
) -> dict[str, ReviewingGrade]:
    """Every reviewer's reviewing grade (see the module docstring).

    ``assigned`` maps reviewers to the number of reviews they were given;
    ``helpfulness`` holds ``(reviewer, stars 1..5)``, one per rated review.
    """
    ratings = list(ratings)
    table = _table(ratings, max_score)
    devs = _deviations(table, {})
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
    everyone = sorted(set(assigned) | set(done) | set(stars))
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
            parts.append(("accuracy", accuracy, weights.accuracy))
            texts.append(
                f"accuracy 1 − {_fmt(dev)}/{_fmt(max_score)} = {accuracy:.2f} "
                f"(mean distance from the other reviewers' mean over {n} submission(s))"
            )
        else:
            texts.append("accuracy: no submission shared with another reviewer")
        if v in stars:
            hs = stars[v]
            helpful = sum((h - 1) / 4 for h in hs) / len(hs)
            parts.append(("helpfulness", helpful, weights.helpfulness))
            texts.append(
                f"helpfulness {helpful:.2f} (mean of (stars − 1)/4 over {len(hs)} rating(s), "
                f"mean {_fmt(sum(hs) / len(hs))} stars)"
            )
        else:
            texts.append("helpfulness: no ratings from authors")
        total_w = sum(w for _, _, w in parts)
        if not parts or total_w <= 0:
            grade = None
            formula = "no part available, so no reviewing grade"
        else:
            grade = sum(x * w for _, x, w in parts) / total_w
            formula = (
                "("
                + " + ".join(f"{_fmt(w)}×{label}" for label, _, w in parts)
                + f") / {_fmt(total_w)} = {grade:.3f}"
            )
            missing = 3 - len(parts)
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
    table = _table(ratings, max_score)
    limit = threshold * max_score
    flags: list[ReviewerFlag] = []
    for v, (n, bias, _) in _deviations(table, {}).items():
        if n < min_reviews or abs(bias) <= limit:
            continue
        kind: Literal["lenient", "harsh"] = "lenient" if bias > 0 else "harsh"
        flags.append(
            ReviewerFlag(
                v,
                kind,
                bias,
                n,
                f"{kind}: on {n} submission(s) scored {_fmt(abs(bias))} "
                f"{'above' if bias > 0 else 'below'} the other reviewers' mean on average "
                f"(limit {_fmt(limit)})",
            )
        )
    flags.sort(key=lambda f: (-abs(f.bias), f.reviewer))
    return flags
