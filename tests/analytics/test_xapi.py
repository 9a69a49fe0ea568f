"""xAPI statements: off by default; when on, collected from what learners did,
queued once each, and delivered to the LRS with Basic auth, retried with backoff."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest
from sqlalchemy import select, update

from lti_app.analytics import xapi
from lti_app.extensions import db
from lti_app.lrs import outbox as lrs_outbox
from lti_app.lrs.models import AnalyticsStatement
from tests.analytics.support import ANA, BEN
from tests.support.platform_server import LiveServer


class FakeLrs:
    """Records PUT /xapi/statements?statementId=…; answers ``status``."""

    def __init__(self) -> None:
        self.status = 204
        self.received: list[tuple[str, str, dict]] = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        self.received.append((environ["QUERY_STRING"], environ.get("HTTP_AUTHORIZATION", ""), body))
        start_response(f"{self.status} X", [("Content-Type", "text/plain")])
        return [b""]


@pytest.fixture
def activity_done(an):
    an.setup()
    an.add_knowledge(2)
    an.check(ANA, "pre", 1)
    an.open_post()
    an.check(ANA, "post", 2)
    an.join(BEN)
    return an


@pytest.fixture
def lrs(app):
    fake = FakeLrs()
    with LiveServer(fake) as server:
        app.config.update(
            XAPI_ENABLED=True,
            XAPI_LRS_ENDPOINT=server.url + "/xapi",
            XAPI_LRS_USERNAME="key",
            XAPI_LRS_PASSWORD="secret",
        )
        yield fake


def _statements(app) -> list[AnalyticsStatement]:
    with app.app_context():
        rows = list(db.session.scalars(select(AnalyticsStatement).order_by(AnalyticsStatement.id)))
        db.session.expunge_all()
        return rows


def test_xapi_is_off_by_default(activity_done, app) -> None:
    with app.app_context():
        assert not lrs_outbox.enabled()
        xapi.sweep_statements()
        assert lrs_outbox.deliver() == (0, 0, 0)
    assert _statements(app) == []


def test_events_become_statements_once_and_reach_the_lrs(activity_done, app, lrs) -> None:
    with app.app_context():
        queued = xapi.collect()
        db.session.commit()
        assert xapi.collect() == 0  # nothing new: nothing queued twice
        db.session.commit()
    rows = _statements(app)
    assert len(rows) == queued
    verbs = sorted(r.payload["verb"]["display"]["en-US"] for r in rows)
    assert verbs.count("launched") == 0  # launched while xAPI was off: never queued
    assert verbs.count("attempted") == 1 and verbs.count("completed") == 1
    completed = next(
        r.payload for r in rows if r.payload["verb"]["display"]["en-US"] == "completed"
    )
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completed["result"]["score"] == {"raw": 2.0, "min": 0, "max": 2.0, "scaled": 1.0}
    assert set(completed["actor"]["account"]) == {"homePage", "name"}
    assert ANA.name not in json.dumps([r.payload for r in rows])  # pseudonymous

    with app.app_context():
        assert lrs_outbox.deliver() == (queued, 0, 0)
    assert len(lrs.received) == queued
    query, auth, body = lrs.received[0]
    assert query == f"statementId={body['id']}"
    assert auth == "Basic " + base64.b64encode(b"key:secret").decode()
    assert {r.status for r in _statements(app)} == {"sent"}


def test_an_lrs_outage_delays_statements_and_a_refusal_fails_them(activity_done, app, lrs) -> None:
    with app.app_context():
        queued = xapi.collect()
        db.session.commit()
        lrs.status = 503
        assert lrs_outbox.deliver() == (0, queued, 0)
        row = _statements(app)[0]
        assert row.status == "pending" and row.attempts == 1 and "503" in row.last_error
        assert lrs_outbox.deliver() == (0, 0, 0)  # backing off: not due yet
        db.session.execute(update(AnalyticsStatement).values(next_attempt_at=datetime(2000, 1, 1)))
        db.session.commit()
        lrs.status = 409  # the LRS has that statement id already: that counts as sent
        sent, _, _ = lrs_outbox.deliver(limit=1)
        assert sent == 1
        lrs.status = 400
        assert lrs_outbox.deliver() == (0, 0, queued - 1)
    assert sorted({r.status for r in _statements(app)}) == ["failed", "sent"]


def test_the_dashboard_says_whether_statements_flow(activity_done, app, lrs) -> None:
    an = activity_done
    with app.app_context():
        queued = xapi.collect()
        db.session.commit()
        lrs_outbox.deliver()
    page = an.client.get("/an/course", query_string={"t": an.staff.token}).get_data(as_text=True)
    assert f"{queued} sent, 0 waiting or retrying, 0 refused" in page
    app.config["XAPI_ENABLED"] = False
    page = an.client.get("/an/course", query_string={"t": an.staff.token}).get_data(as_text=True)
    assert "Off (the default)" in page


# -- one "launched" statement per launch ------------------------------------------------


def _launched(app) -> list[dict]:
    return [
        r.payload
        for r in _statements(app)
        if r.payload["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    ]


def test_every_launch_is_one_launched_statement(an, app, lrs) -> None:
    from lti_app.courses.models import Person

    an.setup()
    an.join(ANA)
    an.join(ANA)  # twice within a second: still two launches, two statements
    with app.app_context():
        ana = db.session.scalar(select(Person).where(Person.sub == ANA.sub))
        public_id, email = ana.public_id, ana.email
        assert xapi.collect() == 0  # the sweep no longer samples launches
        assert lrs_outbox.deliver()[0] == 4  # the instructor's two launches and Ana's two
    theirs = [s for s in _launched(app) if s["actor"]["account"]["name"] == public_id]
    assert len(theirs) == 2 and theirs[0]["id"] != theirs[1]["id"]
    statement = theirs[0]
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert statement["object"]["id"].endswith(f"/a/{an.activity}")
    assert set(statement["actor"]) == {"objectType", "account"}  # no name, no mbox
    sent = json.dumps([body for _, _, body in lrs.received])
    assert ANA.name not in sent and (not email or email not in sent)
    delivered = [
        body["id"] for _, _, body in lrs.received if body["verb"]["display"]["en-US"] == "launched"
    ]
    assert sorted(delivered) == sorted(s["id"] for s in _launched(app))
    assert {r.status for r in _statements(app)} == {"sent"}


def test_a_launch_is_never_queued_twice(an, app, lrs) -> None:
    from lti_app.courses.models import Person

    an.setup()
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.sub != ANA.sub))
        claims = {"nonce": "n-1"}
        when = datetime(2026, 1, 5, 9, 30, 15, 123000)
        assert xapi.record_launch(person, None, claims, when)
        assert not xapi.record_launch(person, None, claims, when.replace(microsecond=0))
        assert xapi.record_launch(person, None, {"nonce": "n-2"}, when)
        # The id_token's jti, when the platform sends one, names the launch.
        assert xapi.record_launch(person, None, {"jti": "j-1", "nonce": "n-3"}, when)
        assert not xapi.record_launch(person, None, {"jti": "j-1", "nonce": "n-4"}, when)
        # Neither: the launch time to the second.
        assert xapi.record_launch(person, None, {}, when)
        assert not xapi.record_launch(person, None, {}, when.replace(microsecond=900000))
        assert xapi.record_launch(person, None, {}, when.replace(second=16))
        db.session.commit()


def test_no_launched_statement_while_xapi_is_off(an, app) -> None:
    an.setup()
    an.join(ANA)
    an.join(ANA)
    assert _statements(app) == []
