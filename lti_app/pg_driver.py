"""psycopg cursors whose ``description`` costs nothing until someone reads it.

psycopg builds ``cursor.description`` anew on every access: one ``Column`` object
per result column (decode the name, look its type up), about 200 per activity page
GET because the ORM selects every column of the entities it loads. SQLAlchemy asks
for the description after every statement, but for a statement it has compiled
before (every hot statement: they are built once per process) it reuses the
result metadata cached on the compiled form and only checks the description is not
``None``; the ``Column`` objects were thrown away unread.

``LazyDescriptionCursor.description`` answers the same thing (``None`` exactly when
psycopg's would be) as a sequence that builds psycopg's own ``Column`` objects on
first look, from the result it was taken from (so a description read after the
cursor moved on still describes its own result, as psycopg's list does).

psycopg also turns each statement's ``%(name)s`` placeholders into ``$n`` on every
execution, remembering the conversion (an ``lru_cache`` of 128) only for statements
up to 4,096 characters. The notices' UNION ALL, on every activity page, is ~11,000,
so it was re-split on every execution. ``CACHED_STATEMENT_LENGTH`` raises that limit
to 16,384 (the parameter-count limit, 50, which keeps psycopg's cache from filling
with the ORM's many-row INSERTs, stays): at most 128 conversions are kept, a few MB
at worst.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import _queries, pq

#: Statements up to this many characters have their placeholder conversion cached.
CACHED_STATEMENT_LENGTH = 16_384

_TUPLES = frozenset(
    status
    for name in ("TUPLES_OK", "SINGLE_TUPLE", "TUPLES_CHUNK")
    if (status := getattr(pq.ExecStatus, name, None)) is not None
)


class _ResultView:
    """What ``psycopg.Column`` reads of its cursor, frozen at one result."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, pgresult: Any, encoding: str, adapters: Any) -> None:
        self.pgresult = pgresult
        self._encoding = encoding
        self.adapters = adapters


class LazyDescription(Sequence[psycopg.Column]):
    """``cursor.description``: psycopg's ``Column`` list, built on first look."""

    __slots__ = ("_columns", "_n", "_view")

    def __init__(self, view: _ResultView, n: int) -> None:
        self._view = view
        self._n = n
        self._columns: list[psycopg.Column] | None = None

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            self._columns = [psycopg.Column(self._view, i) for i in range(self._n)]  # type: ignore[arg-type]
        return self._columns

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index: Any) -> Any:
        return self._built()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


class LazyDescriptionCursor(psycopg.Cursor[Any]):
    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        res = self.pgresult
        if res and (res.nfields or res.status in _TUPLES):
            return LazyDescription(_ResultView(res, self._encoding, self.adapters), res.nfields)
        return None


def tune(dbapi_conn: Any) -> None:
    """Applied to every new psycopg connection (``lti_app.db``'s connect hook)."""
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", CACHED_STATEMENT_LENGTH) < (
        CACHED_STATEMENT_LENGTH
    ):
        _queries.MAX_CACHED_STATEMENT_LENGTH = CACHED_STATEMENT_LENGTH
    if type(dbapi_conn) is psycopg.Connection and dbapi_conn.cursor_factory is psycopg.Cursor:
        dbapi_conn.cursor_factory = LazyDescriptionCursor
