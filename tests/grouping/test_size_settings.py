"""Group size as a range in the activity settings; old single sizes still read."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from lti_app.peer_activities.case_discussion import CaseDiscussionSettings
from lti_app.peer_activities.grouping.size_settings import size_range
from lti_app.peer_activities.role_play import RolePlaySettings


def test_defaults_are_ranges_that_work_for_any_cohort_of_three_or_more() -> None:
    from lti_app.domain.matching.sizes import range_fits

    for schema, kind in (
        (RolePlaySettings, "role_play"),
        (CaseDiscussionSettings, "case_discussion"),
    ):
        loaded = schema().load({})
        low, high = size_range(kind, loaded)
        assert (low, high) == (loaded["group_size_min"], loaded["group_size_max"])
        assert all(range_fits(n, low, high) for n in range(3, 2001)), kind


@pytest.mark.parametrize(
    ("kind", "stored", "expected"),
    [
        ("role_play", {"group_size": 3}, (3, 3)),
        ("role_play", {"group_size": 2}, (2, 2)),
        ("case_discussion", {"group_size": 6}, (4, 6)),
        ("case_discussion", {"group_size": 4}, (3, 4)),
        ("case_discussion", {"group_size_min": 3, "group_size_max": 5, "group_size": 9}, (3, 5)),
        ("role_play", {"group_size_min": 4, "group_size_max": 2}, (2, 4)),  # broken → defaults
        ("role_play", None, (2, 4)),
    ],
)
def test_stored_settings_are_read_as_a_range(
    kind: str, stored: dict | None, expected: tuple[int, int]
) -> None:
    assert size_range(kind, stored) == expected


def test_a_form_posting_the_old_single_size_is_read_as_a_range() -> None:
    assert RolePlaySettings().load({"group_size": "4"})["group_size_max"] == 4
    loaded = CaseDiscussionSettings().load({"group_size": "6"})
    assert (loaded["group_size_min"], loaded["group_size_max"]) == (4, 6)
    assert "group_size" not in loaded


def test_a_largest_group_below_the_smallest_is_refused_next_to_the_largest() -> None:
    with pytest.raises(ValidationError) as caught:
        CaseDiscussionSettings().load({"group_size_min": "5", "group_size_max": "4"})
    assert caught.value.messages == {
        "group_size_max": ["The largest group cannot be smaller than the smallest (5)."]
    }
    with pytest.raises(ValidationError) as caught:
        RolePlaySettings().load({"group_size_min": "1"})
    assert caught.value.messages == {"group_size_min": ["Choose a number from 2 to 6."]}
