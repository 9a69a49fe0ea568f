"""How jobs run: on Celery workers, in a background thread, at once, or not at all."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import weakref
from typing import Any

from flask import Flask

from lti_app.extensions import db
from lti_app.jobs.registry import SWEEP, collapse_slots, handlers

log = logging.getLogger(__name__)


def run_job(app: Flask, name: str, kwargs: dict[str, Any]) -> None:
    """Run one job in its own app context: commit when it succeeds, roll back and
    log when it fails (its state is in the database; a later sweep retries it)."""
    handler = handlers()[name]
    with app.app_context():
        try:
            handler(**kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("jobs: %s(%s) failed", name, kwargs)
        finally:
            db.session.remove()


class OffDispatcher:
    """Records what was asked for; runs nothing (tests)."""

    def __init__(self, app: Flask):
        self.app = app
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def dispatch(self, name: str, kwargs: dict[str, Any]) -> None:
        self.sent.append((name, dict(kwargs)))

    def start(self) -> None:
        pass

    def dispatch_later(self, name: str, kwargs: dict[str, Any], delay: float) -> None:
        self.sent.append((name, dict(kwargs, _delay=round(delay))))


class EagerDispatcher(OffDispatcher):
    """Runs each job at once, in a separate thread with its own app context and
    session (never inside the committing session's own event)."""

    def dispatch(self, name: str, kwargs: dict[str, Any]) -> None:
        super().dispatch(name, kwargs)
        worker = threading.Thread(target=run_job, args=(self.app, name, kwargs), daemon=True)
        worker.start()
        worker.join()


#: Queued to end a ``ThreadDispatcher``'s thread (never a job's name).
_STOP = "peerlift.jobs.stop"


class ThreadDispatcher:
    """One background thread per process: jobs run in order, and every
    ``JOBS_SWEEP_S`` seconds the sweep re-enqueues anything still due. For the
    embedded deployment (SQLite, no Redis): grades are delivered, retried and
    never lost without any extra server."""

    #: Every dispatcher whose thread runs in this process (``stop_all``).
    _running: weakref.WeakSet[ThreadDispatcher] = weakref.WeakSet()

    def __init__(self, app: Flask):
        self.app = app
        self.interval = float(app.config["JOBS_SWEEP_S"])
        self.queue: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self) -> None:
        running = self._thread
        if running is not None and running.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(
                    target=self._loop, name="peerlift-jobs", daemon=True
                )
                self._thread.start()
                ThreadDispatcher._running.add(self)

    def stop(self, timeout: float = 5.0) -> None:
        """Let the job in hand finish, then end the thread (jobs still queued stay
        due in the database: the next process's sweep finds them)."""
        with self._lock:
            thread = self._thread
            self._thread = None
        ThreadDispatcher._running.discard(self)
        if thread is None or not thread.is_alive():
            return
        self._stopping.set()
        self.queue.put((_STOP, {}))
        thread.join(timeout)

    @classmethod
    def stop_all(cls) -> None:
        """Stop every dispatcher thread of this process (an app that is going away:
        a test's, or a process shutting down), so none sweeps a database that is gone."""
        for dispatcher in list(cls._running):
            dispatcher.stop()

    def dispatch(self, name: str, kwargs: dict[str, Any]) -> None:
        self.start()
        pending = list(self.queue.queue)
        if (name, kwargs) not in pending:
            self.queue.put((name, dict(kwargs)))

    def dispatch_later(self, name: str, kwargs: dict[str, Any], delay: float) -> None:
        """Not needed here: the sweep runs every ``JOBS_SWEEP_S`` seconds anyway."""

    def _loop(self) -> None:
        next_sweep = time.monotonic() + min(self.interval, 2.0)
        while not self._stopping.is_set():
            timeout = max(0.0, next_sweep - time.monotonic())
            try:
                name, kwargs = self.queue.get(timeout=timeout)
            except queue.Empty:
                name, kwargs = SWEEP, {}
                next_sweep = time.monotonic() + self.interval
            if name == _STOP:
                return
            run_job(self.app, name, kwargs)


#: A waiting-copy marker outlives a lost message by at most this long.
WAITING_TTL_S = 120


def waiting_key(queue: str, name: str, kwargs: dict[str, Any], slot: int) -> str:
    return (
        f"peerlift:jobs:waiting:{queue}:{name}:"
        f"{json.dumps(kwargs, sort_keys=True, default=str)}:{slot}"
    )


def sent_counter_key(queue: str) -> str:
    """A Redis hash: job name -> messages sent to the broker (operations, bench)."""
    return f"peerlift:jobs:sent:{queue}"


class CeleryDispatcher:
    """Sends each job to the Celery broker (Redis); ``worker`` processes run them.

    Jobs registered with ``collapse=n`` hold a marker per waiting copy in Redis
    (removed when a worker starts the copy): asking for one while ``n`` wait sends
    nothing, so a burst of 2,000 scores makes a few delivery tasks, not 2,000."""

    def __init__(self, app: Flask):
        # Lazy on purpose: Celery and the Redis client are only loaded by a
        # deployment that runs jobs on Celery, not by every process and test.
        import redis

        from lti_app.jobs.celery_app import make_celery

        self.app = app
        self.celery = make_celery(app)
        self.queue = app.config["CELERY_QUEUE"]
        self.redis = redis.Redis.from_url(
            app.config["CELERY_BROKER_URL"], socket_timeout=5, socket_connect_timeout=5
        )
        self.sent = self.collapsed = 0
        app.extensions["peerlift.celery"] = self.celery

    def start(self) -> None:
        pass

    def _slot(self, name: str, kwargs: dict[str, Any]) -> str | None:
        """A free waiting slot's key, "" when every slot is taken, None: no limit."""
        slots = collapse_slots(name)
        if not slots:
            return None
        try:
            for slot in range(slots):
                key = waiting_key(self.queue, name, kwargs, slot)
                if self.redis.set(key, "1", nx=True, ex=WAITING_TTL_S):
                    return key
        except Exception:  # Redis trouble: send the job rather than lose it
            log.warning("jobs: could not check waiting copies of %s; sending it", name)
            return None
        return ""

    def dispatch(self, name: str, kwargs: dict[str, Any]) -> None:
        key = self._slot(name, kwargs)
        if key == "":
            self.collapsed += 1
            return
        self.celery.send_task(name, kwargs=dict(kwargs, _waiting=key) if key else kwargs)
        self._count(name)

    def dispatch_later(self, name: str, kwargs: dict[str, Any], delay: float) -> None:
        self.celery.send_task(name, kwargs=kwargs, countdown=max(0.0, delay))
        self._count(name)

    def _count(self, name: str) -> None:
        self.sent += 1
        try:
            self.redis.hincrby(sent_counter_key(self.queue), name, 1)
        except Exception:  # a counter is not worth failing a dispatch for
            log.debug("jobs: could not count a sent %s", name)


def make_dispatcher(app: Flask) -> Any:
    mode = app.config["JOBS_MODE"]
    kinds = {
        "off": OffDispatcher,
        "eager": EagerDispatcher,
        "thread": ThreadDispatcher,
        "celery": CeleryDispatcher,
    }
    if mode not in kinds:
        raise RuntimeError(f"JOBS_MODE must be one of {', '.join(kinds)}, not {mode!r}")
    return kinds[mode](app)
