"""Group matching: the score follows its documented formula, the search gets
close to the true optimum, and repeat penalties spread people out over rounds."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.matching import (
    LEVELS,
    Learner,
    MatchOptions,
    PastGroup,
    evaluate_groups,
    form_groups,
)
from tests.domain.matching_cases import CHALLENGES, brute_force_worst, cohort

# -- the score, re-implemented from the docstring of ``scoring`` -----------------


def reference_score(
    group: Sequence[Learner], options: MatchOptions, history: Sequence[PastGroup]
) -> float:
    terms: list[tuple[float, float]] = []
    named = [set(lr.challenges) for lr in group if lr.challenges]
    if options.w_challenges > 0 and len(named) >= 2:
        counts = Counter(c for s in named for c in s)
        coverage = (max(counts.values()) - 1) / (len(named) - 1)
        pairs = list(itertools.combinations(named, 2))
        overlap = sum(len(a & b) / min(len(a), len(b)) for a, b in pairs) / len(pairs)
        terms.append((options.w_challenges, 0.7 * coverage + 0.3 * overlap))
    levels = [min(len(LEVELS), max(1, lr.level)) for lr in group if lr.level is not None]
    if options.w_level > 0 and len(levels) >= 2:
        terms.append((options.w_level, 1 - (max(levels) - min(levels)) / (len(LEVELS) - 1)))
    years = [lr.years for lr in group if lr.years is not None]
    if options.w_experience > 0 and len(years) >= 2:
        terms.append((options.w_experience, 1 - min(1.0, (max(years) - min(years)) / 10)))
    functions = [lr.function for lr in group if lr.function]
    if options.w_function > 0 and len(functions) >= 2:
        top = Counter(functions).most_common(1)[0][1]
        terms.append((options.w_function, (top - 1) / (len(functions) - 1)))
    orgs = [lr.organisation for lr in group if lr.organisation]
    if options.organisations != "ignore" and options.w_organisation > 0 and len(orgs) >= 2:
        if options.organisations == "similar":
            value = (Counter(orgs).most_common(1)[0][1] - 1) / (len(orgs) - 1)
        else:
            value = (len(set(orgs)) - 1) / (len(orgs) - 1)
        terms.append((options.w_organisation, value))
    weight = sum(w for w, _ in terms)
    base = sum(w * v for w, v in terms) / weight if weight else 0.5
    penalty = 0.0
    pairs_all = list(itertools.combinations([lr.id for lr in group], 2))
    for a, b in pairs_all:
        ago = [p.rounds_ago for p in history if a in p.members and b in p.members]
        if ago:
            age = max(1, min(ago))
            penalty += options.repeat_penalty * 0.5 ** ((age - 1) / options.repeat_half_life)
    return base - penalty / len(pairs_all)


@st.composite
def profiles(draw: st.DrawFn, k: int) -> Learner:
    maybe = st.none() | st.just(True)
    return Learner(
        id=f"q{k}",
        challenges=tuple(draw(st.lists(st.sampled_from(CHALLENGES[:5]), max_size=3))),
        level=draw(st.none() | st.integers(0, 8)),
        years=draw(st.none() | st.floats(0, 30)),
        function=draw(st.sampled_from(["sales", "hr"])) if draw(maybe) else None,
        organisation=draw(st.sampled_from(["acme", "globex", "initech"])) if draw(maybe) else None,
    )


@settings(max_examples=80, deadline=None)
@given(
    st.integers(2, 6).flatmap(lambda n: st.tuples(*[profiles(k) for k in range(n)])),
    st.sampled_from(["similar", "mixed", "ignore"]),
    st.lists(st.floats(0, 1), min_size=5, max_size=5),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 6)), max_size=6),
)
def test_group_score_follows_the_documented_formula(
    group: tuple[Learner, ...],
    organisations: str,
    weights: list[float],
    met: list[tuple[int, int, int]],
) -> None:
    options = MatchOptions(
        organisations=organisations,
        w_challenges=weights[0],
        w_level=weights[1],
        w_experience=weights[2],
        w_function=weights[3],
        w_organisation=weights[4],
        repeat_penalty=0.4,
        repeat_half_life=1.5,
    )
    history = [PastGroup(frozenset({f"q{a}", f"q{b}"}), ago) for a, b, ago in met if a != b]
    (check,) = evaluate_groups([[lr.id for lr in group]], group, options, history=history)
    assert check.score == pytest.approx(reference_score(group, options, history), abs=1e-9)


def test_repeat_penalty_halves_every_half_life_and_is_averaged_over_pairs() -> None:
    trio = [Learner(id=x, challenges=("hiring",)) for x in "abc"]
    options = MatchOptions(repeat_penalty=0.6, repeat_half_life=2.0)
    fresh = evaluate_groups([["a", "b", "c"]], trio, options)[0].score
    for ago, expected in ((1, 0.6 / 3), (3, 0.3 / 3), (5, 0.15 / 3)):
        history = [PastGroup(frozenset({"a", "b"}), ago)]
        check = evaluate_groups([["a", "b", "c"]], trio, options, history=history)[0]
        assert fresh - check.score == pytest.approx(expected)


def test_score_goes_below_zero_when_a_mismatched_group_all_met_last_round() -> None:
    pair = [Learner(id="a", challenges=("hiring",)), Learner(id="b", challenges=("conflict",))]
    history = [PastGroup(frozenset({"a", "b"}), 1)]
    check = evaluate_groups([["a", "b"]], pair, MatchOptions(), history=history)[0]
    assert check.score == pytest.approx(-0.5)


# -- the search against a brute-force optimum --------------------------------------


CASES = [(3, 12, s) for s in range(4)] + [(3, 10, s) for s in range(2)]
CASES += [(2, 12, s) for s in range(4)] + [(2, 11, s) for s in range(2)]


@pytest.mark.parametrize(("size", "n", "seed"), CASES)
def test_worst_group_is_within_5_percent_of_the_brute_force_optimum(
    size: int, n: int, seed: int
) -> None:
    rng = random.Random(seed * 100 + n)
    learners, lines = cohort(n, rng, reports=0.4)
    history: list[PastGroup] = []
    if seed % 2:
        ids = [lr.id for lr in learners]
        rng.shuffle(ids)
        history = [PastGroup(frozenset(ids[k : k + 3]), 1) for k in range(0, n - 2, 3)]
    options = MatchOptions(min_size=size, max_size=size, organisations="mixed")
    grouping = form_groups(
        learners, options, history=history, reporting_lines=lines, rng=random.Random(seed)
    )
    sizes = [len(g.members) for g in grouping.groups]
    optimum = brute_force_worst(learners, options, sizes, lines, history)
    assert optimum is not None
    assert grouping.worst >= optimum - 0.05 * abs(optimum) - 1e-9


# -- repeats across rounds -------------------------------------------------------


def _rounds(learners: list[Learner], options: MatchOptions, rounds: int) -> int:
    """Total repeated pairs over ``rounds`` rounds, each seeing the earlier ones."""
    past: list[list[frozenset[str]]] = []
    total = 0
    for r in range(rounds):
        history = [
            PastGroup(members, rounds_ago=len(past) - k)
            for k, round_groups in enumerate(past)
            for members in round_groups
        ]
        grouping = form_groups(learners, options, history=history, rng=random.Random(r))
        total += grouping.repeats
        past.append([frozenset(g.members) for g in grouping.groups])
    return total


def test_repeat_penalty_reduces_repeats_over_rounds_of_clustered_learners() -> None:
    learners = [
        Learner(id=f"c{c}m{m}", challenges=("common", f"topic {c}"), level=2, years=4.0)
        for c in range(8)
        for m in range(3)
    ]
    without = _rounds(learners, MatchOptions(repeat_penalty=0.0, restarts=2), 4)
    with_penalty = _rounds(learners, MatchOptions(restarts=2), 4)
    assert without == 3 * 24  # the same 8 triads, 3 pairs each, in rounds 2 to 4
    assert with_penalty < without / 4


@pytest.mark.parametrize("seed", [1, 2])
def test_repeat_penalty_reduces_repeats_over_rounds_of_a_random_cohort(seed: int) -> None:
    learners, _ = cohort(24, random.Random(seed), reports=0.0, outside=0.0, challenges=3)
    without = _rounds(learners, MatchOptions(repeat_penalty=0.0, restarts=2), 4)
    with_penalty = _rounds(learners, MatchOptions(restarts=2), 4)
    assert with_penalty < without
