"""The L&D dashboard as an L&D lead sees it: figures recomputed independently from
the CSV export, accessible charts (SVG with text alternatives and data tables, no
script), the feedback survey, and a printable sponsor report."""

from __future__ import annotations

import csv
import html
import io
import re
import statistics

import pytest

from tests.analytics.support import ANA, BEN, CHLOE, DIEGO, EMMA, FARID

#: (learner, pre right, post right) out of 10; Diego misses the pre, Farid the post.
RUNS = ((ANA, 4, 7), (BEN, 10, 9), (CHLOE, 8, 5), (EMMA, 3, 8))


@pytest.fixture
def cohort(an):
    an.setup()
    an.add_knowledge(10)
    for user, pre, _ in RUNS:
        assert an.check(user, "pre", pre).status_code == 303
    assert an.check(FARID, "pre", 6).status_code == 303
    an.join(DIEGO)
    an.open_post()
    for user, _, post in RUNS:
        assert an.check(user, "post", post).status_code == 303
    assert an.check(DIEGO, "post", 6).status_code == 303
    for user, rating, relevance in ((ANA, 10, 5), (BEN, 9, 4), (CHLOE, 3, 2), (EMMA, 7, 4)):
        resp = an.feedback(
            user,
            rating,
            relevance=str(relevance),
            confidence="4",
            valued='=HYPERLINK("http://x")' if user is CHLOE else "Practice",
            will_change="Ask first",
            ideas="More cases",
        )
        assert resp.status_code == 303, resp.get_data(as_text=True)
    return an


def _csv(an, table: str, which: str = "course") -> list[dict[str, str]]:
    resp = an.client.get(f"/an/{which}/export/{table}.csv", query_string={"t": an.staff.token})
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def _board(an, which: str = "course") -> str:
    resp = an.client.get(f"/an/{which}", query_string={"t": an.staff.token})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return html.unescape(resp.get_data(as_text=True))


def _words(page: str) -> str:
    """The page's text, as read aloud: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def _c(pre: float, post: float) -> float | None:
    if post > pre:
        return (post - pre) / (100 - pre)
    if post < pre:
        return (post - pre) / pre
    return None if pre in (0, 100) else 0.0


def test_cohort_figures_recomputed_from_the_export_match_the_dashboard(cohort) -> None:
    rows = _csv(cohort, "learning")
    assert len(rows) == 6
    paired = [
        (float(r["pre_percent"]), float(r["post_percent"]))
        for r in rows
        if r["pre_percent"] and r["post_percent"]
    ]
    attrition = sum(1 for r in rows if r["pre_percent"] and not r["post_percent"])
    post_only = sum(1 for r in rows if r["post_percent"] and not r["pre_percent"])
    assert (len(paired), attrition, post_only) == (4, 1, 1)
    changes = [c for c in (_c(p, q) for p, q in paired) if c is not None]
    mean_c = statistics.fmean(changes)
    mean_pre = statistics.fmean(p for p, _ in paired)
    mean_post = statistics.fmean(q for _, q in paired)
    g_of_averages = (mean_post - mean_pre) / (100 - mean_pre)
    gains = [(q - p) / (100 - p) for p, q in paired if p < 100]
    for r in rows:  # the per-learner c in the export is the one recomputed
        if r["pre_percent"] and r["post_percent"]:
            expected = _c(float(r["pre_percent"]), float(r["post_percent"]))
            assert float(r["normalised_change_c"]) == pytest.approx(expected)
    board = _words(_board(cohort))
    assert f"{mean_c:+.2f}" in board
    assert f"{g_of_averages:.2f}" in board
    assert f"{statistics.fmean(gains):.2f}" in board
    assert f"{mean_pre:.1f}% → {mean_post:.1f}%" in board
    assert "4 of 6" in board and "not shown below 10 pairs" in board


def test_satisfaction_figures_recomputed_from_the_export(cohort) -> None:
    rows = _csv(cohort, "satisfaction")
    ratings = [int(r["satisfaction_0_10"]) for r in rows for _ in range(int(r["learners"]))]
    assert sorted(ratings) == [3, 7, 9, 10]
    promoters = sum(1 for r in ratings if r >= 9)
    detractors = sum(1 for r in ratings if r <= 6)
    score = 100 * (promoters - detractors) / len(ratings)
    board = _words(_board(cohort))
    assert f"NPS {score:+.0f} (n = 4" in board
    assert "Relevance 3.8/5 (n = 4)" in board
    comments = _csv(cohort, "comments")
    # A formula is never handed to a spreadsheet as a formula.
    assert '\'=HYPERLINK("http://x")' in [c["what_i_valued"] for c in comments]


def test_the_funnel_counts_each_step(cohort) -> None:
    steps = {r["step"]: int(r["learners"]) for r in _csv(cohort, "funnel")}
    assert steps["Enrolled learners"] == 6
    assert steps["Took a pre-check"] == 5
    assert steps["Took a post-check"] == 5
    assert steps["Answered the feedback survey"] == 4


def test_charts_are_svg_with_text_alternatives_and_data_tables(cohort) -> None:
    board = _board(cohort)
    svgs = re.findall(r"<svg[^>]*>", board)
    assert len(svgs) >= 8
    assert all('role="img"' in s and "aria-labelledby" in s for s in svgs)
    assert board.count("<title id=") == len(svgs) and board.count("<desc id=") == len(svgs)
    assert board.count("Data table:") >= 8
    # Nothing loaded from elsewhere: no script but the address-bar helper and the
    # layout's own peerlift.js (frame resizing, confirmations; templates/base.html).
    assert re.findall(r'<script[^>]*\bsrc="([^"]*)"', board) == ["/static/peerlift.js"]
    assert not re.search(r'(src|href)="(https?:)?//', board)
    assert "@media print" in board
    for heading in (
        "Participation",
        "Turnover",
        "Satisfaction",
        "Learning",
        "Transfer",
        "Who interacts with whom",
        "Reviewer reliability",
        "Evidence ladder",
    ):
        assert f">{heading}</h2>" in board


def test_the_sponsor_report_prints_the_headline_figures_and_the_evidence_ladder(cohort) -> None:
    resp = cohort.client.get("/an/course/report", query_string={"t": cohort.staff.token})
    assert resp.status_code == 200
    page = html.unescape(resp.get_data(as_text=True))
    assert "@page" in page
    page = _words(page)
    assert "Evidence ladder" in page
    assert "LTEM 4 · Kirkpatrick 2 · Knowledge" in page
    assert "n paired = 4 of 6" in page
    assert "LTEM 8 · Kirkpatrick 4 · Results" in page and "no evidence" in page


def test_the_activity_results_page_lists_every_learner_and_flags_a_fall(cohort) -> None:
    resp = cohort.client.get(
        f"/an/{cohort.activity}/results", query_string={"t": cohort.staff.token}
    )
    assert resp.status_code == 200
    page = html.unescape(resp.get_data(as_text=True))
    for user in (ANA, BEN, CHLOE, DIEGO, EMMA, FARID):
        assert user.name in page
    assert "check with this learner" in page  # Chloe: 80 → 50


def test_a_learner_sees_their_checks_and_survey_not_the_staff_panel(cohort) -> None:
    page = cohort.page(cohort.join(ANA))
    assert "You took the post-check: 7 of 10 right" in page
    assert "You gained 50% of what you could still gain" in page
    assert "Update my feedback" in page
    assert "L&D dashboard" not in page and "Results so far" not in page
    staff = cohort.page(cohort.staff)
    assert "Results so far" in staff


def test_the_survey_refuses_a_rating_out_of_range_and_before_the_end(an) -> None:
    an.setup()
    an.add_knowledge(2)
    assert an.feedback(ANA, 8).status_code == 409
    an.open_post()
    assert an.feedback(ANA, 11).status_code == 400
    assert an.feedback(ANA, 8, relevance="9").status_code == 400
    assert an.feedback(ANA, 8).status_code == 303
    assert an.feedback(ANA, 6).status_code == 303  # updated, not duplicated
    assert [r["learners"] for r in _csv(an, "satisfaction")].count("1") == 1


def test_the_programme_view_lists_courses(cohort) -> None:
    board = _board(cohort, "programme")
    assert "All courses of this platform" in board and ">Courses</h2>" in board
    # Names stay inside a course: the programme view and its export are pseudonymous.
    assert ANA.name not in board
    rows = _csv(cohort, "learning", "programme")
    assert "name" not in rows[0] and len(rows) == 6
