"""The services benchmark's LMS: the sandbox platform, in its own process.

It is the same platform code as the demo's sandbox (OAuth2 tokens checked
against the tool's JWKS, NRPS with Link paging, AGS with Moodle's rules),
holding a generated course of ``--members`` learners in memory, served by a
threaded HTTP server. Extra route for the benchmark: ``GET /__bench/stats``
(token requests, scores accepted, any score accepted twice).

Run as ``python -m bench.services_platform --members 10000 --tool-url URL``; it
prints one JSON line (``{"port", "issuer", "client_id", "deployment_id",
"context_id", "link_id"}``) once it listens, then serves until killed.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.serving import make_server

from lti_app.sandbox.app import create_sandbox_app
from lti_app.sandbox.platform import MEMBERSHIP, SandboxPlatform, SandboxUser
from lti_app.sandbox.store import DEMO_COURSE_ID


def learners(count: int) -> list[SandboxUser]:
    return [
        SandboxUser(
            f"bench-{i:06d}",
            f"Bench Learner {i:06d}",
            "Bench",
            f"L{i:06d}",
            f"bench{i}@example.test",
            (MEMBERSHIP + "Learner",),
        )
        for i in range(count)
    ]


class Counting:
    """Counts token requests in front of the sandbox app (thread-safe)."""

    def __init__(self, app: Any):
        self.app = app
        self.tokens = 0
        self.lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/__bench/stats":
            store = self.app.extensions["sandbox"].store
            accepted = {
                item["id"]: store.accepted_counts(item["id"])
                for item in store.lineitems(DEMO_COURSE_ID)
            }
            body = json.dumps(
                {
                    "token_requests": self.tokens,
                    "accepted": {k: sum(v.values()) for k, v in accepted.items()},
                    "duplicates": {
                        k: sum(1 for n in v.values() if n > 1) for k, v in accepted.items()
                    },
                    "users": {k: len(v) for k, v in accepted.items()},
                }
            ).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        if path == "/token" and environ["REQUEST_METHOD"] == "POST":
            with self.lock:
                self.tokens += 1
        return self.app(environ, start_response)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.services_platform")
    p.add_argument("--members", type=int, default=10_000)
    p.add_argument("--tool-url", required=True, help="where the tool serves /lti/jwks")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args(argv)

    holder: dict[str, Any] = {}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        wsgi: Any = holder["app"]
        result: Iterable[bytes] = wsgi(environ, start_response)
        return result

    server = make_server("127.0.0.1", args.port, app, threaded=True)
    issuer = f"http://127.0.0.1:{server.server_port}"
    platform = SandboxPlatform(issuer=issuer)
    sandbox = create_sandbox_app(
        platform, args.tool_url, None, extra_members=learners(args.members)
    )
    holder["app"] = Counting(sandbox)
    store = sandbox.extensions["sandbox"].store
    link = store.add_link(
        DEMO_COURSE_ID,
        url=args.tool_url + "/lti/launch",
        title="Bench activity",
        text="",
        custom={},
    )
    # The link's completion column, as deep linking declares it (its URL reaches the
    # tool in every launch as the coupled line item).
    item = store.add_lineitem(
        DEMO_COURSE_ID,
        {
            "label": "Bench activity: completion",
            "scoreMaximum": 100,
            "resourceLinkId": link["id"],
            "tag": "peerlift-completion",
            "resourceId": None,
            "startDateTime": None,
            "endDateTime": None,
        },
    )
    store.couple(link["id"], item["id"])
    lineitem_url = sandbox.extensions["sandbox"].lineitem_url(DEMO_COURSE_ID, item["id"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(
        json.dumps(
            {
                "port": server.server_port,
                "issuer": issuer,
                "client_id": platform.client_id,
                "deployment_id": platform.deployment_id,
                "context_id": DEMO_COURSE_ID,
                "link_id": link["id"],
                "lineitem_url": lineitem_url,
            }
        ),
        flush=True,
    )
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
