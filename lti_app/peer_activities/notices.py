"""What a person should see first when they open any Peerlift link in a course.

Activities register a provider (``@provider``) that returns the notices due for
an actor: reviews a learner still owes, a facilitator's nudge, a summary of a
discussion they missed, a transfer check-in that has come due. The activity page
(``activities/show.html``) lists them above everything else, so a learner meets
them at their next launch from any link, whichever activity it opens.

Providers must be cheap (one or two indexed queries) and must only return what
the actor may read. They never import each other; each lives in its activity.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    #: What it is about, for styling and tests: ``owed``, ``nudge``, ``summary``,
    #: ``checkin``, ``info``.
    kind: str
    #: One line, plain text (escaped on render).
    title: str
    #: Optional detail, plain text.
    body: str = ""
    #: Where to act (a URL inside the tool, carrying the actor's token).
    url: str | None = None
    #: The button's words.
    action: str = "Open"
    #: Lower sorts first.
    priority: int = 50


Provider = Callable[[Any], list[Notice]]
_PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    """Register ``fn(actor) -> list[Notice]``."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def for_actor(actor: Any) -> list[Notice]:
    """Every notice due for ``actor`` in their current course, most urgent first."""
    if getattr(actor, "course", None) is None:
        return []
    found: list[Notice] = []
    for fn in _PROVIDERS:
        found.extend(fn(actor))
    return sorted(found, key=lambda n: n.priority)
