"""The journal's one clock. Everything time-dependent (completion dates, due
check-ins, reminders) asks ``now()``, so tests move time by patching it.

Times are naive UTC (as ``lti_app.db.utcnow``); check-in days are UTC days.
"""

from __future__ import annotations

from datetime import date, datetime

from lti_app.db import utcnow


def now() -> datetime:
    return utcnow()


def today() -> date:
    return now().date()
