"""The one-page sponsor report as a PDF (A4, built-in Helvetica).

The figures are those of the HTML sponsor report: both read the same
:class:`~lti_app.analytics.dashboard.Dashboard` (``dashboard.build``), so the PDF,
the page and the CSV exports can never disagree. Everything that came from a
person (course and platform names) is XML-escaped before it reaches reportlab's
paragraph mini-markup.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lti_app.analytics.dashboard import Dashboard
from lti_app.analytics.report_charts import chart_blocks, chart_grid, headline_paragraph
from lti_app.domain.learning_gain import Interval

MARGIN = 14 * mm
DEFINITIONS = (
    "Learners: enrolments with the learner role (staff and test users are never counted). "
    "Normalised change c (Marx &amp; Cummings 2007) is averaged over learners with both a "
    "pre- and a post-check; learners without a pre-check are not counted (mastery only). "
    "&lt;g&gt; is Hake's gain of averages over the same pairs. Effect sizes (Hedges' g, "
    "95% CI by normal approximation) are shown from 10 pairs. NPS = % promoters (9–10) "
    "- % detractors (0–6) of the feedback survey. Transfer: journal check-ins due 30/60/90 "
    "days after completion; response rate = answered / due; applied = learners who say they "
    "tried or regularly apply an action. Self-reported ratings are never graded. "
    "Evidence levels follow Kirkpatrick and Thalheimer's LTEM."
)


def _num(value: float | None, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def _ci(interval: Interval | None) -> str:
    return "—" if interval is None else f"[{interval.low:.2f}, {interval.high:.2f}]"


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["BodyText"], fontName="Helvetica", fontSize=9, leading=11.5
    )
    return {
        "title": ParagraphStyle(
            "title",
            parent=base["Title"],
            fontName="Helvetica-Bold",
            fontSize=17,
            leading=21,
            alignment=0,
            spaceAfter=2,
        ),
        "sub": ParagraphStyle("sub", parent=body, textColor=colors.HexColor("#555555")),
        "h2": ParagraphStyle(
            "h2",
            parent=base["Heading2"],
            fontName="Helvetica-Bold",
            fontSize=11.5,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "figure": ParagraphStyle(
            "figure", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=14
        ),
        "note": ParagraphStyle(
            "note", parent=body, fontSize=7, leading=8.6, textColor=colors.HexColor("#555555")
        ),
    }


def headline_rows(d: Dashboard) -> list[tuple[str, str]]:
    """(figure, what it is): the headline figures of the HTML report, in its order."""
    c = d.learning.cohort
    sat = d.satisfaction
    rows = [
        (
            str(d.n_learners),
            f"learners enrolled; {d.turnover.took_part} took part; "
            f"{d.turnover.dropped_n} dropped out",
        ),
        (
            _num(c.mean_change, "+.2f"),
            f"mean normalised change c (n paired = {c.n_paired} of {c.n_learners}, "
            + (
                f"attrition {c.attrition})"
                if d.learning.post_opened is not None
                else "attrition shows once the post-check opens)"
            ),
        ),
        (
            f"{_num(c.mean_pre, '.0f')}% to {_num(c.mean_post, '.0f')}%",
            f"mean pre to post; &lt;g&gt; = {_num(c.gain_of_averages)}",
        ),
        (
            _num(c.hedges_g) if c.displayable else "—",
            f"effect size (Hedges' g<sub>av</sub>) {_ci(c.hedges_g_ci)}"
            if c.displayable
            else "effect size (Hedges' g<sub>av</sub>): needs 10+ pairs",
        ),
        (
            _num(sat.nps.score, "+.0f"),
            f"NPS (n = {sat.nps.n}); relevance {_num(sat.relevance_mean, '.1f')}/5",
        ),
        (
            str(d.transfer.applied_learners),
            f"learners report applying it at work (of {d.transfer.learners_with_checkins} with "
            f"a check-in due; {d.transfer.observations} confirmed by an observer)",
        ),
    ]
    return rows


def transfer_rows(d: Dashboard) -> list[list[str]]:
    """Day, due, answered, response rate, applied (tried or regularly)."""
    return [
        [
            f"day {day}",
            str(due),
            str(answered),
            f"{100 * answered / due:.0f}%" if due else "—",
            str(tried + regular),
        ]
        for day, due, answered, _not_yet, tried, regular in d.transfer.rows
    ]


def render(d: Dashboard, *, platform: str, today: date | None = None) -> bytes:
    """The sponsor report of ``d`` as the bytes of a one-page A4 PDF. The page
    stream is left uncompressed (a few kilobytes) so its text can be searched, and
    ``invariant`` keeps the bytes reproducible."""
    st = _styles()
    scope = d.scope
    title = scope.label if scope.single_course else "All courses"
    story: list[Any] = [
        Paragraph(f"Peer learning programme: {escape(title)}", st["title"]),
        Paragraph(
            f"Sponsor report · {escape(platform) or 'Peerlift'} · "
            f"{(today or date.today()).isoformat()}",
            st["sub"],
        ),
        Spacer(1, 4 * mm),
    ]
    figures = Table(
        [
            [Paragraph(figure, st["figure"]), Paragraph(text, st["body"])]
            for figure, text in headline_rows(d)
        ],
        colWidths=[38 * mm, None],
        hAlign="LEFT",
    )
    figures.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#dddddd")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(figures)
    if d.headlines:
        story.append(Paragraph("In plain words", st["h2"]))
        story += [headline_paragraph(h, st["body"]) for h in d.headlines]
    if d.captions:
        story.append(Paragraph("What the data shows", st["h2"]))
        story.append(chart_grid(chart_blocks(d), st))

    transfer = transfer_rows(d)
    if transfer:
        # The HTML report's transfer line, as a table: response rate and applied by day.
        story.append(Paragraph("Transfer check-ins", st["h2"]))
        table = Table(
            [["Check-in", "Due", "Answered", "Response rate", "Applied"], *transfer], hAlign="LEFT"
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTNAME", (0, 1), (-1, -1), "Helvetica"),
                    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ]
            )
        )
        story.append(table)

    story.append(Paragraph("Evidence ladder", st["h2"]))
    ladder = [
        [
            Paragraph("<b>Level</b>", st["cell"]),
            Paragraph("<b>Evidence</b>", st["cell"]),
            Paragraph("<b>Behind it</b>", st["cell"]),
        ]
    ]
    for rung in reversed(d.ladder):
        ladder.append(
            [
                Paragraph(f"{escape(rung.level)} — {escape(rung.label)}", st["cell"]),
                Paragraph("yes" if rung.evidence else "no", st["cell"]),
                Paragraph(escape(rung.detail), st["cell"]),
            ]
        )
    rungs = Table(ladder, colWidths=[78 * mm, 20 * mm, None], hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("LINEBELOW", (0, 1), (-1, -2), 0.25, colors.HexColor("#dddddd")),
    ]
    for i, rung in enumerate(reversed(d.ladder), start=1):
        style.append(
            (
                "BACKGROUND",
                (1, i),
                (1, i),
                colors.HexColor("#dff0d8") if rung.evidence else colors.HexColor("#f2dede"),
            )
        )
    rungs.setStyle(TableStyle(style))
    story.append(rungs)

    story += [Spacer(1, 5 * mm), Paragraph(escape(d.turnover.rule) + " " + DEFINITIONS, st["note"])]

    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Sponsor report: {title}",
        author="Peerlift",
        invariant=1,
        pageCompression=0,
    )
    # One page whatever the data: shrink to fit rather than flow onto a second page.
    doc.build([KeepInFrame(doc.width, doc.height, story, mode="shrink")])
    return out.getvalue()
