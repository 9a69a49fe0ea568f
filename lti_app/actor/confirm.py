"""One-time confirmations carried across a redirect ("Scenario saved.").

An action answers with a 303 back to a page; the page should then say what was
done. A flash kept in a cookie or the database would cost the page a statement
(and cookies may be blocked in an LMS frame), so the message rides signed in the
redirect URL itself (``confirmed=``), like the session token:

- signed with the app's secret and bound to the person and platform of the session
  that asked for it, so a link cannot make a page claim something to someone else;
- valid for :data:`MAX_AGE_S` seconds, so an old address says nothing;
- shown once: the page removes ``confirmed`` from its address (``history.replaceState``),
  so a reload or a bookmark does not repeat it.

Reading it costs no statement: ``g.actor`` is already loaded by the page.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "peerlift.done.v1"
#: How long a confirmation link says its message (seconds).
MAX_AGE_S = 120
#: Longest message carried (a sentence, never user content of any length).
MAX_CHARS = 200
PARAM = "confirmed"

_serializers: dict[tuple[str, ...], URLSafeTimedSerializer] = {}


def _serializer() -> URLSafeTimedSerializer:
    keys = (*current_app.config.get("SECRET_KEY_FALLBACKS", []), current_app.config["SECRET_KEY"])
    found = _serializers.get(keys)
    if found is None:
        found = _serializers[keys] = URLSafeTimedSerializer(list(keys), salt=SALT)
    return found


def _binding(actor: Any) -> list[str]:
    return [actor.registration.public_id, actor.person.public_id]


def sign(actor: Any, message: str) -> str:
    """The ``done`` value that makes the next page of ``actor`` say ``message``."""
    value: str = _serializer().dumps({"m": message[:MAX_CHARS], "b": _binding(actor)})
    return value


def message() -> str | None:
    """The confirmation this request's address carries for its actor, or None
    (none, expired, altered, or made for someone else)."""
    raw = request.args.get(PARAM)
    actor = g.get("actor")
    if not raw or actor is None or len(raw) > 1000:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE_S)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or data.get("b") != _binding(actor):
        return None
    text = data.get("m")
    return text if isinstance(text, str) and text else None


def url_args(actor: Any, text: str | None) -> dict[str, Any]:
    """``url_for`` arguments that make the page say ``text`` once ({} for None)."""
    return {PARAM: sign(actor, text)} if text else {}
