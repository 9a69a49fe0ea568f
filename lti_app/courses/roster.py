"""Roster sync (NRPS): who is in the course, before anyone launches.

Members arrive a page at a time and are upserted a page at a time (one query for
the page's people, one for their enrolments), committed per page, so memory stays
flat for a 10,000-member course. Everyone seen gets the sync's generation; when
the whole roster has been read, enrolments not seen (and not launched since the
sync began) become ``inactive``: people who left keep their work and history,
they are just no longer grouped or graded. A sync that fails halfway changes
no one's status, records the reason, and can be run again.
The sweeps that recover a stuck or missing sync are in ``roster_sweeps``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select, update

from lti_app import jobs
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import new_public_id, utcnow
from lti_app.domain.roles import TEST_USER, map_roles
from lti_app.extensions import db
from lti_app.lms import nrps, runtime
from lti_app.lms.access_tokens import ServiceAuth
from lti_app.lms.models import Registration
from lti_app.lms.service_http import ServiceError

log = logging.getLogger(__name__)

SYNC = "roster.sync"
OK, RUNNING, FAILED = "ok", "running", "failed"
_PERSON_FIELDS = ("name", "given_name", "family_name", "email")


class RosterUnavailable(ValueError):
    """The course cannot be synced (no NRPS endpoint, or a sync is running)."""


@dataclass
class SyncReport:
    members: int = 0
    added: int = 0
    left: int = 0
    rejected: int = 0
    pages: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "members": self.members,
            "added": self.added,
            "left": self.left,
            "rejected": self.rejected,
            "pages": self.pages,
        }


def _take_lease(course_id: int, now: datetime) -> bool:
    lease = timedelta(seconds=current_app.config["ROSTER_LEASE_S"])
    taken = db.session.execute(
        update(Course)
        .where(
            Course.id == course_id,
            or_(Course.roster_sync_lease_until.is_(None), Course.roster_sync_lease_until < now),
        )
        .values(roster_sync_lease_until=now + lease, roster_sync_status=RUNNING)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(taken, "rowcount", 0))


def _upsert(table: Any, keys: list[str], update: Callable[[Any], dict[str, Any]]) -> Any:
    """``INSERT … ON CONFLICT (keys) DO UPDATE`` on PostgreSQL and SQLite alike; run
    with a list of rows (executemany: compiled once, sent in batches)."""
    # Each dialect's insert is imported where it is used: only the database in use.
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
    return stmt.on_conflict_do_update(index_elements=keys, set_=update(stmt.excluded))


def _upsert_page(course: Course, members: tuple[nrps.Member, ...], generation: int) -> int:
    """Upsert one page of members: one statement for the people, one for their
    enrolments, whatever the page size. Returns how many distinct members it had."""
    by_sub: dict[str, nrps.Member] = {}
    for m in members:
        by_sub[m.user_id] = m  # a member listed twice on one page counts once
    now = utcnow()
    people = [
        {
            "registration_id": course.registration_id,
            "sub": sub,
            "public_id": new_public_id(),
            "is_test_user": TEST_USER in m.roles,
            "created_at": now,
            "updated_at": now,
            **{name: getattr(m, name) for name in _PERSON_FIELDS},
        }
        for sub, m in by_sub.items()
    ]
    table = Person.__table__
    stmt = _upsert(
        table,
        ["registration_id", "sub"],
        lambda new: {
            # The LMS may share a name or email only sometimes (privacy settings):
            # never erase what we know with a missing value.
            **{name: func.coalesce(getattr(new, name), table.c[name]) for name in _PERSON_FIELDS},
            "is_test_user": table.c.is_test_user | new.is_test_user,
            "updated_at": new.updated_at,
        },
    )
    ids = {
        row.sub: row.id
        for row in db.session.execute(
            stmt.returning(table.c.sub, table.c.id, sort_by_parameter_order=True), people
        )
    }
    enrolments = [
        {
            "course_id": course.id,
            "person_id": ids[sub],
            "roles": map_roles(m.roles).as_list(),
            "status": "active" if m.status.lower() == "active" else "inactive",
            "seen_generation": generation,
            "created_at": now,
            "updated_at": now,
        }
        for sub, m in by_sub.items()
    ]
    db.session.execute(
        _upsert(
            Enrolment.__table__,
            ["course_id", "person_id"],
            lambda new: {
                "roles": new.roles,
                "status": new.status,
                "seen_generation": new.seen_generation,
                "updated_at": new.updated_at,
            },
        ),
        enrolments,
    )
    return len(by_sub)


def _store_page(course_id: int, page: nrps.Page, generation: int, report: SyncReport) -> None:
    """Upsert one page and commit it."""
    course = db.session.get(Course, course_id)
    assert course is not None
    report.members += _upsert_page(course, page.members, generation)
    db.session.commit()


def _enrolled(course_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course_id)
        )
        or 0
    )


def sync_roster(course_id: int) -> SyncReport:
    """Read the whole roster from the LMS and bring people and enrolments up to date.

    Commits as it goes (per page). Raises RosterUnavailable when the course has no
    roster service or another sync holds it; ServiceError (also recorded on the
    course) when the LMS fails.
    """
    course = db.session.get(Course, course_id)
    if course is None:
        raise RosterUnavailable("no such course")
    if not course.nrps_url:
        raise RosterUnavailable(
            "The LMS has not shared this course's roster with Peerlift "
            "(Names and Role Provisioning is off for the tool)."
        )
    started = utcnow()
    if not _take_lease(course_id, started):
        db.session.rollback()
        raise RosterUnavailable("A roster sync is already running for this course.")
    db.session.commit()
    reg = db.session.get(Registration, course.registration_id)
    assert reg is not None
    url, generation = course.nrps_url, course.roster_generation + 1
    auth = ServiceAuth(
        registration_id=reg.id,
        client_id=reg.client_id,
        token_url=reg.auth_token_url,
        audience=reg.auth_audience,
    )
    tokens, scopes = runtime.tokens(), [nrps.SCOPE]
    last: list[str] = []

    def token(fresh: bool) -> str:
        if fresh and last:
            tokens.invalidate(auth, scopes, last[-1])
        last.append(tokens.get(auth, scopes))
        return last[-1]

    report = SyncReport()
    before = _enrolled(course_id)
    cfg = current_app.config
    try:
        for page in nrps.member_pages(
            url,
            token,
            session=runtime.http_session(),
            page_size=cfg["ROSTER_PAGE_SIZE"],
            timeout=cfg["LTI_SERVICE_TIMEOUT_S"],
        ):
            report.pages += 1
            report.rejected += len(page.rejected)
            for why in page.rejected[:5]:
                log.warning("roster: course %s: skipped %s", course_id, why)
            if page.members:
                _store_page(course_id, page, generation, report)
    except ServiceError as exc:
        db.session.rollback()
        _finish(course_id, FAILED, exc.reason, None)
        log.warning(
            "roster: course %s sync failed after %d pages: %s", course_id, report.pages, exc.reason
        )
        raise
    except Exception:
        db.session.rollback()
        _finish(
            course_id,
            FAILED,
            "Peerlift could not store the roster (internal error); it will be retried.",
            None,
        )
        raise
    report.added = _enrolled(course_id) - before
    report.left = _mark_leavers(course_id, generation, started)
    _finish(course_id, OK, None, report, generation)
    log.info("roster: course %s synced: %s", course_id, report.as_dict())
    return report


def _mark_leavers(course_id: int, generation: int, started: datetime) -> int:
    result = db.session.execute(
        update(Enrolment)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.status == "active",
            or_(Enrolment.seen_generation.is_(None), Enrolment.seen_generation < generation),
            # Someone who launched during the sync is in the course, listed or not.
            or_(Enrolment.last_launch_at.is_(None), Enrolment.last_launch_at < started),
        )
        .values(status="inactive")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _finish(
    course_id: int,
    status: str,
    error: str | None,
    report: SyncReport | None,
    generation: int | None = None,
) -> None:
    values: dict[str, Any] = {
        "roster_sync_status": status,
        "roster_sync_error": error,
        "roster_sync_lease_until": None,
    }
    if report is not None:
        values.update(
            roster_synced_at=utcnow(),
            roster_sync_counts=report.as_dict(),
            roster_generation=generation,
        )
    db.session.execute(
        update(Course)
        .where(Course.id == course_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def request_sync(course: Course) -> None:
    """Ask for a sync once the current transaction commits (the "Sync roster" button)."""
    jobs.after_commit(db.session(), SYNC, course_id=course.id)


def sync_if_stale(course: Course) -> bool:
    """On an instructor's launch: sync when the roster is older than ROSTER_STALE_S."""
    if not course.nrps_url:
        return False
    stale = timedelta(seconds=current_app.config["ROSTER_STALE_S"])
    now = utcnow()
    if course.roster_synced_at is not None and now - course.roster_synced_at < stale:
        return False
    if course.roster_sync_lease_until is not None and course.roster_sync_lease_until > now:
        return False
    request_sync(course)
    return True


def sync_job(course_id: int) -> None:
    try:
        sync_roster(course_id)
    except (RosterUnavailable, ServiceError) as exc:
        log.info("roster: course %s not synced: %s", course_id, getattr(exc, "reason", exc))


@dataclass
class RosterOverview:
    active: int
    inactive: int
    members: list[tuple[Person, Enrolment]]


def overview(course: Course, *, limit: int = 500) -> RosterOverview:
    """Counts and the first ``limit`` members (active first, by name) for the page."""
    counts = dict(
        db.session.execute(
            select(Enrolment.status, func.count())
            .where(Enrolment.course_id == course.id)
            .group_by(Enrolment.status)
        ).all()
    )
    rows = db.session.execute(
        select(Person, Enrolment)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(Enrolment.course_id == course.id)
        .order_by(Enrolment.status, Person.family_name, Person.name, Person.id)
        .limit(limit)
    ).all()
    return RosterOverview(
        active=counts.get("active", 0),
        inactive=counts.get("inactive", 0),
        members=[(p, e) for p, e in rows],
    )
