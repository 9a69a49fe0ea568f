"""Late joiners: placed without moving anyone and never above a group's maximum;
who cannot be placed waits, with the reason and the instructor's options."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.matching import (
    InfeasibleGrouping,
    Learner,
    MatchOptions,
    add_late_joiners,
    form_groups,
)
from tests.domain.matching_cases import broken_pairs, cohort, forbidden, managers


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(3, 36),
    st.integers(1, 8),
    st.integers(2, 4),
    st.integers(0, 2),
    st.sampled_from([0.0, 0.3, 0.6]),
)
def test_late_joiner_never_pushes_group_over_max_and_moves_nobody(
    seed: int, n: int, m: int, low: int, extra: int, reports: float
) -> None:
    everyone, lines = cohort(n + m, random.Random(seed), reports=reports)
    settled, newcomers = everyone[:n], everyone[n:]
    options = MatchOptions(min_size=low, max_size=low + extra, restarts=1)
    try:
        before = form_groups(settled, options, reporting_lines=lines, rng=random.Random(seed))
    except InfeasibleGrouping:
        return
    after = add_late_joiners(
        [g.members for g in before.groups],
        newcomers,
        everyone,
        options,
        reporting_lines=lines,
        rng=random.Random(seed),
    )
    new_ids = {lr.id for lr in newcomers}
    for old, new in zip(before.groups, after.groups, strict=False):
        assert set(old.members) <= set(new.members), "nobody already placed moves"
        assert set(new.members) - set(old.members) <= new_ids
        if len(new.members) > len(old.members):
            assert len(new.members) <= options.max_size, "never above the maximum"
    for extra_group in after.groups[len(before.groups) :]:
        assert set(extra_group.members) <= new_ids
        assert options.min_size <= len(extra_group.members) <= options.max_size
    waiting = {w.id for w in after.waiting}
    placed = sorted(p for g in after.groups for p in g.members)
    assert sorted([*placed, *waiting]) == sorted(lr.id for lr in everyone)
    assert not set(placed) & waiting
    boss = managers(everyone, lines)
    assert broken_pairs([g.members for g in after.groups], boss, False) == []
    # Waiting only when no group below its maximum would take them.
    for person in waiting:
        for g in after.groups:
            if len(g.members) < options.max_size:
                assert any(forbidden(person, p, boss, False) for p in g.members)
    for w in after.waiting:
        assert w.reason
        if w.over_max_group is not None:
            target = after.groups[w.over_max_group].members
            assert len(target) <= options.max_size
            assert not any(forbidden(w.id, p, boss, False) for p in target)


def _person(pid: str, challenge: str, boss: str | None = None) -> Learner:
    return Learner(id=pid, name=pid.title(), challenges=(challenge,), level=2, reports_to=boss)


def test_a_newcomer_joins_the_best_scoring_group_with_room_that_has_no_manager() -> None:
    learners = [
        _person("ann", "hiring"),
        _person("bob", "hiring"),
        _person("cat", "conflict"),
        _person("dan", "conflict"),
    ]
    fits_cd = _person("eva", "conflict")
    clashes_cd = _person("fin", "conflict", boss="cat")
    grouping = add_late_joiners(
        [["ann", "bob"], ["cat", "dan"]],
        [fits_cd, clashes_cd],
        learners,
        MatchOptions(min_size=2, max_size=3),
        rng=random.Random(1),
    )
    assert [g.members for g in grouping.groups] == [("ann", "bob", "fin"), ("cat", "dan", "eva")]
    assert grouping.notes == ("2 newcomers joined groups with room.",)
    assert grouping.waiting == ()


def test_newcomers_without_room_form_a_new_group() -> None:
    learners, _ = cohort(9, random.Random(4), reports=0.0, outside=0.0)
    existing = [[lr.id for lr in learners[k : k + 3]] for k in range(0, 9, 3)]
    newcomers, _ = cohort(3, random.Random(5), reports=0.0, outside=0.0)
    newcomers = [Learner(**{**lr.__dict__, "id": f"new{k}"}) for k, lr in enumerate(newcomers)]
    grouping = add_late_joiners(existing, newcomers, learners, MatchOptions(), rng=random.Random(1))
    assert [list(g.members) for g in grouping.groups[:3]] == existing
    assert sorted(grouping.groups[3].members) == ["new0", "new1", "new2"]
    assert grouping.notes == ("3 newcomers formed 1 new group.",)


def _full_role_play() -> tuple[list[Learner], list[list[str]], Learner]:
    learners = [_person(p, "hiring") for p in ("ann", "bob", "cat", "dan")]
    learners += [_person(p, "conflict") for p in ("eva", "fay", "gil", "hal")]
    return (
        learners,
        [["ann", "bob", "cat", "dan"], ["eva", "fay", "gil", "hal"]],
        _person("ivy", "conflict", boss="eva"),
    )


def test_a_single_late_joiner_waits_instead_of_making_a_group_of_five() -> None:
    learners, existing, ivy = _full_role_play()
    options = MatchOptions(min_size=3, max_size=4)
    grouping = add_late_joiners(existing, [ivy], learners, options, rng=random.Random(1))
    assert [len(g.members) for g in grouping.groups] == [4, 4]
    (waiting,) = grouping.waiting
    assert waiting.id == "ivy"
    assert waiting.reason == (
        "every group already has its maximum of 4, and 1 waiting person "
        "is fewer than the 3 a new group needs."
    )
    assert waiting.over_max_group == 0, "group 2 holds Ivy's manager"
    assert not waiting.together


def test_the_instructor_may_allow_one_group_one_above_the_maximum() -> None:
    learners, existing, ivy = _full_role_play()
    grouping = add_late_joiners(
        existing,
        [ivy],
        learners,
        MatchOptions(min_size=3, max_size=4),
        rng=random.Random(1),
        over_max={"ivy"},
    )
    assert grouping.groups[0].members == ("ann", "bob", "cat", "dan", "ivy")
    assert grouping.waiting == ()
    assert "one above the maximum of 4, as the instructor allowed" in grouping.notes[-1]


def test_two_waiting_may_form_a_small_group_when_allowed_and_enough_form_a_new_one() -> None:
    learners, existing, ivy = _full_role_play()
    jon = _person("jon", "hiring")
    options = MatchOptions(min_size=3, max_size=4)
    waiting = add_late_joiners(existing, [ivy, jon], learners, options, rng=random.Random(1))
    assert {w.id for w in waiting.waiting} == {"ivy", "jon"}
    assert all(w.together for w in waiting.waiting)
    small = add_late_joiners(
        existing, [ivy, jon], learners, options, rng=random.Random(1), small_group=True
    )
    assert small.groups[2].members == ("ivy", "jon") and small.waiting == ()
    kim = _person("kim", "hiring")
    enough = add_late_joiners(existing, [ivy, jon, kim], learners, options, rng=random.Random(1))
    assert sorted(enough.groups[2].members) == ["ivy", "jon", "kim"]
    assert enough.waiting == ()


def test_a_late_joiner_whose_manager_is_in_the_only_group_with_room_waits_and_says_so() -> None:
    learners = [_person(p, "hiring") for p in ("ann", "bob", "cat")]
    newcomer = _person("gus", "hiring", boss="ann")
    grouping = add_late_joiners(
        [["ann", "bob", "cat"]],
        [newcomer],
        learners,
        MatchOptions(min_size=3, max_size=4),
        rng=random.Random(1),
    )
    (waiting,) = grouping.waiting
    assert waiting.reason.startswith(
        "the groups with room would break a rule: group 1 (Gus reports to Ann)"
    )
    assert waiting.over_max_group is None


def test_a_newcomer_already_in_a_group_is_rejected() -> None:
    learners = [_person(p, "hiring") for p in ("ann", "bob", "cat")]
    with pytest.raises(InfeasibleGrouping, match="already in a group"):
        add_late_joiners(
            [["ann", "bob", "cat"]], [learners[0]], learners, MatchOptions(), rng=random.Random(1)
        )
