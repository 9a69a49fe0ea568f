"""gunicorn config for ``bench/launch --profile``: cProfile every worker (CPU time).

Profiling starts at a worker's first request after the file ``$BENCH_PROFILE_START``
exists (so the warm-up is left out) and each worker writes
``$BENCH_PROFILE_DIR/worker-<pid>.prof`` when it exits. The timer is process CPU
time, so waiting on PostgreSQL, Redis or the socket costs nothing in the profile.
"""

from __future__ import annotations

import cProfile
import os
import time
from typing import Any

_state: dict[str, Any] = {"profile": None}


def pre_request(worker: Any, req: Any) -> None:
    if _state["profile"] is None and os.path.exists(os.environ["BENCH_PROFILE_START"]):
        prof = cProfile.Profile(time.process_time)
        _state["profile"] = prof
        prof.enable()


def worker_exit(server: Any, worker: Any) -> None:
    prof = _state["profile"]
    if prof is not None:
        prof.disable()
        prof.dump_stats(os.path.join(os.environ["BENCH_PROFILE_DIR"], f"worker-{os.getpid()}.prof"))


def post_worker_init(worker: Any) -> None:
    """As ``bench/gunicorn_bench.py`` (the production start-up hook)."""
    from lti_app.warm import start_worker

    start_worker(worker.wsgi)
