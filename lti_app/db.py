"""Declarative base, shared column mixins, and the request-boundary commit.

Services flush; only the boundary (end of a request, end of a CLI command or a
worker task) commits. A response with status >= 400 is rolled back, so a rejected
launch or a failed form writes nothing.
"""

from __future__ import annotations

import secrets
import sqlite3
import string
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, String, event, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, ORMExecuteState, Session, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_ID_ALPHABET = string.ascii_letters + string.digits


def new_public_id() -> str:
    """Opaque id for URLs: never expose integer primary keys. Letters and digits
    only (95 bits): an id starting with "-" would read as an option on the CLI."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


#: LTI ids (issuer, client_id, deployment_id, context.id, sub, …) are at most 255
#: ASCII characters and case-sensitive. PostgreSQL and SQLite compare text
#: byte-wise by default, which is what we need; never add a case-folding collation.
LtiId = String(255)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


def change_stamps(*sources: tuple[Any, Any]) -> list[Any]:
    """For each (model with ``updated_at``, condition): its row count and latest
    ``updated_at``, as scalar subqueries to select together. Together they change
    whenever a row is added, removed or updated, so a cache keyed on them is
    never stale (one round trip to check it)."""
    columns: list[Any] = []
    for model, where in sources:
        columns.append(select(func.count()).select_from(model).where(where).scalar_subquery())
        columns.append(select(func.max(model.updated_at)).where(where).scalar_subquery())
    return columns


class PublicIdMixin:
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)


# -- knowing whether a request wrote anything ---------------------------------------
# ``WROTE`` marks a session that wrote (or asked for a job): a request that fails on
# a lost connection is retried only when it had not (``app_setup``).

WROTE = "peerlift.wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _ctx: Any) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def finish(session: Session, *, ok: bool) -> None:
    """End the unit of work: an ``ok`` request commits, anything else rolls back.

    A request that only read commits too (issue 17): a read-only COMMIT costs
    the same one round trip as a ROLLBACK, but psycopg forgets every prepared
    statement of the connection, and how often it has seen each query, on every
    ROLLBACK. Ending the page views with a rollback meant no statement ever reached
    psycopg's ``prepare_threshold``, so PostgreSQL parsed and planned every
    statement of every request anew (the notices' UNION ALL alone took 3-6 ms to
    plan and 0.5 ms to run): 13.7 -> 4.1 ms of PostgreSQL CPU per launch + page GET.
    """
    session.info.pop(WROTE, None)
    if ok:
        session.commit()
    else:
        session.rollback()


@event.listens_for(Engine, "connect")
def _psycopg_cursors(dbapi_conn: Any, _record: Any) -> None:
    """PostgreSQL: cursors whose ``description`` is built only when read, and the
    notices' long statement's placeholder conversion cached (``lti_app.pg_driver``)."""
    if type(dbapi_conn).__module__.startswith("psycopg"):
        from lti_app import pg_driver

        pg_driver.tune(dbapi_conn)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Embedded SQLite: readers don't block the writer (WAL), and a busy writer
    makes others wait briefly instead of failing with 'database is locked'."""
    if isinstance(dbapi_conn, sqlite3.Connection):
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
