"""xAPI statements to the customer's Learning Record Store (off by default).

Two steps, each safe to repeat:

1. **Collect** (the periodic sweep): read what happened since each source's
   cursor (peer-review submissions and reviews, discussion posts, journal
   entries, check-ins answered, pre/post checks) and put one statement per event
   in the outbox (``analytics_statement``). Activities need not know about xAPI.
   The statement id is a UUID derived from the source row, so collecting the
   same event twice is a no-op and the LRS sees a resend as the same statement.
   Launches leave no row of their own (an enrolment keeps only its latest
   launch), so the launch itself queues its statement: :func:`record_launch`.
2. **Deliver** (a job): the outbox in ``lti_app.lrs.outbox``, beside the other
   outboxes, sends them to the LRS with retries.

Actors are pseudonymous (``account``: the platform's issuer and Peerlift's
opaque person id), never names or e-mail addresses.

Settings: ``XAPI_ENABLED`` (default False), ``XAPI_LRS_ENDPOINT`` (the LRS's
xAPI base URL, ending before ``/statements``), ``XAPI_LRS_USERNAME``,
``XAPI_LRS_PASSWORD``.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from lti_app import jobs
from lti_app.analytics.models import POST, AnalyticsCursor, AnalyticsResponse
from lti_app.analytics.rollup import cursor_for
from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.lms.models import Registration
from lti_app.lrs import outbox
from lti_app.lrs.models import XAPI_PENDING, AnalyticsStatement
from lti_app.lrs.outbox import BATCH, DELIVER, enabled
from lti_app.peer_activities.case_discussion.models import CaseDiscussionPost
from lti_app.peer_activities.journal.models import ANSWERED, JournalCheckin, JournalEntry
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewReview, PeerReviewSubmission

NAMESPACE = uuid.UUID("0f3b8a52-6d1e-4c55-9a0e-5e3c1a7d2b90")

#: Standard verb IRIs (ADL and the xAPI vocabulary registry).
VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "submitted": "http://activitystrea.ms/schema/1.0/submit",
    "reviewed": "http://id.tincanapi.com/verb/reviewed",
    "commented": "http://adlnet.gov/expapi/verbs/commented",
    "created": "http://activitystrea.ms/schema/1.0/create",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
#: The raw normalised change goes in result.extensions (never clamped there).
EXT_PHASE = "https://peerlift.app/xapi/extensions/check-phase"


def on_launch(
    sender: Any, *, person: Person, activity: Activity | None, claims: Mapping[str, Any]
) -> None:
    """``signals.launched`` receiver (connected in ``analytics.init_app``)."""
    record_launch(person, activity, claims)


# -- building statements ------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    source: str
    row_id: int
    verb: str
    person_id: int
    activity_id: int | None
    at: datetime
    result: dict[str, Any] | None = None
    #: Part of the statement id, for sources whose row can produce several events.
    salt: str = ""


def _base_url() -> str:
    return str(current_app.config.get("BASE_URL") or "https://peerlift.invalid").rstrip("/")


def statement(
    event: Event, person: Person, issuer: str, activity: Activity | None
) -> dict[str, Any]:
    sid = uuid.uuid5(NAMESPACE, f"{event.source}:{event.row_id}:{event.salt}")
    obj_id = f"{_base_url()}/a/{activity.public_id}" if activity is not None else f"{_base_url()}/"
    body: dict[str, Any] = {
        "id": str(sid),
        "actor": {"objectType": "Agent", "account": {"homePage": issuer, "name": person.public_id}},
        "verb": {"id": VERBS[event.verb], "display": {"en-US": event.verb}},
        "object": {
            "objectType": "Activity",
            "id": obj_id,
            "definition": {
                "name": {"en-US": (activity.title if activity is not None else "") or "Peerlift"},
                "type": "http://adlnet.gov/expapi/activities/course"
                if activity is None
                else "http://adlnet.gov/expapi/activities/assessment"
                if event.source == "analytics_response"
                else "http://adlnet.gov/expapi/activities/interaction",
            },
        },
        "timestamp": event.at.isoformat(timespec="milliseconds") + "Z",
        "context": {"platform": "Peerlift"},
    }
    if event.result:
        body["result"] = event.result
    return body


# -- collecting -----------------------------------------------------------------------


def _cursor(source: str) -> AnalyticsCursor:
    return cursor_for("xapi:" + source)


def _by_id(
    source: str, model: Any, person: Any, activity: Any, at: Any, verb: str, *where: Any
) -> Callable[[], Iterable[Event]]:
    def read() -> Iterable[Event]:
        cursor = _cursor(source)
        rows = db.session.execute(
            select(model.id, person, activity, at)
            .where(model.id > cursor.last_id, *where)
            .order_by(model.id)
            .limit(BATCH)
        ).all()
        for row_id, pid, aid, when in rows:
            yield Event(source, row_id, verb, pid, aid, when)
            cursor.last_id = row_id

    return read


def _by_time(
    source: str, model: Any, person: Any, activity: Any, at: Any, verb: str, *where: Any
) -> Callable[[], Iterable[Event]]:
    """Rows that become events when ``at`` is set; rows sharing the cursor's instant
    are read again and dropped by the statement id."""

    def read() -> Iterable[Event]:
        cursor = _cursor(source)
        since = cursor.last_at or datetime(1970, 1, 1)
        rows = db.session.execute(
            select(model.id, person, activity, at)
            .where(at.is_not(None), at >= since, *where)
            .order_by(at, model.id)
            .limit(BATCH)
        ).all()
        for row_id, pid, aid, when in rows:
            yield Event(source, row_id, verb, pid, aid, when, salt=when.isoformat())
            cursor.last_at = when

    return read


def _checks() -> Iterable[Event]:
    cursor = _cursor("analytics_response")
    rows = db.session.scalars(
        select(AnalyticsResponse)
        .where(AnalyticsResponse.id > cursor.last_id)
        .order_by(AnalyticsResponse.id)
        .limit(BATCH)
    )
    for row in rows:
        result: dict[str, Any] = {"completion": True, "extensions": {EXT_PHASE: row.phase}}
        if row.score is not None and row.maximum:
            result["score"] = {
                "raw": row.score,
                "min": 0,
                "max": row.maximum,
                "scaled": round(row.score / row.maximum, 4),
            }
        yield Event(
            "analytics_response",
            row.id,
            "completed" if row.phase == POST else "attempted",
            row.person_id,
            row.activity_id,
            row.submitted_at,
            result,
        )
        cursor.last_id = row.id


SOURCES: tuple[Callable[[], Iterable[Event]], ...] = (
    _by_id(
        "peer_review_submission",
        PeerReviewSubmission,
        PeerReviewSubmission.author_id,
        PeerReviewSubmission.activity_id,
        PeerReviewSubmission.submitted_at,
        "submitted",
    ),
    _by_time(
        "peer_review_review",
        PeerReviewReview,
        PeerReviewReview.reviewer_id,
        PeerReviewReview.activity_id,
        PeerReviewReview.completed_at,
        "reviewed",
        PeerReviewReview.status == "done",
    ),
    _by_id(
        "case_discussion_post",
        CaseDiscussionPost,
        CaseDiscussionPost.author_id,
        CaseDiscussionPost.activity_id,
        CaseDiscussionPost.created_at,
        "commented",
    ),
    _by_id(
        "journal_entry",
        JournalEntry,
        JournalEntry.person_id,
        JournalEntry.activity_id,
        JournalEntry.created_at,
        "created",
    ),
    _by_time(
        "journal_checkin",
        JournalCheckin,
        JournalCheckin.person_id,
        JournalCheckin.activity_id,
        JournalCheckin.answered_at,
        "answered",
        JournalCheckin.status == ANSWERED,
    ),
    _checks,
)


def collect() -> int:
    """Queue a statement for every new event (one batch per source); returns how
    many were queued. Side effect: a delivery job after commit."""
    queued = 0
    for read in SOURCES:
        events = list(read())
        if not events:
            continue
        people = {
            p.id: p
            for p in db.session.scalars(
                select(Person).where(Person.id.in_({e.person_id for e in events}))
            )
        }
        issuers = dict(db.session.execute(select(Registration.id, Registration.issuer)).all())
        activities = {
            a.id: a
            for a in db.session.scalars(
                select(Activity).where(
                    Activity.id.in_({e.activity_id for e in events if e.activity_id is not None})
                )
            )
        }
        for event in events:
            person = people.get(event.person_id)
            if person is None or person.is_test_user:
                continue
            activity = activities.get(event.activity_id or 0)
            body = statement(event, person, issuers.get(person.registration_id, ""), activity)
            queued += outbox.queue(person.registration_id, body)
    db.session.flush()
    if queued:
        jobs.after_commit(db.session(), DELIVER)
    return queued


def record_launch(
    person: Person,
    activity: Activity | None,
    claims: Mapping[str, Any],
    when: datetime | None = None,
) -> bool:
    """Queue one "launched" statement for this launch, in the launch's transaction
    (True if queued). The object is the launched activity (the tool itself for a
    deep-linking launch). The statement id comes from the registration, the person,
    the activity and the id_token's ``jti`` (else its ``nonce``, single-use per
    launch; else the launch time to the second), so a launch is never queued twice
    and two launches are two statements. Test users are left out, as everywhere.

    Called on every launch: while xAPI is off this costs one config lookup.
    Side effect: a delivery job after commit."""
    if not enabled() or person.is_test_user:
        return False
    at = (when or utcnow()).replace(microsecond=0)
    launch_key = next((str(claims[k]) for k in ("jti", "nonce") if claims.get(k)), at.isoformat())
    registration = db.session.get(Registration, person.registration_id)
    event = Event(
        "launch",
        person.id,
        "launched",
        person.id,
        activity.id if activity is not None else None,
        at,
        salt=f"{person.registration_id}:"
        f"{activity.public_id if activity is not None else '-'}:{launch_key}",
    )
    body = statement(event, person, registration.issuer if registration else "", activity)
    # One statement: queued unless its id is in the outbox already (the unique
    # statement id decides, in the database), as ``outbox.queue`` does in two.
    queued = db.session.execute(
        _queue_once(db.session.get_bind().dialect.name),
        {
            "registration_id": person.registration_id,
            "statement_id": body["id"],
            "verb": body["verb"]["id"],
            "payload": body,
            "status": XAPI_PENDING,
            "attempts": 0,
            "next_attempt_at": utcnow(),
        },
    )
    if not queued.rowcount:  # type: ignore[attr-defined]
        return False
    jobs.after_commit(db.session(), DELIVER)
    return True


@functools.cache
def _queue_once(dialect: str) -> Any:
    """Built once: INSERT the launch's statement into the outbox, or nothing if
    its statement id is there already."""
    columns = (
        "registration_id",
        "statement_id",
        "verb",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
    )
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(AnalyticsStatement.__table__).values({c: bindparam(c) for c in columns})
    return stmt.on_conflict_do_nothing(index_elements=["statement_id"])


# -- the sweep ------------------------------------------------------------------------


def sweep_statements() -> None:
    """Collect new events and send what is due (nothing at all while xAPI is off)."""
    if not enabled():
        return
    collect()
    db.session.commit()
    jobs.enqueue(DELIVER)
