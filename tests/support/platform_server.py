"""A real HTTP server on 127.0.0.1 for the platform side of tests (JWKS and friends).

The tool fetches platform keys over HTTP exactly as in production; this serves
them from a thread, on a free port, for the length of the test session.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.serving import BaseWSGIServer, make_server

from tests.support.database import JOINED

WSGIApp = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]


class LiveServer:
    def __init__(self, app: WSGIApp):
        if getattr(app, "extensions", {}).get(JOINED) is not None:
            raise RuntimeError(
                "a live server's threads cannot see a test's rolled-back "
                "transaction: mark the test committed_db"
            )
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        # A short poll interval: shutting a server down takes one interval.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


class JwksApp:
    """Serves ``/jwks`` from a callable, plus deliberately broken variants."""

    def __init__(self, jwks: Callable[[], dict[str, Any]]):
        self.jwks = jwks
        self.hits = 0
        #: Answers every other path when set (a test's platform on this origin).
        self.fallback: WSGIApp | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/jwks":
            self.hits += 1
            body = json.dumps(self.jwks()).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        if path == "/not-json":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<html>maintenance</html>"]
        if path == "/error":
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down"]
        if self.fallback is not None:
            return list(self.fallback(environ, start_response))
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
