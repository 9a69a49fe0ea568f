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
