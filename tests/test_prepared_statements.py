"""PostgreSQL plans a hot statement once per connection, not on every request
(issue 17): psycopg prepares a query it has seen ``prepare_threshold`` (5) times,
but forgets every prepared statement, and every count, on a ROLLBACK. So the
request boundary commits a request that only read (a read-only COMMIT costs the
same round trip as a ROLLBACK); ending page views with a rollback had kept every
statement unprepared and re-planned (the notices' UNION ALL: 3-6 ms each time)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from lti_app.extensions import db
from lti_app.lms import frame_origins
from tests.conftest import postgres_app

pytestmark = pytest.mark.services


@pytest.fixture
def pg(services: None) -> Iterator[Flask]:
    with postgres_app() as app:
        yield app


def test_a_read_only_request_leaves_the_connections_prepared_statements_in_place(
    pg: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = pg.test_client()
    for _ in range(8):  # /healthz only reads: SELECT 1
        # and, with no actor, the platforms' origins for frame-ancestors (cached for
        # 10 s: expired here), after the request's commit
        monkeypatch.setattr(frame_origins, "_all", (0.0, ()))
        assert client.get("/healthz").status_code == 200
    with pg.app_context():
        prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        db.session.rollback()
    assert "SELECT 1" in prepared, prepared


def test_psycopg_cursors_describe_results_as_psycopg_does_built_only_when_read(
    pg: Flask,
) -> None:
    import psycopg

    from lti_app.pg_driver import LazyDescription, LazyDescriptionCursor

    with pg.app_context():
        raw = db.session.connection().connection.dbapi_connection
        cursor = raw.cursor()
        assert isinstance(cursor, LazyDescriptionCursor)
        cursor.execute("SELECT 1 AS one, 'x'::text AS two")
        lazy = cursor.description
        assert isinstance(lazy, LazyDescription) and lazy._columns is None
        plain = psycopg.Cursor.description.fget(cursor)  # type: ignore[attr-defined]
        assert len(lazy) == 2 and [tuple(c) for c in lazy] == [tuple(c) for c in plain]
        assert [(c.name, c.type_code) for c in lazy] == [("one", 23), ("two", 25)]
        cursor.execute("SELECT")  # tuples, no column: described, empty
        assert cursor.description is not None and len(cursor.description) == 0
        cursor.execute("SET LOCAL statement_timeout = 0")  # no tuples: None, as psycopg
        assert cursor.description is None
        assert lazy[0].name == "one"  # still its own result's
        cursor.close()
        # through SQLAlchemy: names and rows as before
        result = db.session.execute(text("SELECT 2 AS a, 3 AS b"))
        assert list(result.keys()) == ["a", "b"] and result.all() == [(2, 3)]
        db.session.rollback()


def test_the_notices_statement_keeps_its_placeholder_conversion(pg: Flask) -> None:
    """psycopg caches the %(name)s -> $n conversion only for statements up to its
    limit; the notices' UNION ALL (every activity page) fits under the raised one."""
    from psycopg import _queries

    from lti_app import pg_driver
    from lti_app.peer_activities import notices

    with pg.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        stmt = notices._union(tuple(notices._SOURCES))
        sql = str(stmt.compile(dialect=db.engine.dialect))
    assert _queries.MAX_CACHED_STATEMENT_LENGTH == pg_driver.CACHED_STATEMENT_LENGTH
    assert 4096 < len(sql.encode()) <= pg_driver.CACHED_STATEMENT_LENGTH, len(sql)
