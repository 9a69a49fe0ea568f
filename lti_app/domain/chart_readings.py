"""One plain-language sentence per analytics chart, computed from its data.

A sponsor reads the sentence, not the statistic, so each reading may only say
what the numbers behind it support:

- below :data:`MIN_LEARNERS` learners (or answers, or ratings) it says there are
  too few to say, and gives the count so far;
- "most" always means more than half, counted, never "about half";
- counts are written as "k of n" with the same n the chart shows;
- nothing raw: no formula, no ``None``/``nan``, no internal id.

The four headline numbers of the dashboard (:func:`headlines`) follow the same
rules. Pure Python: the analytics layer passes plain numbers in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Fewer learners (answers, ratings) than this and a reading says "too few to say".
MIN_LEARNERS = 5
#: A pre-check at or above this percentage leaves little room to gain.
CEILING_PERCENT = 90.0
#: Krippendorff's conventions: reliable from 0.800, tentative from 0.667.
ALPHA_RELIABLE = 0.8
ALPHA_TENTATIVE = 0.667

#: (day, due, answered, not yet applied, tried, applied regularly) per check-in day.
CheckinRow = tuple[int, int, int, int, int, int]


def _most(k: int, n: int) -> bool:
    return n > 0 and 2 * k > n


def _pct(k: float, n: float) -> int:
    return round(100 * k / n) if n else 0


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def too_few(n: int, what: str = "learners") -> str:
    """The reading below the minimum: says how many there are so far."""
    return f"Too few {what} to say yet: {n} so far, and a reading needs at least {MIN_LEARNERS}."


def gain_reading(changes: Sequence[float]) -> str:
    """Normalised change c per learner (−1 … +1): how much of the possible gain
    learners made."""
    n = len(changes)
    if n < MIN_LEARNERS:
        return too_few(n, "learners with both checks")
    half = sum(1 for c in changes if c >= 0.5)
    up = sum(1 for c in changes if c > 0)
    down = sum(1 for c in changes if c < 0)
    same = n - up - down
    if _most(half, n):
        return f"Most learners gained at least half of what they could still gain ({half} of {n})."
    if _most(up, n):
        return (
            f"Most learners improved ({up} of {n}), but only {half} of {n} gained at least "
            "half of what they could still gain."
        )
    if _most(down, n):
        return (
            f"Most learners scored lower at the post-check ({down} of {n}); check that both "
            "checks asked the same questions and were taken seriously."
        )
    if _most(same, n):
        return f"Most learners scored the same at both checks ({same} of {n})."
    return _mixed(up, same, down, n)


def _mixed(up: int, same: int, down: int, n: int) -> str:
    parts = [f"{up} of {n} improved"]
    if same:
        parts.append(f"{same} stayed the same")
    parts.append(f"{down} scored lower")
    return "Mixed results: " + ", ".join(parts[:-1]) + " and " + parts[-1] + "."


def slope_reading(pairs: Sequence[tuple[float, float]]) -> str:
    """Pre-check and post-check score per learner."""
    n = len(pairs)
    if n < MIN_LEARNERS:
        return too_few(n, "learners with both checks")
    up = sum(1 for pre, post in pairs if post > pre)
    down = sum(1 for pre, post in pairs if post < pre)
    same = n - up - down
    if _most(up, n):
        lower = "none scored lower" if down == 0 else f"{down} scored lower"
        return (
            f"Most learners scored higher at the post-check than at the pre-check "
            f"({up} of {n}); {lower}."
        )
    if _most(down, n):
        return (
            f"Most learners scored lower at the post-check than at the pre-check ({down} of {n})."
        )
    if _most(same, n):
        return f"Most learners scored the same at both checks ({same} of {n})."
    return _mixed(up, same, down, n)


def ceiling_reading(pre_percents: Sequence[float]) -> str:
    """Gain against the pre-check score: who had little room to gain."""
    n = len(pre_percents)
    if n < MIN_LEARNERS:
        return too_few(n, "learners with both checks")
    high = sum(1 for p in pre_percents if p >= CEILING_PERCENT)
    if high == 0:
        return "No learner started at 90% or more, so everyone had room to gain."
    if _most(high, n):
        return (
            f"Most learners started at 90% or more ({high} of {n}), so the check left little "
            "room to gain; a harder check would show learning better."
        )
    return (
        f"{high} of {n} learners started at 90% or more and had "
        "little room to gain; read their change with care."
    )


def funnel_reading(steps: Sequence[tuple[str, int]]) -> str:
    """Learners at each step of the participation funnel (first step: enrolled)."""
    if not steps or steps[0][1] <= 0:
        return "Nobody is enrolled yet."
    enrolled = steps[0][1]
    label, last = steps[-1]
    text = (
        f"Of {enrolled} enrolled {_plural(enrolled, 'learner', 'learners')}, {last} reached "
        f"the last step ({label[0].lower() + label[1:]}: {_pct(last, enrolled)}%)."
    )
    if enrolled < MIN_LEARNERS:
        return text
    drops = [
        (steps[i][1] - steps[i + 1][1], steps[i][0], steps[i + 1][0]) for i in range(len(steps) - 1)
    ]
    biggest = max(drops, default=(0, "", ""))
    if biggest[0] > 0:
        text += f" The biggest drop is from “{biggest[1]}” to “{biggest[2]}” ({biggest[0]} fewer)."
    return text


def weekly_reading(counts: Sequence[int], labels: Sequence[str]) -> str:
    """Distinct active learners per week (``labels``: the week each count is for)."""
    if not counts or max(counts) <= 0:
        return "Nobody has been active yet."
    peak = max(counts)
    latest = counts[-1]
    if peak < MIN_LEARNERS:
        return too_few(peak, "active learners")
    if len(counts) < 3:
        return (
            f"Too few weeks to see a trend yet; {latest} learners were active in the latest week."
        )
    when = labels[counts.index(peak)] if len(labels) == len(counts) else ""
    if latest == peak:
        return f"Activity is at its highest so far: {latest} learners in the latest week."
    if 5 * latest >= 4 * peak:
        return (
            f"Activity is close to its peak: {latest} learners in the latest week, {peak} at most."
        )
    return (
        f"Activity has fallen from a peak of {peak} learners"
        + (f" (week of {when})" if when else "")
        + f" to {latest} in the latest week."
    )


def survival_reading(followed: int, shares: Sequence[float]) -> str:
    """Share of learners still taking part by week (``followed``: learners in week 1)."""
    if followed < MIN_LEARNERS or not shares:
        return too_few(followed)
    last = min(1.0, max(0.0, shares[-1]))
    weeks = len(shares)
    after = f"after {weeks} {_plural(weeks, 'week', 'weeks')}"
    pct = round(100 * last)
    if last >= 1.0:
        return f"Everyone is still taking part {after}."
    if last > 0.5:
        return f"Most learners are still taking part {after} (about {pct}%)."
    if last == 0.5:
        return f"Half of the learners are still taking part {after}."
    return f"Fewer than half of the learners are still taking part {after} (about {pct}%)."


def nps_reading(n: int, promoters: int, detractors: int) -> str:
    """The 0–10 "would you recommend it" ratings."""
    if n < MIN_LEARNERS:
        return too_few(n, "answers")
    counts = f"{promoters} of {n} would (9 or 10), {detractors} would not (0 to 6)"
    if promoters > detractors:
        return f"More learners would recommend it than would not: {counts}."
    if promoters < detractors:
        return f"More learners would not recommend it than would: {counts}."
    return f"As many learners would recommend it as would not: {counts}."


def rating_reading(levels: Sequence[int]) -> str:
    """Observer ratings of role-play sessions, counts at levels 1 … 4."""
    n = sum(levels)
    if n < MIN_LEARNERS:
        return too_few(n, "ratings")
    upper = sum(levels[2:])
    if _most(upper, n):
        return f"Most observer ratings are at the upper two levels, 3 or 4 ({upper} of {n})."
    if _most(n - upper, n):
        return f"Most observer ratings are at the lower two levels, 1 or 2 ({n - upper} of {n})."
    return f"Observer ratings are split evenly: {upper} of {n} at level 3 or 4."


def transfer_reading(rows: Sequence[CheckinRow]) -> str:
    """The latest check-in with enough answers: response rate and who applies it."""
    answered_any = [r for r in rows if r[2] > 0]
    if not answered_any:
        return "No transfer check-in has been answered yet."
    enough = [r for r in answered_any if r[2] >= MIN_LEARNERS]
    if not enough:
        return too_few(max(r[2] for r in answered_any), "check-in answers")
    day, due, answered, _not_yet, tried, regular = max(enough, key=lambda r: r[0])
    applied = tried + regular
    text = (
        f"At the day-{day} check-in, {answered} of {due} learners answered "
        f"({_pct(answered, due)}%); {applied} of them say they have tried or regularly apply "
        "what they learned"
    )
    if _most(applied, answered):
        return text + ", most of those who answered."
    return text + "."


def network_reading(n_nodes: int, n_isolates: int) -> str:
    """Who interacts with whom: isolates are the learners to nudge."""
    if n_nodes < MIN_LEARNERS:
        return too_few(n_nodes)
    if n_isolates == 0:
        return "Every learner gave or received at least one review or reply."
    return (
        f"{n_isolates} of {n_nodes} learners neither gave "
        "nor received a review or reply, and may need a nudge."
    )


# -- the four headline numbers ----------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """One headline number: ``term`` names its glossary entry."""

    term: str
    value: str
    label: str
    sentence: str


def participation_headline(enrolled: int, took_part: int, completed: int | None) -> Headline:
    """Took part (and finished the post-check, once it has opened)."""
    value = f"{took_part} of {enrolled}"
    label = "learners took part"
    if enrolled <= 0:
        return Headline("took-part", "0", label, "Nobody is enrolled yet.")
    text = f"{_pct(took_part, enrolled)}% of enrolled learners took part in an activity"
    if completed is None:
        text += "; the post-check has not opened yet."
    else:
        text += f"; {completed} finished the post-check."
    return Headline("took-part", value, label, text)


def gain_headline(mean_change: float | None, n_paired: int) -> Headline:
    """The mean normalised change, read as a share of what learners could gain."""
    label = "average learning gain"
    if mean_change is None or not math.isfinite(mean_change) or n_paired <= 0:
        return Headline(
            "c", "—", label, "No learner has taken both the pre-check and the post-check yet."
        )
    pct = round(100 * mean_change)
    if pct >= 0:
        value = f"{pct}%"
        text = f"On average, learners gained {pct}% of what they could still gain."
    else:
        value = f"−{-pct}%"
        text = f"On average, learners scored lower at the post-check (a loss of {-pct}%)."
    if n_paired < MIN_LEARNERS:
        text = (
            f"Only {n_paired} {_plural(n_paired, 'learner has', 'learners have')} taken both "
            f"checks: too few to say yet (a reading needs at least {MIN_LEARNERS})."
        )
    return Headline("c", value, label, text)


def applying_headline(rows: Sequence[CheckinRow]) -> Headline:
    """Share applying it on the job at the latest check-in with answers."""
    answered_rows = [r for r in rows if r[2] > 0]
    if not answered_rows:
        return Headline(
            "applied",
            "—",
            "apply it at work",
            "No transfer check-in has been answered yet.",
        )
    day, _due, answered, _not_yet, tried, regular = max(answered_rows, key=lambda r: r[0])
    applied = tried + regular
    label = f"apply it at work (day-{day} check-in)"
    if answered < MIN_LEARNERS:
        text = too_few(answered, "check-in answers")
    else:
        text = (
            f"{applied} of {answered} learners who answered the latest check-in say they have "
            "tried or regularly apply what they learned."
        )
    return Headline("applied", f"{_pct(applied, answered)}%", label, text)


def agreement_headline(alpha: float | None, units: int) -> Headline:
    """How far peer ratings can be trusted (Krippendorff's alpha)."""
    label = "agreement between peer reviewers"
    if alpha is None or not math.isfinite(alpha):
        return Headline(
            "alpha",
            "—",
            label,
            "No work has been reviewed by several peers yet, so agreement cannot be measured.",
        )
    value = f"{alpha:.2f}"
    if units < MIN_LEARNERS:
        return Headline("alpha", value, label, too_few(units, "reviewed submissions"))
    if alpha >= ALPHA_RELIABLE:
        text = "Reviewers largely agree: peer ratings can be relied on."
    elif alpha >= ALPHA_TENTATIVE:
        text = "Reviewers partly agree: use peer ratings for tentative conclusions only."
    else:
        text = "Reviewers often disagree: do not rely on a single peer rating."
    return Headline("alpha", value, label, text)
