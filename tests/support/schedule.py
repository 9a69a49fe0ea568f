"""How ``make test`` splits the run over processes (pytest-xdist).

Like ``--dist loadfile`` (a test file stays on one worker, so its module fixtures,
such as a live sandbox, are built once), except that every test file using the
real PostgreSQL or Redis is one unit: those files run on one worker, one test at a
time, sharing the one test database and Redis db exactly as in a serial run.
(xdist's own ``loadgroup`` marks do not take effect under the pytest this project
pins, so the rule reads the test files.)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from xdist.scheduler import LoadFileScheduling

#: Text that marks a test file as using PostgreSQL/Redis.
SERVICE_HINTS = ("mark.services", "postgres_app", "PG_URL", "REDIS_URL")


@cache
def uses_services(path: Path) -> bool:
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return any(hint in source for hint in SERVICE_HINTS)


class ServicesTogether(LoadFileScheduling):
    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return "services" if uses_services(self.config.rootpath / path) else path
