"""The journal's one clock. Everything time-dependent (completion dates, due
check-ins, reminders) asks ``now()``, so tests move time by patching it.

It is the product clock (``lti_app.clock``): real time, plus the sandbox clock's
offset in development, so advancing the sandbox clock makes check-ins come due.
Times are naive UTC; check-in days are UTC days.
"""

from __future__ import annotations

from datetime import date, datetime

from lti_app import clock as product_clock


def now() -> datetime:
    return product_clock.now()


def today() -> date:
    return now().date()
