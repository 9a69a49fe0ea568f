"""Delivering the score outbox to the LMS (AGS), safely with many workers at once.

One round: claim a batch of due scores (a lease: ``UPDATE … WHERE id IN (SELECT …
FOR UPDATE SKIP LOCKED)`` on PostgreSQL), commit the claim, make sure each line
item exists on the platform, get one access token per registration, post the
scores in parallel over keep-alive connections, then record every outcome in one
statement (only if this worker still holds the lease). A 401 refreshes the token
once; rate limits and outages back off exponentially with jitter (honouring
``Retry-After``); refusals that cannot succeed become ``failed`` with the LMS's
reason. Nothing is deleted: a score is only ever marked sent, waiting or failed.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, bindparam, case, or_, select, update

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.grades.models import FAILED, PENDING, SENT, LineItem, Score
from lti_app.grades.remote_line_items import auth_of, ensure_remote_line_item
from lti_app.grades.services import SUPERSEDED_STATUS
from lti_app.lms import ags, runtime
from lti_app.lms.models import Registration
from lti_app.lms.service_http import FastHttp, ServiceError

log = logging.getLogger(__name__)

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


@dataclass(frozen=True)
class Claimed:
    """A claimed score as plain data (it crosses into the HTTP threads)."""

    score_id: int
    version: int
    attempts: int
    failing_since: datetime | None
    registration_id: int
    line_item_id: int
    timestamp: datetime
    body: dict[str, Any]


@dataclass
class Report:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    token_requests: int = 0
    #: Of ``sent``: the LMS already held this score or a newer one.
    superseded: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, other: Report) -> None:
        for name in ("claimed", "sent", "retrying", "failed", "token_requests", "superseded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, n in other.errors.items():
            self.errors[reason] = self.errors.get(reason, 0) + n


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{threading.get_ident() % 100000}"


def _http_pool(size: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers != size:
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="peerlift-ags")
        return _pool


def is_due(now: datetime) -> Any:
    return and_(
        Score.status == PENDING,
        Score.next_attempt_at <= now,
        or_(Score.lease_until.is_(None), Score.lease_until < now),
    )


def claim(worker: str, limit: int, lease_s: float) -> list[int]:
    """Lease up to ``limit`` due scores to ``worker``; the caller commits."""
    now = utcnow()
    pick = select(Score.id).where(is_due(now)).order_by(Score.next_attempt_at).limit(limit)
    if db.engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    # The outer condition repeats the inner one: under READ COMMITTED a row another
    # worker claimed meanwhile is re-checked and skipped, never claimed twice.
    stmt = (
        update(Score)
        .where(Score.id.in_(pick.scalar_subquery()), is_due(now))
        .values(lease_owner=worker, lease_until=now + timedelta(seconds=lease_s))
        .returning(Score.id)
        .execution_options(synchronize_session=False)
    )
    return list(db.session.scalars(stmt))


def _iso(ts: datetime) -> str:
    return ts.replace(tzinfo=UTC).isoformat(timespec="microseconds")


def _load(ids: list[int]) -> list[Claimed]:
    rows = db.session.execute(
        select(Score, Person.sub)
        .join(Person, Score.person_id == Person.id)
        .where(Score.id.in_(ids))
    ).all()
    claimed = []
    for score, sub in rows:
        body: dict[str, Any] = {
            "userId": sub,
            "scoreMaximum": score.score_maximum,
            "comment": score.comment,
            "timestamp": _iso(score.timestamp),
            "activityProgress": score.activity_progress,
            "gradingProgress": score.grading_progress,
        }
        if score.score_given is not None:
            body["scoreGiven"] = score.score_given
        claimed.append(
            Claimed(
                score.id,
                score.version,
                score.attempts,
                score.failing_since,
                score.registration_id,
                score.line_item_id,
                score.timestamp,
                body,
            )
        )
    return claimed


def _line_item_urls(claimed: list[Claimed]) -> tuple[dict[int, str], dict[int, ServiceError]]:
    urls: dict[int, str] = {}
    errors: dict[int, ServiceError] = {}
    ids = sorted({c.line_item_id for c in claimed})
    for li_id, url in db.session.execute(
        select(LineItem.id, LineItem.url).where(LineItem.id.in_(ids))
    ):
        if url:
            urls[li_id] = url
    for li_id in ids:
        if li_id in urls:
            continue
        try:
            urls[li_id] = ensure_remote_line_item(li_id)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            errors[li_id] = exc
            db.session.execute(
                update(LineItem).where(LineItem.id == li_id).values(last_error=exc.reason)
            )
            db.session.commit()
    return urls, errors


def _post(
    http: FastHttp, item: Claimed, url: str, token: str, timeout: float
) -> ServiceError | None:
    return ags.post_score(http, url, item.body, token, timeout=timeout)


def _send(
    claimed: list[Claimed], urls: dict[int, str], report: Report
) -> dict[int, ServiceError | None]:
    """Post every score whose line item is known; one token per registration."""
    cfg = current_app.config
    tokens = runtime.tokens()
    timeout = cfg["LTI_SERVICE_TIMEOUT_S"]
    pool = _http_pool(cfg["GRADES_HTTP_THREADS"])
    http = runtime.fast_http()
    scopes = [ags.SCOPE_SCORE]
    by_reg: dict[int, list[Claimed]] = defaultdict(list)
    for item in claimed:
        if item.line_item_id in urls:
            by_reg[item.registration_id].append(item)
    outcomes: dict[int, ServiceError | None] = {}
    for reg_id, items in by_reg.items():
        reg = db.session.get(Registration, reg_id)
        assert reg is not None
        auth = auth_of(reg)
        before = tokens.requests_made
        try:
            token = tokens.get(auth, scopes)
            results = list(
                pool.map(
                    _post,
                    [http] * len(items),
                    items,
                    [urls[i.line_item_id] for i in items],
                    [token] * len(items),
                    [timeout] * len(items),
                )
            )
            expired = [
                i for i, r in zip(items, results, strict=True) if r is not None and r.kind == "auth"
            ]
            outcomes.update({i.score_id: r for i, r in zip(items, results, strict=True)})
            if expired:
                # The token expired or was revoked: one fresh token, one more try.
                tokens.invalidate(auth, scopes, token)
                token = tokens.get(auth, scopes)
                again = pool.map(
                    _post,
                    [http] * len(expired),
                    expired,
                    [urls[i.line_item_id] for i in expired],
                    [token] * len(expired),
                    [timeout] * len(expired),
                )
                outcomes.update({i.score_id: r for i, r in zip(expired, again, strict=True)})
        except ServiceError as exc:  # no token: every score of this platform waits
            outcomes.update({i.score_id: exc for i in items})
        report.token_requests += tokens.requests_made - before
    return outcomes


def _backoff(attempts: int, retry_after: float | None) -> float:
    cfg = current_app.config
    base, cap = float(cfg["GRADES_BACKOFF_BASE_S"]), float(cfg["GRADES_BACKOFF_CAP_S"])
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    delay = delay * (0.5 + random.random() / 2)  # jitter: workers don't retry in lockstep
    return float(max(delay, retry_after or 0.0))


def _apply(
    worker: str,
    claimed: list[Claimed],
    outcomes: dict[int, ServiceError | None],
    line_item_errors: dict[int, ServiceError],
    report: Report,
) -> None:
    now = utcnow()
    give_up = timedelta(seconds=current_app.config["GRADES_GIVE_UP_S"])
    table = Score.__table__
    done, retry, fail = [], [], []
    for item in claimed:
        error = line_item_errors.get(item.line_item_id) or outcomes.get(item.score_id)
        if item.score_id not in outcomes and item.line_item_id not in line_item_errors:
            continue
        if error is None or ags.is_superseded(error):
            # Superseded: the LMS holds this timestamp or a newer one (an attempt of
            # ours that reached it before a killed worker could record it, or a
            # grade changed by hand in the LMS). Delivered, never "failed".
            done.append(
                {
                    "b_id": item.score_id,
                    "b_v": item.version,
                    "b_ts": item.timestamp,
                    "b_st": None if error is None else SUPERSEDED_STATUS,
                }
            )
            report.sent += 1
            report.superseded += error is not None
            continue
        report.errors[error.reason[:120]] = report.errors.get(error.reason[:120], 0) + 1
        since = item.failing_since or now
        if error.kind == "final" or now - since > give_up:
            reason = (
                error.reason
                if error.kind == "final"
                else (
                    f"Gave up after {give_up.total_seconds() / 3600:g} h of failures: "
                    f"{error.reason}"
                )
            )
            fail.append(
                {"b_id": item.score_id, "b_v": item.version, "b_err": reason, "b_st": error.status}
            )
            report.failed += 1
            log.warning("grades: score %s failed: %s", item.score_id, reason)
        else:
            attempts = item.attempts + 1
            retry.append(
                {
                    "b_id": item.score_id,
                    "b_err": error.reason,
                    "b_st": error.status,
                    "b_att": attempts,
                    "b_since": since,
                    "b_ts": item.timestamp,
                    "b_next": now + timedelta(seconds=_backoff(attempts, error.retry_after)),
                }
            )
            report.retrying += 1
    mine = and_(table.c.id == bindparam("b_id"), table.c.lease_owner == worker)
    released = {"lease_owner": None, "lease_until": None}
    if done:
        db.session.execute(
            update(table)
            .where(mine)
            .values(
                delivered_version=bindparam("b_v"),
                sent_timestamp=bindparam("b_ts"),
                status=case((table.c.version == bindparam("b_v"), SENT), else_=PENDING),
                sent_at=now,
                attempts=0,
                failing_since=None,
                last_error=None,
                last_status=bindparam("b_st"),
                next_attempt_at=now,
                **released,
            ),
            done,
        )
    if retry:
        db.session.execute(
            update(table)
            .where(mine)
            .values(
                # The attempt may have reached the LMS (a timeout, a 5xx after writing).
                attempts=bindparam("b_att"),
                failing_since=bindparam("b_since"),
                sent_timestamp=bindparam("b_ts"),
                next_attempt_at=bindparam("b_next"),
                last_error=bindparam("b_err"),
                last_status=bindparam("b_st"),
                **released,
            ),
            retry,
        )
    if fail:
        # A score changed while in flight is not failed: its new content gets its turn.
        db.session.execute(
            update(table)
            .where(mine)
            .values(
                status=case((table.c.version == bindparam("b_v"), FAILED), else_=PENDING),
                last_error=bindparam("b_err"),
                last_status=bindparam("b_st"),
                next_attempt_at=now,
                **released,
            ),
            fail,
        )


def deliver_batch(worker: str | None = None, limit: int | None = None) -> Report:
    """One round: claim, send, record. Commits (the claim, then the outcomes)."""
    cfg = current_app.config
    worker = worker or worker_id()
    report = Report()
    ids = claim(worker, limit or cfg["GRADES_BATCH"], cfg["GRADES_LEASE_S"])
    db.session.commit()
    if not ids:
        return report
    report.claimed = len(ids)
    claimed = _load(ids)
    urls, line_item_errors = _line_item_urls(claimed)
    outcomes = _send(claimed, urls, report)
    _apply(worker, claimed, outcomes, line_item_errors, report)
    db.session.commit()
    return report


def drain(max_seconds: float = 50.0, worker: str | None = None) -> tuple[Report, bool]:
    """Deliver rounds until nothing is due or ``max_seconds`` pass; returns the
    total and whether due scores remain."""
    total = Report()
    deadline = time.monotonic() + max_seconds
    while True:
        report = deliver_batch(worker)
        total.add(report)
        if report.claimed == 0:
            return total, False
        if time.monotonic() >= deadline:
            return total, True
