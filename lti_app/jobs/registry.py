"""Which jobs exist: handlers by name, how many waiting copies each may have, and
the sweepers the periodic sweep runs.

Packages fill it from their ``init_app`` (:func:`register_job`,
:func:`register_sweeper`); the runners (``runners``, ``celery_app``) and the
dispatch API (``lti_app.jobs``) only read it, so every one of them imports this
module at the top and nothing imports back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[..., Any]
_handlers: dict[str, Handler] = {}
#: Job name -> how many not-yet-started copies (per arguments) may wait in the
#: broker; more requests for the same work collapse into the waiting ones.
_collapse: dict[str, int] = {}
_sweepers: list[Callable[[], None]] = []

#: The periodic job that runs every sweeper (Celery beat, the thread runner).
SWEEP = "peerlift.sweep"


def register_job(name: str, fn: Handler, *, collapse: int = 0) -> None:
    """Make ``fn`` the handler of job ``name`` (keyword arguments only). Called from
    the owning package's ``init_app`` so wiring is explicit, never an import effect.

    ``collapse``: at most this many copies with the same arguments wait in the
    broker at once; asking again while they wait adds nothing (a job that drains
    whatever is due needs no second copy queued behind the first)."""
    _handlers[name] = fn
    if collapse:
        _collapse[name] = collapse


def register_sweeper(fn: Callable[[], None]) -> None:
    """Run ``fn`` on every sweep (it enqueues whatever is still due). Called from the
    owning package's ``init_app``."""
    if fn not in _sweepers:
        _sweepers.append(fn)


def handlers() -> dict[str, Handler]:
    return dict(_handlers)


def sweepers() -> list[Callable[[], None]]:
    return list(_sweepers)


def known(name: str) -> bool:
    return name in _handlers


def collapse_slots(name: str) -> int:
    """How many waiting copies of ``name`` the broker may hold (0: no limit)."""
    return _collapse.get(name, 0)


def sweep() -> None:
    """Re-enqueue anything still due, so a lost message never loses work."""
    for fn in list(_sweepers):
        try:
            fn()
        except Exception:  # one feature's failure must not stop the others' sweep
            log.exception("jobs: sweeper %s failed", getattr(fn, "__name__", fn))


register_job(SWEEP, sweep)  # the registry's own job: always known, whatever is wired
