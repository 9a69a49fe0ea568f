"""Server-rendered SVG charts: no script, nothing from a CDN, readable in print.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that
says what it shows in words; the page puts the same numbers in a data table
next to it (the text alternative screen-reader users and printouts rely on).
Colours are paired with position and labels, never the only carrier of meaning.
Learners who share a line or a point are counted, not drawn on top of each
other: the line or dot grows and carries a "×N" label.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence

from markupsafe import Markup, escape

_ids = itertools.count(1)
INK = "#1f2933"
ACCENT = "#1d5fa8"
MUTED = "#7b8794"
WARN = "#b54708"
W, H = 560, 240


def _frame(title: str, desc: str, body: str, *, width: int = W, height: int = H) -> Markup:
    n = next(_ids)
    return Markup(  # noqa: S704 - every text below is escaped
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-t{n} chart-d{n}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 11, fill: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def _weight(count: int) -> float:
    """Stroke width of a line shared by ``count`` learners."""
    return min(7.0, 1.5 + 1.5 * (count - 1))


def _count_label(x: float, y: float, count: int, *, anchor: str = "middle") -> str:
    """ "×3" where three learners share a line or a point (white halo, readable on lines)."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" font-weight="bold" text-anchor="{anchor}" '
        f'fill="{INK}" stroke="#fff" stroke-width="3" paint-order="stroke">×{count:d}</text>'
    )


def bars(
    title: str, desc: str, labels: Sequence[str], values: Sequence[float], *, fmt: str = "{:g}"
) -> Markup:
    """Horizontal bars, one per label, each with its value written at its end."""
    if not labels:
        return _frame(title, desc + " No data yet.", _text(10, 20, "No data yet"), height=30)
    row = 22
    height = row * len(labels) + 10
    left, right = 190, W - 60
    top = max(values, default=0) or 1
    parts = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row
        length = (right - left) * max(0.0, value) / top
        parts.append(_text(left - 6, y + 14, label, anchor="end"))
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 7}" '
            f'fill="{ACCENT}"/>'
        )
        parts.append(_text(left + length + 4, y + 14, fmt.format(value)))
    return _frame(title, desc, "".join(parts), height=height)


def lines(
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    y_max: float | None = None,
    fmt: str = "{:g}",
) -> Markup:
    """Line chart over ``labels`` (x), each series with its name at its last point."""
    if not labels or not series:
        return _frame(title, desc + " No data yet.", _text(10, 20, "No data yet"), height=30)
    left, right, top, bottom = 44, W - 90, 12, H - 30
    peak = y_max or max((max(v, default=0) for _, v in series), default=0) or 1
    step = (right - left) / max(1, len(labels) - 1)
    parts = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{MUTED}"/>',
        _text(left - 4, top + 4, fmt.format(peak), anchor="end", size=10),
        _text(left - 4, bottom, "0", anchor="end", size=10),
    ]
    every = max(1, math.ceil(len(labels) / 8))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(_text(left + i * step, bottom + 14, label, anchor="middle", size=10))
    dashes = ("", ' stroke-dasharray="5 3"', ' stroke-dasharray="2 2"')
    for k, (name, values) in enumerate(series):
        points = [
            (left + i * step, bottom - (bottom - top) * v / peak) for i, v in enumerate(values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        colour = (ACCENT, WARN, INK)[k % 3]
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dashes[k % 3]}/>'
        )
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
        if points:
            parts.append(_text(points[-1][0] + 6, points[-1][1] + 4, name, fill=colour))
    return _frame(title, desc, "".join(parts))


def slopegraph(
    title: str, desc: str, pairs: Sequence[tuple[float, float]], *, maximum: float = 100.0
) -> Markup:
    """One line per learner from their pre (left) to their post (right) score;
    a fall is drawn dashed in the warning colour. Learners with the same pre and
    post share one line, drawn thicker and labelled "×N" (the data table lists
    each of them)."""
    if not pairs:
        return _frame(
            title, desc + " No paired checks yet.", _text(10, 20, "No paired checks yet"), height=30
        )
    left, right, top, bottom = 110, W - 110, 16, H - 24

    def y(v: float) -> float:
        return bottom - (bottom - top) * v / maximum

    parts = [
        _text(left, bottom + 18, "Pre-check", anchor="middle"),
        _text(right, bottom + 18, "Post-check", anchor="middle"),
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{MUTED}"/>',
        f'<line x1="{right}" y1="{top}" x2="{right}" y2="{bottom}" stroke="{MUTED}"/>',
        _text(left - 6, y(maximum) + 4, f"{maximum:g}%", anchor="end", size=10),
        _text(left - 6, y(0) + 4, "0%", anchor="end", size=10),
    ]
    for (pre, post), count in Counter(pairs).items():
        fell = post < pre
        style = f'stroke="{WARN}" stroke-dasharray="4 3"' if fell else f'stroke="{ACCENT}"'
        parts.append(
            f'<line x1="{left}" y1="{y(pre):.1f}" x2="{right}" y2="{y(post):.1f}" '
            f'{style} stroke-opacity="0.6" stroke-width="{_weight(count):.1f}"/>'
        )
        if count > 1:
            parts.append(_count_label((left + right) / 2, (y(pre) + y(post)) / 2 - 4, count))
    return _frame(title, desc, "".join(parts))


def scatter(
    title: str,
    desc: str,
    points: Sequence[tuple[float, float]],
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    x_label: str,
    y_label: str,
) -> Markup:
    """Points with a zero line when the y range crosses it; learners on the same
    point make one bigger dot labelled "×N"."""
    if not points:
        return _frame(title, desc + " No data yet.", _text(10, 20, "No data yet"), height=30)
    left, right, top, bottom = 50, W - 20, 12, H - 34
    (x0, x1), (y0, y1) = x_range, y_range

    def px(v: float) -> float:
        return left + (right - left) * (v - x0) / ((x1 - x0) or 1)

    def py(v: float) -> float:
        return bottom - (bottom - top) * (v - y0) / ((y1 - y0) or 1)

    parts = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{MUTED}"/>',
        _text((left + right) / 2, H - 6, x_label, anchor="middle"),
        _text(left - 4, top + 8, f"{y1:g}", anchor="end", size=10),
        _text(left - 4, bottom, f"{y0:g}", anchor="end", size=10),
        _text(left, bottom + 14, f"{x0:g}", anchor="middle", size=10),
        _text(right, bottom + 14, f"{x1:g}", anchor="middle", size=10),
        _text(left + 4, top + 8, y_label, size=10, fill=MUTED),
    ]
    if y0 < 0 < y1:
        parts.append(
            f'<line x1="{left}" y1="{py(0):.1f}" x2="{right}" y2="{py(0):.1f}" '
            f'stroke="{MUTED}" stroke-dasharray="3 3"/>'
        )
    for (x, y), count in Counter(points).items():
        radius = 3.5 + 1.5 * math.sqrt(count - 1)
        parts.append(
            f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="{radius:.1f}" fill="{ACCENT}" '
            f'fill-opacity="0.7"/>'
        )
        if count > 1:
            parts.append(_count_label(px(x) + radius + 2, py(y) + 4, count, anchor="start"))
    return _frame(title, desc, "".join(parts))


def network(
    title: str,
    desc: str,
    nodes: Sequence[str],
    ties: Sequence[tuple[int, int, int]],
    isolates: set[int],
) -> Markup:
    """Nodes on a circle, ties as lines (thicker for more interactions); isolates
    are hollow and labelled, so they stand out without colour."""
    if not nodes:
        return _frame(title, desc + " Nobody yet.", _text(10, 20, "Nobody yet"), height=30)
    size = 520
    cx = cy = size / 2
    radius = size / 2 - 120
    pos = [
        (
            cx + radius * math.cos(2 * math.pi * i / len(nodes) - math.pi / 2),
            cy + radius * math.sin(2 * math.pi * i / len(nodes) - math.pi / 2),
        )
        for i in range(len(nodes))
    ]
    parts = []
    for a, b, weight in ties:
        parts.append(
            f'<line x1="{pos[a][0]:.1f}" y1="{pos[a][1]:.1f}" x2="{pos[b][0]:.1f}" '
            f'y2="{pos[b][1]:.1f}" stroke="{ACCENT}" stroke-opacity="0.5" '
            f'stroke-width="{min(6, weight):d}"/>'
        )
    for i, name in enumerate(nodes):
        x, y = pos[i]
        hollow = i in isolates
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" '
            f'fill="{"#fff" if hollow else ACCENT}" stroke="{WARN if hollow else INK}" '
            f'stroke-width="2"/>'
        )
        if len(nodes) <= 40:
            dx = 10 if x >= cx else -10
            parts.append(
                _text(
                    x + dx,
                    y + 4,
                    name + (" (isolate)" if hollow else ""),
                    anchor="start" if x >= cx else "end",
                    size=10,
                )
            )
    return _frame(title, desc, "".join(parts), width=size, height=size)
