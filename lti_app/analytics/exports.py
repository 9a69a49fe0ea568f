"""CSV exports of the dashboard's tables: the same numbers as the page, one row
per learner (or week, step, day), so every figure can be recomputed outside."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

from lti_app.analytics import dashboard
from lti_app.analytics.dashboard import Dashboard, Scope


def _learning(d: Dashboard) -> Iterable[list[Any]]:
    named = d.scope.single_course
    yield [
        "learner_id",
        *(["name"] if named else []),
        "activity",
        "pre_percent",
        "post_percent",
        "normalised_change_c",
        "self_rating_pre",
        "self_rating_post",
        "self_rating_retrospective_pre",
        "post_check_opened",
    ]
    for r in d.learning.records:
        yield [
            r.key,
            *([r.name] if named else []),
            r.activity,
            r.pre,
            r.post,
            r.change,
            r.self_pre,
            r.self_post,
            r.retro_pre,
            "yes" if r.post_open else "no",
        ]


def _feedback(d: Dashboard) -> Iterable[list[Any]]:
    yield ["satisfaction_0_10", "learners"]
    for value, count in enumerate(d.satisfaction.distribution):
        yield [value, count]


def _comments(d: Dashboard) -> Iterable[list[Any]]:
    yield ["what_i_valued", "what_i_will_change", "ideas_for_next_sessions"]
    yield from ([*row] for row in d.satisfaction.comments)


def _funnel(d: Dashboard) -> Iterable[list[Any]]:
    yield ["step", "learners"]
    yield from ([label, n] for label, n in d.funnel.steps)


def _weekly(d: Dashboard) -> Iterable[list[Any]]:
    yield ["week_starting", "active_learners"]
    yield from ([f"{week:%Y-%m-%d}", n] for week, n in d.weekly)


def _survival(d: Dashboard) -> Iterable[list[Any]]:
    yield ["week", "learners_followed", "dropped_out", "share_continuing"]
    yield from ([w.week + 1, w.at_risk, w.dropped, w.share] for w in d.turnover.curve)


def _dropouts(d: Dashboard) -> Iterable[list[Any]]:
    """Everyone the dropout rule counts (the rule is in the survival chart's text)."""
    named = d.scope.single_course
    yield ["learner_id", *(["name"] if named else []), "last_seen", "why"]
    for key, name, last, why in d.turnover.dropouts:
        yield [key, *([name] if named else []), last, why]


def _transfer(d: Dashboard) -> Iterable[list[Any]]:
    yield ["day", "due", "answered", "applied_not_yet", "applied_tried", "applied_regularly"]
    yield from ([*row] for row in d.transfer.rows)


def _network(d: Dashboard) -> Iterable[list[Any]]:
    yield ["learner_a", "learner_b", "interactions"]
    if d.network is not None:
        yield from ([a, b, w] for a, b, w in d.network.ties)


def _courses(d: Dashboard) -> Iterable[list[Any]]:
    yield ["course", "learners", "paired_checks", "mean_normalised_change_c", "nps"]
    yield from ([*row] for row in d.courses)


TABLES: dict[str, Callable[[Dashboard], Iterable[list[Any]]]] = {
    "learning": _learning,
    "satisfaction": _feedback,
    "comments": _comments,
    "funnel": _funnel,
    "weekly": _weekly,
    "survival": _survival,
    "dropouts": _dropouts,
    "transfer": _transfer,
    "network": _network,
    "courses": _courses,
}


def _cell(value: Any) -> Any:
    """Numbers as they are (full precision); text that a spreadsheet would run as a
    formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(table: str, scope: Scope) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in TABLES[table](dashboard.build(scope)):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
