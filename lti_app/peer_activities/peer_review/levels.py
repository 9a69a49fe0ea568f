"""Rubric levels: what the reviewer's level picker offers for a criterion.

A criterion's ``levels`` text holds one level descriptor a line, low to high.
Either every line starts with the points it is worth ("3 | Clear and specific",
"3: Clear", or "3 Clear"), or none does and the levels are spread evenly over
0..max points (the first is worth 0, the last the maximum, rounded to two
decimals; a single level is worth the maximum). A criterion without level lines
is scored with a number. When a criterion has levels, a review must pick one of
them: other points are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A level line that starts with its points: "3 | Clear", "3 Clear", "2.5: Some".
_NUMBERED = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,2})?)\s*(?:\||:|\s)\s*(.*)$")


@dataclass(frozen=True)
class Level:
    """One level a reviewer can pick: its points and what it looks like."""

    points: float
    label: str

    @property
    def value(self) -> str:
        """The points as the form sends them ("3", "2.67")."""
        return format_points(self.points)


def format_points(points: float) -> str:
    return f"{points:g}" if float(points).is_integer() else f"{points:.2f}".rstrip("0")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def levels_of(text: str, max_points: float) -> list[Level]:
    """The levels of a criterion, low to high (see the module docstring). Stored
    text that mixes numbered and plain lines is read as plain lines, spread."""
    lines = _lines(text)
    if not lines:
        return []
    numbered = [_NUMBERED.match(line) for line in lines]
    if all(m is not None and m.group(2) for m in numbered):
        return [Level(float(m.group(1)), m.group(2)) for m in numbered if m is not None]
    if len(lines) == 1:
        return [Level(float(max_points), lines[0])]
    step = float(max_points) / (len(lines) - 1)
    return [Level(round(i * step, 2), line) for i, line in enumerate(lines)]


def level_problem(name: str, text: str, max_points: int) -> str:
    """Why a reviewer could not use this level text ("" when they can): numbered
    and plain lines mixed, points outside 0..max, or two levels worth the same."""
    lines = _lines(text)
    numbered = [_NUMBERED.match(line) is not None for line in lines]
    if any(numbered) and not all(numbered):
        return f"“{name}”: start every level with its points (“3 | Clear”) or none of them."
    found = levels_of(text, max_points)
    for level in found:
        if not 0 <= level.points <= max_points:
            return (
                f"“{name}”: the level “{level.label}” is worth {level.value} points, "
                f"outside 0..{max_points}."
            )
    points = [level.points for level in found]
    if len(set(points)) != len(points):
        return f"“{name}”: two levels are worth the same points."
    return ""


def points_problem(name: str, text: str, max_points: int, points: float) -> str:
    """Why ``points`` is not an allowed score ("" when it is): with levels, only
    their points are."""
    found = levels_of(text, max_points)
    if found and not any(abs(level.points - points) < 1e-9 for level in found):
        return f"“{name}”: choose one of its levels ({format_points(points)} points is not one)."
    return ""
