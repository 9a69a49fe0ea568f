"""How a criterion's level lines become the points a reviewer can pick."""

from __future__ import annotations

from lti_app.peer_activities.peer_review.levels import (
    Level,
    level_problem,
    levels_of,
    points_problem,
)


def test_numbered_levels_keep_their_own_points() -> None:
    assert levels_of("0 | None\n2: Some\n5 Strong", 5) == [
        Level(0, "None"),
        Level(2, "Some"),
        Level(5, "Strong"),
    ]


def test_plain_levels_are_spread_from_zero_to_the_maximum_low_to_high() -> None:
    assert [lv.points for lv in levels_of("Poor\nFair\nGood\nGreat", 3)] == [0, 1, 2, 3]
    assert [lv.value for lv in levels_of("Low\nMid\nHigh\nTop", 4)] == ["0", "1.33", "2.67", "4"]
    assert levels_of("Done", 4) == [Level(4, "Done")]
    assert levels_of("  \n", 4) == []


def test_level_text_a_reviewer_could_not_use_is_explained() -> None:
    assert "start every level with its points" in level_problem("A", "0 | x\ny", 4)
    assert "outside 0..4" in level_problem("A", "0 | x\n6 | y", 4)
    assert "same points" in level_problem("A", "1 x\n1 y", 4)
    assert level_problem("A", "0 x\n4 y", 4) == ""


def test_only_a_levels_points_are_accepted_when_a_criterion_has_levels() -> None:
    assert points_problem("A", "Low\nMid\nHigh\nTop", 4, 1.33) == ""  # as the form sends it
    assert "choose one of its levels (3 points is not one)" in points_problem("A", "0 x\n4 y", 4, 3)
    assert points_problem("A", "", 4, 2.5) == ""
