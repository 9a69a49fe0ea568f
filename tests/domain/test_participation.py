"""The dropout rule and the survival curve: nobody counts as dropped out before
the rule's own threshold has passed since they were last seen, and recent
learners never pull the curve down."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.participation import DropoutRule, Fate, Track, fate_of, survival_curve

RULE = DropoutRule(inactive_days=21)
NOW = datetime(2026, 12, 6, 12, 0)


def seen(
    first_days_ago: float, last_days_ago: float, *, took_part: bool = True, left: bool = False
) -> Track:
    return Track(
        NOW - timedelta(days=first_days_ago), NOW - timedelta(days=last_days_ago), took_part, left
    )


def test_a_learner_minutes_after_their_first_launch_has_not_dropped_out() -> None:
    fate = fate_of(
        Track(NOW - timedelta(minutes=3), NOW - timedelta(minutes=3), False, False), NOW, RULE
    )
    assert not fate.dropped and fate.reason == ""
    assert fate.counts_from == NOW - timedelta(minutes=3) + timedelta(days=21)


def test_the_threshold_is_the_rules_own() -> None:
    assert not fate_of(seen(40, 20.99), NOW, RULE).dropped
    late = fate_of(seen(40, 21), NOW, RULE)
    assert late.dropped and late.reason == "no launch or activity for 21 days"
    idle = fate_of(seen(30, 30, took_part=False), NOW, RULE)
    assert idle.reason == "opened Peerlift but never took part; nothing for 30 days"
    assert fate_of(seen(2, 1, left=True), NOW, RULE).reason == "left the course"
    assert "21 days" in RULE.describe()


def test_never_seen_is_not_counted_and_not_in_the_curve() -> None:
    fate = fate_of(Track(None, None, False, False), NOW, RULE)
    assert not fate.dropped and fate.last_week is None
    assert survival_curve([fate], 26) == []


def test_a_fresh_cohort_stays_at_one_hundred_percent() -> None:
    fates = [fate_of(seen(0.01 * i, 0.01 * i, took_part=i % 2 == 0), NOW, RULE) for i in range(10)]
    curve = survival_curve(fates, 26)
    assert [w.share for w in curve] == [1.0]
    assert not any(f.dropped for f in fates)


def test_kaplan_meier_by_hand() -> None:
    # Four learners: two dropped after week 0, one seen through week 2 and still in,
    # one seen through week 3 (censored). Week 1: 4 at risk, 2 stop → 50%.
    fates = [
        Fate(True, "x", 0, None),
        Fate(True, "x", 0, None),
        Fate(False, "", 2, NOW),
        Fate(False, "", 3, NOW),
    ]
    curve = survival_curve(fates, 26)
    assert [(w.week, w.at_risk, w.dropped, w.share) for w in curve] == [
        (0, 4, 0, 1.0),
        (1, 4, 2, 0.5),
        (2, 2, 0, 0.5),
        (3, 1, 0, 0.5),
    ]


tracks = st.builds(
    lambda first, span, took, left: Track(
        NOW - timedelta(days=first), NOW - timedelta(days=max(0.0, first - span)), took, left
    ),
    st.floats(0, 200),
    st.floats(0, 200),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(tracks, max_size=40), st.integers(1, 60))
def test_nobody_is_dropped_before_the_threshold_and_the_curve_never_rises(
    found: list[Track], days: int
) -> None:
    rule = DropoutRule(days)
    fates = [fate_of(t, NOW, rule) for t in found]
    for track, fate in zip(found, fates, strict=True):
        if fate.dropped and not track.left_course:
            assert track.last_seen is not None and NOW - track.last_seen >= rule.after
        if (
            not track.left_course
            and track.last_seen is not None
            and NOW - track.last_seen < rule.after
        ):
            assert not fate.dropped
    curve = survival_curve(fates, 26)
    shares = [w.share for w in curve]
    assert all(0.0 <= s <= 1.0 for s in shares)
    assert all(a >= b for a, b in zip(shares, shares[1:], strict=False))
    if not any(f.dropped for f in fates):
        assert all(s == 1.0 for s in shares)
