"""Rows of a form-based editor (the observer checklist, the intake survey): each
row's cells post as ``<prefix><i>-<column>`` with ``<prefix>-count`` rows, and
the row buttons post ``action`` = ``<prefix>:add``, ``<prefix>:remove:<i>``,
``<prefix>:up:<i>`` or ``<prefix>:down:<i>``. A row button only redraws the
form (nothing is stored), so rows are added, removed and reordered without
JavaScript. The template side is ``_grid.html``. (The rubric editor has levels
inside rows: ``peer_review.rubric_editor``.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Row = dict[str, str]


def rows_from_form(
    form: Mapping[str, Any], prefix: str, columns: Sequence[str], limit: int
) -> list[Row]:
    """The rows as typed (cells stripped; nothing dropped, nothing checked)."""
    try:
        count = max(0, min(int(str(form.get(f"{prefix}-count", "0"))), limit + 1))
    except ValueError:
        count = 0
    return [
        {column: str(form.get(f"{prefix}{i}-{column}", "")).strip() for column in columns}
        for i in range(count)
    ]


def apply_action(rows: list[Row], action: str, prefix: str, blank: Row, limit: int) -> bool:
    """Apply a row button of this grid to ``rows``; False if ``action`` is not one."""
    name, _, rest = action.partition(":")
    if name != prefix:
        return False
    verb, _, index = rest.partition(":")
    at = int(index) if index.isdigit() and int(index) < len(rows) else None
    if verb == "add" and len(rows) < limit:
        rows.append(dict(blank))
    elif verb == "remove" and at is not None:
        del rows[at]
    elif verb == "up" and at is not None and at > 0:
        rows[at - 1], rows[at] = rows[at], rows[at - 1]
    elif verb == "down" and at is not None and at < len(rows) - 1:
        rows[at + 1], rows[at] = rows[at], rows[at + 1]
    return True


def filled(rows: list[Row]) -> list[tuple[int, Row]]:
    """The rows with something typed in them, with their index (for messages)."""
    return [(i, row) for i, row in enumerate(rows) if any(row.values())]
