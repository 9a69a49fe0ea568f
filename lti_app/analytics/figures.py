"""The dashboard's charts, each with the data table that is its text alternative
(drawn from the same numbers the exports write)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from lti_app.analytics import charts
from lti_app.analytics.dashboard import ActivityResults, Dashboard, Learning, Table


def _fmt(value: float | None, spec: str = ".0f") -> str:
    return "—" if value is None else format(value, spec)


def _bin_labels() -> list[str]:
    edges = [-1 + 0.2 * i for i in range(11)]
    return [f"{edges[i]:+.1f} to {edges[i + 1]:+.1f}" for i in range(10)]


def learning_figures(learn: Learning, out: dict[str, Markup], tables: dict[str, Table]) -> None:
    """Slopegraph, histogram of c and gain-vs-pre scatter."""
    paired = [r for r in learn.records if r.pre is not None and r.post is not None]
    pairs = [(float(r.pre or 0), float(r.post or 0)) for r in paired]
    fell = sum(1 for p, q in pairs if q < p)
    out["slope"] = charts.slopegraph(
        "Pre-check to post-check, per learner",
        f"{len(pairs)} learners with both checks; mean pre {_fmt(learn.cohort.mean_pre)}%, "
        f"mean post {_fmt(learn.cohort.mean_post)}%; {fell} scored lower at the post-check "
        f"(dashed).",
        pairs,
    )
    rows: list[list[Any]] = [
        [r.name, r.activity, _fmt(r.pre), _fmt(r.post), _fmt(r.change, "+.2f")] for r in paired
    ]
    tables["slope"] = (
        "Pre and post per learner (% of the maximum)",
        ["Learner", "Activity", "Pre %", "Post %", "c"],
        rows,
    )
    out["change"] = charts.bars(
        "Normalised change c, per learner",
        "How many learners fall in each band of c, from −1 (lost all they could) to +1 "
        "(gained all they could). "
        + "; ".join(
            f"{label}: {n}" for label, n in zip(_bin_labels(), learn.change_bins, strict=True) if n
        )
        + ".",
        _bin_labels(),
        [float(v) for v in learn.change_bins],
    )
    tables["change"] = (
        "Learners per band of c",
        ["Band of c", "Learners"],
        [[label, n] for label, n in zip(_bin_labels(), learn.change_bins, strict=True)],
    )
    out["scatter"] = charts.scatter(
        "Gain against pre-check score",
        "Each point is a learner: pre-check score (%) across, post minus pre (points) up. "
        f"{learn.at_ceiling} learners started at 90% or more, with little room to gain.",
        [(p, q - p) for p, q in pairs],
        x_range=(0, 100),
        y_range=(-100, 100),
        x_label="pre-check score (%)",
        y_label="post − pre",
    )
    tables["scatter"] = (
        "Gain against pre-check score",
        ["Learner", "Pre %", "Post − pre"],
        [[r.name, _fmt(r.pre), _fmt((r.post or 0) - (r.pre or 0), "+.0f")] for r in paired],
    )


def activity_figures(result: ActivityResults) -> ActivityResults:
    learning_figures(result.learning, result.charts, result.tables)
    return result


def dashboard_figures(d: Dashboard) -> Dashboard:
    """Every chart of the dashboard, with its table."""
    c, t = d.charts, d.tables
    steps = d.funnel.steps
    waiting = d.funnel.not_open
    c["funnel"] = charts.bars(
        "Participation funnel",
        "Learners at each step: "
        + "; ".join(f"{label} {n}" for label, n in steps)
        + "."
        + (f" Not open yet: {' and '.join(waiting).lower()}." if waiting else ""),
        [s for s, _ in steps],
        [float(n) for _, n in steps],
    )
    base = steps[0][1] or 1
    t["funnel"] = (
        "Participation funnel",
        ["Step", "Learners", "% of enrolled"],
        [[s, n, f"{100 * n / base:.0f}%"] for s, n in steps]
        + [[s, "not open yet", "—"] for s in waiting],
    )
    c["weekly"] = charts.lines(
        "Weekly active learners",
        f"Distinct learners active each week over {len(d.weekly)} weeks; peak "
        f"{max((n for _, n in d.weekly), default=0)}, latest "
        f"{d.weekly[-1][1] if d.weekly else 0}.",
        [f"{w:%d %b}" for w, _ in d.weekly],
        [("active", [float(n) for _, n in d.weekly])],
    )
    t["weekly"] = (
        "Weekly active learners",
        ["Week starting", "Active learners"],
        [[f"{w:%Y-%m-%d}", n] for w, n in d.weekly],
    )
    surviving = d.turnover.surviving
    c["survival"] = charts.lines(
        "Continuing participation (survival curve)",
        "Estimated share of learners still taking part, by week since each learner first "
        "opened Peerlift (Kaplan–Meier; learners who have not dropped out count until the "
        "last week they were seen). "
        + d.turnover.rule
        + (
            f" {100 * surviving[-1]:.0f}% in week {len(surviving)}."
            if surviving
            else " Nobody has opened Peerlift yet."
        ),
        [f"wk {w + 1}" for w in d.turnover.weeks],
        [("continuing", [100 * s for s in surviving])],
        y_max=100,
        fmt="{:g}%",
    )
    t["survival"] = (
        "Continuing participation",
        ["Week", "Learners followed", "Dropped out", "% still taking part"],
        [[w.week + 1, w.at_risk, w.dropped, f"{100 * w.share:.0f}%"] for w in d.turnover.curve],
    )
    sat = d.satisfaction
    c["nps"] = charts.bars(
        "Satisfaction ratings (0–10)",
        f"How many learners gave each rating; NPS {_fmt(sat.nps.score, '+.0f')} over "
        f"n = {sat.nps.n}.",
        [str(i) for i in range(11)],
        [float(v) for v in sat.distribution],
    )
    t["nps"] = (
        "Satisfaction ratings",
        ["Rating", "Learners"],
        [[i, n] for i, n in enumerate(sat.distribution)],
    )
    c["sessions"] = charts.bars(
        "Role-play session ratings (observers, 1–4)",
        "How many checklist ratings observers gave at each level.",
        ["1", "2", "3", "4"],
        [float(v) for v in sat.session_ratings],
    )
    t["sessions"] = (
        "Role-play session ratings",
        ["Level", "Ratings"],
        [[i + 1, n] for i, n in enumerate(sat.session_ratings)],
    )
    learning_figures(d.learning, c, t)
    rows = d.transfer.rows
    c["transfer"] = charts.bars(
        "Transfer check-ins answered, by day",
        "Response rate of the check-ins due at each day after completion.",
        [f"day {r[0]}" for r in rows],
        [100 * r[2] / r[1] if r[1] else 0.0 for r in rows],
        fmt="{:.0f}%",
    )
    t["transfer"] = (
        "Transfer check-ins",
        [
            "Day",
            "Due",
            "Answered",
            "Response rate",
            "Not yet applied",
            "Tried",
            "Applied regularly",
        ],
        [
            [
                f"day {r[0]}",
                r[1],
                r[2],
                f"{100 * r[2] / r[1]:.0f}%" if r[1] else "—",
                r[3],
                r[4],
                r[5],
            ]
            for r in rows
        ],
    )
    if d.network is not None:
        net = d.network
        index = {k: i for i, k in enumerate(net.nodes)}
        name = d.network_names.get
        c["network"] = charts.network(
            "Who interacts with whom",
            f"{len(net.nodes)} learners and {len(net.ties)} ties from peer reviews and "
            f"discussion replies; {len(net.isolates)} isolates (hollow circles).",
            [name(k, k) for k in net.nodes],
            [(index[a], index[b], w) for a, b, w in net.ties],
            {index[k] for k in net.isolates},
        )
        t["network"] = (
            "Ties between learners",
            ["Learner", "Learner", "Interactions"],
            [[name(a, a), name(b, b), w] for a, b, w in net.ties],
        )
    return d
