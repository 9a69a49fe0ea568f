"""The plain-language readings of the analytics charts: computed from the data,
never claiming what the counts do not support, "too few to say" below the minimum,
and nothing raw (no None, nan, formula or markup) in any sentence."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lti_app.domain import chart_readings as read
from lti_app.domain.chart_readings import MIN_LEARNERS

RAW = re.compile(r"None|nan|inf|[<>{}]|/\(|\bmax\b|\bpre_|\bpost_")

changes = st.lists(st.floats(-1, 1, allow_nan=False), min_size=0, max_size=40)
percent = st.sampled_from([i * 10.0 for i in range(11)])  # checks of 10 items: many ties
pairs = st.lists(st.tuples(percent, percent), min_size=0, max_size=40)


def _clean(text: str) -> None:
    assert text and (text[0].isupper() or text[0].isdigit()) and text.endswith("."), text
    assert not RAW.search(text), text


def _most(k: int, n: int) -> bool:
    return 2 * k > n


@given(changes)
def test_gain_reading_says_most_only_when_more_than_half_did_it(values: list[float]) -> None:
    text = read.gain_reading(values)
    _clean(text)
    n = len(values)
    if n < MIN_LEARNERS:
        assert text.startswith("Too few") and f"{n} so far" in text
        return
    assert f"of {n}" in text
    half = sum(1 for c in values if c >= 0.5)
    up = sum(1 for c in values if c > 0)
    down = sum(1 for c in values if c < 0)
    if "Most learners gained at least half" in text:
        assert _most(half, n) and f"({half} of {n})" in text
    if "Most learners improved" in text:
        assert _most(up, n) and not _most(half, n)
    if "Most learners scored lower" in text:
        assert _most(down, n)
    if text.startswith("Mixed"):
        assert not _most(up, n) and not _most(down, n)


@given(pairs)
def test_slope_reading_counts_who_rose_and_fell(values: list[tuple[float, float]]) -> None:
    text = read.slope_reading(values)
    _clean(text)
    n = len(values)
    if n < MIN_LEARNERS:
        assert text.startswith("Too few")
        return
    up = sum(1 for p, q in values if q > p)
    down = sum(1 for p, q in values if q < p)
    if "Most learners scored higher" in text:
        assert _most(up, n) and f"({up} of {n})" in text
        assert ("none scored lower" in text) == (down == 0)
    if "Most learners scored lower" in text:
        assert _most(down, n)
    if text.startswith("Mixed"):
        assert f"{up} of {n} improved" in text and f"{down} scored lower" in text


@given(st.lists(percent, max_size=40))
def test_ceiling_reading_names_who_had_little_room_to_gain(pres: list[float]) -> None:
    text = read.ceiling_reading(pres)
    _clean(text)
    if len(pres) < MIN_LEARNERS:
        assert text.startswith("Too few")
        return
    high = sum(1 for p in pres if p >= 90)
    if high == 0:
        assert text.startswith("No learner started at 90%")
    elif text.startswith("Most"):
        assert _most(high, len(pres))
    else:
        assert text.startswith(f"{high} of {len(pres)} ")


def test_all_same_and_empty_cohorts_are_read_honestly() -> None:
    assert read.gain_reading([]).startswith("Too few")
    assert read.gain_reading([0.7]).startswith("Too few")
    assert read.gain_reading([0.0] * 8) == "Most learners scored the same at both checks (8 of 8)."
    assert read.slope_reading([(50.0, 50.0)] * 6).startswith("Most learners scored the same")
    assert read.gain_reading([0.6] * 6) == (
        "Most learners gained at least half of what they could still gain (6 of 6)."
    )
    # Exactly half is not "most".
    text = read.gain_reading([0.6, 0.6, 0.6, -0.4, -0.4, -0.4])
    assert text == "Mixed results: 3 of 6 improved and 3 scored lower."


@given(
    st.lists(st.integers(0, 40), min_size=1, max_size=6).map(
        lambda ns: [("Enrolled learners", max(ns))] + [(f"Step {i}", n) for i, n in enumerate(ns)]
    )
)
def test_funnel_reading_reports_the_last_step_and_the_biggest_drop(
    steps: list[tuple[str, int]],
) -> None:
    text = read.funnel_reading(steps)
    _clean(text)
    enrolled = steps[0][1]
    if enrolled == 0:
        assert text == "Nobody is enrolled yet."
        return
    assert text.startswith(f"Of {enrolled} enrolled") and f", {steps[-1][1]} reached" in text
    if "biggest drop" in text:
        drops = [steps[i][1] - steps[i + 1][1] for i in range(len(steps) - 1)]
        assert enrolled >= MIN_LEARNERS and f"({max(drops)} fewer)" in text


@given(st.lists(st.integers(0, 40), max_size=12))
def test_weekly_reading_claims_a_trend_only_with_enough_weeks_and_learners(
    counts: list[int],
) -> None:
    labels = [f"{i + 1:02d} Mar" for i in range(len(counts))]
    text = read.weekly_reading(counts, labels)
    _clean(text)
    if not counts or max(counts) == 0:
        assert text == "Nobody has been active yet."
    elif max(counts) < MIN_LEARNERS:
        assert text.startswith("Too few active learners")
    elif len(counts) < 3:
        assert text.startswith("Too few weeks")
    elif "fallen" in text:
        assert 5 * counts[-1] < 4 * max(counts)


@given(st.integers(0, 40), st.lists(st.floats(0, 1, allow_nan=False), max_size=12))
def test_survival_reading_says_most_only_above_half(followed: int, shares: list[float]) -> None:
    text = read.survival_reading(followed, shares)
    _clean(text)
    if followed < MIN_LEARNERS or not shares:
        assert text.startswith("Too few")
    elif text.startswith("Most"):
        assert shares[-1] > 0.5


@given(st.lists(st.integers(0, 10), max_size=40))
def test_nps_reading_compares_promoters_and_detractors(ratings: list[int]) -> None:
    p = sum(1 for r in ratings if r >= 9)
    d = sum(1 for r in ratings if r <= 6)
    text = read.nps_reading(len(ratings), p, d)
    _clean(text)
    if len(ratings) < MIN_LEARNERS:
        assert text.startswith("Too few answers")
    else:
        assert f"{p} of {len(ratings)} would" in text
        assert text.startswith("More learners would recommend") == (p > d)


@given(st.lists(st.integers(0, 12), min_size=4, max_size=4))
def test_observer_rating_reading(levels: list[int]) -> None:
    text = read.rating_reading(levels)
    _clean(text)
    n = sum(levels)
    if n < MIN_LEARNERS:
        assert text.startswith("Too few ratings")
    elif "upper two levels" in text and text.startswith("Most"):
        assert _most(levels[2] + levels[3], n)


rows = st.lists(
    st.tuples(st.sampled_from([30, 60, 90]), st.integers(0, 40), st.integers(0, 40)).map(
        lambda t: (t[0], max(t[1], t[2]), t[2], t[2] // 3, t[2] // 3, t[2] - 2 * (t[2] // 3))
    ),
    max_size=3,
    unique_by=lambda r: r[0],
)


@given(rows)
def test_transfer_reading_and_headline_use_the_latest_check_in_with_answers(
    checkins: list[tuple[int, int, int, int, int, int]],
) -> None:
    text = read.transfer_reading(checkins)
    _clean(text)
    head = read.applying_headline(checkins)
    _clean(head.sentence)
    answered = [r for r in checkins if r[2] > 0]
    if not answered:
        assert text.startswith("No transfer check-in") and head.value == "—"
        return
    latest = max(answered, key=lambda r: r[0])
    applied = latest[4] + latest[5]
    assert head.value == f"{round(100 * applied / latest[2])}%"
    assert f"day-{latest[0]}" in head.label
    if latest[2] < MIN_LEARNERS:
        assert head.sentence.startswith("Too few")


@given(st.floats(-1, 1, allow_nan=False), st.integers(0, 40))
def test_gain_headline_reads_c_as_a_share_of_what_could_be_gained(c: float, n: int) -> None:
    head = read.gain_headline(c, n)
    _clean(head.sentence)
    if n == 0:
        assert head.value == "—"
    elif n < MIN_LEARNERS:
        assert "too few to say" in head.sentence
    elif round(100 * c) >= 0:
        assert (
            head.sentence
            == f"On average, learners gained {round(100 * c)}% of what they could still gain."
        )
    else:
        assert "scored lower" in head.sentence and head.value.startswith("−")


def test_gain_headline_without_data_shows_a_dash_not_none() -> None:
    head = read.gain_headline(None, 0)
    assert head.value == "—" and "None" not in head.sentence
    assert read.gain_headline(float("nan"), 12).value == "—"


@given(st.one_of(st.none(), st.floats(-1, 1, allow_nan=False)), st.integers(0, 40))
def test_agreement_headline_follows_krippendorffs_thresholds(
    alpha: float | None, units: int
) -> None:
    head = read.agreement_headline(alpha, units)
    _clean(head.sentence)
    if alpha is None:
        assert head.value == "—"
    elif units < MIN_LEARNERS:
        assert head.sentence.startswith("Too few")
    elif alpha >= 0.8:
        assert "relied on" in head.sentence
    elif alpha < 0.667:
        assert "disagree" in head.sentence


@given(st.integers(0, 40), st.integers(0, 40), st.one_of(st.none(), st.integers(0, 40)))
def test_participation_headline(enrolled: int, took_part: int, completed: int | None) -> None:
    took_part = min(took_part, enrolled)
    head = read.participation_headline(enrolled, took_part, completed)
    _clean(head.sentence)
    if enrolled:
        assert head.value == f"{took_part} of {enrolled}"
        assert ("not opened yet" in head.sentence) == (completed is None)


@given(st.integers(0, 40), st.integers(0, 40))
def test_network_reading(nodes: int, isolates: int) -> None:
    isolates = min(isolates, nodes)
    text = read.network_reading(nodes, isolates)
    _clean(text)
    if nodes >= MIN_LEARNERS and isolates:
        assert text.startswith(f"{isolates} of {nodes} ")
