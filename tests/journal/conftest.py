"""Fixtures for the journal tests: a clock the tests move, and a journal driver."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from lti_app.peer_activities.journal import clock as journal_clock
from tests.journal.support import JournalDriver


class _SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by the tests' apps (as tests/grouping/conftest.py)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedTemplateCache()


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
    app.jinja_env.bytecode_cache = _TEMPLATES
    return JournalDriver(lti, app)


@pytest.fixture(autouse=True)
def _other_activities_notices_cannot_break_these_tests(monkeypatch: pytest.MonkeyPatch,
                                                        app: Any) -> None:
    """Another activity's notice provider, while being built, may fail on every launch;
    these tests are about the journal's notices, so others' failures are skipped here
    (the journal's own providers run unwrapped)."""
    from lti_app.peer_activities import notices

    def guarded(fn: Any) -> Any:
        if fn.__module__.startswith("lti_app.peer_activities.journal"):
            return fn

        def call(actor: Any) -> list[Any]:
            from lti_app.extensions import db

            try:
                with db.session.begin_nested():
                    return list(fn(actor))
            except Exception:  # noqa: BLE001 - not the journal's concern
                return []

        return call

    monkeypatch.setattr(notices, "_PROVIDERS", [guarded(f) for f in notices._PROVIDERS])
