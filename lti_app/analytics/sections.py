"""The dashboard's sections: learning, satisfaction, transfer, interactions and
rating reliability, each a function over a scope's activities answering with plain
data (the page, the CSV exports and the sponsor report read the same numbers).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from lti_app import clock
from lti_app.analytics.cohort import Learner, Scope, to_datetime
from lti_app.analytics.models import (
    POST,
    PRE,
    AnalyticsFeedback,
    AnalyticsResponse,
    AnalyticsSetup,
)
from lti_app.courses.anonymity import redactor_for
from lti_app.domain.analytics_measures import Nps, histogram, nps
from lti_app.domain.learning_gain import CohortGain, cohort_gain, normalized_change
from lti_app.domain.reliability import ReliabilityError, krippendorff_alpha
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

LIST_LIMIT = 50


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


def responses(
    activity_ids: list[int],
) -> list[tuple[int, int, str, float | None, float | None, float | None, float | None]]:
    if not activity_ids:
        return []
    return [
        tuple(r)  # type: ignore[misc]
        for r in db.session.execute(
            select(
                AnalyticsResponse.activity_id,
                AnalyticsResponse.person_id,
                AnalyticsResponse.phase,
                AnalyticsResponse.score,
                AnalyticsResponse.maximum,
                AnalyticsResponse.self_mean,
                AnalyticsResponse.retro_mean,
            ).where(AnalyticsResponse.activity_id.in_(activity_ids))
        )
    ]


def learning(scope: Scope, activity_ids: list[int], people: dict[int, Learner]) -> Learning:
    """Per learner and activity: pre and post as % of the maximum, c; cohort stats
    over them (scores as percentages, so activities with different checks pool)."""
    titles: dict[int, str] = {}
    opened: dict[int, datetime] = {}
    if activity_ids:
        titles = {
            aid: title
            for aid, title in db.session.execute(
                select(Activity.id, Activity.title).where(Activity.id.in_(activity_ids))
            )
        }
        opened = {
            aid: to_datetime(at)
            for aid, at in db.session.execute(
                select(AnalyticsSetup.activity_id, AnalyticsSetup.post_opened_at).where(
                    AnalyticsSetup.activity_id.in_(activity_ids),
                    AnalyticsSetup.post_opened_at.is_not(None),
                )
            )
        }
    by_key: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
    for aid, pid, phase, score, maximum, self_mean, retro in responses(activity_ids):
        if pid not in people:
            continue
        slot = by_key[(aid, pid)]
        slot[phase] = None if score is None or not maximum else 100.0 * score / maximum
        slot[phase + "_self"] = self_mean
        if phase == POST:
            slot["retro"] = retro
    records: list[LearningRecord] = []
    for (aid, pid), slot in sorted(
        by_key.items(), key=lambda kv: (kv[0][0], people[kv[0][1]].name)
    ):
        pre, post = slot.get(PRE), slot.get(POST)
        change = (
            normalized_change(pre, post, 100.0) if pre is not None and post is not None else None
        )
        records.append(
            LearningRecord(
                people[pid].key,
                people[pid].name,
                titles.get(aid) or "Untitled activity",
                pre,
                post,
                change,
                slot.get("pre_self"),
                slot.get("post_self"),
                slot.get("retro"),
                aid in opened,
            )
        )
    knowledge = [r for r in records if r.pre is not None or r.post is not None]
    cohort = cohort_gain(
        [(r.pre, r.post) for r in knowledge], 100.0, post_open=[r.post_open for r in knowledge]
    )
    changes = [r.change for r in knowledge if r.change is not None]
    selfs = [r for r in records if r.self_pre is not None and r.self_post is not None]
    retros = [r.retro_pre for r in records if r.retro_pre is not None]
    return Learning(
        records=records,
        cohort=cohort,
        change_bins=histogram(changes, -1.0, 1.0, 10),
        self_pre=mean_of([r.self_pre for r in selfs if r.self_pre is not None]),
        self_post=mean_of([r.self_post for r in selfs if r.self_post is not None]),
        retro_pre=mean_of(retros),
        self_n=len(selfs),
        at_ceiling=sum(1 for r in knowledge if r.pre is not None and r.pre >= 90),
        post_opened=min(opened.values(), default=None),
    )


def mean_of(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def satisfaction(
    activity_ids: list[int], people: dict[int, Learner], *, with_comments: bool
) -> Satisfaction:
    rows = (
        db.session.execute(
            select(
                AnalyticsFeedback.person_id,
                AnalyticsFeedback.satisfaction,
                AnalyticsFeedback.relevance,
                AnalyticsFeedback.confidence,
                AnalyticsFeedback.valued,
                AnalyticsFeedback.will_change,
                AnalyticsFeedback.ideas,
            )
            .where(AnalyticsFeedback.activity_id.in_(activity_ids))
            .order_by(AnalyticsFeedback.submitted_at.desc())
        ).all()
        if activity_ids
        else []
    )
    rows = [r for r in rows if r[0] in people]
    distribution = [0] * 11
    for r in rows:
        distribution[r[1]] += 1
    relevance = [r[2] for r in rows if r[2] is not None]
    confidence = [r[3] for r in rows if r[3] is not None]
    session: list[int] = [0] * 4
    if activity_ids:
        for (ratings,) in db.session.execute(
            select(RolePlayRating.ratings)
            .join(RolePlayRound, RolePlayRound.id == RolePlayRating.round_id)
            .where(RolePlayRound.activity_id.in_(activity_ids), RolePlayRating.kind == "observer")
        ):
            for value in (ratings or {}).values():
                if isinstance(value, int | float) and 1 <= value <= 4:
                    session[int(value) - 1] += 1
    # Shown as anonymous: the survey's words lose every course member's name too.
    comments: list[tuple[str, str, str]] = []
    for r in rows if with_comments else []:
        if any((r[4], r[5], r[6])) and len(comments) < LIST_LIMIT:
            redact = redactor_for(people[r[0]].course_id).text
            comments.append((redact(r[4] or ""), redact(r[5] or ""), redact(r[6] or "")))
    return Satisfaction(
        nps([r[1] for r in rows]),
        distribution,
        mean_of([float(v) for v in relevance]),
        len(relevance),
        mean_of([float(v) for v in confidence]),
        len(confidence),
        session,
        comments,
    )


def transfer(activity_ids: list[int], people: dict[int, Learner]) -> Transfer:
    """Journal check-ins by day: due, answered, and what the answers said was applied."""
    if not activity_ids:
        return Transfer([], 0, 0, 0)
    now = clock.now()  # product time: the sandbox clock makes check-ins due
    by_day: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    with_checkins: set[int] = set()
    for day, pid, status, due_at in db.session.execute(
        select(
            JournalCheckin.day,
            JournalCheckin.person_id,
            JournalCheckin.status,
            JournalCheckin.due_at,
        ).where(JournalCheckin.activity_id.in_(activity_ids), JournalCheckin.status != "cancelled")
    ):
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
        .where(JournalCheckin.activity_id.in_(activity_ids), JournalCheckin.status == ANSWERED)
    ):
        if pid not in people:
            continue
        index = {"not_yet": 2, "tried": 3, "regular": 4}.get(value)
        if index is not None:
            by_day[day][index] += 1
        if value in ("tried", "regular"):
            applied.add(pid)
    observations = (
        db.session.scalar(
            select(func.count())
            .select_from(JournalObservation)
            .join(JournalActionItem, JournalActionItem.id == JournalObservation.item_id)
            .where(
                JournalActionItem.activity_id.in_(activity_ids),
                JournalObservation.status == "confirmed",
            )
        )
        or 0
    )
    rows = [(day, *values) for day, values in sorted(by_day.items())]
    return Transfer(rows, int(observations), len(applied), len(with_checkins))  # type: ignore[arg-type]


def interactions(activity_ids: list[int]) -> list[tuple[int, int]]:
    """(from, to): a done peer review (reviewer → author), a reply in a case
    discussion thread (poster → the thread's starter), role-play feedback
    (observer → the round's practitioner)."""
    if not activity_ids:
        return []
    pairs: list[tuple[int, int | None]] = list(
        db.session.execute(
            select(PeerReviewReview.reviewer_id, PeerReviewReview.author_id).where(
                PeerReviewReview.activity_id.in_(activity_ids), PeerReviewReview.status == "done"
            )
        )
    )
    pairs += list(
        db.session.execute(
            select(CaseDiscussionPost.author_id, CaseDiscussionThread.author_id)
            .join(CaseDiscussionThread, CaseDiscussionThread.id == CaseDiscussionPost.thread_id)
            .where(
                CaseDiscussionPost.activity_id.in_(activity_ids),
                CaseDiscussionThread.author_id.is_not(None),
            )
        )
    )
    pairs += list(
        db.session.execute(
            select(RolePlayRating.author_id, RolePlaySeat.person_id)
            .join(RolePlayRound, RolePlayRound.id == RolePlayRating.round_id)
            .join(
                RolePlaySeat,
                (RolePlaySeat.round_id == RolePlayRating.round_id)
                & (RolePlaySeat.role == "practitioner"),
            )
            .where(RolePlayRound.activity_id.in_(activity_ids), RolePlayRating.kind == "observer")
        )
    )
    return [(a, b) for a, b in pairs if b is not None]


def reliability(activity_ids: list[int]) -> Reliability:
    """Krippendorff's alpha (interval) of the review totals, per peer-review activity."""
    rows: list[tuple[str, float | None, str, int]] = []
    if not activity_ids:
        return Reliability(rows)
    data: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for aid, reviewer, submission, total in db.session.execute(
        select(
            PeerReviewReview.activity_id,
            PeerReviewReview.reviewer_id,
            PeerReviewReview.submission_id,
            PeerReviewReview.total,
        ).where(
            PeerReviewReview.activity_id.in_(activity_ids),
            PeerReviewReview.status == "done",
            PeerReviewReview.total.is_not(None),
        )
    ):
        data[aid].append((reviewer, submission, float(total or 0)))
    titles = {
        aid: title
        for aid, title in db.session.execute(
            select(Activity.id, Activity.title).where(Activity.id.in_(list(data)))
        )
    }
    for aid, triples in sorted(data.items()):
        try:
            result = krippendorff_alpha(triples, "interval")
        except ReliabilityError:
            continue
        rows.append(
            (
                titles.get(aid) or "Untitled activity",
                result.alpha,
                result.interpretation() if result.alpha is not None else result.reason,
                result.units,
            )
        )
    return Reliability(rows)
