"""Reviewers comment on passages of a text submission; the author sees the comments
beside the marked passages, without the reviewer's name unless the activity is
open; staff see them with names; hostile anchors are refused, nothing typed lost."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_app.domain.passages import plain_text
from lti_app.extensions import db
from lti_app.peer_activities.peer_review.models import PeerReviewSubmission
from tests.peer_review.support import ANA, BEN, PeerReviewDriver
from tests.support.activity_driver import Visit
from tests.support.lti import INSTRUCTOR

ESSAY = (
    "<p>Remote teams need <strong>clear rituals</strong> to stay aligned.</p>"
    "<p>Weekly demos &amp; written updates beat daily meetings.</p>"
)
TEXT = plain_text(ESSAY)


def _span(words: str) -> tuple[str, str]:
    start = TEXT.index(words)
    return str(start), str(start + len(words))


def _setup(pr: PeerReviewDriver, anonymity: str = "double_blind") -> tuple[Visit, Visit, str]:
    pr.create_activity(reviews_per_submission="1", anonymity=anonymity)
    a, b = pr.enter(ANA), pr.enter(BEN)
    assert pr.submit(a, "<p>Ana's own essay.</p>").status_code == 303
    assert pr.submit(b, ESSAY).status_code == 303
    return a, b, pr.open_review(a)  # Ana reviews Ben's essay


def _send(
    pr: PeerReviewDriver, visit: Visit, rid: str, passages: list[tuple[str, str, str]], **extra: Any
) -> tuple[int, str]:
    crit = pr.criteria()
    data: dict[str, Any] = {"t": visit.token, "comment": "Good structure overall."}
    data.update({f"c-{pid}": "3" for pid, _ in crit})
    data["pa-start"] = [p[0] for p in passages]
    data["pa-end"] = [p[1] for p in passages]
    data["pa-comment"] = [p[2] for p in passages]
    data.update(extra)
    resp = pr.client.post(f"/pr/{pr.activity}/reviews/{rid}", data=data)
    return resp.status_code, resp.get_data(as_text=True)


def test_the_author_sees_each_comment_beside_its_marked_passage_without_the_reviewer(
    pr: PeerReviewDriver,
) -> None:
    a, b, rid = _setup(pr)
    status, _ = _send(
        pr,
        a,
        rid,
        [(*_span("Weekly demos & written"), "Which tool?"), (*_span("clear rituals"), "Name one.")],
    )
    assert status == 303
    page = pr.page(b)
    assert "Comments on passages" in page
    assert '<strong><mark class="pr-anchor pr-anchor-start" data-anchor="1">clear rituals' in page
    assert 'data-anchor="2">Weekly demos &amp; written' in page
    assert page.index("Name one.") < page.index("Which tool?")  # in the order of the text
    assert ANA.name not in page
    [review] = pr.client.get(
        f"/pr/{pr.activity}/feedback.json", query_string={"t": b.token}
    ).get_json()["reviews"]
    assert [c["comment"] for c in review["passages"]["comments"]] == ["Name one.", "Which tool?"]
    assert "reviewer_name" not in review


def test_the_instructor_sees_the_comments_with_the_reviewers_name(pr: PeerReviewDriver) -> None:
    a, b, rid = _setup(pr)
    assert _send(pr, a, rid, [(*_span("clear rituals"), "Name one.")])[0] == 303
    staff = pr.enter(INSTRUCTOR)
    with pr.app.app_context():
        essay = db.session.scalar(
            select(PeerReviewSubmission.public_id).where(PeerReviewSubmission.body == ESSAY)
        )
    page = pr.client.get(
        f"/pr/{pr.activity}/submissions/{essay}", query_string={"t": staff.token}
    ).get_data(as_text=True)
    assert "Name one." in page and ANA.name in page and 'data-anchor="1"' in page


def test_markup_in_a_comment_is_shown_as_text(pr: PeerReviewDriver) -> None:
    a, b, rid = _setup(pr)
    hostile = '<img src=x onerror="alert(1)">Look <b>here</b>'
    assert _send(pr, a, rid, [(*_span("clear rituals"), hostile)])[0] == 303
    page = pr.page(b)
    assert "<img src=x" not in page and "<b>here</b>" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Look &lt;b&gt;here&lt;/b&gt;" in page


def test_offsets_outside_the_text_are_refused_and_what_was_typed_is_kept(
    pr: PeerReviewDriver,
) -> None:
    a, b, rid = _setup(pr)
    status, page = _send(
        pr, a, rid, [("5", str(len(TEXT) + 40), "Beyond the end")], comment="My overall view."
    )
    assert status == 422
    assert "is not in the submission&#39;s text" in page
    assert "Beyond the end" in page and "My overall view." in page
    assert pr.review_ids_received(b) == []  # nothing saved


def test_overlapping_passages_are_refused(pr: PeerReviewDriver) -> None:
    a, b, rid = _setup(pr)
    start, end = _span("clear rituals to stay")
    status, page = _send(pr, a, rid, [(start, end, "One"), (str(int(start) + 6), end, "Two")])
    assert status == 422 and "overlap" in page
    assert pr.review_ids_received(b) == []


def test_an_empty_comment_on_a_passage_and_incomplete_fields_are_refused(
    pr: PeerReviewDriver,
) -> None:
    a, _b, rid = _setup(pr)
    status, page = _send(pr, a, rid, [(*_span("clear rituals"), "  ")])
    assert status == 422 and "Write your comment on the passage “clear rituals”" in page
    crit = pr.criteria()
    data: dict[str, Any] = {"t": a.token, "comment": "Fine.", "pa-start": ["1", "4"]}
    data.update({f"c-{pid}": "3" for pid, _ in crit})
    data.update({"pa-end": ["3"], "pa-comment": ["x"]})
    resp = pr.client.post(f"/pr/{pr.activity}/reviews/{rid}", data=data)
    assert resp.status_code == 422 and "incomplete" in resp.get_data(as_text=True)


def test_a_review_without_passages_works_as_before(pr: PeerReviewDriver) -> None:
    a, b, rid = _setup(pr)
    assert pr.send_review(a, rid).status_code == 303
    assert "Comments on passages" not in pr.page(b)


def test_a_link_only_submission_takes_no_passage_comments(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    a, b = pr.enter(ANA), pr.enter(BEN)
    assert pr.submit(a, "Mine").status_code == 303
    assert pr.submit(b, "", link_url="https://example.org/essay").status_code == 303
    rid = pr.open_review(a)
    page = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": a.token})
    assert "Comments on passages" not in page.get_data(as_text=True)
    status, text = _send(pr, a, rid, [("0", "3", "Hm")])
    assert status == 422 and "no text to comment on" in text


def test_the_csv_export_carries_each_comment_with_its_passage(pr: PeerReviewDriver) -> None:
    a, _b, rid = _setup(pr)
    assert _send(pr, a, rid, [(*_span("clear rituals"), "Name one.")])[0] == 303
    staff = pr.enter(INSTRUCTOR)
    export = pr.client.get(f"/pr/{pr.activity}/export.csv", query_string={"t": staff.token})
    header, *rows = export.get_data(as_text=True).splitlines()
    assert header.endswith("comments on passages")
    assert any(row.endswith("“clear rituals”: Name one.") for row in rows)


def test_the_phase_switch_of_an_unknown_activity_is_a_404(pr: PeerReviewDriver) -> None:
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    resp = pr.client.post("/pr/nosuchactivity1/phase", data={"t": staff.token, "phase": "closed"})
    assert resp.status_code == 404


def test_a_passage_quoted_by_its_words_works_without_the_script_or_a_mouse(
    pr: PeerReviewDriver,
) -> None:
    a, b, rid = _setup(pr)
    status, _ = _send(
        pr,
        a,
        rid,
        [(*_span("clear rituals"), "Name one.")],
        **{"pa-find": "Weekly   demos & written", "pa-find-comment": "Which tool?"},
    )
    assert status == 303
    [review] = pr.client.get(
        f"/pr/{pr.activity}/feedback.json", query_string={"t": b.token}
    ).get_json()["reviews"]
    assert [(c["quote"], c["comment"]) for c in review["passages"]["comments"]] == [
        ("clear rituals", "Name one."),
        ("Weekly demos & written", "Which tool?"),
    ]


def test_a_quote_not_in_the_work_or_found_twice_is_refused_and_kept(
    pr: PeerReviewDriver,
) -> None:
    a, _b, rid = _setup(pr)
    status, page = _send(pr, a, rid, [], **{"pa-find": "daily standups", "pa-find-comment": "?"})
    assert status == 422 and "is not in the work" in page
    assert 'value="daily standups"' in page  # kept, to correct
    status, page = _send(pr, a, rid, [], **{"pa-find": "ly", "pa-find-comment": "Which?"})
    assert status == 422 and "appears 2 times in the work" in page
    status, page = _send(pr, a, rid, [], **{"pa-find-comment": "A comment on nothing"})
    assert status == 422 and "Quote the words of the passage" in page
