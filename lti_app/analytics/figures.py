"""The dashboard's charts, each with the data table that is its text alternative
(drawn from the same numbers the exports write)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from markupsafe import Markup

from lti_app.analytics import charts
from lti_app.analytics.dashboard import ActivityResults, Caption, Dashboard, Learning, Table
from lti_app.domain import chart_readings as read


def _fmt(value: float | None, spec: str = ".0f") -> str:
    return "—" if value is None else format(value, spec)


def _bin_labels() -> list[str]:
    edges = [-1 + 0.2 * i for i in range(11)]
    return [f"{edges[i]:+.1f} to {edges[i + 1]:+.1f}" for i in range(10)]


def _shared(points: list[tuple[float, float]], what: str) -> str:
    """The sentence that says how overlapping learners are drawn (empty if none)."""
    shared = sum(n for n in Counter(points).values() if n > 1)
    if not shared:
        return ""
    return f" {shared} learners share a {what} with someone else: it is drawn bigger, marked ×N."


def learning_figures(
    learn: Learning,
    out: dict[str, Markup],
    tables: dict[str, Table],
    captions: dict[str, Caption],
) -> None:
    """Slopegraph, histogram of c and gain-vs-pre scatter."""
    paired = [r for r in learn.records if r.pre is not None and r.post is not None]
    pairs = [(float(r.pre or 0), float(r.post or 0)) for r in paired]
    fell = sum(1 for p, q in pairs if q < p)
    title = "Pre-check to post-check, per learner"
    captions["slope"] = (title, read.slope_reading(pairs))
    out["slope"] = charts.slopegraph(
        title,
        f"{len(pairs)} learners with both checks; mean pre {_fmt(learn.cohort.mean_pre)}%, "
        f"mean post {_fmt(learn.cohort.mean_post)}%; {fell} scored lower at the post-check "
        f"(dashed)." + _shared(pairs, "line"),
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
    title = "How much of the possible gain each learner made"
    changes = [r.change for r in paired if r.change is not None]
    captions["change"] = (title, read.gain_reading(changes))
    out["change"] = charts.bars(
        title,
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
        "Learners per band of normalised change c",
        ["Band of c", "Learners"],
        [[label, n] for label, n in zip(_bin_labels(), learn.change_bins, strict=True)],
    )
    title = "Change against the starting score"
    captions["scatter"] = (title, read.ceiling_reading([p for p, _ in pairs]))
    dots = [(p, q - p) for p, q in pairs]
    out["scatter"] = charts.scatter(
        title,
        "Each point is a learner: pre-check score (%) across, change in points up. "
        f"{learn.at_ceiling} learners started at 90% or more, with little room to gain."
        + _shared(dots, "point"),
        dots,
        x_range=(0, 100),
        y_range=(-100, 100),
        x_label="pre-check score (%)",
        y_label="change (points)",
    )
    tables["scatter"] = (
        "Gain against pre-check score",
        ["Learner", "Pre %", "Post − pre"],
        [[r.name, _fmt(r.pre), _fmt((r.post or 0) - (r.pre or 0), "+.0f")] for r in paired],
    )


def activity_figures(result: ActivityResults) -> ActivityResults:
    learning_figures(result.learning, result.charts, result.tables, result.captions)
    return result


def dashboard_figures(d: Dashboard) -> Dashboard:
    """Every chart of the dashboard, with its table."""
    c, t, cap = d.charts, d.tables, d.captions
    steps = d.funnel.steps
    waiting = d.funnel.not_open
    cap["funnel"] = ("How far learners got", read.funnel_reading(steps))
    c["funnel"] = charts.bars(
        "How far learners got",
        "Learners at each step: "
        + "; ".join(f"{label} {n}" for label, n in steps)
        + "."
        + (f" Not open yet: {' and '.join(waiting).lower()}." if waiting else ""),
        [s for s, _ in steps],
        [float(n) for _, n in steps],
    )
    base = steps[0][1] or 1
    t["funnel"] = (
        "How far learners got",
        ["Step", "Learners", "% of enrolled"],
        [[s, n, f"{100 * n / base:.0f}%"] for s, n in steps]
        + [[s, "not open yet", "—"] for s in waiting],
    )
    weeks = [f"{w:%d %b}" for w, _ in d.weekly]
    cap["weekly"] = (
        "Weekly active learners",
        read.weekly_reading([n for _, n in d.weekly], weeks),
    )
    c["weekly"] = charts.lines(
        "Weekly active learners",
        f"Distinct learners active each week over {len(d.weekly)} weeks; peak "
        f"{max((n for _, n in d.weekly), default=0)}, latest "
        f"{d.weekly[-1][1] if d.weekly else 0}.",
        weeks,
        [("active", [float(n) for _, n in d.weekly])],
    )
    t["weekly"] = (
        "Weekly active learners",
        ["Week starting", "Active learners"],
        [[f"{w:%Y-%m-%d}", n] for w, n in d.weekly],
    )
    surviving = d.turnover.surviving
    followed = d.turnover.curve[0].at_risk if d.turnover.curve else 0
    cap["survival"] = (
        "Who is still taking part",
        read.survival_reading(followed, surviving),
    )
    c["survival"] = charts.lines(
        "Who is still taking part",
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
        "Who is still taking part",
        ["Week", "Learners followed", "Dropped out", "% still taking part"],
        [[w.week + 1, w.at_risk, w.dropped, f"{100 * w.share:.0f}%"] for w in d.turnover.curve],
    )
    sat = d.satisfaction
    cap["nps"] = (
        "Would learners recommend it? (0–10)",
        read.nps_reading(sat.nps.n, sat.nps.promoters, sat.nps.detractors),
    )
    c["nps"] = charts.bars(
        "Would learners recommend it? (0–10)",
        f"How many learners gave each rating; NPS {_fmt(sat.nps.score, '+.0f')} over "
        f"n = {sat.nps.n}.",
        [str(i) for i in range(11)],
        [float(v) for v in sat.distribution],
    )
    t["nps"] = (
        "Would learners recommend it? (0–10)",
        ["Rating", "Learners"],
        [[i, n] for i, n in enumerate(sat.distribution)],
    )
    cap["sessions"] = (
        "How observers rated role-play sessions (1–4)",
        read.rating_reading(sat.session_ratings),
    )
    c["sessions"] = charts.bars(
        "How observers rated role-play sessions (1–4)",
        "How many checklist ratings observers gave at each level.",
        ["1", "2", "3", "4"],
        [float(v) for v in sat.session_ratings],
    )
    t["sessions"] = (
        "How observers rated role-play sessions (1–4)",
        ["Level", "Ratings"],
        [[i + 1, n] for i, n in enumerate(sat.session_ratings)],
    )
    learning_figures(d.learning, c, t, d.captions)
    rows = d.transfer.rows
    cap["transfer"] = ("Transfer check-ins answered, by day", read.transfer_reading(rows))
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
        cap["network"] = (
            "Who interacts with whom",
            read.network_reading(len(net.nodes), len(net.isolates)),
        )
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
    d.headlines = headline_numbers(d)
    return d


def headline_numbers(d: Dashboard) -> list[read.Headline]:
    """The four numbers a sponsor asks for first, each with its sentence."""
    steps = dict(d.funnel.steps)
    completed = steps.get("Took a post-check") if d.learning.post_opened is not None else None
    rated = [(units, alpha) for _, alpha, _, units in d.reliability.rows if alpha is not None]
    units, alpha = max(rated, default=(0, None))
    return [
        read.participation_headline(d.n_learners, d.turnover.took_part, completed),
        read.gain_headline(d.learning.cohort.mean_change, d.learning.cohort.n_paired),
        read.applying_headline(d.transfer.rows),
        read.agreement_headline(alpha, units),
    ]
