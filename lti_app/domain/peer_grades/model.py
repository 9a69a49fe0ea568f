"""The peer-grade vocabulary: ratings, rubrics, options and the graded results
(each with its explanation), plus the number format every explanation uses.
Pure Python (see the package docstring for the formulas)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Method = Literal["mean", "median", "trimmed"]
METHODS: tuple[str, ...] = ("mean", "median", "trimmed")

#: Number of ratings from which the trimmed mean drops the extremes.
TRIM_FROM = 4


class GradeError(ValueError):
    """Invalid grading input: a score out of range, a duplicate rating, bad options."""


def fmt(x: float) -> str:
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
                    f"criterion {c.name}: {fmt(value)} is outside 0..{fmt(c.max_points)}"
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
