"""Measures of the L&D dashboard that are not learning gain: scoring a check,
NPS, the survival curve of participation, histogram bins, the interaction
network, and the evidence ladder. Pure Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


class MeasureInputError(ValueError):
    """Input a measure cannot be computed from (an answer out of range, say)."""


@dataclass(frozen=True)
class CheckItem:
    """An item as scoring sees it: ``correct`` is None for a self-assessment scale."""

    key: str
    kind: str  # "knowledge" or "self"
    n_options: int
    correct: int | None


@dataclass(frozen=True)
class CheckScore:
    #: Knowledge items right and asked; None when the check has no knowledge items.
    score: float | None
    maximum: float | None
    #: Mean self-rating (1..5), and of the retrospective "before" ratings; never graded.
    self_mean: float | None
    retro_mean: float | None


def score_check(
    items: Sequence[CheckItem], answers: Mapping[str, int], retro: Mapping[str, int] | None = None
) -> CheckScore:
    """Score one submitted check. Every item must be answered (an option index for a
    knowledge item, 1..5 for a scale); a retrospective rating is asked for every
    self item when ``retro`` is given. Self-assessment ratings never add to the score."""
    right = 0
    n_knowledge = 0
    ratings: list[int] = []
    retro_ratings: list[int] = []
    for item in items:
        value = answers.get(item.key)
        if value is None:
            raise MeasureInputError("Please answer every question.")
        if item.kind == "knowledge":
            if not 0 <= value < item.n_options:
                raise MeasureInputError("An answer is not one of the options.")
            n_knowledge += 1
            right += int(item.correct is not None and value == item.correct)
        else:
            if not 1 <= value <= 5:
                raise MeasureInputError("A rating must be between 1 and 5.")
            ratings.append(value)
            if retro is not None:
                before = retro.get(item.key)
                if before is None or not 1 <= before <= 5:
                    raise MeasureInputError("Please rate where you were before, too.")
                retro_ratings.append(before)
    return CheckScore(
        score=float(right) if n_knowledge else None,
        maximum=float(n_knowledge) if n_knowledge else None,
        self_mean=sum(ratings) / len(ratings) if ratings else None,
        retro_mean=sum(retro_ratings) / len(retro_ratings) if retro_ratings else None,
    )


@dataclass(frozen=True)
class Nps:
    """Net Promoter Score: % promoters (9–10) − % detractors (0–6), over ``n``."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None


def nps(ratings: Iterable[int]) -> Nps:
    values = list(ratings)
    for value in values:
        if not 0 <= value <= 10:
            raise MeasureInputError(f"a 0–10 rating cannot be {value}")
    n = len(values)
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    score = None if n == 0 else 100.0 * (promoters - detractors) / n
    return Nps(n, promoters, n - promoters - detractors, detractors, score)


def survival(last_active_week: Sequence[int], weeks: int) -> list[float]:
    """Share of learners still taking part at each week 0..weeks-1: a learner whose
    last activity was in week k counts as continuing in weeks 0..k (a learner who
    was never active has ``-1`` and counts in none)."""
    n = len(last_active_week)
    if n == 0:
        return [0.0] * weeks
    return [sum(1 for last in last_active_week if last >= week) / n for week in range(weeks)]


def histogram(values: Sequence[float], low: float, high: float, bins: int) -> list[int]:
    """Counts in ``bins`` equal bins over [low, high]; the top edge falls in the last bin."""
    if bins <= 0 or high <= low:
        raise MeasureInputError("a histogram needs bins and a range")
    counts = [0] * bins
    width = (high - low) / bins
    for value in values:
        if not low <= value <= high:
            continue
        counts[min(bins - 1, int((value - low) / width))] += 1
    return counts


@dataclass(frozen=True)
class Network:
    """Who gave feedback to / answered whom: undirected ties with weights."""

    nodes: tuple[str, ...]
    #: (a, b) with a < b → number of interactions either way.
    ties: tuple[tuple[str, str, int], ...]
    degree: Mapping[str, int]
    #: Learners with no tie at all.
    isolates: tuple[str, ...]
    #: Learners who never received feedback or a reply.
    never_received: tuple[str, ...]
    #: Share of directed ties that are returned.
    reciprocity: float | None


def interaction_network(nodes: Iterable[str], interactions: Iterable[tuple[str, str]]) -> Network:
    """The network of ``(from, to)`` interactions among ``nodes`` (self-ties and
    people outside ``nodes`` are ignored)."""
    members = sorted(set(nodes))
    known = set(members)
    directed: dict[tuple[str, str], int] = {}
    for source, target in interactions:
        if source == target or source not in known or target not in known:
            continue
        directed[(source, target)] = directed.get((source, target), 0) + 1
    undirected: dict[tuple[str, str], int] = {}
    for (a, b), count in directed.items():
        key = (a, b) if a < b else (b, a)
        undirected[key] = undirected.get(key, 0) + count
    degree = dict.fromkeys(members, 0)
    for a, b in undirected:
        degree[a] += 1
        degree[b] += 1
    received = {b for _, b in directed}
    reciprocity = (
        sum(1 for a, b in directed if (b, a) in directed) / len(directed) if directed else None
    )
    return Network(
        nodes=tuple(members),
        ties=tuple(sorted((a, b, w) for (a, b), w in undirected.items())),
        degree=degree,
        isolates=tuple(m for m in members if degree[m] == 0),
        never_received=tuple(m for m in members if m not in received),
        reciprocity=reciprocity,
    )


@dataclass(frozen=True)
class Rung:
    level: str
    label: str
    evidence: bool
    detail: str


def evidence_ladder(
    *,
    launched: int,
    active: int,
    feedback_n: int,
    paired: int,
    rated_performance: int,
    checkins_answered: int,
    observations: int,
) -> tuple[Rung, ...]:
    """Which Kirkpatrick / LTEM levels the programme has evidence for, bottom up.
    Self-reported transfer (check-ins) is LTEM 7 "weak"; nothing here reaches
    Kirkpatrick 4 / LTEM 8 (business results): that needs data from outside."""
    return (
        Rung(
            "LTEM 1–2 · Attendance and activity",
            "Participation",
            launched > 0 and active > 0,
            f"{launched} launched, {active} took part",
        ),
        Rung(
            "LTEM 3 · Kirkpatrick 1 · Learner perceptions",
            "Reaction",
            feedback_n > 0,
            f"{feedback_n} feedback survey responses",
        ),
        Rung(
            "LTEM 4 · Kirkpatrick 2 · Knowledge",
            "Learning (knowledge)",
            paired > 0,
            f"{paired} learners with a pre- and a post-check",
        ),
        Rung(
            "LTEM 6 · Kirkpatrick 2 · Task competence",
            "Learning (skills)",
            rated_performance > 0,
            f"{rated_performance} peer-rated performances",
        ),
        Rung(
            "LTEM 7 · Kirkpatrick 3 · Transfer",
            "Behaviour at work",
            checkins_answered > 0 or observations > 0,
            f"{checkins_answered} self-reported check-ins, {observations} observations",
        ),
        Rung(
            "LTEM 8 · Kirkpatrick 4 · Results",
            "Business results",
            False,
            "not measured by Peerlift: join the exports with business data",
        ),
    )
