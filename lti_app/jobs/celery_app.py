"""The Celery application: one task per registered job, plus the periodic sweep."""

from __future__ import annotations

from typing import Any

from celery import Celery
from flask import Flask


def make_celery(app: Flask) -> Celery:
    from lti_app.jobs import SWEEP, handlers
    from lti_app.jobs.runners import run_job

    broker = app.config["CELERY_BROKER_URL"]
    if not broker:
        raise RuntimeError("JOBS_MODE=celery needs PEERLIFT_REDIS_URL or "
                           "PEERLIFT_CELERY_BROKER_URL")
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
        beat_schedule={"peerlift-sweep": {"task": SWEEP,
                                          "schedule": float(app.config["JOBS_SWEEP_S"])}},
    )

    for name in handlers():
        def task(_name: str = name, **kwargs: Any) -> None:
            run_job(app, _name, kwargs)

        celery.task(name=name, ignore_result=True)(task)
    return celery
