"""Dashboard measures: scoring a check, NPS, survival, histogram bins, the
interaction network and the evidence ladder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_app.domain.analytics_measures import (
    CheckItem,
    MeasureInputError,
    evidence_ladder,
    histogram,
    interaction_network,
    nps,
    score_check,
    survival,
)

ITEMS = [
    CheckItem("k1", "knowledge", 3, 0),
    CheckItem("k2", "knowledge", 2, 1),
    CheckItem("s1", "self", 0, None),
    CheckItem("s2", "self", 0, None),
]


def test_only_knowledge_items_score_and_self_ratings_are_averaged_apart() -> None:
    scored = score_check(ITEMS, {"k1": 0, "k2": 0, "s1": 5, "s2": 2}, {"s1": 1, "s2": 2})
    assert (scored.score, scored.maximum) == (1.0, 2.0)
    assert (scored.self_mean, scored.retro_mean) == (3.5, 1.5)


def test_a_check_of_scales_only_has_no_score() -> None:
    scored = score_check(ITEMS[2:], {"s1": 4, "s2": 4})
    assert scored.score is None and scored.maximum is None and scored.self_mean == 4


@pytest.mark.parametrize(
    "answers",
    [
        {"k1": 0, "k2": 0, "s1": 3},
        {"k1": 3, "k2": 0, "s1": 3, "s2": 3},
        {"k1": 0, "k2": 0, "s1": 6, "s2": 3},
    ],
)
def test_missing_or_out_of_range_answers_are_refused(answers) -> None:
    with pytest.raises(MeasureInputError):
        score_check(ITEMS, answers)


def test_nps_is_promoters_minus_detractors_over_n() -> None:
    # Published definition: % 9–10 minus % 0–6. 3 promoters, 2 passives, 5 detractors.
    result = nps([10, 9, 9, 8, 7, 6, 5, 3, 0, 6])
    assert (result.n, result.promoters, result.passives, result.detractors) == (10, 3, 2, 5)
    assert result.score == pytest.approx(-20.0)
    assert nps([]).score is None
    with pytest.raises(MeasureInputError):
        nps([11])


def test_survival_counts_a_learner_until_their_last_active_week() -> None:
    assert survival([0, 1, 3, 3, -1], 4) == [0.8, 0.6, 0.4, 0.4]
    assert survival([], 2) == [0.0, 0.0]


@given(st.lists(st.floats(-1, 1), max_size=50))
def test_histogram_counts_every_value_in_range(values) -> None:
    assert sum(histogram(values, -1, 1, 10)) == len(values)


def test_histogram_puts_the_top_edge_in_the_last_bin() -> None:
    assert histogram([-1, 0, 1], -1, 1, 4) == [1, 0, 1, 1]


def test_network_finds_isolates_and_reciprocity() -> None:
    net = interaction_network(
        ["a", "b", "c", "d"], [("a", "b"), ("b", "a"), ("a", "c"), ("a", "a"), ("a", "zz")]
    )
    assert net.ties == (("a", "b", 2), ("a", "c", 1))
    assert net.isolates == ("d",)
    assert net.never_received == ("d",)
    assert net.reciprocity == pytest.approx(2 / 3)
    assert dict(net.degree) == {"a": 2, "b": 1, "c": 1, "d": 0}


def test_the_evidence_ladder_never_claims_business_results() -> None:
    ladder = evidence_ladder(
        launched=5,
        active=4,
        feedback_n=3,
        paired=0,
        rated_performance=0,
        checkins_answered=1,
        observations=0,
    )
    assert [r.evidence for r in ladder] == [True, True, False, False, True, False]
