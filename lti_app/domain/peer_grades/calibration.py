"""Calibration against reference assessments, and the self-versus-peer gap. Pure Python.

**Calibration agreement** (after Workshep's calibrated grades and Kritik's
calibration): a learner assesses example submissions whose reference assessment
the instructor made with the same rubric. For each criterion c of an example,
``distance_c = |learner_c − reference_c| / max_points_c`` (0 = same score, 1 = the
opposite ends of the scale); an example's agreement is ``1 − mean(distance_c)``
(every criterion counts the same, whatever its weight in the total: agreement is
about reading the rubric, criterion by criterion); a try's agreement is the mean
over the examples it covers. Agreement is always in 0..1.

**Within tolerance**: ``agreement ≥ tolerance`` (tolerance in 0..1; a margin of
1e-9 absorbs rounding, so 0.8 reached exactly counts as reached).

**Weighted calibration and the reviewing grade**: with calibration "weighted",
the accuracy part of the reviewing grade becomes
``(1 − share) × peer accuracy + share × calibration agreement`` (default share
0.5); when only one of the two exists, it is that one. The reviewing grade's
explanation says so (``blend_accuracy``'s text).

**Self-assessment gap**: per criterion, ``gap = self − mean(peers)`` in points
(positive: the author rated their own work higher than their peers did). The
cohort's gap per criterion is the mean over authors who have both. A weighted
self-assessment is graded as ``1 − |self total − peers' mean total| / max_total``,
the closer the better.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lti_app.domain.peer_grades.model import GradeError, Rubric, fmt

#: Share of the accuracy part that calibration takes when calibration is weighted.
DEFAULT_SHARE = 0.5
_EPS = 1e-9


@dataclass(frozen=True)
class CriterionAgreement:
    """One criterion of one example: the learner's points, the reference's, and
    their distance as a fraction of the criterion's range."""

    criterion: str
    given: float
    reference: float
    distance: float


@dataclass(frozen=True)
class ExampleAgreement:
    example: str
    agreement: float
    criteria: tuple[CriterionAgreement, ...]


@dataclass(frozen=True)
class Calibration:
    """A try over one or more examples: its overall agreement (0..1) and each
    example's criterion-by-criterion comparison."""

    agreement: float
    examples: tuple[ExampleAgreement, ...]
    explanation: str


def _checked(rubric: Rubric, points: Mapping[str, float], who: str) -> None:
    try:
        rubric.total(points)
    except GradeError as exc:
        raise GradeError(f"{who}: {exc}") from exc


def example_agreement(
    rubric: Rubric, example: str, given: Mapping[str, float], reference: Mapping[str, float]
) -> ExampleAgreement:
    """One example's agreement (see the module docstring); both assessments must
    score every criterion within its range."""
    _checked(rubric, given, "the learner's assessment")
    _checked(rubric, reference, "the reference assessment")
    rows = tuple(
        CriterionAgreement(
            c.name,
            float(given[c.name]),
            float(reference[c.name]),
            abs(float(given[c.name]) - float(reference[c.name])) / c.max_points,
        )
        for c in rubric.criteria
    )
    value = 1.0 - sum(r.distance for r in rows) / len(rows)
    return ExampleAgreement(example, min(1.0, max(0.0, value)), rows)


def calibrate(
    rubric: Rubric,
    tries: Mapping[str, tuple[Mapping[str, float], Mapping[str, float]]],
) -> Calibration:
    """A try's agreement: ``tries`` maps each example to (the learner's points,
    the reference points). At least one example is needed."""
    if not tries:
        raise GradeError("calibration needs at least one example")
    found = tuple(example_agreement(rubric, ex, g, r) for ex, (g, r) in sorted(tries.items()))
    value = sum(e.agreement for e in found) / len(found)
    text = (
        f"agreement with the reference {value:.0%}: 1 − the mean distance per criterion "
        f"(as a share of its range) over {len(found)} example(s)"
    )
    return Calibration(value, found, text)


def within_tolerance(agreement: float, tolerance: float) -> bool:
    """Whether a try's agreement reaches the tolerance (both in 0..1)."""
    if not 0 <= tolerance <= 1:
        raise GradeError("the tolerance must be between 0 and 1")
    return agreement >= tolerance - _EPS


def blend_accuracy(
    peer: float | None, calibration: float | None, share: float = DEFAULT_SHARE
) -> tuple[float | None, str]:
    """The accuracy part when calibration is weighted, and the words saying how
    it was made (see the module docstring)."""
    if not 0 <= share <= 1:
        raise GradeError("the calibration share must be between 0 and 1")
    if calibration is None:
        return peer, ""
    if not 0 <= calibration <= 1:
        raise GradeError("a calibration agreement must be between 0 and 1")
    if peer is None:
        return calibration, f"accuracy = calibration agreement {calibration:.2f}"
    value = (1 - share) * peer + share * calibration
    return value, (
        f"accuracy {fmt(1 - share)}×{peer:.2f} (agreement with the other reviewers) + "
        f"{fmt(share)}×{calibration:.2f} (calibration agreement with the reference) = {value:.2f}"
    )


@dataclass(frozen=True)
class CriterionGap:
    """Self versus peers on one criterion (points); ``peers`` is their mean."""

    criterion: str
    own: float
    peers: float
    gap: float


def self_gap(
    rubric: Rubric, own: Mapping[str, float], peers: Sequence[Mapping[str, float]]
) -> tuple[CriterionGap, ...]:
    """The author's rating beside the peers' mean, criterion by criterion; empty
    without peer ratings."""
    _checked(rubric, own, "the self-assessment")
    if not peers:
        return ()
    for p in peers:
        _checked(rubric, p, "a peer assessment")
    out = []
    for c in rubric.criteria:
        mean = sum(float(p[c.name]) for p in peers) / len(peers)
        out.append(CriterionGap(c.name, float(own[c.name]), mean, float(own[c.name]) - mean))
    return tuple(out)


def cohort_gap(gaps: Sequence[Sequence[CriterionGap]]) -> tuple[CriterionGap, ...]:
    """The mean self, peer and gap per criterion over the authors who have a gap
    (criteria in the order of the first author's)."""
    present = [g for g in gaps if g]
    if not present:
        return ()
    out = []
    for i, first in enumerate(present[0]):
        rows = [g[i] for g in present]
        n = len(rows)
        out.append(
            CriterionGap(
                first.criterion,
                sum(r.own for r in rows) / n,
                sum(r.peers for r in rows) / n,
                sum(r.gap for r in rows) / n,
            )
        )
    return tuple(out)


def self_accuracy(own_total: float, peer_totals: Sequence[float], max_total: float) -> float | None:
    """How close a self-assessment's total is to the peers' mean total, in 0..1
    (``None`` without peer totals)."""
    if not max_total > 0:
        raise GradeError("max_total must be positive")
    if not peer_totals:
        return None
    mean = sum(peer_totals) / len(peer_totals)
    return min(1.0, max(0.0, 1.0 - abs(own_total - mean) / max_total))
