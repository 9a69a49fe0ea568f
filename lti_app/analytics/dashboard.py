"""Read-only L&D queries: one course, or every course of one platform deployment.

Each section is one function taking a :class:`Scope` (the courses it may read)
and answering with plain data; charts are drawn from that same data, and the
exports write it, so the numbers on the page, in the CSV and in the sponsor
report are the same numbers. Learners are the enrolments with the learner role;
staff activity is never counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select

from lti_app.analytics import rollup
from lti_app.analytics.checks import items_of, setup_of
from lti_app.analytics.models import (
    POST,
    PRE,
    AnalyticsFeedback,
    AnalyticsPersonSpan,
    AnalyticsPersonWeek,
    AnalyticsResponse,
    AnalyticsSetup,
)
from lti_app.analytics.turnover import RULE, Turnover, build_turnover
from lti_app.courses.anonymity import redactor_for
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import utcnow
from lti_app.domain.analytics_measures import (
    Network,
    Nps,
    Rung,
    evidence_ladder,
    histogram,
    interaction_network,
    nps,
)
from lti_app.domain.learning_gain import CohortGain, cohort_gain, normalized_change
from lti_app.domain.reliability import ReliabilityError, krippendorff_alpha
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion.models import CaseDiscussionPost, CaseDiscussionThread
from lti_app.peer_activities.journal.models import (
    ANSWERED,
    JournalActionItem,
    JournalCheckin,
    JournalCheckinAnswer,
    JournalObservation,
)
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewReview
from lti_app.peer_activities.role_play.models import RolePlayRating, RolePlayRound, RolePlaySeat

#: A learner with no launch or activity for this long counts as having dropped out
#: (the rule, in words and code: :data:`lti_app.analytics.turnover.RULE`).
DROPOUT_AFTER = RULE.after
MAX_WEEKS = 26
LIST_LIMIT = 50


#: A chart's data table: caption, column headers, rows.
Table = tuple[str, list[str], list[list[Any]]]


@dataclass(frozen=True)
class Scope:
    label: str
    course_ids: tuple[int, ...]
    #: Per-learner names are shown only inside one course.
    single_course: bool


def course_scope(course: Course) -> Scope:
    return Scope(course.title or course.label or "This course", (course.id,), True)


def programme_scope(registration_id: int, deployment_id: int) -> Scope:
    """Every course of one platform registration AND deployment (never another's)."""
    ids = tuple(db.session.scalars(select(Course.id).where(
        Course.registration_id == registration_id,
        Course.deployment_id == deployment_id).order_by(Course.id)))
    return Scope("All courses of this platform", ids, False)


def _activity_ids(scope: Scope) -> list[int]:
    return list(db.session.scalars(select(Activity.id).where(
        Activity.course_id.in_(scope.course_ids))))


# -- learners and events --------------------------------------------------------------

@dataclass
class Learner:
    person_id: int
    course_id: int
    name: str
    key: str
    status: str
    launched: bool
    last_launch: datetime | None = None


def roster(scope: Scope) -> tuple[dict[int, Learner], set[int]]:
    """Learners (by person id) enrolled in the scope's courses, and everyone else
    enrolled there (staff, test users), whose activity is never counted."""
    found: dict[int, Learner] = {}
    others: set[int] = set()
    rows = db.session.execute(
        select(Enrolment.person_id, Enrolment.course_id, Enrolment.roles, Enrolment.status,
               Enrolment.last_launch_at, Person.name, Person.given_name, Person.family_name,
               Person.public_id, Person.is_test_user)
        .join(Person, Person.id == Enrolment.person_id)
        .where(Enrolment.course_id.in_(scope.course_ids)))
    for pid, cid, roles, status, launched_at, name, given, family, public, test in rows:
        if test or LEARNER not in (roles or []):
            others.add(pid)
            continue
        display = (name or " ".join(p for p in (given, family) if p)
                   or f"Participant {public[:6]}") if scope.single_course \
            else f"Learner {public[:6]}"  # names stay inside their course
        found[pid] = Learner(pid, cid, display, public, status, launched_at is not None,
                             _dt(launched_at) if launched_at is not None else None)
    return found, others - set(found)


def learners(scope: Scope) -> dict[int, Learner]:
    return roster(scope)[0]


def _as_date(value: Any) -> datetime:
    if isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value)[:10])


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@dataclass
class Span:
    first: dict[int, datetime]
    last: dict[int, datetime]


def person_span(scope: Scope, activity_ids: list[int]) -> Span:
    """Each person's first and last activity in the scope (from the rollup)."""
    if not activity_ids:
        return Span({}, {})
    rows = db.session.execute(
        select(AnalyticsPersonSpan.person_id, func.min(AnalyticsPersonSpan.first_at),
               func.max(AnalyticsPersonSpan.last_at))
        .where(AnalyticsPersonSpan.activity_id.in_(activity_ids))
        .group_by(AnalyticsPersonSpan.person_id))
    first: dict[int, datetime] = {}
    last: dict[int, datetime] = {}
    for pid, lo, hi in rows:
        first[pid], last[pid] = _dt(lo), _dt(hi)
    return Span(first, last)


def weekly_active(activity_ids: list[int], others: set[int]) -> list[tuple[datetime, int]]:
    """Distinct learners active per ISO week (Monday), oldest first, last 26 weeks
    (from the rollup; ``others`` are the enrolled non-learners, not counted)."""
    if not activity_ids:
        return []
    week = AnalyticsPersonWeek.week
    query = (select(week, func.count(func.distinct(AnalyticsPersonWeek.person_id)))
             .where(AnalyticsPersonWeek.activity_id.in_(activity_ids)).group_by(week))
    if others:
        query = query.where(AnalyticsPersonWeek.person_id.not_in(others))
    counts = {_as_date(when): n for when, n in db.session.execute(query)}
    weeks = sorted(counts)[-MAX_WEEKS:]
    if not weeks:
        return []
    filled = []
    current = weeks[0]
    while current <= weeks[-1]:
        filled.append((current, counts.get(current, 0)))
        current += timedelta(days=7)
    return filled


# -- sections -------------------------------------------------------------------------

@dataclass
class Funnel:
    steps: list[tuple[str, int]]
    #: Steps left out because they cannot have happened yet (the post-check and the
    #: feedback survey before any post-check has opened).
    not_open: list[str] = field(default_factory=list)


@dataclass
class Satisfaction:
    nps: Nps
    distribution: list[int]  # 0..10
    relevance_mean: float | None
    relevance_n: int
    confidence_mean: float | None
    confidence_n: int
    session_ratings: list[int]  # observer ratings 1..4
    comments: list[tuple[str, str, str]]  # valued, will change, ideas


@dataclass
class LearningRecord:
    key: str
    name: str
    activity: str
    pre: float | None  # percent
    post: float | None
    change: float | None
    self_pre: float | None
    self_post: float | None
    retro_pre: float | None
    #: The activity's post-check has opened (before that, no post is not attrition).
    post_open: bool = True


@dataclass
class Learning:
    records: list[LearningRecord]
    cohort: CohortGain
    change_bins: list[int]
    self_pre: float | None
    self_post: float | None
    retro_pre: float | None
    self_n: int
    at_ceiling: int
    #: When the first post-check of the scope opened (None: none has yet, so
    #: attrition is not shown).
    post_opened: datetime | None = None


@dataclass
class Transfer:
    rows: list[tuple[int, int, int, int, int, int]]  # day, due, answered, not_yet, tried, regular
    observations: int
    applied_learners: int
    learners_with_checkins: int


@dataclass
class Reliability:
    rows: list[tuple[str, float | None, str, int]]  # activity, alpha, reading, units


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


def _responses(activity_ids: list[int]) -> list[tuple[int, int, str, float | None, float | None,
                                                         float | None, float | None]]:
    if not activity_ids:
        return []
    return [tuple(r) for r in db.session.execute(  # type: ignore[misc]
        select(AnalyticsResponse.activity_id, AnalyticsResponse.person_id,
               AnalyticsResponse.phase, AnalyticsResponse.score, AnalyticsResponse.maximum,
               AnalyticsResponse.self_mean, AnalyticsResponse.retro_mean)
        .where(AnalyticsResponse.activity_id.in_(activity_ids)))]


def learning(scope: Scope, activity_ids: list[int], people: dict[int, Learner]) -> Learning:
    """Per learner and activity: pre and post as % of the maximum, c; cohort stats
    over them (scores as percentages, so activities with different checks pool)."""
    titles: dict[int, str] = {}
    opened: dict[int, datetime] = {}
    if activity_ids:
        titles = {aid: title for aid, title in db.session.execute(
            select(Activity.id, Activity.title).where(Activity.id.in_(activity_ids)))}
        opened = {aid: _dt(at) for aid, at in db.session.execute(
            select(AnalyticsSetup.activity_id, AnalyticsSetup.post_opened_at).where(
                AnalyticsSetup.activity_id.in_(activity_ids),
                AnalyticsSetup.post_opened_at.is_not(None)))}
    by_key: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
    for aid, pid, phase, score, maximum, self_mean, retro in _responses(activity_ids):
        if pid not in people:
            continue
        slot = by_key[(aid, pid)]
        slot[phase] = None if score is None or not maximum else 100.0 * score / maximum
        slot[phase + "_self"] = self_mean
        if phase == POST:
            slot["retro"] = retro
    records: list[LearningRecord] = []
    for (aid, pid), slot in sorted(by_key.items(), key=lambda kv: (kv[0][0],
                                                                    people[kv[0][1]].name)):
        pre, post = slot.get(PRE), slot.get(POST)
        change = normalized_change(pre, post, 100.0) if pre is not None and post is not None \
            else None
        records.append(LearningRecord(people[pid].key, people[pid].name,
                                      titles.get(aid) or "Untitled activity", pre, post, change,
                                      slot.get("pre_self"), slot.get("post_self"),
                                      slot.get("retro"), aid in opened))
    knowledge = [r for r in records if r.pre is not None or r.post is not None]
    cohort = cohort_gain([(r.pre, r.post) for r in knowledge], 100.0,
                         post_open=[r.post_open for r in knowledge])
    changes = [r.change for r in knowledge if r.change is not None]
    selfs = [r for r in records if r.self_pre is not None and r.self_post is not None]
    retros = [r.retro_pre for r in records if r.retro_pre is not None]
    return Learning(
        records=records, cohort=cohort, change_bins=histogram(changes, -1.0, 1.0, 10),
        self_pre=_mean([r.self_pre for r in selfs if r.self_pre is not None]),
        self_post=_mean([r.self_post for r in selfs if r.self_post is not None]),
        retro_pre=_mean(retros), self_n=len(selfs),
        at_ceiling=sum(1 for r in knowledge if r.pre is not None and r.pre >= 90),
        post_opened=min(opened.values(), default=None))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def satisfaction(activity_ids: list[int], people: dict[int, Learner], *,
                 with_comments: bool) -> Satisfaction:
    rows = db.session.execute(
        select(AnalyticsFeedback.person_id, AnalyticsFeedback.satisfaction,
               AnalyticsFeedback.relevance, AnalyticsFeedback.confidence,
               AnalyticsFeedback.valued, AnalyticsFeedback.will_change, AnalyticsFeedback.ideas)
        .where(AnalyticsFeedback.activity_id.in_(activity_ids))
        .order_by(AnalyticsFeedback.submitted_at.desc())).all() if activity_ids else []
    rows = [r for r in rows if r[0] in people]
    distribution = [0] * 11
    for r in rows:
        distribution[r[1]] += 1
    relevance = [r[2] for r in rows if r[2] is not None]
    confidence = [r[3] for r in rows if r[3] is not None]
    session: list[int] = [0] * 4
    if activity_ids:
        for (ratings,) in db.session.execute(
                select(RolePlayRating.ratings).join(RolePlayRound,
                                                    RolePlayRound.id == RolePlayRating.round_id)
                .where(RolePlayRound.activity_id.in_(activity_ids),
                       RolePlayRating.kind == "observer")):
            for value in (ratings or {}).values():
                if isinstance(value, int | float) and 1 <= value <= 4:
                    session[int(value) - 1] += 1
    # Shown as anonymous: the survey's words lose every course member's name too.
    comments: list[tuple[str, str, str]] = []
    for r in rows if with_comments else []:
        if any((r[4], r[5], r[6])) and len(comments) < LIST_LIMIT:
            redact = redactor_for(people[r[0]].course_id).text
            comments.append((redact(r[4] or ""), redact(r[5] or ""), redact(r[6] or "")))
    return Satisfaction(nps([r[1] for r in rows]), distribution,
                        _mean([float(v) for v in relevance]), len(relevance),
                        _mean([float(v) for v in confidence]), len(confidence), session, comments)


def transfer(activity_ids: list[int], people: dict[int, Learner]) -> Transfer:
    """Journal check-ins by day: due, answered, and what the answers said was applied."""
    if not activity_ids:
        return Transfer([], 0, 0, 0)
    now = utcnow()
    by_day: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    with_checkins: set[int] = set()
    for day, pid, status, due_at in db.session.execute(
            select(JournalCheckin.day, JournalCheckin.person_id, JournalCheckin.status,
                   JournalCheckin.due_at).where(JournalCheckin.activity_id.in_(activity_ids),
                                                JournalCheckin.status != "cancelled")):
        if pid not in people:
            continue
        if due_at <= now or status == ANSWERED:
            by_day[day][0] += 1
            with_checkins.add(pid)
        if status == ANSWERED:
            by_day[day][1] += 1
    applied: set[int] = set()
    for day, pid, value in db.session.execute(
            select(JournalCheckin.day, JournalCheckin.person_id, JournalCheckinAnswer.applied)
            .join(JournalCheckin, JournalCheckin.id == JournalCheckinAnswer.checkin_id)
            .where(JournalCheckin.activity_id.in_(activity_ids),
                   JournalCheckin.status == ANSWERED)):
        if pid not in people:
            continue
        index = {"not_yet": 2, "tried": 3, "regular": 4}.get(value)
        if index is not None:
            by_day[day][index] += 1
        if value in ("tried", "regular"):
            applied.add(pid)
    observations = db.session.scalar(
        select(func.count()).select_from(JournalObservation)
        .join(JournalActionItem, JournalActionItem.id == JournalObservation.item_id)
        .where(JournalActionItem.activity_id.in_(activity_ids),
               JournalObservation.status == "confirmed")) or 0
    rows = [(day, *values) for day, values in sorted(by_day.items())]
    return Transfer(rows, int(observations), len(applied), len(with_checkins))  # type: ignore[arg-type]


def interactions(activity_ids: list[int]) -> list[tuple[int, int]]:
    """(from, to): a done peer review (reviewer → author), a reply in a case
    discussion thread (poster → the thread's starter), role-play feedback
    (observer → the round's practitioner)."""
    if not activity_ids:
        return []
    pairs: list[tuple[int, int | None]] = list(db.session.execute(
        select(PeerReviewReview.reviewer_id, PeerReviewReview.author_id)
        .where(PeerReviewReview.activity_id.in_(activity_ids),
               PeerReviewReview.status == "done")))
    pairs += list(db.session.execute(
        select(CaseDiscussionPost.author_id, CaseDiscussionThread.author_id)
        .join(CaseDiscussionThread, CaseDiscussionThread.id == CaseDiscussionPost.thread_id)
        .where(CaseDiscussionPost.activity_id.in_(activity_ids),
               CaseDiscussionThread.author_id.is_not(None))))
    pairs += list(db.session.execute(
        select(RolePlayRating.author_id, RolePlaySeat.person_id)
        .join(RolePlayRound, RolePlayRound.id == RolePlayRating.round_id)
        .join(RolePlaySeat, (RolePlaySeat.round_id == RolePlayRating.round_id)
              & (RolePlaySeat.role == "practitioner"))
        .where(RolePlayRound.activity_id.in_(activity_ids),
               RolePlayRating.kind == "observer")))
    return [(a, b) for a, b in pairs if b is not None]


def reliability(activity_ids: list[int]) -> Reliability:
    """Krippendorff's alpha (interval) of the review totals, per peer-review activity."""
    rows: list[tuple[str, float | None, str, int]] = []
    if not activity_ids:
        return Reliability(rows)
    data: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for aid, reviewer, submission, total in db.session.execute(
            select(PeerReviewReview.activity_id, PeerReviewReview.reviewer_id,
                   PeerReviewReview.submission_id, PeerReviewReview.total)
            .where(PeerReviewReview.activity_id.in_(activity_ids),
                   PeerReviewReview.status == "done", PeerReviewReview.total.is_not(None))):
        data[aid].append((reviewer, submission, float(total or 0)))
    titles = {aid: title for aid, title in db.session.execute(
        select(Activity.id, Activity.title).where(Activity.id.in_(list(data))))}
    for aid, triples in sorted(data.items()):
        try:
            result = krippendorff_alpha(triples, "interval")
        except ReliabilityError:
            continue
        rows.append((titles.get(aid) or "Untitled activity", result.alpha,
                     result.interpretation() if result.alpha is not None else result.reason,
                     result.units))
    return Reliability(rows)


def build(scope: Scope) -> Dashboard:
    """Every section of the dashboard for ``scope`` (charts: :mod:`.figures`)."""
    rollup.refresh(max_batches=2)
    activity_ids = _activity_ids(scope)
    people, others = roster(scope)
    span = person_span(scope, activity_ids)
    active = {pid for pid in span.last if pid in people}
    launched = sum(1 for p in people.values() if p.launched)
    resp = _responses(activity_ids)
    took_pre = {pid for _, pid, phase, *_ in resp if phase == PRE and pid in people}
    took_post = {pid for _, pid, phase, *_ in resp if phase == POST and pid in people}
    gave_feedback = set(db.session.scalars(select(AnalyticsFeedback.person_id).where(
        AnalyticsFeedback.activity_id.in_(activity_ids)))) & set(people) if activity_ids \
        else set()
    learn = learning(scope, activity_ids, people)
    after_post = [("Took a post-check", len(took_post)),
                  ("Answered the feedback survey", len(gave_feedback))]
    funnel = Funnel([("Enrolled learners", len(people)), ("Launched Peerlift", launched),
                     ("Took part in an activity", len(active)),
                     ("Took a pre-check", len(took_pre)),
                     *(after_post if learn.post_opened is not None else [])],
                    [] if learn.post_opened is not None else [s for s, _ in after_post])
    weekly = weekly_active(activity_ids, others)
    turnover = build_turnover(people, span.first, span.last, named=scope.single_course)
    sat = satisfaction(activity_ids, people, with_comments=True)
    moves = transfer(activity_ids, people)
    net = None
    names: dict[str, str] = {}
    if scope.single_course:
        keyed = {pid: p.key for pid, p in people.items()}
        names = {p.key: p.name for p in people.values()}
        net = interaction_network([keyed[pid] for pid in people if people[pid].launched
                                   or pid in active],
                                  [(keyed[a], keyed[b]) for a, b in interactions(activity_ids)
                                   if a in keyed and b in keyed])
    rel = reliability(activity_ids)
    rated = sum(moves_ for moves_ in sat.session_ratings)
    ladder = evidence_ladder(launched=launched, active=len(active), feedback_n=sat.nps.n,
                             paired=learn.cohort.n_paired, rated_performance=rated,
                             checkins_answered=sum(r[2] for r in moves.rows),
                             observations=moves.observations)
    board = Dashboard(scope, len(people), funnel, weekly, turnover, sat, learn, moves, net,
                      names, rel, ladder)
    if not scope.single_course:
        board.courses = _per_course(scope, people, learn)
    return board


def _per_course(scope: Scope, people: dict[int, Learner],
                learn: Learning) -> list[tuple[str, int, int, float | None, float | None]]:
    """Course, learners, paired, mean c, NPS (the programme view's league table)."""
    titles = {cid: title for cid, title in db.session.execute(
        select(Course.id, Course.title).where(Course.id.in_(scope.course_ids)))}
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
            .where(Activity.course_id.in_(scope.course_ids))):
        if cid is not None:
            sat_by_course[cid].append(value)
    return [(titles.get(cid) or "Untitled course", counts.get(cid, 0), paired.get(cid, 0),
             _mean(changes.get(cid, [])), nps(sat_by_course.get(cid, [])).score)
            for cid in scope.course_ids]


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


def activity_results(activity: Any, *, detail: bool = False) -> ActivityResults:
    """What the staff panel of an activity shows (``detail``: charts too)."""
    scope = Scope(activity.title or "This activity", (activity.course_id,), True)
    people = learners(scope)
    learn = learning(scope, [activity.id], people)
    sat = satisfaction([activity.id], people, with_comments=detail)
    resp = _responses([activity.id])
    result = ActivityResults(setup_of(activity), items_of(activity.id), learn, sat,
                             sum(1 for r in resp if r[2] == PRE),
                             sum(1 for r in resp if r[2] == POST), bool(resp))
    return result
