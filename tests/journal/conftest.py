"""Fixtures for the journal tests: a clock the tests move, and a journal driver."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from lti_app.peer_activities.journal import clock as journal_clock
from tests.journal.support import JournalDriver
from tests.support.templates import TEMPLATES


class Clock:
    """The journal's clock, moved by the test (naive UTC)."""

    def __init__(self, start: datetime):
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when

    def advance(self, days: int = 0, hours: int = 0) -> datetime:
        self.current += timedelta(days=days, hours=hours)
        return self.current


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(datetime(2026, 3, 2, 9, 0))
    monkeypatch.setattr(journal_clock, "now", fake.now)
    return fake


@pytest.fixture
def jd(lti: Any, app: Any, clock: Clock) -> JournalDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    return JournalDriver(lti, app)
