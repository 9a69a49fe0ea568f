"""Gradebook comments read as plain sentences: no formula, weight, None or markup."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lti_app.domain import grade_comments as gc

RAW = re.compile(r"[×=<>{}]|None|True|False|renormalis|\d\.\d{2,}|/ ?\d")
fractions = st.floats(min_value=0, max_value=1, allow_nan=False)
maybe = st.none() | fractions


def test_the_examples_read_as_a_learner_would_want() -> None:
    assert gc.submission_comment(3, 0.784) == "Average of 3 peer reviews: 78%."
    assert gc.submission_comment(1, 0.5) == "Based on 1 peer review: 50%."
    assert gc.submission_comment(0, 0.0) == "No peer review yet."
    assert gc.submission_comment(5, 0.6, method="trimmed") == (
        "Average of 5 peer reviews, leaving out the highest and the lowest: 60%."
    )
    assert gc.reviewing_comment(0.61, written=2, asked=3, accuracy=0.9, stars=4.25) == (
        "Reviewing: 61%. You wrote 2 of the 3 reviews asked of you; your scores were close "
        "to other reviewers' scores; authors rated your feedback 4.2 out of 5 on average."
    )
    assert gc.reviewing_comment(0.0, written=0, asked=3, accuracy=None, stars=None) == (
        "Reviewing: 0%. You wrote 0 of the 3 reviews asked of you."
    )


@given(st.integers(0, 40), fractions, st.sampled_from(["mean", "median", "trimmed"]), st.booleans())
def test_a_submission_comment_is_never_a_formula(
    n: int, f: float, method: str, weighted: bool
) -> None:
    text = gc.submission_comment(n, f, method=method, weighted=weighted)
    assert not RAW.search(text) and text.endswith(".")


@given(
    fractions,
    st.none() | st.integers(0, 10),
    st.none() | st.integers(0, 10),
    maybe,
    st.none() | st.floats(1, 5),
)
def test_a_reviewing_comment_is_never_a_formula(
    f: float, written: int | None, asked: int | None, accuracy: float | None, stars: float | None
) -> None:
    text = gc.reviewing_comment(f, written=written, asked=asked, accuracy=accuracy, stars=stars)
    assert not RAW.search(text) and text.startswith("Reviewing: ") and text.endswith(".")


@given(st.none() | st.integers(0, 20), st.integers(0, 20), st.floats(0, 100))
def test_gain_comments_are_plain(pre: int | None, post: int, gain: float) -> None:
    text = gc.gain_comment(
        None if pre is None else float(pre),
        float(post),
        20.0,
        gain=None if pre is None else gain,
        ceiling=0.9,
    )
    assert not re.search(r"[×=]|None|normalised|\+0\.|-0\.", text)
    assert gc.mastery_comment(float(post), 20.0).startswith("Final check: ")
