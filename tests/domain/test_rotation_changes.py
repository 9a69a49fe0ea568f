"""Rotations for every group size, and rotations that adapt to late joiners,
leavers and absentees: every member practises at least once."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lti_app.domain.rotation import (
    CLIENT,
    OBSERVER,
    PRACTITIONER,
    ROLES,
    RoundPlan,
    plan_rotation,
    replace_absentee,
    role_counts,
    rounds_for,
    without_practice,
)
from lti_app.domain.rotation_changes import adapt_rotation

SLOW_OK = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


def names(size: int) -> list[str]:
    return [f"m{i}" for i in range(size)]


@SLOW_OK
@given(st.integers(min_value=2, max_value=8))
def test_by_default_a_group_plays_one_round_per_member_and_everyone_practises_once(
    size: int,
) -> None:
    members = names(size)
    schedule = plan_rotation(members)
    assert len(schedule.rounds) == size == rounds_for(size)
    for member in members:
        assert [p.role_of(member) for p in schedule.rounds].count(PRACTITIONER) == 1
        assert [p.role_of(member) for p in schedule.rounds].count(CLIENT) == 1
    assert without_practice(schedule.rounds, members) == ()


def test_a_group_of_four_with_three_rounds_leaves_exactly_one_without_practice() -> None:
    schedule = plan_rotation(["ana", "ben", "cy", "dee"], 3)
    missing = without_practice(schedule.rounds, ["ana", "ben", "cy", "dee"])
    assert len(missing) == 1
    assert all(p.role_of(missing[0]) != PRACTITIONER for p in schedule.rounds)


def test_with_too_few_rounds_those_who_practised_most_before_are_the_ones_left_out() -> None:
    prior = {
        "ana": {PRACTITIONER: 0},
        "ben": {PRACTITIONER: 3},
        "cy": {PRACTITIONER: 0},
        "dee": {PRACTITIONER: 0},
    }
    schedule = plan_rotation(["ana", "ben", "cy", "dee"], 3, prior)
    assert without_practice(schedule.rounds, ["ana", "ben", "cy", "dee"]) == ("ben",)


def _plans(*rounds: dict[str, str]) -> list[RoundPlan]:
    from lti_app.domain.rotation import Seat

    return [
        RoundPlan(n, tuple(Seat(m, r) for m, r in seats.items()))
        for n, seats in enumerate(rounds, start=1)
    ]


def test_a_late_joiner_observes_the_rounds_left_and_gets_an_added_round_to_practise() -> None:
    rounds = plan_rotation(["ana", "ben", "cy"]).rounds
    changed = adapt_rotation(rounds[:1], rounds[1:], ["ana", "ben", "cy", "dee"])
    assert changed.joined == ("dee",)
    assert [r.plan.number for r in changed.rounds] == [2, 3, 4]
    assert [r.was for r in changed.rounds] == [2, 3, None]
    assert changed.rounds[-1].added_for == "dee"
    assert changed.rounds[-1].plan.role_of("dee") == PRACTITIONER
    for kept, before in zip(changed.rounds[:2], rounds[1:], strict=True):
        assert kept.plan.role_of("dee") == OBSERVER
        assert kept.plan.members_in(PRACTITIONER) == before.members_in(PRACTITIONER)


def test_a_leaver_is_dropped_and_their_practice_round_goes() -> None:
    rounds = plan_rotation(["ana", "ben", "cy", "dee"]).rounds
    leaver = rounds[2].members_in(PRACTITIONER)[0]
    stay = [m for m in ["ana", "ben", "cy", "dee"] if m != leaver]
    changed = adapt_rotation(rounds[:1], rounds[1:], stay)
    assert changed.left == (leaver,)
    assert changed.dropped == (3,)
    assert [r.plan.number for r in changed.rounds] == [2, 3]
    for r in changed.rounds:
        assert r.plan.role_of(leaver) is None
        assert len(r.plan.members_in(PRACTITIONER)) == len(r.plan.members_in(CLIENT)) == 1


def test_a_client_who_leaves_is_replaced_by_the_observer_who_was_client_least() -> None:
    rounds = _plans(
        {"a": PRACTITIONER, "b": CLIENT, "c": OBSERVER, "d": OBSERVER, "e": OBSERVER},
        {"b": PRACTITIONER, "a": CLIENT, "c": OBSERVER, "d": OBSERVER, "e": OBSERVER},
        {"c": PRACTITIONER, "d": CLIENT, "a": OBSERVER, "b": OBSERVER, "e": OBSERVER},
    )
    # e was never client; a and b were once each.
    changed = adapt_rotation(rounds[:2], rounds[2:], ["a", "b", "c", "e"])
    assert changed.rounds[0].plan.role_of("e") == CLIENT
    # Between equals, who played client least before (other activities) is chosen.
    changed = adapt_rotation(rounds[:2], rounds[2:], ["a", "b", "c"], prior={"a": {CLIENT: 2}})
    assert changed.left == ("d", "e")
    assert changed.rounds[0].plan.role_of("b") == CLIENT


def test_an_absent_practitioner_replaced_by_a_stand_in_gets_a_make_up_round() -> None:
    rounds = plan_rotation(["ana", "ben", "cy"]).rounds
    absent = rounds[0].members_in(PRACTITIONER)[0]
    rerun = replace_absentee(rounds[0], absent, "zed")
    changed = adapt_rotation(
        [], [rerun, *rounds[1:]], ["ana", "ben", "cy"], stand_ins={"zed"}, away={absent}
    )
    assert changed.left == ()
    assert changed.rounds[0].plan.role_of("zed") == PRACTITIONER
    assert changed.rounds[-1].added_for == absent
    assert without_practice([r.plan for r in changed.rounds], ["ana", "ben", "cy"]) == ()


def test_an_absent_client_replaced_in_the_only_round_is_not_taken_for_a_newcomer() -> None:
    rounds = plan_rotation(["ana", "ben", "cy"], 1).rounds
    absent = rounds[0].members_in(CLIENT)[0]
    rerun = replace_absentee(rounds[0], absent, "zed")
    exempt = [m for m in ["ana", "ben", "cy"] if rerun.role_of(m) == OBSERVER]
    changed = adapt_rotation(
        [],
        [rerun],
        ["ana", "ben", "cy"],
        stand_ins={"zed"},
        away={absent},
        exempt={*exempt, absent},
    )
    assert not changed.changed


def test_exempt_members_get_no_added_round_but_newcomers_do() -> None:
    rounds = plan_rotation(["a", "b", "c", "d"], 3).rounds
    exempt = without_practice(rounds, ["a", "b", "c", "d"])
    changed = adapt_rotation([], rounds, ["a", "b", "c", "d", "e"], exempt=exempt)
    added = [r.added_for for r in changed.rounds if r.was is None]
    assert added == ["e"]


def test_nothing_changes_when_nobody_joined_or_left() -> None:
    rounds = plan_rotation(["a", "b", "c"]).rounds
    assert not adapt_rotation(rounds[:1], rounds[1:], ["a", "b", "c"]).changed


# -- a whole cohort through a course: late joiners, leavers, absentees ----------------


@dataclass
class Group:
    members: list[str]
    played: list[RoundPlan] = field(default_factory=list)
    planned: list[RoundPlan] = field(default_factory=list)
    stand_ins: set[str] = field(default_factory=set)
    away: set[str] = field(default_factory=set)
    exempt: set[str] = field(default_factory=set)


def _split(people: list[str], size: int) -> list[list[str]]:
    groups = [people[i : i + size] for i in range(0, len(people), size)]
    if len(groups) > 1 and len(groups[-1]) < 2:
        groups[-2].extend(groups.pop())
    return groups


def _adapt(group: Group, prior: dict[str, dict[str, int]]) -> None:
    before = list(group.played)
    changed = adapt_rotation(
        group.played,
        group.planned,
        group.members,
        stand_ins=group.stand_ins,
        away=group.away,
        exempt=group.exempt,
        prior=prior,
    )
    group.planned = [r.plan for r in changed.rounds]
    assert group.played == before


def _check(groups: list[Group]) -> None:
    for group in groups:
        everyone = set(group.members) | group.stand_ins
        numbers = [p.number for p in (*group.played, *group.planned)]
        assert len(numbers) == len(set(numbers))
        for plan in group.planned:
            seated = [s.member for s in plan.seats]
            assert len(seated) == len(set(seated))
            assert set(seated) <= everyone
            assert len(plan.members_in(PRACTITIONER)) == 1
            assert len(plan.members_in(CLIENT)) == 1
        if len(group.members) >= 2:
            must = [m for m in group.members if m not in group.exempt]
            assert without_practice([*group.played, *group.planned], must) == ()


@SLOW_OK
@given(
    cohort=st.integers(min_value=2, max_value=40),
    size=st.integers(min_value=2, max_value=8),
    fixed=st.none() | st.integers(min_value=1, max_value=8),
    events=st.lists(
        st.tuples(
            st.sampled_from(["play", "join", "leave", "absent"]),
            st.integers(min_value=0, max_value=10**6),
        ),
        max_size=30,
    ),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_every_member_practises_through_late_joiners_leavers_and_absentees(
    cohort: int, size: int, fixed: int | None, events: list[tuple[str, int]], seed: int
) -> None:
    rng = random.Random(seed)
    prior = {f"p{i}": {r: rng.randint(0, 3) for r in ROLES} for i in range(cohort)}
    groups = []
    for members in _split([f"p{i}" for i in range(cohort)], size):
        plans = plan_rotation(members, rounds_for(len(members), fixed), prior).rounds
        exempt = set(without_practice(plans, members)) if fixed is not None else set()
        assert fixed is not None or not exempt
        groups.append(Group(list(members), planned=list(plans), exempt=exempt))
    _check(groups)
    newcomers = 0
    for kind, pick in events:
        group = groups[pick % len(groups)]
        if kind == "play" and group.planned:
            group.played.append(group.planned.pop(0))
        elif kind == "join":
            newcomers += 1
            group.members.append(f"late{newcomers}")
            _adapt(group, prior)
        elif kind == "leave" and group.members:
            leaver = group.members.pop(pick % len(group.members))
            group.exempt.discard(leaver)
            for other in groups:
                other.stand_ins.discard(leaver)
                _adapt(other, prior)
        elif kind == "absent" and group.planned and len(groups) > 1:
            rnd = group.planned[0]
            seated = [s.member for s in rnd.seats if s.member in group.members]
            others = [
                m for g in groups if g is not group for m in g.members if rnd.role_of(m) is None
            ]
            if not seated or not others:
                continue
            absent, stand_in = seated[pick % len(seated)], others[pick % len(others)]
            group.planned[0] = replace_absentee(rnd, absent, stand_in)
            group.stand_ins.add(stand_in)
            group.away.add(absent)
            if rnd.role_of(absent) == PRACTITIONER:
                group.exempt.discard(absent)
            _adapt(group, prior)
        _check(groups)
    if fixed is None:
        assert all(not g.exempt for g in groups)


@SLOW_OK
@given(st.integers(min_value=2, max_value=8), st.integers(min_value=1, max_value=8))
def test_without_practice_names_exactly_who_never_practises(size: int, rounds: int) -> None:
    members = names(size)
    schedule = plan_rotation(members, rounds)
    missing = without_practice(schedule.rounds, members)
    assert len(missing) == max(0, size - rounds)
    counts = role_counts(schedule.rounds)
    for m in members:
        assert (Counter(counts[m])[PRACTITIONER] == 0) == (m in missing)
