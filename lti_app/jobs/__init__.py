"""Background jobs: grade delivery, roster sync, the periodic sweep.

Features register handlers by name (``@job("grades.deliver")``) and ask for them
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
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from lti_app.db import WROTE

log = logging.getLogger(__name__)

Handler = Callable[..., Any]
_handlers: dict[str, Handler] = {}
_sweepers: list[Callable[[], None]] = []
_PENDING = "peerlift.jobs"
EXTENSION = "peerlift.jobs"
SWEEP = "peerlift.sweep"


def job(name: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of job ``name`` (keyword arguments only)."""

    def register(fn: Handler) -> Handler:
        _handlers[name] = fn
        return fn

    return register


def sweeper(fn: Callable[[], None]) -> Callable[[], None]:
    """Register ``fn`` to run on every sweep; it enqueues whatever is still due."""
    if fn not in _sweepers:
        _sweepers.append(fn)
    return fn


def handlers() -> dict[str, Handler]:
    return dict(_handlers)


@job(SWEEP)
def sweep() -> None:
    """Re-enqueue anything still due, so a lost message never loses work."""
    for fn in list(_sweepers):
        try:
            fn()
        except Exception:  # one feature's failure must not stop the others' sweep
            log.exception("jobs: sweeper %s failed", getattr(fn, "__name__", fn))


def dispatcher(app: Flask | None = None) -> Any:
    return (app or current_app).extensions[EXTENSION]


def enqueue(name: str, **kwargs: Any) -> None:
    """Dispatch ``name`` now (for callers outside a transaction: sweeps, the CLI)."""
    if name not in _handlers:
        raise KeyError(f"unknown job {name!r}")
    dispatcher().dispatch(name, kwargs)


def enqueue_later(name: str, delay: float, **kwargs: Any) -> None:
    """Dispatch ``name`` in ``delay`` seconds where the runner can (Celery); the
    sweep is the fallback everywhere."""
    if name not in _handlers:
        raise KeyError(f"unknown job {name!r}")
    dispatcher().dispatch_later(name, kwargs, delay)


def after_commit(session: Session, name: str, **kwargs: Any) -> None:
    """Dispatch ``name`` once ``session`` commits; duplicates within one
    transaction collapse into one."""
    if name not in _handlers:
        raise KeyError(f"unknown job {name!r}")
    pending: list[tuple[str, dict[str, Any]]] = session.info.setdefault(_PENDING, [])
    if (name, kwargs) not in pending:
        pending.append((name, kwargs))
    session.info[WROTE] = True  # the request boundary must commit for the job to go


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    jobs = dispatcher()
    for name, kwargs in pending:
        try:
            jobs.dispatch(name, kwargs)
        except Exception:  # the work is in the database; the sweep will pick it up
            log.exception("jobs: could not dispatch %s; the sweep will retry it", name)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    from lti_app.jobs.runners import make_dispatcher

    app.extensions[EXTENSION] = make_dispatcher(app)
