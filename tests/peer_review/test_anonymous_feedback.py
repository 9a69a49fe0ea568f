"""Anonymous peer review holds in the words too: under double- and single-blind
the reviewer's comment reaches the author without any course member's name
(a signed "— Ana" would name the reviewer), and under double-blind the author's
reply reaches the reviewer without names; an open activity keeps the words."""

from __future__ import annotations

import html
import re

import pytest

from tests.peer_review.support import ANA, BEN, CHO, PeerReviewDriver

SIGNED = "Great work Benedikt. Ask @Cho about sources. — Ana (ana@acme.test)"


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _reviewed(pr: PeerReviewDriver, anonymity: str):
    pr.create_activity(reviews_per_submission="1", anonymity=anonymity)
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.enter(CHO)
    assert pr.submit(a, "<p>Ana's essay</p>").status_code == 303
    assert pr.submit(b, "<p>Ben's essay</p>").status_code == 303
    rid = pr.open_review(a)
    resp = pr.send_review(a, rid, comment=SIGNED)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return a, b


@pytest.mark.parametrize("anonymity", ["double_blind", "single_blind"])
def test_the_author_reads_the_review_without_anyones_name(
    pr: PeerReviewDriver, anonymity: str
) -> None:
    _a, b = _reviewed(pr, anonymity)
    data = pr.client.get(f"/pr/{pr.activity}/feedback.json", query_string={"t": b.token}).get_json()
    [review] = data["reviews"]
    assert "Great work [name]. Ask a peer about sources. — [name] ([name])" in review["comment"]
    page = _words(pr.page(b))
    assert "Great work [name]. Ask a peer about sources." in page
    for name in ("Ana", "Quintero", "Cho", "ana@acme.test"):
        assert name not in _words(review["comment"])
        assert f"{name} (" not in page


def test_under_double_blind_the_authors_reply_does_not_name_them(pr: PeerReviewDriver) -> None:
    a, b = _reviewed(pr, "double_blind")
    [rid] = pr.review_ids_received(b)
    assert pr.rate(b, rid, stars=5, comment="Thanks! Benedikt Vogel").status_code == 303
    page = _words(pr.page(a))
    assert "Thanks! [name]" in page and "Vogel" not in page


def test_an_open_review_keeps_the_words_as_written(pr: PeerReviewDriver) -> None:
    _a, b = _reviewed(pr, "open")
    [review] = pr.client.get(
        f"/pr/{pr.activity}/feedback.json", query_string={"t": b.token}
    ).get_json()["reviews"]
    assert "Great work Benedikt. Ask @Cho about sources." in review["comment"]
