"""Analytics people can read (issue 19): every chart a titled figure with a
plain-language reading and its exact data table, learners who share a line counted,
four headline numbers first, a glossary behind every "?", nothing raw on the page,
and the same charts, titles and readings in the sponsor PDF."""

from __future__ import annotations

import html
import re

import pytest

from tests.analytics.support import ANA, BEN, CHLOE, DIEGO, EMMA, FARID
from tests.analytics.test_report_pdf import _pages, _pdf, _text

#: (learner, pre right, post right) out of 10: Ana, Ben and Chloe share one line.
RUNS = ((ANA, 4, 7), (BEN, 4, 7), (CHLOE, 4, 7), (DIEGO, 8, 5), (EMMA, 3, 8), (FARID, 10, 10))
CHARTS = ("funnel", "weekly", "survival", "nps", "sessions", "slope", "change", "scatter")


@pytest.fixture
def cohort(an):
    an.setup()
    an.add_knowledge(10)
    for user, pre, _ in RUNS:
        assert an.check(user, "pre", pre).status_code == 303
    an.open_post()
    for user, _, post in RUNS:
        assert an.check(user, "post", post).status_code == 303
    for user, rating in ((ANA, 10), (BEN, 9), (CHLOE, 9), (DIEGO, 4), (EMMA, 8)):
        assert an.feedback(user, rating, relevance="4").status_code == 303
    return an


def _get(an, path: str) -> str:
    resp = an.client.get(path, query_string={"t": an.staff.token})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return html.unescape(resp.get_data(as_text=True))


def _words(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def _figures(page: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'<figure class="chart-figure" id="fig-\w+" data-chart="(\w+)">(.*?)</figure>',
            page,
            re.S,
        )
    )


def _caption(figure: str) -> tuple[str, str]:
    found = re.search(
        r'<figcaption><strong class="fig-title">(.*?)</strong> '
        r'<span class="reading">(.*?)</span></figcaption>',
        figure,
        re.S,
    )
    assert found, figure[:300]
    return found.group(1), found.group(2)


def test_every_chart_is_a_figure_with_a_title_a_reading_and_its_data_table(cohort) -> None:
    figures = _figures(_get(cohort, "/an/course"))
    assert set(CHARTS) | {"transfer", "network"} <= set(figures)
    for name, figure in figures.items():
        title, reading = _caption(figure)
        assert title and reading.endswith("."), name
        assert figure.index("<figcaption>") < figure.index("<svg"), name
        assert "Data table:" in figure, name
    assert _caption(figures["slope"])[1] == (
        "Most learners scored higher at the post-check than at the pre-check (4 of 6); "
        "1 scored lower."
    )
    # c: three at +0.50, Diego −0.375, Emma +0.71; Farid (100 → 100) carries no information.
    assert _caption(figures["change"]) == (
        "How much of the possible gain each learner made",
        "Most learners gained at least half of what they could still gain (4 of 5).",
    )
    assert _caption(figures["nps"])[1] == (
        "More learners would recommend it than would not: 3 of 5 would (9 or 10), "
        "1 would not (0 to 6)."
    )
    assert _caption(figures["sessions"])[1].startswith("Too few ratings to say yet: 0 so far")


def test_learners_who_share_a_line_are_counted_and_the_table_stays_exact(cohort) -> None:
    slope = _figures(_get(cohort, "/an/course"))["slope"]
    svg = slope[slope.index("<svg") : slope.index("</svg>")]
    assert svg.count("<line ") == 2 + 4  # two axes, four distinct lines for six learners
    assert ">×3</text>" in svg
    assert "3 learners share a line with someone else" in svg
    table = slope[slope.index("<table") :]
    rows = re.findall(
        r"<tr><th scope=\"row\">([^<]+)</th><td>[^<]*</td><td>(\d+)</td><td>(\d+)</td>", table
    )
    assert sorted(rows)[:3] == [
        (ANA.name, "40", "70"),
        (BEN.name, "40", "70"),
        (CHLOE.name, "40", "70"),
    ]
    assert len(rows) == 6
    scatter = _figures(_get(cohort, "/an/course"))["scatter"]
    assert ">×3</text>" in scatter


def test_the_dashboard_starts_with_the_four_headline_numbers(cohort) -> None:
    page = _get(cohort, "/an/course")
    first = page.index('<ul class="headlines"')
    assert first < page.index("<section") and first < page.index("<figure")
    heads = re.findall(
        r'<li class="headline" data-headline="([\w-]+)"><strong class="value">([^<]+)</strong>\s*'
        r'<span class="label">(.*?)</span>\s*<span class="sentence">([^<]+)</span>',
        page,
        re.S,
    )
    assert [h[0] for h in heads] == ["took-part", "c", "applied", "alpha"]
    took_part, gain, applied, alpha = heads
    assert took_part[1] == "6 of 6" and "6 finished the post-check" in took_part[3]
    mean_c = (0.5 * 3 - 0.375 + 5 / 7) / 5
    assert gain[1] == f"{round(100 * mean_c)}%"
    assert (
        gain[3]
        == f"On average, learners gained {round(100 * mean_c)}% of what they could still gain."
    )
    assert applied[1] == "—" and applied[3] == "No transfer check-in has been answered yet."
    assert alpha[1] == "—" and "cannot be measured" in alpha[3]


@pytest.mark.parametrize("path", ["/an/course", "/an/course/report", "/an/programme", "results"])
def test_every_question_mark_leads_to_its_entry_in_the_glossary(cohort, path: str) -> None:
    if path == "results":
        path = f"/an/{cohort.activity}/results"
    page = _get(cohort, path)
    links = set(
        re.findall(
            r'<a class="what" href="#(what-[\w-]+)">\?'
            r'<span class="sr-only"> What [^<]+ means</span></a>',
            page,
        )
    )
    assert links, path
    anchors = set(re.findall(r'<dt id="(what-[\w-]+)">', page))
    assert links <= anchors
    assert ">What these numbers mean</h2>" in page
    glossary = _words(page[page.index('id="what-these-numbers-mean"') :])
    for part in ("How to read it:", "Be careful:", "Krippendorff", "Net Promoter Score"):
        assert part in glossary


def test_nothing_raw_reaches_the_pages_even_with_no_data(an) -> None:
    an.setup()
    for path in ("/an/course", "/an/course/report", "/an/programme"):
        words = _words(_get(an, path))
        assert not re.search(r"\bNone\b|\bnan\b|NaN|\{\{|\{%|post − pre|\(post", words), path
        assert "—/5" not in words and "d_z" not in words and "g_av" not in words, path
    figures = _figures(_get(an, "/an/course"))
    assert _caption(figures["change"])[1].startswith("Too few learners with both checks to say yet")
    assert _caption(figures["funnel"])[1] == "Nobody is enrolled yet."


def test_the_sponsor_pdf_draws_the_charts_with_their_titles_and_readings(cohort, app) -> None:
    from reportlab.graphics.shapes import Drawing
    from sqlalchemy import select

    from lti_app.analytics import dashboard, figures
    from lti_app.analytics.report_charts import chart_blocks
    from lti_app.courses.models import Course
    from lti_app.extensions import db

    data = _pdf(cohort)
    assert _pages(data) == 1
    text = _text(data)
    with app.test_request_context():
        course = db.session.scalars(select(Course)).one()
        board = figures.dashboard_figures(dashboard.build(dashboard.course_scope(course)))
        blocks = chart_blocks(board)
    assert [b.key for b in blocks] == ["funnel", "slope", "change", "transfer"]
    for block in blocks:
        assert isinstance(block.drawing, Drawing) and block.drawing.contents
        assert (block.title, block.reading) == board.captions[block.key]
        assert block.title in text, block.title
    assert "Most learners scored higher at the post-check than at the pre-check (4 of 6)" in text
    # Drawn by reportlab graphics: the funnel's step names and the shared line's count.
    assert "Enrolled learners" in text and "Pre-check" in text and "×3" in text
    assert "On average, learners gained" in text  # the headline sentences
