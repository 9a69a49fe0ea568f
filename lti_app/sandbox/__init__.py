"""The sandbox LMS: a small, real LTI 1.3 platform mounted inside the tool at /sandbox.

For the click-through demo and the end-to-end tests. The app factory calls
:func:`init_app`, which mounts it only when ``SANDBOX_ENABLED`` and not in
production; :func:`mount` refuses production on its own as well, because the
sandbox signs launches for anyone who asks. The sandbox app, its routes and its
CLI are imported inside :func:`mount` on purpose: a production process never
loads them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lti_app import clock, jobs
from lti_app.sandbox.context import Sandbox

PREFIX = "/sandbox"
_EXTENSION = "peerlift.sandbox"


@functools.cache
def _memory_key() -> rsa.RSAPrivateKey:
    """Tests keep the platform key in memory; one per process keeps app builds fast."""
    # Lazy: only a process that mounts the sandbox loads it (see the module docstring).
    from lti_app.sandbox.platform import load_or_create_key

    return load_or_create_key(None)


def _hint_secret(secret_key: str) -> str:
    """A secret for the sandbox's login hints, derived from (never equal to) the tool's."""
    return hmac.new(secret_key.encode(), b"peerlift-sandbox-hints", hashlib.sha256).hexdigest()


def _clock_secret(secret_key: str) -> str:
    """A secret for the sandbox clock's forms, derived from (never equal to) the tool's."""
    return hmac.new(secret_key.encode(), b"peerlift-sandbox-clock", hashlib.sha256).hexdigest()


def _sweep(app: Flask) -> None:
    """After the sandbox clock moved: the tool's sweep finds what came due (check-in
    reminders and the like) and enqueues it, as the periodic sweep would."""
    with app.app_context():
        jobs.enqueue(jobs.SWEEP)


def init_app(app: Flask) -> None:
    """Mount the sandbox where it is wanted: ``SANDBOX_ENABLED``, never production."""
    if app.config["SANDBOX_ENABLED"] and app.config["ENV_NAME"] != "production":
        mount(app)


def mount(app: Flask) -> Flask:
    """Build the sandbox for ``app`` and serve it under /sandbox; returns the sandbox app.

    Issuer is BASE_URL/sandbox. Development keeps the platform key and the state in
    ``instance/``; testing keeps both in memory.
    """
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError("the sandbox LMS must never run in production")
    # Lazy: only a process that mounts the sandbox loads it (see the module docstring).
    from config.development import INSTANCE
    from lti_app.sandbox.app import create_sandbox_app
    from lti_app.sandbox.cli import sandbox_cli
    from lti_app.sandbox.clock_pages import SandboxClock
    from lti_app.sandbox.platform import SandboxPlatform, load_or_create_key

    base_url = app.config["BASE_URL"]
    testing = app.config["ENV_NAME"] == "testing"
    key = _memory_key() if testing else load_or_create_key(INSTANCE / "sandbox-platform-key.pem")
    state_path: Path | None = None if testing else INSTANCE / "sandbox-state.json"
    offset = clock.MemoryOffset() if testing else clock.FileOffset(INSTANCE / "sandbox-clock.json")
    clock.install(app, offset)
    sandbox_app = create_sandbox_app(
        SandboxPlatform(issuer=base_url + PREFIX, key=key),
        base_url,
        state_path,
        secret_key=_hint_secret(app.config["SECRET_KEY"]),
        clock=SandboxClock(
            offset, functools.partial(_sweep, app), _clock_secret(app.config["SECRET_KEY"])
        ),
    )
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: sandbox_app})  # type: ignore[method-assign]
    app.extensions[_EXTENSION] = sandbox_app
    app.cli.add_command(sandbox_cli)
    return sandbox_app


def sandbox_of(app: Flask) -> Sandbox:
    """The sandbox mounted in the tool ``app`` (platform, store, tool endpoints)."""
    sandbox: Sandbox = app.extensions[_EXTENSION].extensions["sandbox"]
    return sandbox
