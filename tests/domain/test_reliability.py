"""Krippendorff's alpha against published figures and by-hand cases."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.reliability import ReliabilityError, krippendorff_alpha

# Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability",
# Annenberg School for Communication, University of Pennsylvania: the reliability
# data of 4 observers × 12 units with missing values (None).
CANONICAL = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def triples(matrix: dict[str, list[int | None]]) -> list[tuple[str, int, float]]:
    return [
        (rater, unit, value)
        for rater, values in matrix.items()
        for unit, value in enumerate(values)
        if value is not None
    ]


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_canonical_example(level: str, expected: float) -> None:
    """Krippendorff (2011) reports alpha = 0.743 (nominal), 0.815 (ordinal) and
    0.849 (interval) for this table. (Unit 12 has one value and is dropped, so
    n = 40 pairable values.) The research note's run of the ``krippendorff``
    package printed 0.8487 interval / 0.8305 ordinal; we follow the paper."""
    result = krippendorff_alpha(triples(CANONICAL), level)  # type: ignore[arg-type]
    assert result.alpha == pytest.approx(expected, abs=5e-4)
    assert result.units == 11 and result.pairable_values == 40
    assert "1 unit(s) with a single rating left out" in result.reason


def test_nominal_by_hand() -> None:
    # Two units: (1, 1) and (1, 2). Coincidences: o11 = 2, o12 = o21 = 1, so
    # n1 = 3, n2 = 1, n = 4. D_o = 2/4; D_e = 2·3·1/(4·3) = 1/2 → alpha = 0.
    data = [("a", 0, 1), ("b", 0, 1), ("a", 1, 1), ("b", 1, 2)]
    result = krippendorff_alpha(data, "nominal")
    assert result.alpha == pytest.approx(0.0)
    assert result.observed == pytest.approx(0.5) and result.expected == pytest.approx(0.5)


def test_interval_by_hand_with_missing_and_three_raters() -> None:
    # u0: 1, 2, 3 (each pair weighted 1/2); u1: 4, 4; u2: 5 alone (dropped).
    # Σ o δ² = 1/2·2·(1 + 4 + 1) = 6 → D_o = 6/5.
    # Values 1,2,3,4,4: mean 2.8, Σ (v−mean)² = 3.24+0.64+0.04+1.44+1.44 = 6.8,
    # D_e = 2·5·6.8/(5·4) = 3.4 → alpha = 1 − 1.2/3.4 = 11/17.
    data = [("a", 0, 1), ("b", 0, 2), ("c", 0, 3), ("a", 1, 4), ("c", 1, 4), ("b", 2, 5)]
    result = krippendorff_alpha(data)
    assert result.alpha == pytest.approx(11 / 17)
    assert result.units == 2 and result.pairable_values == 5


def test_perfect_agreement_is_one() -> None:
    data = [(r, u, u % 4) for u in range(10) for r in ("a", "b", "c")]
    for level in ("nominal", "ordinal", "interval"):
        assert krippendorff_alpha(data, level).alpha == pytest.approx(1.0)  # type: ignore[arg-type]


def test_undefined_cases_say_why() -> None:
    single = krippendorff_alpha([("a", 0, 1.0), ("b", 1, 2.0)])
    assert single.alpha is None and "no unit has ratings from two raters" in single.reason
    same = krippendorff_alpha([("a", 0, 3), ("b", 0, 3), ("a", 1, 3), ("b", 1, 3)])
    assert same.alpha is None and "same value" in same.reason
    assert same.interpretation() == "undefined"
    assert krippendorff_alpha([]).alpha is None


def test_bad_input() -> None:
    with pytest.raises(ReliabilityError):
        krippendorff_alpha([("a", 0, 1), ("a", 0, 2)])
    with pytest.raises(ReliabilityError):
        krippendorff_alpha([("a", 0, float("nan"))])
    with pytest.raises(ReliabilityError):
        krippendorff_alpha([("a", 0, 1)], "ratio")  # type: ignore[arg-type]


def test_interpretation() -> None:
    result = krippendorff_alpha(triples(CANONICAL), "interval")
    assert result.interpretation() == "reliable"
    assert krippendorff_alpha(triples(CANONICAL), "nominal").interpretation() == "tentative"


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 6), st.integers(1, 5)),
        min_size=0,
        max_size=40,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.integers(0, 99),
)
def test_alpha_is_bounded_and_order_free(data: list[tuple[int, int, int]], seed: int) -> None:
    shuffled = list(data)
    random.Random(seed).shuffle(shuffled)
    for level in ("nominal", "ordinal", "interval"):
        a = krippendorff_alpha(data, level)  # type: ignore[arg-type]
        b = krippendorff_alpha(shuffled, level)  # type: ignore[arg-type]
        if a.alpha is None:
            assert b.alpha is None and a.reason
            continue
        assert b.alpha == pytest.approx(a.alpha)
        assert a.alpha <= 1 + 1e-9
        # Nominal and ordinal/interval disagreements are >= 0, so D_o/D_e >= 0.
        assert a.observed is not None and a.observed >= -1e-12


def test_sparse_peer_matrix_scale() -> None:
    # 2,000 submissions × 3 of 2,000 reviewers, scores = quality + noise.
    rng = random.Random(3)
    data = []
    for s in range(2000):
        quality = rng.uniform(2, 9)
        for r in rng.sample(range(2000), 3):
            data.append((r, s, round(min(10, max(0, quality + rng.gauss(0, 1))))))
    result = krippendorff_alpha(data)
    assert result.alpha is not None and 0.7 < result.alpha < 0.95
