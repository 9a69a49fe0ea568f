"""Real Celery worker processes for the tests that need them (PostgreSQL + Redis).

``pg_app``: an app on the real PostgreSQL test database whose jobs go to a Celery
queue of its own on the test Redis. ``workers``: start named workers on that queue
(``workers.start("w1", PEERLIFT_GRADES_BATCH="25")`` — extra settings as environment
variables), each waited for until it has connected to the broker; all are stopped
when the test ends. Their output is in ``workers.outputs()``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import PG_URL, REDIS_URL, postgres_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_app(services: None) -> Iterator[Flask]:
    queue = f"peerlift-test-{uuid.uuid4().hex[:8]}"
    with postgres_app(
        REDIS_URL=REDIS_URL, JOBS_MODE="celery", CELERY_BROKER_URL=REDIS_URL, CELERY_QUEUE=queue
    ) as app:
        yield app


class Workers:
    """Celery worker processes on the app's queue, stopped at the end."""

    def __init__(self, app: Flask, tmp: Path):
        self.app, self.tmp = app, tmp
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        """Start worker ``name`` and wait until it is ready to take a task."""
        log = self.tmp / f"{name}.log"
        full = dict(
            os.environ,
            PEERLIFT_ENV="production",
            PEERLIFT_BASE_URL="https://tool.test",
            PEERLIFT_SECRET_KEY="worker-test-secret",
            PEERLIFT_DATABASE_URL=PG_URL,
            PEERLIFT_REDIS_URL=REDIS_URL,
            PEERLIFT_CELERY_QUEUE=self.app.config["CELERY_QUEUE"],
            PEERLIFT_GRADES_BACKOFF_BASE="1",
            PEERLIFT_GRADES_BACKOFF_CAP="2",
            PEERLIFT_LOG_LEVEL="INFO",
        )
        full.update(env)
        celery = str(Path(sys.executable).with_name("celery"))
        with log.open("wb") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                [
                    celery,
                    "-A",
                    "lti_app.worker:celery",
                    "worker",
                    "--pool=solo",
                    "-n",
                    f"{name}@%h",
                    "-Q",
                    self.app.config["CELERY_QUEUE"],
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=full,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        self.logs.append(log)
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline and proc.poll() is None, self.output()
            time.sleep(0.2)
        return proc

    def outputs(self) -> list[str]:
        return [log.read_text(errors="replace") for log in self.logs]

    def output(self) -> str:
        return "\n".join(self.outputs())

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=20)


@pytest.fixture
def workers(pg_app: Flask, tmp_path: Path) -> Iterator[Workers]:
    found = Workers(pg_app, tmp_path)
    yield found
    found.stop()
