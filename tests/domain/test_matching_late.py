"""Late joiners: newcomers are placed, nobody already placed moves."""

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
from tests.domain.matching_cases import broken_pairs, cohort, managers


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(6, 24),
    st.integers(1, 7),
    st.sampled_from([(3, 3), (2, 3), (3, 4), (2, 2)]),
)
def test_late_joiners_never_move_anyone_already_placed(
    seed: int, n: int, m: int, bounds: tuple[int, int]
) -> None:
    everyone, lines = cohort(n + m, random.Random(seed), reports=0.3)
    settled, newcomers = everyone[:n], everyone[n:]
    options = MatchOptions(min_size=bounds[0], max_size=bounds[1], restarts=2)
    try:
        before = form_groups(settled, options, reporting_lines=lines, rng=random.Random(seed))
        after = add_late_joiners(
            [g.members for g in before.groups],
            newcomers,
            everyone,
            options,
            reporting_lines=lines,
            rng=random.Random(seed),
        )
    except InfeasibleGrouping as error:
        assert error.reason
        return
    new_ids = {lr.id for lr in newcomers}
    for old, new in zip(before.groups, after.groups, strict=False):
        assert set(old.members) <= set(new.members)
        assert set(new.members) - set(old.members) <= new_ids
    for extra in after.groups[len(before.groups) :]:
        assert set(extra.members) <= new_ids
    placed = sorted(p for g in after.groups for p in g.members)
    assert placed == sorted(lr.id for lr in everyone)
    groups = [g.members for g in after.groups]
    assert broken_pairs(groups, managers(everyone, lines), False) == []


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
    options = MatchOptions(min_size=2, max_size=3)
    grouping = add_late_joiners(
        [["ann", "bob"], ["cat", "dan"]],
        [fits_cd, clashes_cd],
        learners,
        options,
        rng=random.Random(1),
    )
    assert [g.members for g in grouping.groups] == [("ann", "bob", "fin"), ("cat", "dan", "eva")]
    assert grouping.notes == ("2 newcomers joined existing groups with room.",)


def test_newcomers_without_room_form_a_new_group() -> None:
    learners, _ = cohort(9, random.Random(4), reports=0.0, outside=0.0)
    existing = [[lr.id for lr in learners[k : k + 3]] for k in range(0, 9, 3)]
    newcomers, _ = cohort(3, random.Random(5), reports=0.0, outside=0.0)
    newcomers = [Learner(**{**lr.__dict__, "id": f"new{k}"}) for k, lr in enumerate(newcomers)]
    grouping = add_late_joiners(existing, newcomers, learners, MatchOptions(), rng=random.Random(1))
    assert [list(g.members) for g in grouping.groups[:3]] == existing
    assert sorted(grouping.groups[3].members) == ["new0", "new1", "new2"]
    assert grouping.notes == ("3 newcomers formed 1 new group.",)


def test_a_single_newcomer_without_room_joins_a_group_beyond_the_maximum_with_a_note() -> None:
    learners = [_person(p, "hiring") for p in ("ann", "bob", "cat")]
    learners += [_person(p, "conflict") for p in ("dan", "eva", "fay")]
    newcomer = _person("gus", "conflict", boss="dan")
    grouping = add_late_joiners(
        [["ann", "bob", "cat"], ["dan", "eva", "fay"]],
        [newcomer],
        learners,
        MatchOptions(),
        rng=random.Random(1),
    )
    assert grouping.groups[0].members == ("ann", "bob", "cat", "gus")
    assert grouping.notes == (
        "Gus joined a group that is now 4, above the maximum of 3, "
        "because a single newcomer cannot form a group.",
    )


def test_a_single_newcomer_who_clashes_with_every_group_is_infeasible() -> None:
    learners = [_person(p, "hiring") for p in ("ann", "bob", "cat")]
    newcomer = _person("gus", "hiring", boss="ann")
    with pytest.raises(InfeasibleGrouping) as caught:
        add_late_joiners(
            [["ann", "bob", "cat"]], [newcomer], learners, MatchOptions(), rng=random.Random(1)
        )
    assert caught.value.people == ("gus",)
    assert "Gus cannot join any existing group" in caught.value.reason


def test_a_newcomer_already_in_a_group_is_rejected() -> None:
    learners = [_person(p, "hiring") for p in ("ann", "bob", "cat")]
    with pytest.raises(InfeasibleGrouping, match="already in a group"):
        add_late_joiners(
            [["ann", "bob", "cat"]], [learners[0]], learners, MatchOptions(), rng=random.Random(1)
        )
