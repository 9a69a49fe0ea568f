"""The sandbox clock: "advance time by N days" and "back to real time", so a
newcomer can watch a 30-day check-in come due, its reminder go out and the
transfer figures fill in without waiting a month.

It moves the tool's *product* clock only (``lti_app.clock``: activities, check-ins,
round clocks); security time (tokens, nonces, keys, rate limits) stays real. The
mount (``lti_app.sandbox.mount``) hands over the offset and a callback that runs the
tool's sweeps, so whatever became due is enqueued at once. Never in production:
the sandbox is not mounted there, and ``lti_app.clock.install`` refuses it too.

The forms carry a signed, short-lived token (the sandbox keeps no session), so
another site cannot move the clock by posting to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lti_app import clock
from lti_app.db import utcnow

bp = Blueprint("clock", __name__)

EXTENSION = "sandbox.clock"
#: How long a clock form stays usable (real time).
FORM_TTL_S = 3600
_PURPOSE = "sandbox-clock"


@dataclass
class SandboxClock:
    """The tool's product-clock offset, and what to run after it moved."""

    offset: clock.Offset
    #: Runs the tool's sweeps (in the tool's app), so what came due is enqueued.
    after_change: Callable[[], None]
    secret: str

    def _signer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt="sandbox.clock")

    def form_token(self) -> str:
        return self._signer().dumps(_PURPOSE)

    def token_ok(self, token: str) -> bool:
        try:
            return bool(self._signer().loads(token, max_age=FORM_TTL_S) == _PURPOSE)
        except BadSignature:
            return False

    def view(self) -> dict[str, Any]:
        """What the clock box shows."""
        offset = self.offset.get()
        return {
            "simulated": clock.shifted(utcnow(), offset),
            "days_ahead": offset.days,
            "ahead": offset > timedelta(0),
            "token": self.form_token(),
        }


def _clock() -> SandboxClock:
    found: SandboxClock | None = current_app.extensions.get(EXTENSION)
    if found is None:
        abort(404)
    return found


def _checked() -> SandboxClock:
    sandbox_clock = _clock()
    if not sandbox_clock.token_ok(request.form.get("csrf_token", "")):
        abort(403, description="This form has expired. Reload the page and try again.")
    return sandbox_clock


def _back(**message: str) -> Any:
    target = request.form.get("next", "")
    # Only a path on this sandbox: never an open redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("pages.home")
    sep = "&" if "?" in target else "?"
    if message:
        target += sep + urlencode({f"clock_{k}": v for k, v in message.items()})
    return redirect(target, code=303)


@bp.post("/clock/advance")
def advance() -> Any:
    """Move the tool's product clock ``days`` days ahead, then run its sweeps."""
    sandbox_clock = _checked()
    raw = request.form.get("days", "").strip()
    try:
        days = int(raw)
        total = clock.advanced(sandbox_clock.offset.get(), days)
    except ValueError as exc:
        # The reason, and what was typed, come back next to the field.
        why = str(exc) if raw.lstrip("-").isdigit() else "Enter a whole number of days."
        return _back(error=why, days=raw[:12])
    sandbox_clock.offset.set(total)
    sandbox_clock.after_change()
    return _back(moved=str(days))


@bp.post("/clock/reset")
def reset() -> Any:
    """Back to real time."""
    sandbox_clock = _checked()
    sandbox_clock.offset.set(timedelta(0))
    return _back(moved="0")


@bp.app_context_processor
def _clock_box() -> dict[str, Any]:
    found: SandboxClock | None = current_app.extensions.get(EXTENSION)
    if found is None:
        return {"sandbox_clock": None}
    view = found.view()
    view["error"] = request.args.get("clock_error", "")[:200]
    view["typed"] = request.args.get("clock_days", "")[:12]
    view["moved"] = request.args.get("clock_moved", "")
    kept = [(k, v) for k, v in request.args.items(multi=True) if not k.startswith("clock_")]
    view["next"] = request.script_root + request.path + ("?" + urlencode(kept) if kept else "")
    return {"sandbox_clock": view}
