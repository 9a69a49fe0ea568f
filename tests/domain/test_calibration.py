"""Calibration agreement, its effect on the reviewing grade, and the self-versus-peer
gap: small cases by hand (arithmetic in the comments) and properties over cohorts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.peer_grades import Criterion, GradeError, Rating, Rubric, reviewing_grades
from lti_app.domain.peer_grades.calibration import (
    blend_accuracy,
    calibrate,
    cohort_gap,
    example_agreement,
    self_accuracy,
    self_gap,
    within_tolerance,
)

FAST = settings(max_examples=60, deadline=None)
RUBRIC = Rubric((Criterion("Argument", 4), Criterion("Evidence", 4), Criterion("Style", 2, 0.5)))
REF = {"Argument": 3, "Evidence": 2, "Style": 2}


def test_same_scores_as_the_reference_agree_fully() -> None:
    found = example_agreement(RUBRIC, "e1", REF, REF)
    assert found.agreement == 1.0
    assert [c.distance for c in found.criteria] == [0, 0, 0]


def test_agreement_is_one_minus_the_mean_distance_normalised_by_each_criterion_range() -> None:
    # |1−3|/4 = 0.5, |2−2|/4 = 0, |0−2|/2 = 1 → 1 − 1.5/3 = 0.5 (weights do not count)
    found = example_agreement(RUBRIC, "e1", {"Argument": 1, "Evidence": 2, "Style": 0}, REF)
    assert found.agreement == pytest.approx(0.5)
    assert [c.distance for c in found.criteria] == [0.5, 0.0, 1.0]


def test_a_try_over_two_examples_is_their_mean_agreement() -> None:
    # e1: 1 − (0.25 + 0 + 0)/3 = 0.9167; e2: 1 → mean 0.9583
    found = calibrate(
        RUBRIC,
        {"e1": ({"Argument": 2, "Evidence": 2, "Style": 2}, REF), "e2": (REF, REF)},
    )
    assert found.agreement == pytest.approx((1 - 0.25 / 3 + 1) / 2)
    assert "2 example(s)" in found.explanation


def test_calibration_refuses_points_outside_a_criterion_range() -> None:
    with pytest.raises(GradeError):
        example_agreement(RUBRIC, "e1", {"Argument": 5, "Evidence": 2, "Style": 2}, REF)
    with pytest.raises(GradeError):
        calibrate(RUBRIC, {})


def test_tolerance_reached_exactly_counts_as_within() -> None:
    assert within_tolerance(0.8, 0.8)
    assert not within_tolerance(0.79, 0.8)
    with pytest.raises(GradeError):
        within_tolerance(0.5, 1.5)


def test_weighted_calibration_blends_into_accuracy_and_says_so() -> None:
    value, text = blend_accuracy(0.6, 1.0, 0.5)
    assert value == pytest.approx(0.8)
    assert "calibration agreement" in text
    assert blend_accuracy(None, 0.7)[0] == 0.7
    assert blend_accuracy(0.4, None) == (0.4, "")


def test_reviewing_grade_uses_calibration_in_accuracy_when_weighted() -> None:
    # A and B rate s1 8 and 4 (max 10): leave-one-out accuracy 1 − 4/10 = 0.6 each.
    ratings = [Rating("A", "s1", 8), Rating("B", "s1", 4)]
    plain = reviewing_grades(ratings, max_score=10, assigned={"A": 1, "B": 1})
    weighted = reviewing_grades(
        ratings, max_score=10, assigned={"A": 1, "B": 1}, calibration={"A": 1.0, "B": 0.2}
    )
    assert plain["A"].accuracy == pytest.approx(0.6)
    assert weighted["A"].accuracy == pytest.approx(0.8)  # 0.5×0.6 + 0.5×1.0
    assert weighted["B"].accuracy == pytest.approx(0.4)  # 0.5×0.6 + 0.5×0.2
    assert weighted["A"].grade > plain["A"].grade > weighted["B"].grade
    assert "calibration agreement" in weighted["A"].explanation


def test_calibration_alone_gives_accuracy_to_a_reviewer_without_comparisons() -> None:
    found = reviewing_grades([], max_score=10, assigned={"A": 2}, calibration={"A": 0.9})
    assert found["A"].accuracy == pytest.approx(0.9)
    # (0.4 × 0 completion + 0.4 × 0.9) / 0.8
    assert found["A"].grade == pytest.approx(0.45)


def test_self_assessment_counts_only_with_a_weight() -> None:
    ratings = [Rating("A", "s1", 8), Rating("B", "s1", 4)]
    base = reviewing_grades(ratings, max_score=10, assigned={"A": 1, "B": 1})
    ignored = reviewing_grades(
        ratings, max_score=10, assigned={"A": 1, "B": 1}, self_assessment={"A": 0.0}
    )
    assert ignored["A"].grade == base["A"].grade
    counted = reviewing_grades(
        ratings,
        max_score=10,
        assigned={"A": 1, "B": 1},
        self_assessment={"A": 0.0},
        self_weight=0.2,
    )
    assert counted["A"].grade < base["A"].grade
    assert "self-assessment" in counted["A"].explanation


def test_self_gap_is_own_minus_the_peers_mean_per_criterion() -> None:
    peers = [{"Argument": 2, "Evidence": 2, "Style": 1}, {"Argument": 3, "Evidence": 1, "Style": 1}]
    gaps = self_gap(RUBRIC, REF, peers)
    assert [(g.criterion, g.peers, g.gap) for g in gaps] == [
        ("Argument", 2.5, 0.5),
        ("Evidence", 1.5, 0.5),
        ("Style", 1.0, 1.0),
    ]
    assert self_gap(RUBRIC, REF, []) == ()


def test_self_accuracy_is_one_minus_the_total_distance_share() -> None:
    assert self_accuracy(8, [6, 4], 10) == pytest.approx(0.7)
    assert self_accuracy(8, [], 10) is None


points = st.fixed_dictionaries(
    {
        "Argument": st.integers(0, 4).map(float),
        "Evidence": st.integers(0, 4).map(float),
        "Style": st.integers(0, 2).map(float),
    }
)


@FAST
@given(points, points)
def test_agreement_stays_in_zero_one_and_is_symmetric(a: dict, b: dict) -> None:
    one = example_agreement(RUBRIC, "e", a, b).agreement
    assert 0.0 <= one <= 1.0
    assert one == pytest.approx(example_agreement(RUBRIC, "e", b, a).agreement)
    assert (one == 1.0) == (a == b)


@FAST
@given(points, points, points)
def test_moving_one_criterion_towards_the_reference_never_lowers_agreement(
    a: dict, ref: dict, other: dict
) -> None:
    before = example_agreement(RUBRIC, "e", a, ref).agreement
    closer = dict(a, Argument=ref["Argument"])
    assert example_agreement(RUBRIC, "e", closer, ref).agreement >= before - 1e-12


@FAST
@given(
    st.integers(2, 40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.floats(0, 1), min_size=n, max_size=n),
            st.lists(st.integers(0, 10), min_size=n, max_size=n),
            st.sets(st.integers(0, n - 1)),  # who never calibrated (late or never started)
        )
    )
)
def test_weighted_calibration_keeps_every_grade_in_range_and_rewards_agreement(case) -> None:
    n, agreement, scores, missing = case
    people = [f"p{i}" for i in range(n)]
    ratings = [Rating(people[i], f"s{(i + 1) % n}", scores[i]) for i in range(n)]
    ratings += [Rating(people[(i + 2) % n], f"s{(i + 1) % n}", scores[-i]) for i in range(n)]
    ratings = list(
        {
            (r.reviewer, r.submission): r for r in ratings if r.reviewer != f"p{r.submission[1:]}"
        }.values()
    )
    calibration = {people[i]: agreement[i] for i in range(n) if i not in missing}
    grades = reviewing_grades(
        ratings, max_score=10, assigned={p: 2 for p in people}, calibration=calibration
    )
    better = reviewing_grades(
        ratings,
        max_score=10,
        assigned={p: 2 for p in people},
        calibration={p: 1.0 for p in calibration},
    )
    for p in people:
        g = grades[p]
        assert g.grade is not None and 0.0 <= g.grade <= 1.0
        assert g.accuracy is None or 0.0 <= g.accuracy <= 1.0
        assert better[p].grade >= g.grade - 1e-12
        if p in calibration:
            assert "calibration" in g.explanation


@FAST
@given(
    st.lists(st.tuples(points, st.lists(points, min_size=1, max_size=5)), min_size=2, max_size=40)
)
def test_cohort_gap_is_the_mean_of_the_authors_gaps(authors) -> None:
    gaps = [self_gap(RUBRIC, own, peers) for own, peers in authors]
    cohort = cohort_gap([*gaps, ()])  # an author without reviews does not count
    for i, row in enumerate(cohort):
        assert row.gap == pytest.approx(sum(g[i].gap for g in gaps) / len(gaps))
        assert row.gap == pytest.approx(row.own - row.peers)
