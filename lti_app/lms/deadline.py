"""A hard wall-clock deadline on one HTTP exchange, whatever the server's pace.

Per-read timeouts never fire on a server that sends a byte every second; a
:class:`Deadline` does: when it passes, a watchdog thread shuts down every
socket opened for the exchange, which ends whatever read or write is blocked
on it (connect, TLS, sending, headers, body). Use a :class:`DeadlineAdapter`
on a requests session made for that one exchange.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Deadline:
    """A wall-clock limit on one exchange: when it passes, every socket opened for
    the exchange is shut down, which ends whatever read or write is blocked on it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self._at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def watched_pools(deadline: Deadline) -> dict[str, type[HTTPConnectionPool]]:
    """Connection pools whose connections register their socket with ``deadline``."""

    class WatchedHTTP(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            deadline.watch(sock)
            return sock

    class WatchedHTTPS(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            deadline.watch(sock)
            return sock

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = WatchedHTTP

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPS

    return {"http": HTTPPool, "https": HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """A requests adapter whose connections are cut when ``deadline`` passes
    (no retries; one exchange per session)."""

    def __init__(self, deadline: Deadline):
        self._deadline = deadline
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = watched_pools(self._deadline)
