"""Role rotation: a Latin square of practitioner / client / observer seats."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lti_app.domain.rotation import (
    CLIENT,
    OBSERVER,
    PRACTITIONER,
    ROLES,
    RotationError,
    feedback_givers,
    plan_rotation,
    replace_absentee,
    role_counts,
)

#: Generation is slow on a loaded machine; that is no failure of the rotation.
SLOW_OK = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)

ids = st.text(alphabet="abcdefghijklmnop0123456789", min_size=1, max_size=6)


def group(size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(ids, min_size=size, max_size=size, unique=True)


priors = st.dictionaries(
    ids,
    st.fixed_dictionaries({r: st.integers(min_value=0, max_value=5) for r in ROLES}),
    max_size=6,
)


@SLOW_OK
@given(group(3), priors)
def test_every_triad_member_plays_each_role_once_in_three_rounds(members, prior) -> None:
    schedule = plan_rotation(members, 3, prior)
    for member in members:
        assert sorted(p.role_of(member) for p in schedule.rounds) == sorted(ROLES)


@SLOW_OK
@given(
    st.integers(min_value=2, max_value=6), st.integers(min_value=1, max_value=6), priors, st.data()
)
def test_every_round_has_exactly_one_practitioner_and_one_client(size, rounds, prior, data) -> None:
    members = data.draw(group(size))
    schedule = plan_rotation(members, rounds, prior)
    assert len(schedule.rounds) == rounds
    for plan in schedule.rounds:
        assert sorted(s.member for s in plan.seats) == sorted(members)
        assert len(plan.members_in(PRACTITIONER)) == 1
        assert len(plan.members_in(CLIENT)) == 1
        assert len(plan.members_in(OBSERVER)) == size - 2


@SLOW_OK
@given(group(2))
def test_pairs_swap_practitioner_and_client_with_no_observer(members) -> None:
    first, second = plan_rotation(members, 2).rounds
    assert first.members_in(PRACTITIONER) == second.members_in(CLIENT)
    assert first.members_in(CLIENT) == second.members_in(PRACTITIONER)
    assert feedback_givers(first) == first.members_in(CLIENT)


@SLOW_OK
@given(group(4), priors)
def test_groups_of_four_have_two_observers_and_everyone_practises_once(members, prior) -> None:
    schedule = plan_rotation(members, 4, prior)
    for plan in schedule.rounds:
        assert len(feedback_givers(plan)) == 2
    for member in members:
        played = Counter(p.role_of(member) for p in schedule.rounds)
        assert played == Counter({PRACTITIONER: 1, CLIENT: 1, OBSERVER: 2})


@SLOW_OK
@given(group(3), priors)
def test_schedule_is_deterministic_whatever_the_input_order(members, prior) -> None:
    assert plan_rotation(members, 3, prior) == plan_rotation(list(reversed(members)), 3, prior)


def test_each_person_starts_with_their_least_played_role() -> None:
    prior = {
        "ana": {PRACTITIONER: 2, CLIENT: 2, OBSERVER: 0},
        "ben": {PRACTITIONER: 0, CLIENT: 1, OBSERVER: 1},
        "cy": {PRACTITIONER: 1, CLIENT: 0, OBSERVER: 1},
    }
    first = plan_rotation(["ana", "ben", "cy"], 3, prior).rounds[0]
    assert first.role_of("ana") == OBSERVER
    assert first.role_of("ben") == PRACTITIONER
    assert first.role_of("cy") == CLIENT


@SLOW_OK
@given(group(3), priors)
def test_least_played_start_is_used_when_everyone_can_have_it(members, prior) -> None:
    # Give each member a distinct least-played role: the plan must honour all three.
    wanted = dict(zip(members, ROLES, strict=True))
    prior = {m: {r: (0 if r == wanted[m] else 3) for r in ROLES} for m in members}
    schedule = plan_rotation(members, 3, prior)
    for m in members:
        assert schedule.rounds[0].role_of(m) == wanted[m]
    assert all("least-played" in reason for reason in schedule.reasons)


def test_role_counts_feed_the_next_activity() -> None:
    earlier = plan_rotation(["a", "b", "c"], 2)
    counts = role_counts(earlier.rounds)
    assert sum(sum(c.values()) for c in counts.values()) == 6
    # Each person's never-played role comes first next time.
    nxt = plan_rotation(["a", "b", "c"], 3, counts).rounds[0]
    for m in "abc":
        assert counts[m].get(nxt.role_of(m) or "", 0) == 0


@SLOW_OK
@given(group(3), st.integers(min_value=0, max_value=2))
def test_a_replacement_takes_the_absentee_seat_and_nothing_else_changes(members, who) -> None:
    plan = plan_rotation(members, 3).rounds[1]
    absent = members[who]
    rerun = replace_absentee(plan, absent, "zz-other-group")
    assert rerun.role_of("zz-other-group") == plan.role_of(absent)
    assert rerun.role_of(absent) is None
    for m in members:
        if m != absent:
            assert rerun.role_of(m) == plan.role_of(m)


def test_bad_input_is_refused() -> None:
    with pytest.raises(RotationError):
        plan_rotation(["solo"], 3)
    with pytest.raises(RotationError):
        plan_rotation(["a", "a", "b"], 3)
    with pytest.raises(RotationError):
        plan_rotation(["a", "b"], 0)
    plan = plan_rotation(["a", "b", "c"], 1).rounds[0]
    with pytest.raises(RotationError):
        replace_absentee(plan, "nobody", "x")
    with pytest.raises(RotationError):
        replace_absentee(plan, "a", "b")
