"""The activity page, as other blueprints reach it.

``peer_activities`` owns the page (``activities.show``); ``launch`` answers a
launch with it and ``analytics`` re-renders it with a refusal. They call the two
functions here instead of importing another blueprint's view module; the app
factory plugs the owner's functions in (:func:`plug`), before any request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Render(Protocol):
    def __call__(self, actor: Any, activity: Any, *, self_url: str | None = None) -> str: ...


#: ``activity_id`` -> (actor, activity, course), answering 403/404 itself.
Lookup = Callable[[str], tuple[Any, Any, Any]]

_render: Render | None = None
_lookup: Lookup | None = None


def plug(*, render: Render, lookup: Lookup) -> None:
    """Name the functions that render the activity page and find a course's activity."""
    global _render, _lookup
    _render, _lookup = render, lookup


def render_activity(actor: Any, activity: Any, *, self_url: str | None = None) -> str:
    """The activity page of ``activity`` for ``actor`` (HTML)."""
    if _render is None:
        raise RuntimeError("the activity page is not plugged in (see app_setup.build)")
    return _render(actor, activity, self_url=self_url)


def course_activity(activity_id: str) -> tuple[Any, Any, Any]:
    """The current actor, the activity ``activity_id`` of their course, the course."""
    if _lookup is None:
        raise RuntimeError("the activity page is not plugged in (see app_setup.build)")
    return _lookup(activity_id)
