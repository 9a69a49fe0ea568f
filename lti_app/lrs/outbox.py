"""The xAPI outbox: statements for the customer's Learning Record Store, delivered
by a job — beside the other outboxes (``mail.outbox`` for e-mail,
``grades.delivery`` for scores).

Analytics builds the statements and calls :func:`queue` inside the transaction
that made them; :func:`deliver` (the ``analytics.xapi_deliver`` job) claims due
rows with a lease, sends each to the LRS (``PUT``) with Basic auth and marks it sent; a
failure backs off exponentially; a refusal the LRS will repeat (4xx but
401/403/408/429) marks it failed for a person to look at. A 409 means the LRS
already has that statement id: sent.

Settings: ``XAPI_ENABLED`` (default False), ``XAPI_LRS_ENDPOINT`` (the LRS's
xAPI base URL, ending before ``/statements``), ``XAPI_LRS_USERNAME``,
``XAPI_LRS_PASSWORD``.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import timedelta
from typing import Any

import requests
from flask import current_app
from sqlalchemy import func, or_, select, update

from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.lrs.models import XAPI_FAILED, XAPI_PENDING, XAPI_SENT, AnalyticsStatement

log = logging.getLogger(__name__)

#: The job name (kept from when the outbox lived in ``analytics.xapi``).
DELIVER = "analytics.xapi_deliver"
BATCH = 200
LEASE = timedelta(seconds=120)
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 6 * 3600.0
#: Give up (failed, for a person to look at) after this many attempts.
MAX_ATTEMPTS = 12


def enabled() -> bool:
    cfg = current_app.config
    return bool(cfg.get("XAPI_ENABLED")) and bool(cfg.get("XAPI_LRS_ENDPOINT"))


def queue(registration_id: int, body: dict[str, Any]) -> int:
    """Put ``body`` in the outbox unless its statement id is there already (1 if queued)."""
    if (
        db.session.scalar(
            select(AnalyticsStatement.id).where(AnalyticsStatement.statement_id == body["id"])
        )
        is not None
    ):
        return 0
    db.session.add(
        AnalyticsStatement(
            registration_id=registration_id,
            statement_id=body["id"],
            verb=body["verb"]["id"],
            payload=body,
            status=XAPI_PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
        )
    )
    return 1


def _claim(limit: int) -> list[AnalyticsStatement]:
    now = utcnow()
    due = (
        select(AnalyticsStatement.id)
        .where(
            AnalyticsStatement.status == XAPI_PENDING,
            AnalyticsStatement.next_attempt_at <= now,
            or_(AnalyticsStatement.lease_until.is_(None), AnalyticsStatement.lease_until < now),
        )
        .order_by(AnalyticsStatement.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(due))
    if not ids:
        return []
    owner = uuid.uuid4().hex
    db.session.execute(
        update(AnalyticsStatement)
        .where(
            AnalyticsStatement.id.in_(ids),
            or_(AnalyticsStatement.lease_until.is_(None), AnalyticsStatement.lease_until < now),
        )
        .values(lease_owner=owner, lease_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # the lease must be visible to other workers before we send
    return list(
        db.session.scalars(
            select(AnalyticsStatement).where(
                AnalyticsStatement.id.in_(ids), AnalyticsStatement.lease_owner == owner
            )
        )
    )


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
                resp = http.put(
                    url,
                    params={"statementId": row.statement_id},
                    json=row.payload,
                    auth=auth,
                    timeout=10,
                    headers={"X-Experience-API-Version": "1.0.3"},
                )
                if resp.status_code in (200, 204, 409):
                    error = None
                else:
                    error = f"LRS answered {resp.status_code}: {resp.text[:200]}"
                    permanent = 400 <= resp.status_code < 500 and resp.status_code not in (
                        401,
                        403,
                        408,
                        429,
                    )
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


def deliver_job() -> None:
    """The worker task: send due statements until none is left in this round."""
    while True:
        sent, retrying, failed = deliver()
        if sent + retrying + failed < BATCH:
            return


def status(registration_id: int) -> dict[str, int] | None:
    """Statement counts by status for the dashboard; None while xAPI is off."""
    if not enabled():
        return None
    found = {XAPI_PENDING: 0, XAPI_SENT: 0, XAPI_FAILED: 0}
    for state, count in db.session.execute(
        select(AnalyticsStatement.status, func.count())
        .where(AnalyticsStatement.registration_id == registration_id)
        .group_by(AnalyticsStatement.status)
    ):
        found[state] = count
    return found
