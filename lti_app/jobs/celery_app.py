"""The Celery application: one task per registered job, plus the periodic sweep."""

from __future__ import annotations

import logging
from typing import Any

import redis
from celery import Celery
from flask import Flask

from lti_app.jobs.registry import SWEEP, handlers
from lti_app.jobs.runners import run_job

log = logging.getLogger(__name__)


def make_celery(app: Flask) -> Celery:
    broker = app.config["CELERY_BROKER_URL"]
    if not broker:
        raise RuntimeError(
            "JOBS_MODE=celery needs PEERLIFT_REDIS_URL or PEERLIFT_CELERY_BROKER_URL"
        )
    celery = Celery("peerlift", broker=broker, set_as_current=False)
    celery.conf.update(
        task_ignore_result=True,
        # A task is acknowledged only once done: a worker that dies mid-task has its
        # task redelivered (every job is idempotent).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        task_default_queue=app.config["CELERY_QUEUE"],
        worker_hijack_root_logger=False,
        beat_schedule={
            "peerlift-sweep": {"task": SWEEP, "schedule": float(app.config["JOBS_SWEEP_S"])}
        },
    )

    waiting = redis.Redis.from_url(broker, socket_timeout=5, socket_connect_timeout=5)

    for name in handlers():

        def task(_name: str = name, **kwargs: Any) -> None:
            key = kwargs.pop("_waiting", None)
            if key:
                # Started: this copy no longer waits, so work that arrives from now
                # on (maybe after this run has looked) gets a copy of its own.
                try:
                    waiting.delete(key)
                except Exception:  # the marker expires on its own
                    log.warning("jobs: could not clear the waiting marker of %s", _name)
            run_job(app, _name, kwargs)

        celery.task(name=name, ignore_result=True)(task)
    return celery
