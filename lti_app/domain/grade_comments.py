"""Gradebook comments: what a learner reads next to a grade in their LMS.

Plain sentences with whole percentages and counts, never a formula, a weight,
``None`` or markup (the formulas stay on the staff explanation page). Each
function takes plain numbers so the wording is tested without a database.
"""

from __future__ import annotations

#: What a learner who never started reads when the instructor chose to send 0.
NOT_STARTED = "You did not take part in this activity, so your instructor recorded 0."
OVERRIDDEN = "Set by your instructor."

_METHODS = {"mean": "Average", "median": "Middle value", "trimmed": "Average"}


def pct(fraction: float) -> str:
    """0.784 -> "78%" (clamped to 0..100)."""
    return f"{round(100 * min(1.0, max(0.0, fraction)))}%"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def submission_comment(
    n_reviews: int, fraction: float, *, method: str = "mean", weighted: bool = False
) -> str:
    """ "Average of 3 peer reviews: 78%."

    ``method`` is how peer scores were combined (mean, median, or a mean without
    the highest and lowest when there are enough); ``weighted``: reviewers who
    agree with the others count more."""
    if n_reviews <= 0:
        return "No peer review yet."
    if n_reviews == 1:
        return f"Based on 1 peer review: {pct(fraction)}."
    head = _METHODS.get(method, "Average")
    if weighted:
        head = "Weighted average"
    extra = ""
    if method == "trimmed" and n_reviews >= 4:
        extra = ", leaving out the highest and the lowest"
    elif weighted:
        extra = " (reviewers whose scores agree with the others count more)"
    return f"{head} of {_count(n_reviews, 'peer review')}{extra}: {pct(fraction)}."


def reviewing_comment(
    fraction: float,
    *,
    written: int | None,
    asked: int | None,
    accuracy: float | None,
    stars: float | None,
    calibrated: bool = False,
    self_weight: float = 0,
) -> str:
    """ "Reviewing: 61%. You wrote 2 of the 3 reviews asked of you; …".

    ``accuracy`` (0..1): how close the learner's scores were to other reviewers';
    ``stars``: the authors' average helpfulness rating (1..5); ``calibrated``: the
    instructor counts the practice examples in that accuracy (weighted calibration);
    ``self_weight`` (0..1): the share of the grade that the self-assessment's closeness
    to the peers' ratings makes (issue 20)."""
    parts = []
    if asked:
        done = min(written or 0, asked)
        parts.append(
            "you wrote all the reviews asked of you"
            if done >= asked
            else f"you wrote {done} of the {_count(asked, 'review')} asked of you"
        )
    if accuracy is not None:
        closeness = (
            "close to"
            if accuracy >= 0.85
            else "fairly close to"
            if accuracy >= 0.7
            else "often far from"
        )
        against = (
            "other reviewers' scores and the instructor's on the practice examples"
            if calibrated
            else "other reviewers' scores"
        )
        parts.append(f"your scores were {closeness} {against}")
    if stars is not None:
        parts.append(f"authors rated your feedback {stars:.1f} out of 5 on average")
    if self_weight > 0:
        parts.append(
            f"how close your self-assessment was to your peers' ratings makes "
            f"{round(100 * self_weight)}% of it"
        )
    text = f"Reviewing: {pct(fraction)}."
    if parts:
        sentence = "; ".join(parts)
        text += " " + sentence[0].upper() + sentence[1:] + "."
    return text


def mastery_comment(post: float, maximum: float) -> str:
    """ "Final check: 8 of 10 (80%)."""
    return f"Final check: {post:g} of {maximum:g} ({pct(post / maximum)})."


def gain_comment(
    pre: float | None, post: float, maximum: float, *, gain: float | None, ceiling: float
) -> str:
    """The learning-gain score in words: how far the learner moved from the first
    check towards full marks."""
    if pre is None or gain is None:
        return "Learning gain not measured: there was no first check."
    before, after = f"{pre:g} of {maximum:g}", f"{post:g} of {maximum:g}"
    if pre >= ceiling * maximum:
        return (
            f"You started at {before}, close to full marks, so your final check "
            f"({after}) is used as your learning gain."
        )
    if post == pre:
        return f"Your score stayed at {before} from the first check to the final one."
    if post < pre:
        return f"Your score went from {before} to {after}; a lower score counts as no gain (0%)."
    return (
        f"Your score went from {before} to {after}: you gained {pct(gain / 100)} of "
        "the marks you could still gain."
    )
