"""Group matching: every group has readable reasons, and a hand-edited grouping
gets a readable sentence for each broken rule."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.matching import (
    Learner,
    MatchOptions,
    PastGroup,
    evaluate_groups,
    form_groups,
    unplaced_learners,
)
from tests.domain.matching_cases import cohort

ADA = Learner(
    id="ada",
    name="Ada",
    challenges=("budget cuts", "hiring"),
    level=3,
    years=5.0,
    function="sales",
    organisation="acme",
)
BEN = Learner(
    id="ben",
    name="Ben",
    challenges=("budget cuts",),
    level=3,
    years=6.0,
    function="sales",
    organisation="globex",
)
CHIDI = Learner(
    id="chidi",
    name="Chidi",
    challenges=("conflict", "budget cuts"),
    level=3,
    years=5.0,
    function="sales",
    organisation="initech",
)


def test_reasons_quote_the_challenge_everyone_shares_and_who_met_before() -> None:
    history = [PastGroup(frozenset({"ben", "chidi", "zed"}), rounds_ago=2)]
    (check,) = evaluate_groups(
        [["ada", "ben", "chidi"]],
        [ADA, BEN, CHIDI],
        MatchOptions(organisations="mixed"),
        history=history,
    )
    assert check.reasons[0] == "all three named 'budget cuts'"
    assert "same level (Manager)" in check.reasons
    assert "all three in sales" in check.reasons
    assert "different organisations" in check.reasons
    assert check.reasons[-1] == "Ben and Chidi met 2 rounds ago"
    assert check.violations == ()


def test_reasons_say_none_has_met_before_when_there_is_a_history() -> None:
    history = [PastGroup(frozenset({"ada", "zed"}), rounds_ago=1)]
    grouping = form_groups([ADA, BEN, CHIDI], MatchOptions(), history=history, rng=random.Random(1))
    assert grouping.groups[0].reasons[-1] == "none has met before"
    assert grouping.repeats == 0


def test_reasons_count_instead_of_naming_learners_without_names() -> None:
    anonymous = [
        Learner(id="a", challenges=("hiring",)),
        Learner(id="b", challenges=("hiring", "strategy")),
        Learner(id="c", challenges=("conflict",)),
    ]
    history = [PastGroup(frozenset({"a", "b"}), rounds_ago=1)]
    (check,) = evaluate_groups([["a", "b", "c"]], anonymous, MatchOptions(), history=history)
    assert check.reasons == ("2 of 3 named 'hiring'", "two members met last round")


def test_reasons_name_the_pair_who_share_a_challenge_when_named() -> None:
    dee = Learner(id="dee", name="Dee", challenges=("remote teams",), level=3)
    (check,) = evaluate_groups([["ada", "ben", "dee"]], [ADA, BEN, dee], MatchOptions())
    assert check.reasons[0] == "Ada and Ben named 'budget cuts'"


def test_reasons_report_no_shared_challenge_honestly() -> None:
    pair = [Learner(id="a", challenges=("hiring",)), Learner(id="b", challenges=("conflict",))]
    (check,) = evaluate_groups([["a", "b"]], pair, MatchOptions(min_size=2, max_size=2))
    assert check.reasons == ("no challenge in common",)


def test_reasons_mention_one_organisation_when_grouping_similar_organisations() -> None:
    same = [Learner(id=x, organisation="acme", challenges=("hiring",)) for x in "abc"]
    (check,) = evaluate_groups([["a", "b", "c"]], same, MatchOptions(organisations="similar"))
    assert "same organisation (acme)" in check.reasons


def test_evaluate_flags_each_broken_rule_with_a_readable_sentence() -> None:
    learners = [
        Learner(id="ada", name="Ada"),
        Learner(id="ben", name="Ben", reports_to="ada"),
        Learner(id="hal", name="Hal"),
        Learner(id="dee", name="Dee", reports_to="ext:mid"),
        Learner(id="eve", name="Eve", reports_to="ext:boss"),
        Learner(id="fay", name="Fay", reports_to="ext:boss"),
        *[Learner(id=f"x{k}") for k in range(12)],
    ]
    groups = [
        ["ada", "ben", "x0"],
        ["hal", "dee", "x1"],
        ["eve", "fay", "x2"],
        ["x3", "x4", "x5", "x6", "x7"],
        ["x8"],
        ["x0", "nobody", "x9"],
        ["x10", "x10", "x11"],
    ]
    checks = evaluate_groups(
        groups,
        learners,
        MatchOptions(avoid_same_manager=True),
        reporting_lines={"ext:mid": "hal"},
    )
    assert [c.violations for c in checks] == [
        ("x0 is also in another group", "Ben reports to Ada"),
        ("Hal is Dee's skip-level manager (through ext:mid)",),
        ("Eve and Fay both report to ext:boss",),
        ("group of 5 is above the maximum of 3",),
        ("group of 1 is below the minimum of 3",),
        ("x0 is also in another group", "nobody is not a learner in this cohort"),
        ("x10 is listed twice in this group",),
    ]
    assert checks[0].members == ("ada", "ben", "x0")
    assert unplaced_learners(groups, learners) == ()
    assert unplaced_learners(groups[:2], learners)[:2] == ("eve", "fay")


def test_evaluate_accepts_the_documented_leftover_groups_of_four() -> None:
    learners, _ = cohort(14, random.Random(2), reports=0.0, outside=0.0)
    ids = [lr.id for lr in learners]
    groups = [ids[0:4], ids[4:8], ids[8:11], ids[11:14]]
    checks = evaluate_groups(groups, learners, MatchOptions())
    assert all(c.violations == () for c in checks)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 20), st.integers(1, 8))
def test_evaluate_never_raises_for_an_arbitrary_grouping(seed: int, n: int, cuts: int) -> None:
    rng = random.Random(seed)
    learners, lines = cohort(n, rng, reports=0.6)
    ids = [lr.id for lr in learners] + ["stranger"]
    rng.shuffle(ids)
    groups = [ids[k::cuts] for k in range(cuts)]
    checks = evaluate_groups(
        groups, learners, MatchOptions(avoid_same_manager=True), reporting_lines=lines
    )
    assert len(checks) == len(groups)
    for check, group in zip(checks, groups, strict=True):
        assert check.members == tuple(group)
        assert all(isinstance(v, str) and v for v in check.violations)
