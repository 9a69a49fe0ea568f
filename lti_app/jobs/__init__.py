"""Background jobs: grade delivery, roster sync, the periodic sweep.

Packages register handlers by name from their ``init_app``
(``jobs.register_job("grades.deliver", deliver)``; the table is ``registry``) and ask for them
with :func:`after_commit`, which dispatches only once the transaction that made
the work has committed (a rolled-back request enqueues nothing). How a job runs
is the deployment's choice (``JOBS_MODE``):

- ``celery``: a Celery task on the Redis broker, run by ``worker`` processes on
  any number of machines; ``beat`` runs the sweep;
- ``thread``: a background thread in this process (the embedded default: no
  Redis, no worker process, grades still reach the LMS);
- ``eager``: run at once in a fresh app context (tests);
- ``off``: only recorded (tests that look at what was asked for).

Jobs are idempotent and their state lives in the database, so a lost message
only delays work: the sweep finds what is still due and enqueues it again.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from lti_app.db import WROTE
from lti_app.jobs.registry import (
    SWEEP,
    collapse_slots,
    handlers,
    known,
    register_job,
    register_sweeper,
    sweep,
)
from lti_app.jobs.runners import make_dispatcher

__all__ = [
    "SWEEP",
    "after_commit",
    "collapse_slots",
    "dispatcher",
    "enqueue",
    "enqueue_later",
    "handlers",
    "init_app",
    "pending_jobs",
    "register_job",
    "register_sweeper",
    "sweep",
]

log = logging.getLogger(__name__)

_PENDING = "peerlift.jobs"
EXTENSION = "peerlift.jobs"


def dispatcher(app: Flask | None = None) -> Any:
    return (app or current_app).extensions[EXTENSION]


def enqueue(name: str, **kwargs: Any) -> None:
    """Dispatch ``name`` now (for callers outside a transaction: sweeps, the CLI)."""
    if not known(name):
        raise KeyError(f"unknown job {name!r}")
    dispatcher().dispatch(name, kwargs)


def enqueue_later(name: str, delay: float, **kwargs: Any) -> None:
    """Dispatch ``name`` in ``delay`` seconds where the runner can (Celery); the
    sweep is the fallback everywhere."""
    if not known(name):
        raise KeyError(f"unknown job {name!r}")
    dispatcher().dispatch_later(name, kwargs, delay)


def after_commit(session: Session, name: str, **kwargs: Any) -> None:
    """Dispatch ``name`` once the *outermost* transaction of ``session`` commits;
    duplicates within one transaction collapse into one.

    Releasing a SAVEPOINT (``begin_nested()``) is not a commit: SQLAlchemy fires
    ``after_commit`` for it too, but the work is still invisible to a worker and
    may yet be rolled back. A job queued inside a savepoint that is rolled back is
    dropped with it; a rollback of the outermost transaction drops every job.
    """
    if not known(name):
        raise KeyError(f"unknown job {name!r}")
    pending: list[_Pending] = session.info.setdefault(_PENDING, [])
    if not any(p.name == name and p.kwargs == kwargs for p in pending):
        pending.append(_Pending(name, dict(kwargs), session.get_nested_transaction()))
    session.info[WROTE] = True  # the request boundary must commit for the job to go


class _Pending:
    """A job waiting for the outermost commit, and the savepoint it was asked in."""

    __slots__ = ("kwargs", "name", "savepoint")

    def __init__(self, name: str, kwargs: dict[str, Any], savepoint: Any):
        self.name, self.kwargs, self.savepoint = name, kwargs, savepoint

    def inside(self, savepoint: Any) -> bool:
        """Asked inside ``savepoint`` (or a savepoint nested in it)."""
        tx = self.savepoint
        while tx is not None:
            if tx is savepoint:
                return True
            tx = tx.parent
        return False


def pending_jobs(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """What will be dispatched when the outermost transaction commits (tests, logs)."""
    return [(p.name, dict(p.kwargs)) for p in session.info.get(_PENDING, [])]


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session: Session) -> None:
    # While a SAVEPOINT is released the session is still in that nested
    # transaction: the outer one is open, nothing is visible to a worker yet.
    if session.in_nested_transaction():
        return
    pending: list[_Pending] | None = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    jobs = dispatcher()
    for item in pending:
        try:
            jobs.dispatch(item.name, item.kwargs)
        except Exception:  # the work is in the database; the sweep will pick it up
            log.exception("jobs: could not dispatch %s; the sweep will retry it", item.name)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    savepoint = session.get_nested_transaction()
    if savepoint is None:  # the outermost transaction: nothing it asked for happens
        session.info.pop(_PENDING, None)
        return
    pending: list[_Pending] = session.info.get(_PENDING, [])
    # Only what was asked inside the rolled-back savepoint goes; the rest waits
    # for the outer transaction.
    session.info[_PENDING] = [p for p in pending if not p.inside(savepoint)]


def init_app(app: Flask) -> None:
    """The runner ``JOBS_MODE`` names, as this app's dispatcher."""
    app.extensions[EXTENSION] = make_dispatcher(app)
