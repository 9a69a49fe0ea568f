"""What a person should see first when they open any Peerlift link in a course.

Activities register what is due for an actor: reviews a learner still owes, a
facilitator's nudge, a summary of a discussion they missed, a transfer check-in
that has come due. The activity page (``activities/show.html``) lists them above
everything else, so a learner meets them at their next launch from any link,
whichever activity it opens.

One statement per page, whatever the number of activities and sources: each
activity registers a :class:`Source` — SELECTs over its own indexed rows, written
with the bound parameters ``:course`` and ``:person`` (and its own), whose columns
are :func:`columns` (a source key, six texts, eight numbers) — and
:func:`for_actor` runs them all as one ``UNION ALL``, built once per set of
applicable sources and reused (construction costs more than execution), then
hands each source its rows to turn into :class:`Notice`\\ s.

Sources must only return what the actor may read, and never import each other;
each lives in its activity's ``notices`` module and is registered by the
activity's contract (``registry.ActivityType.notices``, installed by ``init_app``).
``@provider`` (a function that queries by itself) is still accepted for a source
that cannot be written as one SELECT, at one statement or more per page: prefer
a :class:`Source`.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, String, cast, literal, null, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from lti_app.extensions import db

log = logging.getLogger(__name__)

#: Free columns per row: texts ``s1``…``s6`` and numbers ``n1``…``n8``.
TEXTS = 6
NUMBERS = 8


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


def columns(
    key: str, texts: Sequence[Any] = (), numbers: Sequence[Any] = ()
) -> list[ColumnElement[Any]]:
    """The column list of one SELECT of a source: ``src`` (the source key), then
    ``texts`` as ``s1``… and ``numbers`` as ``n1``… (the rest NULL), typed alike
    in every branch of the union."""
    if len(texts) > TEXTS or len(numbers) > NUMBERS:
        raise ValueError(f"a notice row has {TEXTS} texts and {NUMBERS} numbers")
    out: list[ColumnElement[Any]] = [cast(literal(key), String).label("src")]
    out += [
        cast(t if t is not None else null(), String).label(f"s{i}")
        for i, t in enumerate(_padded(texts, TEXTS), start=1)
    ]
    out += [
        cast(n if n is not None else null(), Integer).label(f"n{i}")
        for i, n in enumerate(_padded(numbers, NUMBERS), start=1)
    ]
    return out


def json_settings(text: Any) -> dict[str, Any]:
    """A JSON column read through :func:`columns` (as text) back into a dict."""
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _padded(values: Sequence[Any], size: int) -> list[Any]:
    return [*values, *([None] * (size - len(values)))]


@dataclass(frozen=True)
class Source:
    """What one activity contributes to the notices."""

    key: str
    #: Whether the source has anything for this actor at all (roles, course).
    applies: Callable[[Any], bool]
    #: The SELECTs (built once; bound parameters ``course``, ``person`` and ``params``').
    queries: Callable[[], Iterable[Any]]
    #: Rows (in no particular order) → notices.
    build: Callable[[Any, list[Any]], list[Notice]]
    #: Extra bound parameters for this actor (e.g. the time), names prefixed by the key.
    params: Callable[[Any], dict[str, Any]] = field(default=lambda actor: {})


Provider = Callable[[Any], list[Notice]]
_PROVIDERS: list[Provider] = []
_SOURCES: dict[str, Source] = {}


def provider(fn: Provider) -> Provider:
    """Register ``fn(actor) -> list[Notice]`` (queries by itself; prefer :func:`source`)."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def source(src: Source) -> Source:
    """Register a :class:`Source` (a re-registration under the same key replaces it;
    registering the same source again, as every new app does, keeps the built
    statements)."""
    if _SOURCES.get(src.key) is not src:
        _SOURCES[src.key] = src
        _union.cache_clear()
    return src


@functools.cache
def _union(keys: tuple[str, ...]) -> Any:
    """One statement for these sources: every SELECT of each, as a UNION ALL."""
    parts = []
    for key in keys:
        for query in _SOURCES[key].queries():
            sub = query.subquery()
            parts.append(select(*sub.c).select_from(sub))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def rows_for(actor: Any, sources: Sequence[Source]) -> dict[str, list[Any]]:
    """Run ``sources``' SELECTs for ``actor`` in one statement; rows by source key."""
    if not sources:
        return {}
    params: dict[str, Any] = {"course": actor.course.id, "person": actor.person.id}
    for src in sources:
        params.update(src.params(actor))
    stmt = _union(tuple(src.key for src in sources))
    found: dict[str, list[Any]] = {src.key: [] for src in sources}
    # Plain columns: run as Core on the session's connection (same transaction),
    # skipping the ORM's per-statement set-up and result wrapping; flushed first,
    # as the ORM's autoflush would, so the request's own pending writes count.
    session = db.session()
    if session.autoflush:
        session.flush()
    for row in session.connection().execute(stmt, params):
        found[row.src].append(row)
    return found


def from_source(actor: Any, src: Source) -> list[Notice]:
    """One source's notices by itself (one statement)."""
    if getattr(actor, "course", None) is None or not src.applies(actor):
        return []
    return src.build(actor, rows_for(actor, [src])[src.key])


def for_actor(actor: Any) -> list[Notice]:
    """Every notice due for ``actor`` in their current course, most urgent first."""
    if getattr(actor, "course", None) is None:
        return []
    sources = [src for src in _SOURCES.values() if src.applies(actor)]
    rows = rows_for(actor, sources)
    found: list[Notice] = []
    for src in sources:
        found.extend(src.build(actor, rows[src.key]))
    for fn in _PROVIDERS:
        found.extend(fn(actor))
    return sorted(found, key=lambda n: n.priority)
