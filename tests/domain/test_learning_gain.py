"""Learning gain: the published worked example, the gradebook's edge cases, invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_app.domain.learning_gain import (
    MIN_PAIRED,
    GainInputError,
    cohort_gain,
    gain_scores,
    hake_gain,
    normalized_change,
)

#: The worked example of the measurement reference (max 100), checked by hand:
#: mean g_i = 0.230, <g> = 0.372, mean c = 0.319, d_z = 0.906, Hedges g_av = 0.526.
EXAMPLE = [(40, 70), (55, 65), (70, 85), (90, 85), (100, 100), (30, 60)]


def test_normalised_change_follows_marx_and_cummings_case_rules():
    assert normalized_change(40, 70, 100) == pytest.approx(0.5)
    assert normalized_change(90, 85, 100) == pytest.approx(-5 / 90)
    assert normalized_change(50, 50, 100) == 0.0
    assert normalized_change(100, 100, 100) is None
    assert normalized_change(0, 0, 100) is None
    assert normalized_change(20, 0, 100) == -1.0


def test_hake_gain_punishes_a_small_slip_at_the_top_that_c_does_not():
    assert hake_gain(90, 85, 100) == pytest.approx(-0.5)
    assert normalized_change(90, 85, 100) == pytest.approx(-0.056, abs=1e-3)
    assert hake_gain(100, 100, 100) is None


def test_cohort_statistics_match_the_hand_computed_example():
    stats = cohort_gain(EXAMPLE, 100)
    assert stats.n_paired == 6 and stats.dropped == 1
    assert stats.average_of_gains == pytest.approx(0.230, abs=1e-3)
    assert stats.gain_of_averages == pytest.approx(0.372, abs=1e-3)
    assert stats.mean_change == pytest.approx(0.319, abs=1e-3)
    assert stats.d_z == pytest.approx(0.906, abs=1e-3)
    assert stats.hedges_g == pytest.approx(0.526, abs=1e-3)
    assert stats.d_z_ci.low < stats.d_z < stats.d_z_ci.high
    assert not stats.displayable, f"fewer than {MIN_PAIRED} pairs are not shown"


def test_attrition_and_missing_pre_tests_are_counted_not_imputed():
    stats = cohort_gain([*EXAMPLE, (50, None), (None, 80), (None, None)], 100)
    assert (stats.n_learners, stats.n_paired, stats.attrition, stats.missing_pre) == (9, 6, 1, 1)
    assert stats.mean_change == pytest.approx(0.319, abs=1e-3)


def test_a_cohort_with_nobody_paired_has_no_statistics():
    stats = cohort_gain([(None, 70), (60, None)], 100)
    assert stats.n_paired == 0 and stats.mean_change is None and stats.d_z is None


def test_gradebook_gain_is_clamped_at_zero_with_the_raw_change_in_the_comment():
    scores = gain_scores(90 * 0.8, 60, 100)  # pre 72 -> post 60
    assert scores.gain == 0.0
    assert "-0.17" in scores.gain_comment and "recorded as 0" in scores.gain_comment
    assert scores.mastery == 60.0


def test_a_clearly_negative_change_is_flagged_for_the_facilitator():
    assert gain_scores(80, 40, 100).flagged
    assert not gain_scores(80, 78, 100).flagged


def test_at_the_ceiling_the_gain_column_gets_mastery_and_says_why():
    scores = gain_scores(95, 90, 100)
    assert scores.gain == pytest.approx(90.0)
    assert "mastery sent instead" in scores.gain_comment


def test_without_a_pre_test_only_mastery_is_sent():
    scores = gain_scores(None, 70, 100)
    assert scores.gain is None and scores.mastery == 70.0
    assert "no pre-test" in scores.gain_comment


def test_without_a_post_test_nothing_is_sent():
    scores = gain_scores(40, None, 100)
    assert scores.mastery is None and scores.gain is None


def test_scores_are_scaled_to_the_gradebook_maximum():
    scores = gain_scores(4, 8, 10, points=50)
    assert scores.mastery == pytest.approx(40.0)
    assert scores.gain == pytest.approx(50 * (4 / 6))


def test_out_of_range_scores_are_refused():
    with pytest.raises(GainInputError):
        gain_scores(120, 50, 100)
    with pytest.raises(GainInputError):
        cohort_gain([(10, 5)], 0)


@given(st.integers(0, 20), st.integers(0, 20))
def test_change_is_bounded_and_gradebook_values_are_never_negative(pre, post):
    change = normalized_change(pre, post, 20)
    assert change is None or -1.0 <= change <= 1.0
    scores = gain_scores(pre, post, 20)
    assert scores.gain is None or 0.0 <= scores.gain <= 100.0
    assert scores.mastery is not None and 0.0 <= scores.mastery <= 100.0
