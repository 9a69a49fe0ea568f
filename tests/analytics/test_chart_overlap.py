"""Learners who share a line or a point are counted, never drawn on top of each other
unseen: for any cohort (2..40 learners, many ties on a 10-item check), the lines and
dots drawn plus their "×N" labels add up to every learner, in any arrival order."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from lti_app.analytics import charts

percent = st.sampled_from([i * 10.0 for i in range(11)])
cohorts = st.lists(st.tuples(percent, percent), min_size=2, max_size=40)


def _drawn(svg: str, shape: str) -> int:
    return len(re.findall(rf"<{shape} ", svg))


def _labels(svg: str) -> list[int]:
    return [int(n) for n in re.findall(r">×(\d+)</text>", svg)]


@given(cohorts, st.randoms())
def test_every_learner_is_on_the_slopegraph_once_counted(pairs, rnd) -> None:
    rnd.shuffle(pairs)
    svg = charts.slopegraph("t", "d", pairs)
    counts = Counter(pairs)
    assert _drawn(svg, "line") == 2 + len(counts)  # two axes, one line per distinct pair
    labels = _labels(svg)
    assert sorted(labels) == sorted(n for n in counts.values() if n > 1)
    assert sum(labels) + sum(1 for n in counts.values() if n == 1) == len(pairs)
    assert _shapes(svg) == _shapes(charts.slopegraph("t", "d", sorted(pairs)))


@given(cohorts)
def test_every_learner_is_on_the_scatter_once_counted(pairs) -> None:
    points = [(p, q - p) for p, q in pairs]
    svg = charts.scatter(
        "t", "d", points, x_range=(0, 100), y_range=(-100, 100), x_label="x", y_label="y"
    )
    counts = Counter(points)
    assert _drawn(svg, "circle") == len(counts)
    assert sum(_labels(svg)) + sum(1 for n in counts.values() if n == 1) == len(points)


def _shapes(svg: str) -> Counter[str]:
    """The drawn shapes and labels, whatever order they were emitted in."""
    return Counter(re.findall(r"<(?:line|circle|text)[^>]*>[^<]*", svg.split("</desc>", 1)[1]))
