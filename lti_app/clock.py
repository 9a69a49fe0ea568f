"""The product's clock: what day it is for the activities (check-ins coming due,
reminders, role-play round clocks), as opposed to the real time security needs.

``now()`` is the real UTC time (``lti_app.db.utcnow``) plus an offset. Only the
sandbox sets an offset ("advance time by N days", so a newcomer can watch a 30-day
check-in come due): :func:`install` refuses production, and an app without an
installed offset (every production process) always reads real time. Security time
stays real whatever the offset: JWT exp/iat, nonce and state expiry, key rotation,
session tokens, rate limits, token caches and outbox leases all keep calling
``lti_app.db.utcnow`` (or ``time.time``) directly.

The offset is shared by every process of one installation (web server, CLI,
workers) through a small JSON file the sandbox keeps beside its state; reading it
costs one ``stat`` while unchanged, never a database statement. Tests keep it in
memory (:class:`MemoryOffset`). Times are naive UTC, as everywhere in the tool.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app, has_app_context

from lti_app.db import utcnow

EXTENSION = "peerlift.clock"
#: The most a sandbox clock may run ahead (two years: past every 30/60/90-day check-in).
MAX_OFFSET_DAYS = 730


class Offset(Protocol):
    """Where the shared offset lives."""

    def get(self) -> timedelta: ...

    def set(self, offset: timedelta) -> None: ...


class MemoryOffset:
    """The offset in this process only (tests: the live server runs in-process)."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def get(self) -> timedelta:
        return self._offset

    def set(self, offset: timedelta) -> None:
        self._offset = offset


class FileOffset:
    """The offset in a JSON file, re-read only when the file changed (one ``stat``
    per call otherwise), written atomically so a reader never sees half a file."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._offset = timedelta(0)

    def _version(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def get(self) -> timedelta:
        version = self._version()
        if version == self._seen:
            return self._offset
        with self._lock:
            offset = timedelta(0)
            if version is not None:
                try:
                    seconds = json.loads(self.path.read_text(encoding="utf-8"))["offset_seconds"]
                    offset = timedelta(seconds=int(seconds))
                except (OSError, ValueError, KeyError, TypeError):
                    offset = timedelta(0)  # a damaged file means real time, never a crash
            self._offset, self._seen = offset, version
            return offset

    def set(self, offset: timedelta) -> None:
        with self._lock:
            if not offset:
                self.path.unlink(missing_ok=True)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".sandbox-clock-")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"offset_seconds": int(offset.total_seconds())}, fh)
                os.replace(tmp, self.path)
            self._seen = None  # re-read on the next get()


def install(app: Flask, offset: Offset) -> None:
    """Let ``offset`` move ``app``'s product clock. Never in production: there the
    product clock is the real clock, whatever is configured."""
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError("the sandbox clock must never run in production")
    app.extensions[EXTENSION] = offset


def offset_of(app: Flask | None = None) -> timedelta:
    """How far ``app``'s product clock runs ahead of real time (zero when none is installed)."""
    if app is None and not has_app_context():
        return timedelta(0)
    found: Offset | None = (app or current_app).extensions.get(EXTENSION)
    return found.get() if found is not None else timedelta(0)


def shifted(real: datetime, offset: timedelta) -> datetime:
    """``real`` moved by ``offset`` (pure: what ``now`` adds)."""
    return real + offset


def advanced(current: timedelta, days: int) -> timedelta:
    """The offset after advancing ``days`` more days; refuses going backwards or
    beyond :data:`MAX_OFFSET_DAYS` (``ValueError`` with a message for the page)."""
    if days < 1:
        raise ValueError("Enter a whole number of days, 1 or more.")
    total = current + timedelta(days=days)
    if total > timedelta(days=MAX_OFFSET_DAYS):
        raise ValueError(f"The sandbox clock runs at most {MAX_OFFSET_DAYS} days ahead.")
    return total


def now() -> datetime:
    """The product's time: naive UTC, the real time plus the sandbox offset (if any)."""
    return shifted(utcnow(), offset_of())


def today() -> date:
    return now().date()
