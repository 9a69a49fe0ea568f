"""Activity rollups for the dashboard: who was active in which week, and each
person's first and last activity, per activity.

Scanning every event (a million on a big platform) for each chart is too slow,
so :func:`refresh` folds new events into two small tables, reading each source
table from a cursor (its last row id, or its last timestamp for rows that become
an event when a column is set). It is idempotent: events read twice change
nothing. The periodic sweep runs it, and the dashboard runs it before it reads
(only the events since the last run are read). A deleted event (a journal entry
its author deleted) stays counted: the learner was active that week.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lti_app.analytics.models import (
    AnalyticsCursor,
    AnalyticsFeedback,
    AnalyticsPersonSpan,
    AnalyticsPersonWeek,
    AnalyticsResponse,
)
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion.models import CaseDiscussionPost
from lti_app.peer_activities.journal.models import JournalCheckin, JournalEntry
from lti_app.peer_activities.peer_review.models import PeerReviewReview, PeerReviewSubmission
from lti_app.peer_activities.role_play.models import RolePlayRating, RolePlayRound

log = logging.getLogger(__name__)

BATCH = 50_000
PREFIX = "rollup:"
#: Id cursors re-read this many rows below the cursor: a transaction that took a
#: lower id may commit after a higher one was read (the upserts drop repeats).
OVERLAP = 200


@dataclass(frozen=True)
class Source:
    """One table of events: ``(row id, person, activity, when)``; ``by_time`` reads
    from a timestamp cursor (the event is a column being set) instead of an id."""

    name: str
    query: Callable[[], Any]
    row_id: Any
    at: Any
    by_time: bool = False


def _src(
    name: str, model: Any, person: Any, activity: Any, at: Any, *where: Any, by_time: bool = False
) -> Source:
    return Source(
        name,
        lambda: select(model.id, person, activity, at).where(at.is_not(None), *where),
        model.id,
        at,
        by_time,
    )


SOURCES = (
    _src(
        "journal_entry",
        JournalEntry,
        JournalEntry.person_id,
        JournalEntry.activity_id,
        JournalEntry.created_at,
    ),
    _src(
        "journal_checkin",
        JournalCheckin,
        JournalCheckin.person_id,
        JournalCheckin.activity_id,
        JournalCheckin.answered_at,
        by_time=True,
    ),
    _src(
        "case_discussion_post",
        CaseDiscussionPost,
        CaseDiscussionPost.author_id,
        CaseDiscussionPost.activity_id,
        CaseDiscussionPost.created_at,
    ),
    _src(
        "peer_review_submission",
        PeerReviewSubmission,
        PeerReviewSubmission.author_id,
        PeerReviewSubmission.activity_id,
        PeerReviewSubmission.submitted_at,
    ),
    _src(
        "peer_review_review",
        PeerReviewReview,
        PeerReviewReview.reviewer_id,
        PeerReviewReview.activity_id,
        PeerReviewReview.completed_at,
        by_time=True,
    ),
    Source(
        "role_play_rating",
        lambda: select(
            RolePlayRating.id,
            RolePlayRating.author_id,
            RolePlayRound.activity_id,
            RolePlayRating.created_at,
        ).join(RolePlayRound, RolePlayRound.id == RolePlayRating.round_id),
        RolePlayRating.id,
        RolePlayRating.created_at,
    ),
    _src(
        "analytics_response",
        AnalyticsResponse,
        AnalyticsResponse.person_id,
        AnalyticsResponse.activity_id,
        AnalyticsResponse.submitted_at,
    ),
    _src(
        "analytics_feedback",
        AnalyticsFeedback,
        AnalyticsFeedback.person_id,
        AnalyticsFeedback.activity_id,
        AnalyticsFeedback.submitted_at,
        by_time=True,
    ),
)


def week_of(when: datetime) -> date:
    """The Monday (UTC) of ``when``'s ISO week."""
    return when.date() - timedelta(days=when.weekday())


def _insert(table: Any) -> Any:
    dialect = db.engine.dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _fold(rows: Sequence[Any]) -> None:
    weeks: set[tuple[int, int, date]] = set()
    spans: dict[tuple[int, int], list[datetime]] = {}
    for _id, pid, aid, at in rows:
        if pid is None or aid is None:
            continue
        weeks.add((aid, pid, week_of(at)))
        span = spans.setdefault((aid, pid), [at, at])
        span[0], span[1] = min(span[0], at), max(span[1], at)
    if weeks:
        db.session.execute(
            _insert(AnalyticsPersonWeek).on_conflict_do_nothing(),
            [{"activity_id": a, "person_id": p, "week": w} for a, p, w in sorted(weeks)],
        )
    if spans:
        stmt = _insert(AnalyticsPersonSpan)
        lowest, highest = (
            (func.least, func.greatest)
            if db.engine.dialect.name == "postgresql"
            else (func.min, func.max)
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["activity_id", "person_id"],
            set_={
                "first_at": lowest(AnalyticsPersonSpan.first_at, stmt.excluded.first_at),
                "last_at": highest(AnalyticsPersonSpan.last_at, stmt.excluded.last_at),
            },
        )
        db.session.execute(
            stmt,
            [
                {"activity_id": a, "person_id": p, "first_at": lo, "last_at": hi}
                for (a, p), (lo, hi) in sorted(spans.items())
            ],
        )


def cursor_for(name: str) -> AnalyticsCursor:
    """The cursor of ``name``, made at 0 on first use (two first uses at once: the
    loser reads the winner's)."""
    found = db.session.get(AnalyticsCursor, name)
    if found is None:
        try:
            with db.session.begin_nested():
                found = AnalyticsCursor(source=name, last_id=0, last_at=None)
                db.session.add(found)
                db.session.flush()
        except IntegrityError:
            found = db.session.get(AnalyticsCursor, name, populate_existing=True)
            assert found is not None
    return found


def refresh(*, batch: int = BATCH, max_batches: int | None = None) -> int:
    """Fold every event since the last run into the rollups (at most
    ``max_batches`` batches per source: a page view must not wait for a first
    catch-up of years of history, which the sweep does); returns how many events
    were read. Side effect: writes (the caller's boundary commits)."""
    total = 0
    for source in SOURCES:
        cursor = cursor_for(PREFIX + source.name)
        for _ in range(max_batches) if max_batches is not None else itertools.count():
            query = source.query()
            if source.by_time:
                since = cursor.last_at or datetime(1970, 1, 1)
                query = query.where(source.at >= since).order_by(source.at, source.row_id)
            else:
                query = query.where(source.row_id > max(0, cursor.last_id - OVERLAP)).order_by(
                    source.row_id
                )
            rows = db.session.execute(query.limit(batch)).all()
            if not rows:
                break
            _fold(rows)
            total += len(rows)
            if source.by_time:
                newest = rows[-1][3]
                moved = cursor.last_at != newest
                cursor.last_at = newest
                # Rows at the cursor's instant are read again next time (and
                # dropped by the upserts); a batch all at one instant stops here.
                if len(rows) < batch or not moved:
                    break
            else:
                moved = rows[-1][0] > cursor.last_id
                cursor.last_id = max(cursor.last_id, rows[-1][0])
                if len(rows) < batch or not moved:
                    break
    db.session.flush()
    return total


def sweep_rollups() -> None:
    """Keep the rollups warm, so a dashboard finds little left to fold."""
    refresh()
    db.session.commit()
