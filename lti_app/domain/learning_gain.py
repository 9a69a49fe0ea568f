"""Learning gain from a pre and a post check: per learner (for the gradebook) and per
cohort (for the L&D dashboard). Pure Python.

Per learner we use Marx & Cummings' normalised change *c* (AJP 75, 87, 2007), not
Hake's *g*: *c* is the gain over the possible gain, or the loss over the possible
loss, so it lies in [−1, 1] and a high scorer who slips a little is not punished
the way *g* punishes them (pre 90 → post 85 is g = −0.50 but c = −0.06).

Gradebook rules (AGS scores must be ≥ 0 and mean one thing):

- no post-test: nothing to send (the learner has not finished);
- no pre-test: mastery only, no gain score ("no pre-test"); never impute;
- pre ≥ the ceiling (90 % of the maximum by default): the gain column gets the
  mastery value instead, and the comment says so (experts are not punished for
  having nothing left to gain);
- otherwise gain = M × max(0, c), and the comment carries the raw *c* with the
  scores, so a negative change is visible without a negative grade.

Cohort statistics are labelled the way the literature names them: Hake's gain of
averages ⟨g⟩ (over everyone paired), the average of individual gains (over those
below the maximum on the pre-test), the mean *c* (dropping learners at the floor
or the ceiling on both tests: they carry no information), the paired effect size
d_z = mean(diff) / sd(diff) and Hedges' g_av = d_av × J with d_av = mean(diff) /
((sd_pre + sd_post) / 2) and J = 1 − 3 / (4(n − 1) − 1). Confidence intervals are
the large-sample normal approximation (said so in ``ci_method``); effect sizes are
flagged as not displayable below ``MIN_PAIRED`` pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Below this many paired records an effect size is too noisy to show.
MIN_PAIRED = 10
#: A change below this is flagged for the facilitator (disengaged post-test, wrong form).
FLAG_BELOW = -0.2
Z95 = 1.959963984540054


class GainInputError(ValueError):
    """Scores outside [0, max], or a maximum that is not positive."""


def _check(value: float | None, maximum: float, name: str) -> None:
    if maximum <= 0:
        raise GainInputError("the maximum score must be greater than 0")
    if value is not None and not 0 <= value <= maximum:
        raise GainInputError(f"{name} score {value:g} is outside 0..{maximum:g}")


def normalized_change(pre: float, post: float, maximum: float) -> float | None:
    """Marx & Cummings' c; None when pre == post at the floor (0) or the ceiling
    (maximum): such a learner carries no information about change."""
    _check(pre, maximum, "pre")
    _check(post, maximum, "post")
    if post > pre:
        return (post - pre) / (maximum - pre)
    if post < pre:
        return (post - pre) / pre
    if pre in (0, maximum):
        return None
    return 0.0


def hake_gain(pre: float, post: float, maximum: float) -> float | None:
    """Hake's individual g = (post − pre) / (max − pre); None at pre == max.
    Unbounded below: for the dashboard's "average of gains" only, never a grade."""
    _check(pre, maximum, "pre")
    _check(post, maximum, "post")
    if pre == maximum:
        return None
    return (post - pre) / (maximum - pre)


@dataclass(frozen=True)
class GainScores:
    """What one learner's checks send to the gradebook (0..``points``), and why."""

    mastery: float | None
    mastery_comment: str
    gain: float | None
    gain_comment: str
    #: The raw normalised change (None when undefined or not applicable).
    change: float | None
    #: The facilitator should look at this learner (a clearly negative change).
    flagged: bool


def _pct(value: float, maximum: float) -> str:
    return f"{100 * value / maximum:.0f}%"


def gain_scores(
    pre: float | None,
    post: float | None,
    maximum: float,
    *,
    points: float = 100.0,
    ceiling: float = 0.9,
) -> GainScores:
    """The mastery and learning-gain scores of one learner (see the module rules)."""
    _check(pre, maximum, "pre")
    _check(post, maximum, "post")
    if post is None:
        return GainScores(None, "no post-test yet", None, "no post-test yet", None, False)
    mastery = points * post / maximum
    mastery_comment = f"post-test {post:g}/{maximum:g} ({_pct(post, maximum)})"
    if pre is None:
        return GainScores(
            mastery,
            mastery_comment,
            None,
            "no pre-test: learning gain not measured (mastery only)",
            None,
            False,
        )
    if pre >= ceiling * maximum:
        return GainScores(
            mastery,
            mastery_comment,
            mastery,
            f"pre-test {pre:g}/{maximum:g} was at or above {ceiling:.0%} of the "
            f"maximum, so there was little left to gain: mastery sent instead "
            f"({_pct(post, maximum)})",
            normalized_change(pre, post, maximum),
            False,
        )
    change = normalized_change(pre, post, maximum)
    if change is None:  # 0 → 0: nothing learned that the check could show
        return GainScores(
            mastery,
            mastery_comment,
            0.0,
            f"no change (pre and post {pre:g}/{maximum:g})",
            None,
            False,
        )
    gain = points * max(0.0, change)
    comment = f"normalised change {change:+.2f} (post {post:g} vs pre {pre:g}, out of {maximum:g})"
    if change < 0:
        comment += "; a negative change is recorded as 0"
    return GainScores(mastery, mastery_comment, gain, comment, change, change < FLAG_BELOW)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class CohortGain:
    """Cohort statistics for the dashboard (None where undefined)."""

    n_learners: int
    n_paired: int
    #: Took the pre-test but not the post-test, although it has opened.
    attrition: int
    #: Took the post-test without a pre-test (mastery only).
    missing_pre: int
    mean_pre: float | None
    mean_post: float | None
    #: Hake's class-level ⟨g⟩ = (⟨post⟩ − ⟨pre⟩) / (max − ⟨pre⟩), over the paired.
    gain_of_averages: float | None
    #: mean of individual g over the paired with pre < max.
    average_of_gains: float | None
    #: mean of c over the paired, dropping floor/ceiling ties (``dropped``).
    mean_change: float | None
    dropped: int
    d_z: float | None
    d_z_ci: Interval | None
    hedges_g: float | None
    hedges_g_ci: Interval | None
    #: Effect sizes need at least MIN_PAIRED pairs to be shown.
    displayable: bool
    ci_method: str = "normal approximation, 95%"
    #: Took the pre-test; their post-test has not opened yet (not attrition).
    awaiting_post: int = 0


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _sd(values: Sequence[float]) -> float:
    mean = _mean(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def cohort_gain(
    records: Sequence[tuple[float | None, float | None]],
    maximum: float,
    *,
    post_open: Sequence[bool] | None = None,
) -> CohortGain:
    """Statistics over (pre, post) records, one per learner (None = not taken).
    ``post_open`` says per record whether its post-test has opened (default: all
    have): a missing post-test is attrition only once it could have been taken."""
    for pre, post in records:
        _check(pre, maximum, "pre")
        _check(post, maximum, "post")
    opened = list(post_open) if post_open is not None else [True] * len(records)
    if len(opened) != len(records):
        raise GainInputError("post_open needs one flag per record")
    paired = [(pre, post) for pre, post in records if pre is not None and post is not None]
    waiting = [
        (pre is not None and post is None, is_open)
        for (pre, post), is_open in zip(records, opened, strict=True)
    ]
    attrition = sum(1 for missing, is_open in waiting if missing and is_open)
    awaiting = sum(1 for missing, is_open in waiting if missing and not is_open)
    missing_pre = sum(1 for pre, post in records if pre is None and post is not None)
    n = len(paired)
    empty = CohortGain(
        len(records),
        n,
        attrition,
        missing_pre,
        None,
        None,
        None,
        None,
        None,
        0,
        None,
        None,
        None,
        None,
        False,
        awaiting_post=awaiting,
    )
    if n == 0:
        return empty
    pres = [p for p, _ in paired]
    posts = [q for _, q in paired]
    mean_pre, mean_post = _mean(pres), _mean(posts)
    gain_of_averages = (
        None if mean_pre >= maximum else (mean_post - mean_pre) / (maximum - mean_pre)
    )
    gains = [g for g in (hake_gain(p, q, maximum) for p, q in paired) if g is not None]
    changes = [c for c in (normalized_change(p, q, maximum) for p, q in paired) if c is not None]
    d_z = d_z_ci = hedges = hedges_ci = None
    if n >= 2:
        diffs = [q - p for p, q in paired]
        sd_diff = _sd(diffs)
        if sd_diff > 0:
            d_z = _mean(diffs) / sd_diff
            se = math.sqrt(1 / n + d_z**2 / (2 * n))
            d_z_ci = Interval(d_z - Z95 * se, d_z + Z95 * se)
        sd_avg = (_sd(pres) + _sd(posts)) / 2
        if sd_avg > 0 and n >= 3:
            j = 1 - 3 / (4 * (n - 1) - 1)
            hedges = _mean(diffs) / sd_avg * j
            se = math.sqrt(1 / n + hedges**2 / (2 * n))
            hedges_ci = Interval(hedges - Z95 * se, hedges + Z95 * se)
    return CohortGain(
        n_learners=len(records),
        n_paired=n,
        attrition=attrition,
        missing_pre=missing_pre,
        mean_pre=mean_pre,
        mean_post=mean_post,
        gain_of_averages=gain_of_averages,
        average_of_gains=_mean(gains) if gains else None,
        mean_change=_mean(changes) if changes else None,
        dropped=n - len(changes),
        d_z=d_z,
        d_z_ci=d_z_ci,
        hedges_g=hedges,
        hedges_g_ci=hedges_ci,
        displayable=n >= MIN_PAIRED,
        awaiting_post=awaiting,
    )
