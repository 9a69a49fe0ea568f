"""Groups that can always be formed: a size range adapts to the cohort, and when
the reporting lines make grouping impossible every fix offered really works.

Feasibility is decided by ``matching_cases.feasible_oracle``, a backtracking
search written independently of the engine.
"""

from __future__ import annotations

import random

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lti_app.domain.matching import (
    InfeasibleGrouping,
    Learner,
    MatchOptions,
    form_groups,
    suggest_fixes,
)
from lti_app.domain.matching.sizes import range_fits
from tests.domain.matching_cases import broken_pairs, cohort, feasible_oracle, managers


def _keeps_rules(
    groups: list[tuple[str, ...]],
    learners: list[Learner],
    lines: dict[str, str],
    options: MatchOptions,
) -> None:
    boss = managers(learners, lines)
    assert (
        broken_pairs(
            groups,
            boss,
            options.avoid_same_manager,
            options.allow_same_manager,
            options.allow_skip_level,
        )
        == []
    )
    assert sorted(p for g in groups for p in g) == sorted(lr.id for lr in learners)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(3, 40),
    seed=st.integers(0, 2**32 - 1),
    reports=st.sampled_from([0.0, 0.3, 0.6, 0.8]),
    low=st.integers(2, 5),
    extra=st.integers(0, 3),
    same_manager=st.booleans(),
)
def test_grouping_succeeds_unless_impossible_and_every_fix_offered_works(
    n: int, seed: int, reports: float, low: int, extra: int, same_manager: bool
) -> None:
    learners, lines = cohort(n, random.Random(seed), reports=reports)
    options = MatchOptions(
        min_size=low, max_size=min(9, low + extra), avoid_same_manager=same_manager, restarts=1
    )
    fits = range_fits(n, options.min_size, options.max_size) and n >= options.min_size
    try:
        grouping = form_groups(learners, options, reporting_lines=lines, rng=random.Random(seed))
    except InfeasibleGrouping as error:
        assert error.reason and error.people
        if fits:
            verdict = feasible_oracle(learners, lines, options)
            assume(verdict is not None)
            assert verdict is False, "the engine gave up on a cohort that can be grouped"
        fixes = suggest_fixes(learners, options, reporting_lines=lines)
        for fix in fixes:
            assert fix.text
            applied = form_groups(
                learners, fix.options, reporting_lines=lines, rng=random.Random(seed)
            )
            groups = [g.members for g in applied.groups]
            _keeps_rules(groups, learners, lines, fix.options)
            low2, high2 = fix.options.min_size, fix.options.max_size
            if fix.kind == "sizes" or (low2, high2) != (options.min_size, options.max_size):
                assert fix.kind in ("sizes", "combined")
                assert all(low2 <= len(g) <= high2 for g in groups)
                assert not applied.notes
            # The direct manager/report rule is never relaxed by a fix.
            boss = managers(learners, lines)
            assert not any(
                boss.get(a) == b or boss.get(b) == a for g in groups for a in g for b in g
            )
        return
    groups = [g.members for g in grouping.groups]
    _keeps_rules(groups, learners, lines, options)
    if fits:
        assert all(options.min_size <= len(g) <= options.max_size for g in groups)


def _demo() -> tuple[list[Learner], dict[str, str]]:
    """The shape of the sandbox cohort: Dee manages three, Fatima -> Jade -> Marco."""
    bosses = {
        "chidi": "dee",
        "dee": "ext:coo",
        "eli": "ext:sales",
        "fatima": None,
        "george": "ivan",
        "hana": "dee",
        "ivan": "ext:cto",
        "jade": "fatima",
        "lena": "dee",
        "marco": "jade",
    }
    return [
        Learner(id=k, name=k.title(), reports_to=v, challenges=("change",))
        for k, v in bosses.items()
    ], {}


def test_a_size_range_adds_a_group_when_a_manager_chain_needs_three() -> None:
    learners, _ = _demo()
    grouping = form_groups(learners, MatchOptions(min_size=3, max_size=6), rng=random.Random(1))
    assert sorted(len(g.members) for g in grouping.groups) == [3, 3, 4]
    assert not grouping.notes


def test_groups_of_six_for_ten_with_a_chain_of_three_offer_a_range_and_a_skip_level_fix() -> None:
    learners, _ = _demo()
    options = MatchOptions(min_size=4, max_size=6)
    try:
        form_groups(learners, options, rng=random.Random(1))
        raise AssertionError("expected no grouping")
    except InfeasibleGrouping as error:
        assert "3 people around Fatima must all be in different groups" in error.reason
    fixes = suggest_fixes(learners, options, size_floor=3)
    texts = [f.text for f in fixes]
    assert texts[0] == (
        "Use groups of 3 to 6 people instead of groups of 4 to 6: 3 groups of 4, 3 and 3"
    )
    assert "Allow Fatima to share a group with Marco (skip-level report)" in texts
    for fix in fixes:
        form_groups(learners, fix.options, rng=random.Random(2))


def test_keeping_the_same_managers_reports_apart_offers_to_allow_that_managers_reports() -> None:
    learners, _ = _demo()
    options = MatchOptions(min_size=3, max_size=6, avoid_same_manager=True)
    fixes = suggest_fixes(learners, options, size_floor=3)
    assert [f.kind for f in fixes] == ["same_manager_for", "same_manager_off"]
    assert fixes[0].text == "Allow Dee's 3 reports (Chidi, Hana and Lena) to share groups"
    assert fixes[0].options.allow_same_manager == ("dee",)
    grouping = form_groups(learners, fixes[0].options, rng=random.Random(3))
    together = [g.members for g in grouping.groups]
    assert not any("dee" in g and ({"chidi", "hana", "lena"} & set(g)) for g in together)


def test_no_fix_is_offered_when_grouping_is_possible() -> None:
    learners, _ = _demo()
    assert suggest_fixes(learners, MatchOptions(min_size=2, max_size=4)) == ()


def test_options_keep_exceptions_as_sorted_tuples_from_json_lists() -> None:
    options = MatchOptions(allow_same_manager=["b", "a", "b"])  # type: ignore[arg-type]
    assert options.allow_same_manager == ("a", "b")
