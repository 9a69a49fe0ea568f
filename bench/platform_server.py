"""The launch benchmark's LMS: a tiny WSGI platform in its own process.

It serves what the tool and the simulated browsers need from a platform:

* ``GET /jwks`` — the platform's public key set (the tool fetches it once per worker);
* ``GET /auth`` — the OIDC authentication endpoint: it reads the tool's auth request
  (``nonce``, ``state``, ``redirect_uri``, ``login_hint``, ``lti_message_hint``) and
  answers the auto-submitting ``form_post`` page with a freshly signed ``id_token``;
* ``GET /healthz``.

``login_hint`` is ``u<learner>`` and ``lti_message_hint`` is ``l<link>``: like a real
LMS, the hints say who launches which resource link. Run it as
``python -m bench.platform_server [--port 0]``; it prints one JSON line
(``{"port": …, "issuer": …}``) on stdout once it listens, then serves until killed.
Its CPU is measured separately from the tool's.
"""

from __future__ import annotations

import argparse
import html
import json
import signal
import socketserver
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIEnvironment

from lti_app.sandbox.platform import (
    MEMBERSHIP,
    SandboxPlatform,
    SandboxUser,
    load_or_create_key,
)

CLIENT_ID = "peerlift-bench-client"
DEPLOYMENT_ID = "bench-deployment-1"
COURSES = 4


def learner(i: int) -> SandboxUser:
    return SandboxUser(
        f"bench-learner-{i:05d}",
        f"Learner {i:05d}",
        "Learner",
        f"{i:05d}",
        f"learner{i:05d}@bench.test",
        (MEMBERSHIP + "Learner",),
    )


def link_id(j: int) -> str:
    return f"bench-link-{j:03d}"


def link_title(j: int) -> str:
    return f"Bench activity {j:03d}"


def course(j: int) -> dict[str, Any]:
    """Links are spread over a few courses, so enrolments are (course, person) pairs."""
    c = j % COURSES
    return {
        "id": f"bench-course-{c}",
        "label": f"BENCH-{101 + c}",
        "title": f"Launch benchmark course {c}",
        "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
    }


_FORM = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Launching…</title></head>'
    '<body onload="document.forms[0].submit()">'
    '<form method="post" action="{action}">'
    '<input type="hidden" name="id_token" value="{id_token}">'
    '<input type="hidden" name="state" value="{state}">'
    '<noscript><button type="submit">Continue</button></noscript>'
    "</form></body></html>"
)


class BenchPlatform:
    """The WSGI app. One issuer, one client, one deployment, one RSA key per run."""

    def __init__(self, issuer: str, key_file: Path | None = None):
        # With ``key_file`` the key is kept there, so the seed step can sign the same
        # platform's launches in-process (bench/seed_work.py).
        self.platform = SandboxPlatform(
            issuer=issuer,
            client_id=CLIENT_ID,
            deployment_id=DEPLOYMENT_ID,
            key=load_or_create_key(key_file),
        )
        self._jwks = json.dumps(self.platform.jwks()).encode()
        self._users: dict[int, SandboxUser] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/auth":
            return self.auth(environ, start_response)
        if path == "/jwks":
            return self._send(start_response, "200 OK", "application/json", self._jwks)
        if path == "/healthz":
            return self._send(start_response, "200 OK", "text/plain", b"ok")
        return self._send(start_response, "404 Not Found", "text/plain", b"not found")

    @staticmethod
    def _send(start_response: StartResponse, status: str, ctype: str, body: bytes) -> list[bytes]:
        start_response(
            status,
            [
                ("Content-Type", ctype),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    def auth(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        q = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        problems = [
            name for name in ("nonce", "state", "redirect_uri", "login_hint") if not q.get(name)
        ]
        if q.get("client_id") != CLIENT_ID:
            problems.append("client_id")
        if (
            q.get("response_type") != "id_token"
            or q.get("response_mode") != "form_post"
            or q.get("scope") != "openid"
        ):
            problems.append("response_type/response_mode/scope")
        hint, link_hint = q.get("login_hint", ""), q.get("lti_message_hint", "")
        if not (hint[:1] == "u" and hint[1:].isdigit()):
            problems.append("login_hint")
        if not (link_hint[:1] == "l" and link_hint[1:].isdigit()):
            problems.append("lti_message_hint")
        if problems:
            body = ("bad authentication request: " + ", ".join(problems)).encode()
            return self._send(start_response, "400 Bad Request", "text/plain", body)
        i, j = int(hint[1:]), int(link_hint[1:])
        user = self._users.get(i)
        if user is None:
            user = self._users.setdefault(i, learner(i))
        claims = self.platform.claims(
            user,
            nonce=q["nonce"],
            target_link_uri=q["redirect_uri"],
            resource_link={"id": link_id(j), "title": link_title(j)},
            context=course(j),
        )
        page = _FORM.format(
            action=html.escape(q["redirect_uri"]),
            id_token=html.escape(self.platform.sign(claims)),
            state=html.escape(q["state"]),
        )
        return self._send(start_response, "200 OK", "text/html; charset=utf-8", page.encode())


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops SYNs under a burst (1 s retransmits)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument(
        "--key-file",
        type=Path,
        default=None,
        help="keep the platform's RSA key in this PEM file (created if absent)",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    holder: dict[str, BenchPlatform] = {}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return holder["app"](environ, start_response)

    server = make_server(
        args.host, args.port, app, server_class=_Server, handler_class=_QuietHandler
    )
    port = server.server_port
    issuer = f"http://{args.host}:{port}"
    holder["app"] = BenchPlatform(issuer, args.key_file)
    print(
        json.dumps(
            {"port": port, "issuer": issuer, "client_id": CLIENT_ID, "deployment_id": DEPLOYMENT_ID}
        ),
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
