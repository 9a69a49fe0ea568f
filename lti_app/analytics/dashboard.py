"""Read-only L&D queries: one course, or every course of one platform deployment.

Each section is one function taking a :class:`Scope` (the courses it may read)
and answering with plain data; charts are drawn from that same data, and the
exports write it, so the numbers on the page, in the CSV and in the sponsor
report are the same numbers. Learners are the enrolments with the learner role;
staff activity is never counted.

The pieces: ``cohort`` (scope, learners, activity spans), ``sections`` (each
section), this module (the whole dashboard, the per-course league table, and one
activity's results).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import select

from lti_app.analytics import rollup
from lti_app.analytics.checks import items_of, setup_of
from lti_app.analytics.cohort import (
    Learner,
    Scope,
    Table,
    activity_ids_of,
    course_scope,
    learners,
    person_span,
    programme_scope,
    roster,
    weekly_active,
)
from lti_app.analytics.models import POST, PRE, AnalyticsFeedback
from lti_app.analytics.sections import (
    Funnel,
    Learning,
    Reliability,
    Satisfaction,
    Transfer,
    interactions,
    learning,
    mean_of,
    reliability,
    responses,
    satisfaction,
    transfer,
)
from lti_app.analytics.turnover import Turnover, build_turnover
from lti_app.courses.models import Course
from lti_app.domain.analytics_measures import (
    Network,
    Rung,
    evidence_ladder,
    interaction_network,
    nps,
)
from lti_app.domain.chart_readings import Headline
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity

#: A chart's title and its plain-language reading (``domain.chart_readings``).
Caption = tuple[str, str]

__all__ = [
    "ActivityResults",
    "Caption",
    "Dashboard",
    "Learning",
    "Scope",
    "Table",
    "activity_results",
    "build",
    "course_scope",
    "programme_scope",
]


@dataclass
class Dashboard:
    scope: Scope
    n_learners: int
    funnel: Funnel
    weekly: list[tuple[datetime, int]]
    turnover: Turnover
    satisfaction: Satisfaction
    learning: Learning
    transfer: Transfer
    network: Network | None
    network_names: dict[str, str]
    reliability: Reliability
    ladder: tuple[Rung, ...]
    courses: list[tuple[str, int, int, float | None, float | None]] = field(default_factory=list)
    charts: dict[str, Markup] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    captions: dict[str, Caption] = field(default_factory=dict)
    headlines: list[Headline] = field(default_factory=list)


def build(scope: Scope) -> Dashboard:
    """Every section of the dashboard for ``scope`` (charts: :mod:`.figures`)."""
    rollup.refresh(max_batches=2)
    activity_ids = activity_ids_of(scope)
    people, others = roster(scope)
    span = person_span(scope, activity_ids)
    active = {pid for pid in span.last if pid in people}
    launched = sum(1 for p in people.values() if p.launched)
    resp = responses(activity_ids)
    took_pre = {pid for _, pid, phase, *_ in resp if phase == PRE and pid in people}
    took_post = {pid for _, pid, phase, *_ in resp if phase == POST and pid in people}
    gave_feedback = (
        set(
            db.session.scalars(
                select(AnalyticsFeedback.person_id).where(
                    AnalyticsFeedback.activity_id.in_(activity_ids)
                )
            )
        )
        & set(people)
        if activity_ids
        else set()
    )
    learn = learning(scope, activity_ids, people)
    after_post = [
        ("Took a post-check", len(took_post)),
        ("Answered the feedback survey", len(gave_feedback)),
    ]
    funnel = Funnel(
        [
            ("Enrolled learners", len(people)),
            ("Launched Peerlift", launched),
            ("Took part in an activity", len(active)),
            ("Took a pre-check", len(took_pre)),
            *(after_post if learn.post_opened is not None else []),
        ],
        [] if learn.post_opened is not None else [s for s, _ in after_post],
    )
    weekly = weekly_active(activity_ids, others)
    turnover = build_turnover(people, span.first, span.last, named=scope.single_course)
    sat = satisfaction(activity_ids, people, with_comments=True)
    moves = transfer(activity_ids, people)
    net = None
    names: dict[str, str] = {}
    if scope.single_course:
        keyed = {pid: p.key for pid, p in people.items()}
        names = {p.key: p.name for p in people.values()}
        net = interaction_network(
            [keyed[pid] for pid in people if people[pid].launched or pid in active],
            [
                (keyed[a], keyed[b])
                for a, b in interactions(activity_ids)
                if a in keyed and b in keyed
            ],
        )
    rel = reliability(activity_ids)
    rated = sum(moves_ for moves_ in sat.session_ratings)
    ladder = evidence_ladder(
        launched=launched,
        active=len(active),
        feedback_n=sat.nps.n,
        paired=learn.cohort.n_paired,
        rated_performance=rated,
        checkins_answered=sum(r[2] for r in moves.rows),
        observations=moves.observations,
    )
    board = Dashboard(
        scope, len(people), funnel, weekly, turnover, sat, learn, moves, net, names, rel, ladder
    )
    if not scope.single_course:
        board.courses = _per_course(scope, people, learn)
    return board


def _per_course(
    scope: Scope, people: dict[int, Learner], learn: Learning
) -> list[tuple[str, int, int, float | None, float | None]]:
    """Course, learners, paired, mean c, NPS (the programme view's league table)."""
    titles = {
        cid: title
        for cid, title in db.session.execute(
            select(Course.id, Course.title).where(Course.id.in_(scope.course_ids))
        )
    }
    counts = Counter(p.course_id for p in people.values())
    course_of = {p.key: p.course_id for p in people.values()}
    changes: dict[int, list[float]] = defaultdict(list)
    paired: Counter[int] = Counter()
    for r in learn.records:
        cid = course_of.get(r.key)
        if cid is not None and r.pre is not None and r.post is not None:
            paired[cid] += 1
            if r.change is not None:
                changes[cid].append(r.change)
    sat_by_course: dict[int, list[int]] = defaultdict(list)
    for cid, value in db.session.execute(
        select(Activity.course_id, AnalyticsFeedback.satisfaction)
        .join(Activity, Activity.id == AnalyticsFeedback.activity_id)
        .where(Activity.course_id.in_(scope.course_ids))
    ):
        if cid is not None:
            sat_by_course[cid].append(value)
    return [
        (
            titles.get(cid) or "Untitled course",
            counts.get(cid, 0),
            paired.get(cid, 0),
            mean_of(changes.get(cid, [])),
            nps(sat_by_course.get(cid, [])).score,
        )
        for cid in scope.course_ids
    ]


# -- one activity (the staff panel and its results page) ------------------------------


@dataclass
class ActivityResults:
    setup: Any
    items: list[Any]
    learning: Learning
    satisfaction: Satisfaction
    n_pre: int
    n_post: int
    locked: bool
    charts: dict[str, Markup] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    captions: dict[str, Caption] = field(default_factory=dict)


def activity_results(activity: Any, *, detail: bool = False) -> ActivityResults:
    """What the staff panel of an activity shows (``detail``: charts too)."""
    scope = Scope(activity.title or "This activity", (activity.course_id,), True)
    people = learners(scope)
    learn = learning(scope, [activity.id], people)
    sat = satisfaction([activity.id], people, with_comments=detail)
    resp = responses([activity.id])
    result = ActivityResults(
        setup_of(activity),
        items_of(activity.id),
        learn,
        sat,
        sum(1 for r in resp if r[2] == PRE),
        sum(1 for r in resp if r[2] == POST),
        bool(resp),
    )
    return result
