"""Honest dashboards: nobody is "dropped out" before the rule's own 21 days have
passed since they were last seen (the page says the rule in words), and
attrition is shown only once a post-check has opened — on the course and
programme dashboards, the activity panel and results, the sponsor report (HTML
and PDF) and the CSV exports. Survey comments shown as anonymous name nobody."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest

from lti_app.analytics import turnover
from lti_app.db import utcnow
from tests.analytics.support import ANA, BEN, CHLOE
from tests.analytics.test_report_pdf import _text as pdf_text


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _get(an, path: str) -> str:
    resp = an.client.get(path, query_string={"t": an.staff.token})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def _csv(an, table: str, which: str = "course") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_get(an, f"/an/{which}/export/{table}.csv"))))


def _days_later(monkeypatch: pytest.MonkeyPatch, days: float) -> None:
    later = utcnow() + timedelta(days=days)
    monkeypatch.setattr(turnover, "utcnow", lambda: later)


def test_minutes_after_their_first_launch_nobody_has_dropped_out(
    an, monkeypatch: pytest.MonkeyPatch
) -> None:
    an.setup()
    for user in (ANA, BEN, CHLOE):
        an.join(user)  # they launch, and do nothing yet
    for which in ("course", "programme"):
        board = _words(_get(an, f"/an/{which}"))
        assert "Nobody has dropped out." in board
        assert "once 21 days have passed since they last opened Peerlift" in board
        assert "Who dropped out" not in board and "never took part" not in board
        assert (
            "3 learners are taking part; if nobody does anything more, the first could "
            "count as dropped out on" in board
        )
        assert [r["share_continuing"] for r in _csv(an, "survival", which)] == ["1.0"]
        assert _csv(an, "dropouts", which) == []
    report = _words(_get(an, "/an/course/report"))
    assert "0 dropped out, 3 still taking part" in report
    assert "0 dropped out" in pdf_text(
        an.client.get("/an/course/report.pdf", query_string={"t": an.staff.token}).get_data()
    )
    # Twenty days on, still inside the rule's threshold.
    _days_later(monkeypatch, 20)
    assert "Nobody has dropped out." in _words(_get(an, "/an/course"))
    # Twenty-two days on, the rule counts them, and says why.
    _days_later(monkeypatch, 22)
    board = _words(_get(an, "/an/course"))
    assert "3 learners have dropped out." in board
    assert "Who dropped out" in board
    assert board.count("opened Peerlift but never took part; nothing for 22 days") == 3
    rows = _csv(an, "survival")
    assert [
        (r["week"], r["learners_followed"], r["dropped_out"], r["share_continuing"]) for r in rows
    ] == [("1", "3", "0", "1.0"), ("2", "3", "3", "0.0")]
    dropouts = _csv(an, "dropouts")
    assert sorted(r["name"] for r in dropouts) == sorted(u.name for u in (ANA, BEN, CHLOE))
    assert {r["why"] for r in dropouts} == {
        "opened Peerlift but never took part; nothing for 22 days"
    }
    assert "name" not in _csv(an, "dropouts", "programme")[0]


def test_attrition_is_hidden_until_the_post_check_opens(an) -> None:
    an.setup()
    an.add_knowledge(4)
    for user in (ANA, BEN):
        assert an.check(user, "pre", 2).status_code == 303
    board = _words(_get(an, "/an/course"))
    assert (
        "Shows once the post-check opens; it has not opened yet (2 took the pre-check "
        "so far)." in board
    )
    assert "Not in the funnel yet: took a post-check and answered the feedback survey" in board
    assert "Took a post-check not open yet" in board  # the funnel's data table
    assert not re.search(r"Attrition \(took the pre-check, not the post-check\) \d", board)
    steps = [r["step"] for r in _csv(an, "funnel")]
    assert "Took a post-check" not in steps and "Took a pre-check" in steps
    assert {r["post_check_opened"] for r in _csv(an, "learning")} == {"no"}
    report = _words(_get(an, "/an/course/report"))
    assert "attrition shows once the post-check opens (not open yet)" in report
    assert "attrition 2" not in report
    pdf = pdf_text(
        an.client.get("/an/course/report.pdf", query_string={"t": an.staff.token}).get_data()
    )
    assert "attrition shows once the post-check opens" in pdf and "attrition 2" not in pdf
    panel = _words(an.page(an.staff))
    assert "paired (attrition shows once the post-check opens)" in panel
    results = _words(_get(an, f"/an/{an.activity}/results"))
    assert "Shows once the post-check opens" in results
    programme = _words(_get(an, "/an/programme"))
    assert "Shows once the post-check opens" in programme

    an.open_post()
    assert an.check(ANA, "post", 3).status_code == 303
    board = _words(_get(an, "/an/course"))
    assert re.search(
        r"Attrition \(took the pre-check, not the post-check\) 1 \(post-check "
        r"open since \d+ \w+ \d{4}\)",
        board,
    )
    assert "Not in the funnel yet" not in board
    assert "Took a post-check" in [r["step"] for r in _csv(an, "funnel")]
    assert {r["post_check_opened"] for r in _csv(an, "learning")} == {"yes"}
    assert "attrition 1" in _words(_get(an, "/an/course/report"))
    assert "paired (attrition 1)" in _words(an.page(an.staff))


def test_anonymous_survey_comments_name_nobody(an) -> None:
    an.setup()
    an.add_knowledge(2)
    an.join(BEN)
    an.open_post()
    resp = an.feedback(
        ANA,
        9,
        valued="Practising with @Ben and Ben's questions",
        will_change="Ask Okafor first",
        ideas="Benefit from more cases",
    )
    assert resp.status_code == 303
    board = _words(_get(an, "/an/course"))
    assert "Practising with a peer and [name]'s questions" in board
    assert "Ask [name] first" in board and "Benefit from more cases" in board
    for row in _csv(an, "comments"):
        assert "Ben" not in row["what_i_valued"] and "Okafor" not in row["what_i_will_change"]
    results = _words(_get(an, f"/an/{an.activity}/results"))
    assert "Ben's" not in results and "@Ben" not in results
