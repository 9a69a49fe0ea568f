"""Group matching: the hard rules hold for every grouping the engine returns.

The allowed/forbidden oracle is in ``matching_cases`` and does not use the
engine's reporting-line code.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.matching import (
    Grouping,
    InfeasibleGrouping,
    Learner,
    MatchOptions,
    form_groups,
)
from tests.domain.matching_cases import broken_pairs, brute_force_worst, cohort, managers

FAST = settings(max_examples=30, deadline=None)


@st.composite
def scenarios(
    draw: st.DrawFn, dense: bool = False
) -> tuple[list[Learner], dict[str, str], MatchOptions, int]:
    n = draw(st.integers(2, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    min_size = draw(st.integers(2, 4))
    max_size = draw(st.integers(min_size, min_size + 2))
    reports = draw(st.sampled_from([0.5, 0.7] if dense else [0.0, 0.2, 0.4, 0.6]))
    learners, lines = cohort(n, random.Random(seed), reports=reports)
    options = MatchOptions(
        min_size=min_size,
        max_size=max_size,
        avoid_same_manager=draw(st.booleans()),
        organisations=draw(st.sampled_from(["similar", "mixed", "ignore"])),
        restarts=2,
    )
    return learners, lines, options, seed


def _form(
    learners: list[Learner], lines: dict[str, str], options: MatchOptions, seed: int
) -> Grouping | None:
    """The grouping, or ``None`` when the engine explains that none exists."""
    try:
        return form_groups(learners, options, reporting_lines=lines, rng=random.Random(seed))
    except InfeasibleGrouping as error:
        assert error.reason and error.people
        return None


@FAST
@given(scenarios())
def test_everyone_is_placed_exactly_once(
    case: tuple[list[Learner], dict[str, str], MatchOptions, int],
) -> None:
    learners, lines, options, seed = case
    grouping = _form(learners, lines, options, seed)
    if grouping is None:
        return
    placed = Counter(p for g in grouping.groups for p in g.members)
    assert placed == Counter(lr.id for lr in learners)


@FAST
@given(scenarios(dense=True))
def test_nobody_is_grouped_with_their_manager_or_skip_level_manager(
    case: tuple[list[Learner], dict[str, str], MatchOptions, int],
) -> None:
    learners, lines, options, seed = case
    grouping = _form(learners, lines, options, seed)
    if grouping is None:
        return
    groups = [g.members for g in grouping.groups]
    assert broken_pairs(groups, managers(learners, lines), options.avoid_same_manager) == []


def _twins(n: int) -> list[Learner]:
    """Learners with identical profiles, so only the rules keep anyone apart."""
    return [
        Learner(
            id=f"t{k}",
            name=f"Twin {k}",
            challenges=("budget cuts",),
            level=2,
            years=5.0,
            function="sales",
            organisation="acme",
        )
        for k in range(n)
    ]


def test_nobody_is_grouped_with_their_skip_level_manager_through_a_non_learner() -> None:
    twins = _twins(6)
    boss, report = twins[0], twins[1]
    learners = [
        Learner(**{**report.__dict__, "reports_to": "ext:middle"}),
        *[t for t in twins if t.id != report.id],
    ]
    lines = {"ext:middle": boss.id}
    for seed in range(5):
        grouping = form_groups(
            learners, MatchOptions(), reporting_lines=lines, rng=random.Random(seed)
        )
        together = [g for g in grouping.groups if boss.id in g.members]
        assert report.id not in together[0].members


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(6, 24))
def test_reports_of_the_same_manager_are_kept_apart_when_asked(seed: int, n: int) -> None:
    rng = random.Random(seed)
    learners = [
        Learner(**{**t.__dict__, "reports_to": f"ext:boss{rng.randrange(3)}"}) for t in _twins(n)
    ]
    options = MatchOptions(avoid_same_manager=True, restarts=2)
    grouping = _form(learners, {}, options, seed)
    if grouping is None:
        return
    for group in grouping.groups:
        bosses = [lr.reports_to for lr in learners if lr.id in group.members]
        assert len(bosses) == len(set(bosses))


def _expected_fixed_sizes(n: int, k: int) -> list[int] | None:
    """The documented leftover rule for min == max == k, when it is the simple case."""
    if n < k:
        return [n]
    q, r = divmod(n, k)
    if r <= q:
        return sorted([k + 1] * r + [k] * (q - r))
    return None


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 40), st.integers(2, 5), st.integers(0, 3), st.integers(0, 1000))
def test_group_sizes_stay_within_bounds_except_the_documented_leftover(
    n: int, min_size: int, extra: int, seed: int
) -> None:
    max_size = min(9, min_size + extra)
    learners, _ = cohort(n, random.Random(seed), reports=0.0, outside=0.0)
    options = MatchOptions(min_size=min_size, max_size=max_size, restarts=1)
    grouping = form_groups(learners, options, rng=random.Random(seed))
    sizes = sorted(len(g.members) for g in grouping.groups)
    assert max(sizes) < 10
    if min_size == max_size and (expected := _expected_fixed_sizes(n, min_size)) is not None:
        assert sizes == expected
        if n % min_size and n > min_size:
            grown = sizes.count(min_size + 1)
            assert any(f"because {n} is not a multiple of {min_size}" in t for t in grouping.notes)
            assert any(t.startswith(f"{grown} ") for t in grouping.notes)
    if any(g * min_size <= n <= g * max_size for g in range(1, n + 1)):
        assert all(min_size <= s <= max_size for s in sizes)
        assert not grouping.notes
    else:
        # Outside the bounds only by the even split of the leftover rule, with a note.
        assert max(sizes) - min(sizes) <= 1
        assert grouping.notes


def test_fourteen_people_in_triads_make_two_groups_of_four_with_a_note() -> None:
    learners, _ = cohort(14, random.Random(1), reports=0.0, outside=0.0)
    grouping = form_groups(learners, MatchOptions(), rng=random.Random(1))
    assert sorted(len(g.members) for g in grouping.groups) == [3, 3, 4, 4]
    assert grouping.notes == ("2 triads became groups of 4 because 14 is not a multiple of 3.",)


def test_two_people_below_the_minimum_form_one_group_with_a_note() -> None:
    learners, _ = cohort(2, random.Random(1), reports=0.0, outside=0.0)
    grouping = form_groups(learners, MatchOptions(), rng=random.Random(1))
    assert [len(g.members) for g in grouping.groups] == [2]
    assert "fewer than the minimum of 3" in grouping.notes[0]


def test_a_single_learner_cannot_be_grouped() -> None:
    with pytest.raises(InfeasibleGrouping) as caught:
        form_groups([Learner(id="a", name="Ada")], MatchOptions(), rng=random.Random(1))
    assert "Ada" in caught.value.reason and caught.value.people == ("a",)


@settings(max_examples=10, deadline=None)
@given(scenarios())
def test_the_same_seed_gives_the_same_grouping(
    case: tuple[list[Learner], dict[str, str], MatchOptions, int],
) -> None:
    learners, lines, options, seed = case
    assert _form(learners, lines, options, seed) == _form(learners, lines, options, seed)


def test_locked_groups_are_kept_exactly_and_their_members_not_regrouped() -> None:
    learners, lines = cohort(20, random.Random(7), reports=0.3)
    locked = [["p03", "p11", "p17"], ["p00", "p05"]]
    grouping = form_groups(
        learners, MatchOptions(), locked=locked, reporting_lines=lines, rng=random.Random(7)
    )
    kept = [g for g in grouping.groups if g.locked]
    assert [sorted(g.members) for g in kept] == [sorted(g) for g in locked]
    placed = Counter(p for g in grouping.groups for p in g.members)
    assert placed == Counter(lr.id for lr in learners)
    assert grouping.notes[0] == "2 locked groups kept as they are."
    free = [g for g in grouping.groups if not g.locked]
    assert sorted(len(g.members) for g in free) == [3, 3, 3, 3, 3]


def test_a_locked_group_that_breaks_a_rule_is_kept_with_a_note() -> None:
    learners = [
        Learner(id="a", name="Ada"),
        Learner(id="b", name="Ben", reports_to="a"),
        *[Learner(id=f"x{k}") for k in range(3)],
    ]
    grouping = form_groups(learners, MatchOptions(), locked=[["a", "b"]], rng=random.Random(1))
    assert grouping.groups[0].members == ("a", "b") and grouping.groups[0].locked
    assert "A locked group breaks a rule: Ben reports to Ada." in grouping.notes


def test_a_person_in_two_locked_groups_is_rejected() -> None:
    learners, _ = cohort(9, random.Random(1))
    with pytest.raises(InfeasibleGrouping, match="more than one locked group"):
        form_groups(
            learners, MatchOptions(), locked=[["p00", "p01"], ["p01", "p02"]], rng=random.Random(1)
        )


def test_cycles_in_reporting_data_do_not_hang_and_keep_both_apart() -> None:
    learners = [
        Learner(id="a", name="Ada", reports_to="b"),
        Learner(id="b", name="Ben", reports_to="a"),
        Learner(id="c", name="Cy", reports_to="d"),
        Learner(id="d", name="Dee", reports_to="e"),
        Learner(id="e", name="Eve", reports_to="c"),
        *[Learner(id=f"x{k}") for k in range(7)],
    ]
    lines = {"ext:1": "ext:2", "ext:2": "ext:1", "x0": "x0"}
    grouping = form_groups(learners, MatchOptions(), reporting_lines=lines, rng=random.Random(3))
    groups = [g.members for g in grouping.groups]
    assert broken_pairs(groups, managers(learners, lines), False) == []


def test_everyone_reporting_to_one_person_is_infeasible_and_names_them() -> None:
    learners = [Learner(id="ada", name="Ada Okafor")] + [
        Learner(id=f"r{k}", name=f"Report {k}", reports_to="ada") for k in range(8)
    ]
    with pytest.raises(InfeasibleGrouping) as caught:
        form_groups(learners, MatchOptions(), rng=random.Random(1))
    assert "Ada Okafor" in caught.value.reason
    assert caught.value.reason.startswith("Everyone else reports to Ada Okafor")
    assert caught.value.people[0] == "ada"


def test_too_many_reports_of_one_manager_apart_is_infeasible_and_names_the_manager() -> None:
    learners = [Learner(id=f"r{k}", reports_to="ext:boss@acme.com") for k in range(4)]
    learners += [Learner(id=f"x{k}") for k in range(2)]
    with pytest.raises(InfeasibleGrouping) as caught:
        form_groups(learners, MatchOptions(avoid_same_manager=True), rng=random.Random(1))
    assert "ext:boss@acme.com" in caught.value.reason
    assert "only 2 groups" in caught.value.reason


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(4, 9), st.booleans())
def test_infeasible_is_raised_only_when_no_feasible_grouping_exists(
    seed: int, n: int, same_manager: bool
) -> None:
    learners, lines = cohort(n, random.Random(seed), reports=0.7)
    options = MatchOptions(avoid_same_manager=same_manager, restarts=3)
    grouping = _form(learners, lines, options, seed)
    if grouping is not None:
        return
    from lti_app.domain.matching.sizes import plan_sizes

    sizes, _ = plan_sizes(n, 3, 3)
    assert brute_force_worst(learners, options, sizes, lines) is None


def test_duplicate_learner_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        form_groups([Learner(id="a"), Learner(id="a")], MatchOptions(), rng=random.Random(1))


def test_options_reject_groups_of_ten_or_more() -> None:
    with pytest.raises(ValueError, match="below 10"):
        MatchOptions(min_size=3, max_size=10)


def test_a_time_limit_still_returns_a_grouping_that_keeps_the_rules() -> None:
    learners, lines = cohort(150, random.Random(3), reports=0.5)
    options = MatchOptions(max_seconds=0.001)
    grouping = form_groups(learners, options, reporting_lines=lines, rng=random.Random(3))
    groups = [g.members for g in grouping.groups]
    assert broken_pairs(groups, managers(learners, lines), False) == []
    assert sorted(p for g in groups for p in g) == sorted(lr.id for lr in learners)


def test_a_search_that_cannot_keep_everyone_apart_raises_naming_a_bottleneck() -> None:
    # Skip-levels through non-learner managers form a 5-cycle: two triads cannot
    # split it, and no single person has too many conflicts for the pre-check.
    learners = [Learner(id=f"p{k}", name=f"P{k}", reports_to=f"ext:{k}") for k in range(1, 6)]
    learners.append(Learner(id="p6"))
    lines = {f"ext:{k}": f"p{k % 5 + 1}" for k in range(1, 6)}
    assert brute_force_worst(learners, MatchOptions(), [3, 3], lines) is None
    with pytest.raises(InfeasibleGrouping) as caught:
        form_groups(learners, MatchOptions(), reporting_lines=lines, rng=random.Random(1))
    reason = caught.value.reason
    assert reason.startswith("No grouping was found that keeps everyone apart")
    assert "skip-level manager (through ext:" in reason
    named = caught.value.people[0]
    assert f"P{named[1:]} must be kept apart from 2 of the other 5 people" in reason
