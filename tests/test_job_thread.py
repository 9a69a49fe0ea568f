"""The embedded job thread ("thread" jobs mode) can be stopped and comes back with
the next request, so an app that goes away takes its sweeper with it."""

from __future__ import annotations

from typing import Any

from lti_app import jobs
from lti_app.jobs.runners import ThreadDispatcher
from tests.conftest import make_app


def test_a_stopped_job_thread_ends_and_the_next_request_starts_it_again(tmp_path: Any) -> None:
    app = make_app(tmp_path, JOBS_MODE="thread", JOBS_SWEEP_S=3600)
    client = app.test_client()
    client.get("/healthz")
    dispatcher = jobs.dispatcher(app)
    assert isinstance(dispatcher, ThreadDispatcher)
    thread = dispatcher._thread
    assert thread is not None and thread.is_alive()

    ThreadDispatcher.stop_all()
    assert not thread.is_alive() and dispatcher not in ThreadDispatcher._running

    client.get("/healthz")
    again = dispatcher._thread
    assert again is not None and again.is_alive() and again is not thread
    dispatcher.stop()
    assert not again.is_alive()
