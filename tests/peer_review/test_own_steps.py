"""The peer-review stepper follows the learner (panel.own_steps): a step they have
finished is behind them even before its due date."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review.panel import own_steps

NOW = datetime(2026, 3, 2, 9, 0)


def _now(steps: list[phases.Phase]) -> str:
    return next(p.key for p in steps if p.current)


def test_handing_in_moves_the_learner_on_to_reviewing() -> None:
    timeline = phases.timeline({}, NOW)
    assert _now(timeline) == phases.SUBMISSION
    mine = own_steps(timeline, submitted=True, reviewed=False)
    assert _now(mine) == phases.REVIEW
    assert mine[0].past and not mine[0].current


def test_before_handing_in_the_stepper_stays_on_submitting() -> None:
    timeline = phases.timeline({}, NOW)
    assert own_steps(timeline, submitted=False, reviewed=False) == timeline


def test_a_learner_behind_the_activity_sees_the_activity_phase() -> None:
    timeline = phases.timeline({"submission_due": "2026-03-01T09:00"}, NOW)
    assert _now(timeline) == phases.REVIEW
    assert _now(own_steps(timeline, submitted=False, reviewed=False)) == phases.REVIEW


@given(
    st.sampled_from(["", "2026-03-01T09:00", "2026-03-05T09:00"]),
    st.sampled_from(["", "2026-03-01T10:00", "2026-03-06T09:00"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_exactly_one_step_is_now_and_never_earlier_than_the_activity(
    sub_due: str, rev_due: str, rate: bool, submitted: bool, reviewed: bool
) -> None:
    settings = {"submission_due": sub_due, "review_due": rev_due, "rate_feedback": rate}
    timeline = phases.timeline(settings, NOW)
    mine = own_steps(timeline, submitted=submitted, reviewed=reviewed)
    assert sum(p.current for p in mine) == 1
    keys = [p.key for p in timeline]
    assert keys.index(_now(mine)) >= keys.index(_now(timeline))
    assert [p.key for p in mine] == keys
