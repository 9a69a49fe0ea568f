"""The sponsor PDF's charts, drawn with reportlab graphics (vector, no image files).

Each chart is a :class:`ChartBlock`: the same title and plain-language reading
as the dashboard's figure (``Dashboard.captions``, from ``domain.chart_readings``)
and a ``Drawing`` of the same numbers. Learners who share a line in the
pre/post chart are counted ("×N"), as on the page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from lti_app.analytics.dashboard import Dashboard
from lti_app.domain.chart_readings import Headline

ACCENT = colors.HexColor("#1d5fa8")
WARN = colors.HexColor("#b54708")
MUTED = colors.HexColor("#7b8794")
INK = colors.HexColor("#1f2933")
WIDTH, HEIGHT = 86 * mm, 42 * mm


@dataclass
class ChartBlock:
    key: str
    title: str
    reading: str
    drawing: Drawing


def pdf_text(text: str) -> str:
    """Text for reportlab's built-in fonts (WinAnsi): no minus sign or angle brackets
    they cannot draw, and XML-escaped for the paragraph mini-markup."""
    return escape(text.replace("\u2212", "-").replace("⟨", "<").replace("⟩", ">"))


def headline_paragraph(h: Headline, style: ParagraphStyle) -> Paragraph:
    """ "<b>37% average learning gain.</b> On average, …" (no value: the label alone)."""
    lead = h.label[0].upper() + h.label[1:] if h.value == "—" else f"{h.value} {h.label}"
    return Paragraph(f"<b>{pdf_text(lead)}.</b> {pdf_text(h.sentence)}", style)


def _bars_h(labels: list[str], values: list[float]) -> Drawing:
    drawing = Drawing(WIDTH, HEIGHT)
    chart = HorizontalBarChart()
    chart.x, chart.y = 36 * mm, 4
    chart.width, chart.height = WIDTH - 36 * mm - 14, HEIGHT - 8
    chart.data = [list(reversed(values)) or [0]]
    chart.categoryAxis.categoryNames = list(reversed(labels)) or [""]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(values, default=0) or 1
    chart.valueAxis.visible = False
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    return drawing


def _bars_v(
    labels: list[str], values: list[float], fmt: str, *, note: str = "", empty: str = ""
) -> Drawing:
    drawing = Drawing(WIDTH, HEIGHT)
    if not values:
        drawing.add(String(8, HEIGHT / 2, empty, fontName="Helvetica", fontSize=7, fillColor=INK))
        return drawing
    if note:
        drawing.add(
            String(WIDTH / 2, 1, note, fontName="Helvetica", fontSize=6, textAnchor="middle")
        )
    chart = VerticalBarChart()
    chart.x, chart.y = 8, 20 if note else 16
    chart.width, chart.height = WIDTH - 16, HEIGHT - (30 if note else 26)
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 5.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(values, default=0) or 1
    chart.valueAxis.visible = False
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = fmt
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = 6
    chart.barLabels.boxAnchor = "s"
    chart.barLabels.dy = 1
    drawing.add(chart)
    return drawing


def _slope(pairs: list[tuple[float, float]]) -> Drawing:
    """Pre (left) to post (right) per learner; shared lines thicker, marked ×N."""
    drawing = Drawing(WIDTH, HEIGHT)
    left, right, bottom, top = 22 * mm, WIDTH - 22 * mm, 12, HEIGHT - 6

    def y(v: float) -> float:
        return float(bottom + (top - bottom) * v / 100)

    for x, label in ((left, "Pre-check"), (right, "Post-check")):
        drawing.add(Line(x, bottom, x, top, strokeColor=MUTED, strokeWidth=0.5))
        drawing.add(String(x, 2, label, fontName="Helvetica", fontSize=6.5, textAnchor="middle"))
    drawing.add(
        String(left - 4, y(100) - 2, "100%", fontName="Helvetica", fontSize=6, textAnchor="end")
    )
    drawing.add(
        String(left - 4, y(0) - 2, "0%", fontName="Helvetica", fontSize=6, textAnchor="end")
    )
    for (pre, post), count in sorted(Counter(pairs).items()):
        fell = post < pre
        line = Line(
            left,
            y(pre),
            right,
            y(post),
            strokeColor=WARN if fell else ACCENT,
            strokeWidth=min(5.0, 0.8 + 0.8 * (count - 1)),
        )
        if fell:
            line.strokeDashArray = [3, 2]
        drawing.add(line)
        if count > 1:
            mid = (y(pre) + y(post)) / 2
            drawing.add(
                Rect(
                    (left + right) / 2 - 7, mid - 2, 14, 8, fillColor=colors.white, strokeColor=None
                )
            )
            drawing.add(
                String(
                    (left + right) / 2,
                    mid,
                    f"×{count}",
                    fontName="Helvetica-Bold",
                    fontSize=6.5,
                    textAnchor="middle",
                    fillColor=INK,
                )
            )
    if not pairs:
        drawing.add(
            String(left, HEIGHT / 2, "No paired checks yet", fontName="Helvetica", fontSize=7)
        )
    return drawing


def chart_blocks(d: Dashboard) -> list[ChartBlock]:
    """The four charts of the sponsor PDF, with the dashboard's titles and readings."""
    blocks = []
    steps = d.funnel.steps
    blocks.append(_block(d, "funnel", _bars_h([s for s, _ in steps], [float(n) for _, n in steps])))
    paired = [
        (float(r.pre), float(r.post))
        for r in d.learning.records
        if r.pre is not None and r.post is not None
    ]
    blocks.append(_block(d, "slope", _slope(paired)))
    bands = [f"{-1 + 0.2 * i:+.1f}" for i in range(10)]
    blocks.append(
        _block(d, "change", _bars_v(bands, [float(v) for v in d.learning.change_bins], "%d"))
    )
    rows = d.transfer.rows
    blocks.append(
        _block(
            d,
            "transfer",
            _bars_v(
                [f"day {r[0]}" for r in rows],
                [100 * r[2] / r[1] if r[1] else 0.0 for r in rows],
                "%.0f%%",
                note="share of the check-ins due that were answered",
                empty="No check-in is due yet.",
            ),
        )
    )
    return blocks


def _block(d: Dashboard, key: str, drawing: Drawing) -> ChartBlock:
    title, reading = d.captions.get(key, (key, ""))
    return ChartBlock(key, title, reading, drawing)


def chart_grid(blocks: list[ChartBlock], styles: dict[str, ParagraphStyle]) -> Table:
    """Two charts a row, each under its title and reading."""
    cells: list[Any] = [
        [
            Paragraph(f"<b>{pdf_text(b.title)}</b>", styles["cell"]),
            Paragraph(pdf_text(b.reading), styles["cell"]),
            b.drawing,
        ]
        for b in blocks
    ]
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    if rows and len(rows[-1]) == 1:
        rows[-1].append("")
    grid = Table(rows, colWidths=[WIDTH + 4 * mm] * 2, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return grid
