"""Test databases: the schema is built once per run, each test is isolated.

Two ways to isolate a test, chosen by fixture (see ``tests/conftest.py``):

- **A joined transaction, rolled back** (the default ``app``; SQLAlchemy's
  "joining a session into an external transaction" recipe, as Flask-SQLAlchemy
  documents it): one connection opens an outer transaction, every session of the
  app runs inside it (``join_transaction_mode="create_savepoint"``, so the app's own
  ``commit()``/``rollback()`` end a SAVEPOINT), and the outer transaction is rolled
  back after the test. Nothing is written; nothing needs cleaning.
- **A committed database** for tests whose writes must be seen by other threads or
  processes (live servers, Celery workers, gunicorn, concurrency tests): on SQLite a
  copy of a template file built once per run (a file copy, not ``create_all``), on
  PostgreSQL ``TRUNCATE`` of every table (the schema is created once per run).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import Connection, Engine, event, text

from lti_app.extensions import db

#: ``app.extensions`` key of the connection whose transaction the app's sessions join.
JOINED = "tests.joined_connection"


def _joined_get_bind(
    self: Any, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any
) -> Any:
    """Flask-SQLAlchemy picks the app's engine; an app in a joined transaction gets
    the test's connection instead (apps without one are untouched)."""
    if bind is None and has_app_context():
        joined = current_app.extensions.get(JOINED)
        if joined is not None:
            return joined
    return _fsa_get_bind(self, mapper, clause=clause, bind=bind, **kw)


# The session class of ``db.session`` only (a subclass sessionmaker made for it).
_session_class = db.session.session_factory.class_
_fsa_get_bind = _session_class.get_bind
_session_class.get_bind = _joined_get_bind  # type: ignore[method-assign]
# Only matters when a session is bound to a connection already in a transaction
# (the joined one): the app's commit/rollback then end a SAVEPOINT inside it.
db.session.session_factory.configure(join_transaction_mode="create_savepoint")


def _sqlite_real_transactions(engine: Engine) -> None:
    """pysqlite defers BEGIN to the first write and would let a SAVEPOINT's RELEASE
    commit; SQLAlchemy's documented fix: no implicit transactions, BEGIN ourselves."""

    @event.listens_for(engine, "connect")
    def _no_implicit(dbapi_conn: Any, _record: Any) -> None:
        if isinstance(dbapi_conn, sqlite3.Connection):
            dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")


@contextlib.contextmanager
def joined_transaction(app: Flask) -> Iterator[Connection]:
    """Run everything ``app`` does inside one transaction, rolled back at the end."""
    with app.app_context():
        engine = db.engine
        db.session.remove()
    if engine.dialect.name == "sqlite":
        engine.dispose()  # connections made from here on run real transactions
        _sqlite_real_transactions(engine)
    connection = engine.connect()
    outer = connection.begin()
    app.extensions[JOINED] = connection
    try:
        yield connection
    finally:
        with app.app_context():
            db.session.remove()
        app.extensions.pop(JOINED, None)
        if outer.is_active:
            outer.rollback()
        connection.close()
        engine.dispose()


def copy_sqlite(template: Path, target: Path) -> Path:
    """A committed SQLite database with the schema (and seed) of ``template``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target


def truncate_all(app: Flask) -> None:
    """Empty every table of the app's PostgreSQL database (schema kept)."""
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
