"""The journal's queries on the real PostgreSQL (required in CI): a learner's
check-ins end to end, privacy of search, and the reminder sweep."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from lti_app.extensions import db
from lti_app.peer_activities.journal.services import schedule
from tests.conftest import postgres_app
from tests.journal.support import ASHA, BRUNO

pytestmark = pytest.mark.services


@pytest.fixture
def app(services: None, platform_server: Any) -> Iterator[Flask]:
    with postgres_app(platform_server, rollback=True) as application:
        application.extensions["peerlift.platform_keys"].clear()
        yield application


def test_check_ins_search_and_reminders_on_postgres(jd, clock, app) -> None:
    app.config["MAIL_SMTP_HOST"] = "smtp.test"
    jd.setup(completion="entries_and_checkins", checkin_days="30")
    asha, bruno = jd.join(ASHA), jd.join(BRUNO)
    jd.write(bruno, "Bruno's 100%_private note")
    jd.complete(asha)
    [item] = jd.items(ASHA)
    # LIKE wildcards in a query are literal; a peer's private entry is never found.
    assert jd.get(asha, "entries.json", q="100%_").get_json() == {"entries": []}
    assert len(jd.get(bruno, "entries.json", q="100%_").get_json()["entries"]) == 1
    assert jd.get(bruno, "entries.json", q="1000").get_json() == {"entries": []}
    clock.set(datetime(2026, 4, 1, 6))
    with app.app_context():
        assert schedule.remind_due_checkins() == 1
        db.session.commit()
        assert schedule.remind_due_checkins() == 0
        db.session.commit()
    checkin = jd.checkins(ASHA)[0]
    assert jd.answer(asha, checkin.public_id, {item: "regular"}).status_code == 303
    assert jd.scores() == [(ASHA.sub, 100.0, 2)]
