"""Reviewer allocation: the hard rules hold for every answer, checked by an
oracle here that does not use the allocator's own eligibility code."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Collection
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.domain.allocation import (
    Allocation,
    AllocationError,
    SubmissionState,
    allocate_batch,
    choose_submission,
    next_submission,
)
from lti_app.domain.allocation.flow import solve
from lti_app.domain.allocation.problem import Problem

FAST = settings(max_examples=60, deadline=None)
T0 = datetime(2026, 11, 1, 9, 0)


def allowed(reviewer: str, sub: SubmissionState, forbidden: Collection[tuple[str, str]]) -> bool:
    """The oracle: not an author, no must-not pair (either direction) with an author."""
    if reviewer in sub.authors:
        return False
    return not any((reviewer, a) in forbidden or (a, reviewer) in forbidden for a in sub.authors)


@st.composite
def cohorts(
    draw: st.DrawFn, max_people: int = 14
) -> tuple[list[SubmissionState], list[str], set[tuple[str, str]], int, int]:
    """People p0…pn-1, some in groups (one submission per group), a few
    volunteers who submitted nothing, random must-not pairs, k and a seed."""
    n = draw(st.integers(2, max_people))
    people = [f"p{i}" for i in range(n)]
    group_of = [draw(st.integers(0, n - 1)) for _ in range(n)]
    groups: dict[int, list[str]] = {}
    volunteers = draw(st.integers(0, 2))
    for i, g in enumerate(group_of):
        if i < n - volunteers:
            groups.setdefault(g, []).append(people[i])
    subs = [
        SubmissionState(f"s{g}", frozenset(members), T0 + timedelta(minutes=idx))
        for idx, (g, members) in enumerate(sorted(groups.items()))
    ]
    n_pairs = draw(st.integers(0, n))
    forbidden = set()
    for _ in range(n_pairs):
        a, b = draw(st.lists(st.sampled_from(people), min_size=2, max_size=2, unique=True))
        forbidden.add((a, b))
    k = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    return subs, people, forbidden, k, seed


def check(
    result: Allocation,
    subs: list[SubmissionState],
    reviewers: list[str],
    forbidden: set[tuple[str, str]],
    k: int,
) -> None:
    by_id = {s.id: s for s in subs}
    assert set(result.reviewers_of) == set(by_id)
    loads: Counter[str] = Counter()
    for sid, revs in result.reviewers_of.items():
        assert len(revs) == k, "exactly k reviewers"
        assert len(set(revs)) == k, "k distinct reviewers"
        for r in revs:
            assert r in reviewers
            assert allowed(r, by_id[sid], forbidden), (r, sid)
            loads[r] += 1
    full = {r: loads.get(r, 0) for r in reviewers}
    assert dict(result.loads) == full
    assert max(full.values()) - min(full.values()) <= 1, "loads within one"
    assert result.spread <= 1


def brute_feasible(
    subs: list[SubmissionState], reviewers: list[str], forbidden: set[tuple[str, str]], k: int
) -> bool:
    """Every choice of k allowed reviewers per submission, loads within one."""
    options = [
        list(itertools.combinations([r for r in reviewers if allowed(r, s, forbidden)], k))
        for s in subs
    ]
    for combo in itertools.product(*options):
        loads = Counter(r for revs in combo for r in revs)
        values = [loads.get(r, 0) for r in reviewers]
        if max(values) - min(values) <= 1:
            return True
    return False


# ---------------------------------------------------------------- batch


@FAST
@given(cohorts())
def test_batch_obeys_every_rule_or_explains(
    case: tuple[list[SubmissionState], list[str], set[tuple[str, str]], int, int],
) -> None:
    subs, people, forbidden, k, seed = case
    try:
        result = allocate_batch(subs, people, k=k, forbidden=forbidden, rng=random.Random(seed))
    except AllocationError as error:
        assert error.reason
        return
    check(result, subs, people, forbidden, k)
    assert result.explain()


@settings(max_examples=80, deadline=None)
@given(cohorts(max_people=6))
def test_batch_raises_only_when_infeasible(
    case: tuple[list[SubmissionState], list[str], set[tuple[str, str]], int, int],
) -> None:
    subs, people, forbidden, k, seed = case
    k = min(k, 3)
    try:
        result = allocate_batch(subs, people, k=k, forbidden=forbidden, rng=random.Random(seed))
    except AllocationError:
        assert not brute_feasible(subs, people, forbidden, k)
        return
    check(result, subs, people, forbidden, k)


@FAST
@given(cohorts())
def test_batch_same_seed_same_result(
    case: tuple[list[SubmissionState], list[str], set[tuple[str, str]], int, int],
) -> None:
    subs, people, forbidden, k, seed = case
    try:
        first = allocate_batch(subs, people, k=k, forbidden=forbidden, rng=random.Random(seed))
    except AllocationError as error:
        with pytest.raises(AllocationError) as again:
            allocate_batch(subs, people, k=k, forbidden=forbidden, rng=random.Random(seed))
        assert again.value.reason == error.reason
        return
    second = allocate_batch(subs, people, k=k, forbidden=forbidden, rng=random.Random(seed))
    assert first == second


def test_batch_large_is_balanced_and_valid() -> None:
    rng = random.Random(7)
    people = [f"p{i}" for i in range(600)]
    subs = [SubmissionState(f"s{i}", frozenset({p}), T0) for i, p in enumerate(people[:500])]
    subs.append(SubmissionState("team", frozenset(people[500:504]), T0))
    forbidden = {tuple(rng.sample(people, 2)) for _ in range(600)}
    pairs = {(a, b) for a, b in forbidden}
    result = allocate_batch(subs, people, k=3, forbidden=pairs, rng=random.Random(1))
    check(result, subs, people, pairs, 3)
    assert result.method == "ring"


def test_flow_fallback_finds_tight_allocation() -> None:
    # 4 people, k = 3: each submission must go to all three others. The exact
    # solver must find it whatever the ring dealt.
    people = ["a", "b", "c", "d"]
    subs = [SubmissionState(f"s{p}", frozenset({p}), T0) for p in people]
    problem = Problem(subs, people, 3, ())
    slots = solve(problem, random.Random(3))
    for s, revs in enumerate(slots):
        assert sorted(revs) == sorted(i for i in range(4) if i != s)
    result = allocate_batch(subs, people, k=3, rng=random.Random(3))
    check(result, subs, people, set(), 3)


def test_infeasible_k_is_explained() -> None:
    people = ["a", "b", "c"]
    subs = [SubmissionState(f"s{p}", frozenset({p}), T0) for p in people]
    with pytest.raises(AllocationError) as error:
        allocate_batch(subs, people, k=3, rng=random.Random(0))
    assert "needs 3 reviewers but only 2 of the 3" in error.value.reason
    assert "is an author" in error.value.reason


def test_forbidden_pair_blocks_both_directions() -> None:
    people = ["boss", "report", "x", "y"]
    subs = [SubmissionState(f"s-{p}", frozenset({p}), T0) for p in people]
    pairs = {("boss", "report")}
    result = allocate_batch(subs, people, k=2, forbidden=pairs, rng=random.Random(5))
    check(result, subs, people, pairs, 2)
    assert "boss" not in result.reviewers_of["s-report"]
    assert "report" not in result.reviewers_of["s-boss"]


def test_balance_infeasible_is_explained_by_flow() -> None:
    # "v" may review nothing (forbidden with every author), yet balanced loads
    # need everyone to do at least one review.
    people = ["a", "b", "c", "v"]
    subs = [SubmissionState(f"s{p}", frozenset({p}), T0) for p in "abc"]
    pairs = {("v", "a"), ("v", "b"), ("v", "c")}
    with pytest.raises(AllocationError) as error:
        allocate_batch(subs, people, k=2, forbidden=pairs, rng=random.Random(0))
    assert "at least 1 review" in error.value.reason


def test_bad_input() -> None:
    with pytest.raises(AllocationError):
        allocate_batch([], ["a"], k=0, rng=random.Random(0))
    with pytest.raises(AllocationError):
        allocate_batch([], ["a", "a"], k=1, rng=random.Random(0))
    with pytest.raises(AllocationError):
        SubmissionState("s", frozenset(), T0)
    s = SubmissionState("s", frozenset({"a"}), T0)
    with pytest.raises(AllocationError):
        allocate_batch([s, s], ["b", "c"], k=1, rng=random.Random(0))
    with pytest.raises(AllocationError):
        allocate_batch([s], [], k=1, rng=random.Random(0))
    assert allocate_batch([], ["a"], k=2, rng=random.Random(0)).loads == {"a": 0}


# ---------------------------------------------------------------- just in time


@st.composite
def pools(
    draw: st.DrawFn,
) -> tuple[str, list[SubmissionState], set[tuple[str, str]], set[str], int, int]:
    n = draw(st.integers(0, 12))
    people = [f"p{i}" for i in range(n + 3)]
    subs = []
    for i in range(n):
        authors = frozenset(draw(st.lists(st.sampled_from(people), min_size=1, max_size=3)))
        subs.append(
            SubmissionState(
                f"s{i}",
                authors,
                T0 + timedelta(minutes=draw(st.integers(0, 5))),
                completed=draw(st.integers(0, 4)),
                in_progress=draw(st.integers(0, 2)),
            )
        )
    reviewer = draw(st.sampled_from(people))
    forbidden = {
        (draw(st.sampled_from(people)), draw(st.sampled_from(people)))
        for _ in range(draw(st.integers(0, 4)))
    }
    ids = [s.id for s in subs]
    already = set(draw(st.lists(st.sampled_from(ids), max_size=3))) if ids else set()
    return reviewer, subs, forbidden, already, draw(st.integers(1, 4)), draw(st.integers(0, 99))


def need_key(sub: SubmissionState, k: int) -> tuple[bool, int, int, datetime]:
    total = sub.completed + sub.in_progress
    return (total >= k, total, sub.completed, sub.submitted_at)


@settings(max_examples=150, deadline=None)
@given(pools(), st.booleans())
def test_jit_serves_the_neediest_allowed(
    case: tuple[str, list[SubmissionState], set[tuple[str, str]], set[str], int, int],
    allow_extra: bool,
) -> None:
    reviewer, subs, forbidden, already, k, seed = case
    open_ = [s for s in subs if allowed(reviewer, s, forbidden) and s.id not in already]
    if not allow_extra:
        open_ = [s for s in open_ if s.completed + s.in_progress < k]
    # A set of pairs is probed directly, any other collection indexed first.
    pairs: Collection[tuple[str, str]] = forbidden if seed % 2 else sorted(forbidden)
    got = next_submission(
        reviewer,
        subs,
        k=k,
        forbidden=pairs,
        already=already,
        rng=random.Random(seed),
        allow_extra=allow_extra,
    )
    if not open_:
        assert got is None
        return
    assert got is not None
    chosen = next(s for s in subs if s.id == got)
    assert chosen in open_
    assert need_key(chosen, k) == min(need_key(s, k) for s in open_)
    again = next_submission(
        reviewer,
        subs,
        k=k,
        forbidden=forbidden,
        already=already,
        rng=random.Random(seed),
        allow_extra=allow_extra,
    )
    assert again == got


def test_late_submission_with_no_reviews_goes_first() -> None:
    subs = [
        SubmissionState("early1", frozenset({"a"}), T0, completed=2),
        SubmissionState(
            "early2", frozenset({"b"}), T0 + timedelta(hours=1), completed=1, in_progress=1
        ),
        SubmissionState("late", frozenset({"c"}), T0 + timedelta(days=3)),
    ]
    assert next_submission("d", subs, k=3, rng=random.Random(0)) == "late"
    # Equally needy (1 completed + 1 leased each): the oldest is next.
    subs[2] = SubmissionState(
        "late", frozenset({"c"}), T0 + timedelta(days=3), completed=1, in_progress=1
    )
    assert next_submission("d", subs, k=3, rng=random.Random(0)) == "early2"


def test_jit_extra_reviews_only_when_nothing_below_k() -> None:
    subs = [
        SubmissionState("done", frozenset({"a"}), T0, completed=3),
        SubmissionState("open", frozenset({"b"}), T0 + timedelta(days=1), completed=2),
    ]
    assert next_submission("v", subs, k=3, rng=random.Random(0)) == "open"
    assert next_submission("v", subs, k=3, already={"open"}, rng=random.Random(0)) == "done"
    choice = choose_submission(
        "v", subs, k=3, already={"open"}, rng=random.Random(0), allow_extra=False
    )
    assert choice.submission is None and "already has 3" in choice.reason


def test_jit_never_own_group_or_forbidden() -> None:
    subs = [
        SubmissionState("team", frozenset({"me", "mate"}), T0),
        SubmissionState("boss", frozenset({"boss"}), T0),
        SubmissionState("seen", frozenset({"x"}), T0),
    ]
    assert next_submission("mate", subs[:1], k=2, rng=random.Random(0)) is None
    choice = choose_submission(
        "me", subs, k=2, forbidden=[("boss", "me")], already={"seen"}, rng=random.Random(0)
    )
    assert choice.submission is None
    assert "no submission is open to me" in choice.reason


def test_jit_tie_is_a_seeded_draw_independent_of_order() -> None:
    subs = [SubmissionState(f"s{i}", frozenset({f"a{i}"}), T0) for i in range(10)]
    picks = {next_submission("r", subs, k=2, rng=random.Random(seed)) for seed in range(40)}
    assert len(picks) > 3
    for seed in range(10):
        forward = next_submission("r", subs, k=2, rng=random.Random(seed))
        backward = next_submission("r", subs[::-1], k=2, rng=random.Random(seed))
        assert forward == backward
    choice = choose_submission("r", subs, k=2, rng=random.Random(0))
    assert "drawn at random among 10" in choice.reason


def test_flow_fallback_is_exercised_and_valid() -> None:
    """Tight small cohorts where swaps cannot repair the ring deal: the exact
    solver takes over, and its allocations keep every rule."""
    rng = random.Random(0)
    methods: Counter[str] = Counter()
    for trial in range(300):
        n = rng.randint(3, 7)
        people = [f"p{i}" for i in range(n)]
        subs = [SubmissionState(f"s{i}", frozenset({p}), T0) for i, p in enumerate(people)]
        pairs = {(a, b) for a, b in (rng.sample(people, 2) for _ in range(n))}
        try:
            result = allocate_batch(subs, people, k=2, forbidden=pairs, rng=random.Random(trial))
        except AllocationError:
            methods["error"] += 1
            continue
        check(result, subs, people, pairs, 2)
        methods[result.method] += 1
        if result.method == "flow":
            assert "flow problem" in result.explain()[-1]
    assert methods["flow"] > 0 and methods["ring"] > 0


def test_spread_draws_only_among_the_oldest_of_the_neediest_submissions() -> None:
    subs = [
        SubmissionState(
            f"s{i}",
            frozenset({f"a{i}"}),
            T0 + timedelta(minutes=i),
            completed=0,
            in_progress=1 if i == 0 else 0,
        )
        for i in range(20)
    ]
    picked = {
        choose_submission("r", subs, k=3, rng=random.Random(seed), spread=4).submission
        for seed in range(200)
    }
    # s0 has a review in progress: less needy. The four oldest of the rest are drawn.
    assert picked == {"s1", "s2", "s3", "s4"}
    assert choose_submission("r", subs, k=3, rng=random.Random(1)).submission == "s1"
