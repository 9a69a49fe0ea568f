"""The dashboard's queries on the real PostgreSQL (required in CI): weekly buckets
(date_trunc), the event union, gradebook scores and the CSV on the same data."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.analytics.support import ANA, BEN, CHLOE
from tests.conftest import postgres_app

pytestmark = pytest.mark.services


@pytest.fixture
def app(services: None, platform_server: Any) -> Iterator[Flask]:
    with postgres_app(platform_server, rollback=True) as application:
        application.extensions["peerlift.platform_keys"].clear()
        yield application


def test_checks_scores_and_dashboard_on_postgres(an, app) -> None:
    an.setup()
    an.add_knowledge(10)
    for user, pre in ((ANA, 4), (BEN, 10), (CHLOE, 8)):
        assert an.check(user, "pre", pre).status_code == 303
    an.open_post()
    for user, post in ((ANA, 7), (BEN, 9), (CHLOE, 5)):
        assert an.check(user, "post", post).status_code == 303
    assert an.feedback(ANA, 9).status_code == 303
    scores = an.scores()
    assert scores[(ANA.sub, "learning_gain")][0] == pytest.approx(50.0)
    assert scores[(CHLOE.sub, "learning_gain")][0] == 0.0
    page = html.unescape(
        an.client.get("/an/course", query_string={"t": an.staff.token}).get_data(as_text=True)
    )
    assert "Weekly active learners" in page
    weekly = list(
        csv.DictReader(
            io.StringIO(
                an.client.get(
                    "/an/course/export/weekly.csv", query_string={"t": an.staff.token}
                ).get_data(as_text=True)
            )
        )
    )
    assert [int(r["active_learners"]) for r in weekly] == [3]
    programme = an.client.get("/an/programme", query_string={"t": an.staff.token})
    assert programme.status_code == 200
