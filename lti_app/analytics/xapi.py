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
2. **Deliver** (a job): claim due statements with a lease, ``PUT`` each to the
   LRS with Basic auth, and mark it sent; a failure backs off exponentially; a
   refusal the LRS will repeat (4xx but 408/429) marks it failed for a person to
   look at. A 409 means the LRS already has that statement id: sent.

Actors are pseudonymous (``account``: the platform's issuer and Peerlift's
opaque person id), never names or e-mail addresses.

Settings: ``XAPI_ENABLED`` (default False), ``XAPI_LRS_ENDPOINT`` (the LRS's
xAPI base URL, ending before ``/statements``), ``XAPI_LRS_USERNAME``,
``XAPI_LRS_PASSWORD``.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from flask import current_app
from sqlalchemy import func, or_, select, update

from lti_app import jobs
from lti_app.analytics.models import (
    POST,
    XAPI_FAILED,
    XAPI_PENDING,
    XAPI_SENT,
    AnalyticsCursor,
    AnalyticsResponse,
    AnalyticsStatement,
)
from lti_app.analytics.rollup import cursor_for
from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.lms.models import Registration
from lti_app.peer_activities.case_discussion.models import CaseDiscussionPost
from lti_app.peer_activities.journal.models import ANSWERED, JournalCheckin, JournalEntry
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewReview, PeerReviewSubmission

log = logging.getLogger(__name__)

DELIVER = "analytics.xapi_deliver"
BATCH = 200
LEASE = timedelta(seconds=120)
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 6 * 3600.0
#: Give up (failed, for a person to look at) after this many attempts.
MAX_ATTEMPTS = 12
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


def enabled() -> bool:
    cfg = current_app.config
    return bool(cfg.get("XAPI_ENABLED")) and bool(cfg.get("XAPI_LRS_ENDPOINT"))


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


def statement(event: Event, person: Person, issuer: str,
              activity: Activity | None) -> dict[str, Any]:
    sid = uuid.uuid5(NAMESPACE, f"{event.source}:{event.row_id}:{event.salt}")
    obj_id = (f"{_base_url()}/a/{activity.public_id}" if activity is not None
              else f"{_base_url()}/")
    body: dict[str, Any] = {
        "id": str(sid),
        "actor": {"objectType": "Agent",
                  "account": {"homePage": issuer, "name": person.public_id}},
        "verb": {"id": VERBS[event.verb], "display": {"en-US": event.verb}},
        "object": {"objectType": "Activity", "id": obj_id, "definition": {
            "name": {"en-US": (activity.title if activity is not None else "") or "Peerlift"},
            "type": "http://adlnet.gov/expapi/activities/course" if activity is None
            else "http://adlnet.gov/expapi/activities/assessment"
            if event.source == "analytics_response" else "http://adlnet.gov/expapi/activities/"
            "interaction"}},
        "timestamp": event.at.isoformat(timespec="milliseconds") + "Z",
        "context": {"platform": "Peerlift"},
    }
    if event.result:
        body["result"] = event.result
    return body


# -- collecting -----------------------------------------------------------------------

def _cursor(source: str) -> AnalyticsCursor:
    return cursor_for("xapi:" + source)


def _by_id(source: str, model: Any, person: Any, activity: Any, at: Any, verb: str,
           *where: Any) -> Callable[[], Iterable[Event]]:
    def read() -> Iterable[Event]:
        cursor = _cursor(source)
        rows = db.session.execute(select(model.id, person, activity, at).where(
            model.id > cursor.last_id, *where).order_by(model.id).limit(BATCH)).all()
        for row_id, pid, aid, when in rows:
            yield Event(source, row_id, verb, pid, aid, when)
            cursor.last_id = row_id
    return read


def _by_time(source: str, model: Any, person: Any, activity: Any, at: Any, verb: str,
             *where: Any) -> Callable[[], Iterable[Event]]:
    """Rows that become events when ``at`` is set; rows sharing the cursor's instant
    are read again and dropped by the statement id."""
    def read() -> Iterable[Event]:
        cursor = _cursor(source)
        since = cursor.last_at or datetime(1970, 1, 1)
        rows = db.session.execute(select(model.id, person, activity, at).where(
            at.is_not(None), at >= since, *where).order_by(at, model.id).limit(BATCH)).all()
        for row_id, pid, aid, when in rows:
            yield Event(source, row_id, verb, pid, aid, when, salt=when.isoformat())
            cursor.last_at = when
    return read


def _checks() -> Iterable[Event]:
    cursor = _cursor("analytics_response")
    rows = db.session.scalars(select(AnalyticsResponse).where(
        AnalyticsResponse.id > cursor.last_id).order_by(AnalyticsResponse.id).limit(BATCH))
    for row in rows:
        result: dict[str, Any] = {"completion": True,
                                  "extensions": {EXT_PHASE: row.phase}}
        if row.score is not None and row.maximum:
            result["score"] = {"raw": row.score, "min": 0, "max": row.maximum,
                               "scaled": round(row.score / row.maximum, 4)}
        yield Event("analytics_response", row.id, "completed" if row.phase == POST
                    else "attempted", row.person_id, row.activity_id, row.submitted_at, result)
        cursor.last_id = row.id


SOURCES: tuple[Callable[[], Iterable[Event]], ...] = (
    _by_id("peer_review_submission", PeerReviewSubmission, PeerReviewSubmission.author_id,
           PeerReviewSubmission.activity_id, PeerReviewSubmission.submitted_at, "submitted"),
    _by_time("peer_review_review", PeerReviewReview, PeerReviewReview.reviewer_id,
             PeerReviewReview.activity_id, PeerReviewReview.completed_at, "reviewed",
             PeerReviewReview.status == "done"),
    _by_id("case_discussion_post", CaseDiscussionPost, CaseDiscussionPost.author_id,
           CaseDiscussionPost.activity_id, CaseDiscussionPost.created_at, "commented"),
    _by_id("journal_entry", JournalEntry, JournalEntry.person_id, JournalEntry.activity_id,
           JournalEntry.created_at, "created"),
    _by_time("journal_checkin", JournalCheckin, JournalCheckin.person_id,
             JournalCheckin.activity_id, JournalCheckin.answered_at, "answered",
             JournalCheckin.status == ANSWERED),
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
        people = {p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_({e.person_id for e in events})))}
        issuers = dict(db.session.execute(select(Registration.id, Registration.issuer)).all())
        activities = {a.id: a for a in db.session.scalars(select(Activity).where(
            Activity.id.in_({e.activity_id for e in events if e.activity_id is not None})))}
        for event in events:
            person = people.get(event.person_id)
            if person is None or person.is_test_user:
                continue
            activity = activities.get(event.activity_id or 0)
            body = statement(event, person, issuers.get(person.registration_id, ""), activity)
            queued += _queue(person.registration_id, body)
    db.session.flush()
    if queued:
        jobs.after_commit(db.session(), DELIVER)
    return queued


def _queue(registration_id: int, body: dict[str, Any]) -> int:
    """Put ``body`` in the outbox unless its statement id is there already (1 if queued)."""
    if db.session.scalar(select(AnalyticsStatement.id).where(
            AnalyticsStatement.statement_id == body["id"])) is not None:
        return 0
    db.session.add(AnalyticsStatement(
        registration_id=registration_id, statement_id=body["id"], verb=body["verb"]["id"],
        payload=body, status=XAPI_PENDING, attempts=0, next_attempt_at=utcnow()))
    return 1


def record_launch(person: Person, activity: Activity | None, claims: Mapping[str, Any],
                  when: datetime | None = None) -> bool:
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
    launch_key = next((str(claims[k]) for k in ("jti", "nonce") if claims.get(k)),
                      at.isoformat())
    registration = db.session.get(Registration, person.registration_id)
    event = Event("launch", person.id, "launched", person.id,
                  activity.id if activity is not None else None, at,
                  salt=f"{person.registration_id}:"
                       f"{activity.public_id if activity is not None else '-'}:{launch_key}")
    body = statement(event, person, registration.issuer if registration else "", activity)
    if not _queue(person.registration_id, body):
        return False
    db.session.flush()
    jobs.after_commit(db.session(), DELIVER)
    return True


# -- delivering -----------------------------------------------------------------------

def _claim(limit: int) -> list[AnalyticsStatement]:
    now = utcnow()
    due = select(AnalyticsStatement.id).where(
        AnalyticsStatement.status == XAPI_PENDING, AnalyticsStatement.next_attempt_at <= now,
        or_(AnalyticsStatement.lease_until.is_(None), AnalyticsStatement.lease_until < now)
    ).order_by(AnalyticsStatement.id).limit(limit)
    ids = list(db.session.scalars(due))
    if not ids:
        return []
    owner = uuid.uuid4().hex
    db.session.execute(update(AnalyticsStatement).where(
        AnalyticsStatement.id.in_(ids),
        or_(AnalyticsStatement.lease_until.is_(None), AnalyticsStatement.lease_until < now))
        .values(lease_owner=owner, lease_until=now + LEASE)
        .execution_options(synchronize_session=False))
    db.session.commit()  # the lease must be visible to other workers before we send
    return list(db.session.scalars(select(AnalyticsStatement).where(
        AnalyticsStatement.id.in_(ids), AnalyticsStatement.lease_owner == owner)))


def _backoff(attempts: int) -> timedelta:
    delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay * (0.5 + random.random() / 2))


def deliver(limit: int = BATCH) -> tuple[int, int, int]:
    """Send one batch of due statements; returns (sent, retrying, failed)."""
    if not enabled():
        return (0, 0, 0)
    cfg = current_app.config
    url = str(cfg["XAPI_LRS_ENDPOINT"]).rstrip("/") + "/statements"
    auth = (str(cfg.get("XAPI_LRS_USERNAME") or ""), str(cfg.get("XAPI_LRS_PASSWORD") or ""))
    sent = retrying = failed = 0
    with requests.Session() as http:
        for row in _claim(limit):
            error: str | None = None
            permanent = False
            try:
                resp = http.put(url, params={"statementId": row.statement_id}, json=row.payload,
                                auth=auth, timeout=10,
                                headers={"X-Experience-API-Version": "1.0.3"})
                if resp.status_code in (200, 204, 409):
                    error = None
                else:
                    error = f"LRS answered {resp.status_code}: {resp.text[:200]}"
                    permanent = 400 <= resp.status_code < 500 and resp.status_code not in (
                        401, 403, 408, 429)
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
            row.lease_owner = row.lease_until = None
            row.attempts += 1
            if error is None:
                row.status, row.sent_at, row.last_error = XAPI_SENT, utcnow(), None
                sent += 1
            elif permanent or row.attempts >= MAX_ATTEMPTS:
                row.status, row.last_error = XAPI_FAILED, error
                failed += 1
            else:
                row.next_attempt_at = utcnow() + _backoff(row.attempts)
                row.last_error = error
                retrying += 1
    db.session.commit()
    if sent or failed or retrying:
        log.info("xapi: sent %d, retrying %d, failed %d", sent, retrying, failed)
    return sent, retrying, failed


@jobs.job(DELIVER)
def deliver_job() -> None:
    """The worker task: send due statements until none is left in this round."""
    while True:
        sent, retrying, failed = deliver()
        if sent + retrying + failed < BATCH:
            return


@jobs.sweeper
def sweep_statements() -> None:
    """Collect new events and send what is due (nothing at all while xAPI is off)."""
    if not enabled():
        return
    collect()
    db.session.commit()
    jobs.enqueue(DELIVER)


def status(registration_id: int) -> dict[str, int] | None:
    """Statement counts by status for the dashboard; None while xAPI is off."""
    if not enabled():
        return None
    found = {XAPI_PENDING: 0, XAPI_SENT: 0, XAPI_FAILED: 0}
    for state, count in db.session.execute(
            select(AnalyticsStatement.status, func.count()).where(
                AnalyticsStatement.registration_id == registration_id)
            .group_by(AnalyticsStatement.status)):
        found[state] = count
    return found
