"""Peer grades: small cases computed by hand (the arithmetic is in the comments),
and properties every aggregation keeps."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.peer_grades import (
    Criterion,
    GradeError,
    GradingOptions,
    Rating,
    Rubric,
    reviewer_flags,
    reviewer_stats,
    reviewing_grades,
    submission_grades,
)

FAST = settings(max_examples=60, deadline=None)


def ratings(table: dict[str, dict[str, float]]) -> list[Rating]:
    return [Rating(v, s, x) for s, row in table.items() for v, x in row.items()]


THREE = ratings(
    {
        "s1": {"A": 6, "B": 8, "C": 9, "D": 2},
        "s2": {"A": 4, "B": 5, "C": 9},
        "s3": {"A": 1, "B": 2, "C": 3, "D": 4, "E": 10},
    }
)


def grades(method: str, data: list[Rating] = THREE) -> dict[str, float | None]:
    out = submission_grades(data, GradingOptions(max_score=10, method=method))  # type: ignore[arg-type]
    return {s: g.grade for s, g in out.items()}


def test_mean_median_trimmed_by_hand() -> None:
    # s1: 6 8 9 2 -> mean 25/4; median (6+8)/2; trimmed drops 2 and 9 -> (6+8)/2
    # s2: 4 5 9   -> mean 6;    median 5;       n < 4, nothing trimmed -> 6
    # s3: 1 2 3 4 10 -> mean 4; median 3;       trimmed (2+3+4)/3 = 3
    assert grades("mean") == {"s1": 6.25, "s2": 6.0, "s3": 4.0}
    assert grades("median") == {"s1": 7.0, "s2": 5.0, "s3": 3.0}
    assert grades("trimmed") == {"s1": 7.0, "s2": 6.0, "s3": 3.0}


def test_explanations_say_how() -> None:
    out = submission_grades(THREE, GradingOptions(max_score=10, method="trimmed"))
    assert out["s1"].explanation == (
        "trimmed mean: of 4 peer scores [2, 6, 8, 9], the lowest (2) and highest (9) "
        "dropped = 7 / 10"
    )
    assert "nothing trimmed" in out["s2"].explanation
    assert out["s1"].fraction == 0.7 and out["s1"].n_ratings == 4
    median = submission_grades(THREE, GradingOptions(max_score=10, method="median"))
    assert median["s2"].explanation == "median of 3 peer score(s) [4, 5, 9] = 5 / 10"


def test_unrated_submission_is_listed_without_grade() -> None:
    out = submission_grades(THREE, GradingOptions(max_score=10), submissions=["s1", "s9"])
    assert out["s9"].grade is None and out["s9"].explanation == "no peer ratings yet"
    assert out["s1"].grade == 6.25


OUTLIER = ratings({"s1": {"A": 8, "B": 8, "C": 2}})


def test_accuracy_weighting_one_pass_by_hand() -> None:
    # Leave-one-out means: A and B see (8+2)/2 = 5, off by 3 -> d = 0.3;
    # C sees 8, off by 6 -> d = 0.6. With scale 0.5:
    # w_A = w_B = 1/(1 + 0.6²) = 25/34, w_C = 1/(1 + 1.2²) = 25/61.
    # grade = (8·25/34·2 + 2·25/61) / (2·25/34 + 25/61) = 1044/156.
    options = GradingOptions(max_score=10, accuracy_weighting=True, scale=0.5, iterations=1)
    stats = reviewer_stats(OUTLIER, options)
    assert stats["A"].weight == pytest.approx(25 / 34)
    assert stats["C"].weight == pytest.approx(25 / 61)
    assert stats["C"].bias == pytest.approx(-6) and stats["C"].n_compared == 1
    out = submission_grades(OUTLIER, options)
    assert out["s1"].grade == pytest.approx(float(Fraction(1044, 156)))
    assert out["s1"].explanation.startswith("weighted mean of 3 peer score(s) [2 (weight 0.41)")
    assert "falls with their deviation" in out["s1"].explanation
    assert "after 1 round(s)" in stats["A"].explanation


def test_accuracy_weighting_floor() -> None:
    # Default scale 0.1: C is off by 60 % -> 1/(1 + 36) < floor 0.1, so 0.1.
    stats = reviewer_stats(
        OUTLIER, GradingOptions(max_score=10, accuracy_weighting=True, iterations=1)
    )
    assert stats["C"].weight == 0.1
    assert stats["A"].weight == pytest.approx(0.1)  # off by 30 %: 1/(1 + 9) = 0.1 as well


def test_accuracy_weighting_reaches_a_fixed_point() -> None:
    one = GradingOptions(max_score=10, accuracy_weighting=True, scale=0.5, iterations=1)
    many = GradingOptions(max_score=10, accuracy_weighting=True, scale=0.5, iterations=60)
    g1 = submission_grades(OUTLIER, one)["s1"].grade
    g_many = submission_grades(OUTLIER, many)["s1"].grade
    assert g1 is not None and g_many is not None and g_many > g1  # A and B gain trust
    w = {v: s.weight for v, s in reviewer_stats(OUTLIER, many).items()}
    # One more pass by hand from the final weights changes nothing.
    consensus_a = (w["B"] * 8 + w["C"] * 2) / (w["B"] + w["C"])
    d_a = abs(8 - consensus_a) / 10
    assert w["A"] == pytest.approx(1 / (1 + (d_a / 0.5) ** 2), abs=1e-6)
    assert w["C"] == pytest.approx(1 / (1 + (0.6 / 0.5) ** 2), abs=1e-6)


def test_weighted_median_and_trimmed() -> None:
    options = GradingOptions(
        max_score=10, accuracy_weighting=True, scale=0.5, iterations=1, method="median"
    )
    assert submission_grades(OUTLIER, options)["s1"].grade == 8
    data = ratings({"s1": {"A": 8, "B": 8, "C": 2, "D": 7}, "s2": {"A": 8, "B": 8, "C": 8}})
    trimmed = GradingOptions(max_score=10, method="trimmed", accuracy_weighting=True)
    out = submission_grades(data, trimmed)
    stats = reviewer_stats(data, trimmed)
    # 2 (C) and one 8 (B: ties go by reviewer id, the later one is dropped) trimmed.
    w_a, w_d = stats["A"].weight, stats["D"].weight
    assert out["s1"].grade == pytest.approx((8 * w_a + 7 * w_d) / (w_a + w_d))


def test_reviewing_grade_by_hand() -> None:
    data = ratings({"s1": {"A": 8, "B": 8, "C": 2}, "s2": {"A": 6, "B": 6}})
    out = reviewing_grades(
        data, max_score=10, assigned={"A": 3, "C": 1}, helpfulness=[("A", 5), ("A", 3)]
    )
    # A: completion 2/3; accuracy: off by 3 (s1: others' mean 5) and 0 (s2) ->
    # 1 - 1.5/10 = 0.85; helpfulness ((5-1)/4 + (3-1)/4)/2 = 0.75;
    # grade 0.4·2/3 + 0.4·0.85 + 0.2·0.75.
    a = out["A"]
    assert a.completion == pytest.approx(2 / 3)
    assert a.accuracy == pytest.approx(0.85)
    assert a.helpfulness == pytest.approx(0.75)
    assert a.grade == pytest.approx(0.4 * 2 / 3 + 0.4 * 0.85 + 0.2 * 0.75)
    assert "completion 2/3" in a.explanation and "= 0.757" in a.explanation
    # C: completion 1, accuracy 1 - 6/10 = 0.4, no helpfulness -> (0.4·1 + 0.4·0.4)/0.8.
    c = out["C"]
    assert c.helpfulness is None
    assert c.grade == pytest.approx(0.7)
    assert "renormalised" in c.explanation
    # B: nothing assigned (a volunteer): accuracy alone.
    assert out["B"].completion is None and out["B"].grade == pytest.approx(0.85)


def test_reviewing_grade_absent_reviewer_and_no_parts() -> None:
    out = reviewing_grades([], max_score=10, assigned={"Z": 2, "Y": 0})
    assert out["Z"].grade == 0.0 and out["Z"].completion == 0.0
    assert out["Y"].grade is None and "no part available" in out["Y"].explanation
    with pytest.raises(GradeError):
        reviewing_grades([], max_score=10, assigned={}, helpfulness=[("A", 6)])


def test_lenient_and_harsh_flags() -> None:
    table = {f"s{i}": {"X": 5.0, "Y": 5.0, "L": 7.0} for i in range(3)}
    flags = reviewer_flags(ratings(table), max_score=10)
    # L: others' mean 5, bias +2 > 1. X, Y: others' mean (5+7)/2 = 6, bias -1, not beyond 1.
    assert [(f.reviewer, f.kind) for f in flags] == [("L", "lenient")]
    assert flags[0].bias == pytest.approx(2) and "above" in flags[0].explanation
    table["s0"]["H"] = 1.0
    flags = reviewer_flags(ratings(table), max_score=10, min_reviews=1)
    assert ("H", "harsh") in [(f.reviewer, f.kind) for f in flags]
    assert reviewer_flags(ratings(table), max_score=10, min_reviews=4) == []


def test_rubric_totals() -> None:
    rubric = Rubric((Criterion("content", 4, weight=2), Criterion("style", 3)))
    assert rubric.max_total == 11
    assert rubric.total({"content": 3, "style": 2}) == 8
    assert rubric.rating("A", "s1", {"content": 4, "style": 3}) == Rating("A", "s1", 11)
    for bad in ({"content": 5, "style": 0}, {"content": 1}, {"content": 1, "style": 1, "x": 1}):
        with pytest.raises(GradeError):
            rubric.total(bad)
    with pytest.raises(GradeError):
        Rubric((Criterion("a", 1), Criterion("a", 2)))


def test_bad_input() -> None:
    with pytest.raises(GradeError):
        submission_grades([Rating("A", "s", 11)], GradingOptions(max_score=10))
    with pytest.raises(GradeError):
        submission_grades([Rating("A", "s", -1)], GradingOptions(max_score=10))
    with pytest.raises(GradeError):
        submission_grades([Rating("A", "s", 1), Rating("A", "s", 2)], GradingOptions(max_score=10))
    with pytest.raises(GradeError):
        GradingOptions(max_score=0)
    with pytest.raises(GradeError):
        GradingOptions(max_score=10, method="mode")  # type: ignore[arg-type]


@st.composite
def rating_sets(draw: st.DrawFn) -> list[Rating]:
    n_rev = draw(st.integers(1, 6))
    n_sub = draw(st.integers(1, 5))
    out = []
    for s in range(n_sub):
        for v in range(n_rev):
            if draw(st.booleans()):
                out.append(Rating(f"r{v}", f"s{s}", draw(st.integers(0, 20)) / 2))
    return out


@FAST
@given(
    rating_sets(),
    st.sampled_from(["mean", "median", "trimmed"]),
    st.booleans(),
    st.integers(0, 99),
)
def test_grades_stay_within_the_scores_and_ignore_order(
    data: list[Rating], method: str, weighting: bool, seed: int
) -> None:
    options = GradingOptions(
        max_score=10,
        method=method,  # type: ignore[arg-type]
        accuracy_weighting=weighting,
    )
    out = submission_grades(data, options)
    shuffled = list(data)
    random.Random(seed).shuffle(shuffled)
    again = submission_grades(shuffled, options)
    for sid, g in out.items():
        scores = [r.score for r in data if r.submission == sid]
        assert g.grade is not None
        assert min(scores) - 1e-9 <= g.grade <= max(scores) + 1e-9
        assert g.explanation
        assert again[sid].grade == pytest.approx(g.grade)
    for s in reviewer_stats(data, options).values():
        assert 0.1 <= s.weight <= 1.0
    for rg in reviewing_grades(data, max_score=10, assigned={}).values():
        assert rg.grade is None or 0 <= rg.grade <= 1


@FAST
@given(st.integers(2, 6), st.integers(0, 20))
def test_unanimous_reviewers_keep_full_weight(n: int, score: int) -> None:
    data = [Rating(f"r{v}", s, score / 2) for v in range(n) for s in ("a", "b")]
    options = GradingOptions(max_score=10, accuracy_weighting=True)
    assert all(s.weight == 1.0 for s in reviewer_stats(data, options).values())
    assert submission_grades(data, options)["a"].grade == score / 2
