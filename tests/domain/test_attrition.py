"""Attrition counts a missing post-check only where the post-check has opened:
before that, a learner with a pre-check is waiting, not lost."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_app.domain.learning_gain import GainInputError, cohort_gain

scores = st.one_of(st.none(), st.floats(0, 100))


def test_nobody_is_attrition_before_the_post_check_opens() -> None:
    records = [(40.0, None), (60.0, None), (50.0, 80.0)]
    before = cohort_gain(records, 100.0, post_open=[False, False, True])
    assert (before.attrition, before.awaiting_post, before.n_paired) == (0, 2, 1)
    after = cohort_gain(records, 100.0, post_open=[True, True, True])
    assert (after.attrition, after.awaiting_post) == (2, 0)
    assert cohort_gain(records, 100.0).attrition == 2  # default: every post-check open


def test_one_flag_per_record() -> None:
    with pytest.raises(GainInputError):
        cohort_gain([(40.0, None)], 100.0, post_open=[])


@given(st.lists(st.tuples(scores, scores, st.booleans()), max_size=40))
def test_attrition_and_waiting_split_every_missing_post_check(
    rows: list[tuple[float | None, float | None, bool]],
) -> None:
    gain = cohort_gain([(p, q) for p, q, _ in rows], 100.0, post_open=[o for *_, o in rows])
    missing = [o for p, q, o in rows if p is not None and q is None]
    assert gain.attrition == sum(missing) and gain.awaiting_post == len(missing) - sum(missing)
