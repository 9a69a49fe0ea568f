"""Roles, tenant scoping, allocation ownership, CSRF token and sanitising."""

from __future__ import annotations

from tests.peer_review.support import ANA, BEN, CHO, OTHER_COURSE, PeerReviewDriver
from tests.support.lti import INSTRUCTOR


def test_learners_cannot_use_staff_endpoints(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    a = pr.enter(ANA)
    pid = pr.person_id(ANA)
    base = f"/pr/{pr.activity}"
    for url, data in (
        (f"{base}/rubric", {"rubric": "X | 3"}),
        (f"{base}/people/{pid}/override", {"kind": "submission", "percent": "100", "reason": "me"}),
        (f"{base}/people/{pid}/move-on", {"reason": "me"}),
    ):
        assert pr.client.post(url, data={"t": a.token, **data}).status_code == 403
    assert pr.client.get(f"{base}/export.csv", query_string={"t": a.token}).status_code == 403
    assert "Progress and grades" not in pr.page(a)


def test_another_courses_ids_give_404(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1", link="pr-other", context=OTHER_COURSE)
    other_activity = pr.activity
    oa, ob = pr.enter(ANA), pr.enter(BEN)
    pr.submit(oa)
    pr.submit(ob)
    other_review = pr.open_review(oa)

    staff = pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    a = pr.enter(ANA)
    for token in (a.token, staff.token):
        base = f"/pr/{other_activity}"
        assert (
            pr.client.post(f"{base}/submission", data={"t": token, "body": "x"}).status_code == 404
        )
        assert pr.client.post(f"{base}/reviews/next", data={"t": token}).status_code == 404
        assert (
            pr.client.get(f"{base}/reviews/{other_review}", query_string={"t": token}).status_code
            == 404
        )
    assert (
        pr.client.get(
            f"/pr/{other_activity}/export.csv", query_string={"t": staff.token}
        ).status_code
        == 404
    )
    # This course's activity, the other course's review id: not found either.
    assert (
        pr.client.get(
            f"/pr/{pr.activity}/reviews/{other_review}", query_string={"t": a.token}
        ).status_code
        == 404
    )
    # A learner of the other course is not a learner of this one.
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/people/nobody/move-on", data={"t": staff.token, "reason": "x"}
        ).status_code
        == 404
    )


def test_a_review_not_allocated_to_you_is_refused(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    a, b, c = pr.enter(ANA), pr.enter(BEN), pr.enter(CHO)
    for v in (a, b, c):
        pr.submit(v)
    rid = pr.open_review(a)
    assert (
        pr.client.get(f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": c.token}).status_code
        == 404
    )
    assert pr.send_review(c, rid).status_code == 404
    pr.send_review(a, rid)
    # Only the author of the reviewed work may rate it.
    assert pr.rate(c, rid).status_code == 404
    assert pr.rate(a, rid).status_code == 404


def test_every_post_needs_the_session_token(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    pr.enter(ANA)
    assert (
        pr.client.post(f"/pr/{pr.activity}/submission", data={"body": "no token"}).status_code
        == 401
    )
    assert pr.client.post(f"/pr/{pr.activity}/reviews/next").status_code == 401


def test_submissions_and_comments_are_sanitised(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1", anonymity="single_blind")
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a, "ok")
    evil = (
        '<p onclick="x()">Hi <script>alert(1)</script><img src=x onerror=alert(2)>'
        '<a href="javascript:alert(3)">link</a> <strong>bold</strong></p>'
    )
    assert pr.submit(b, evil).status_code == 303
    bad_link = pr.submit(a, "ok", link_url="javascript:alert(1)")
    assert bad_link.status_code == 422
    rid = pr.open_review(a)
    page = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": a.token}).get_data(
        as_text=True
    )
    for bad in ("<script>alert", "onerror", "onclick", "javascript:"):
        assert bad not in page
    assert "<strong>bold</strong>" in page
    pr.send_review(a, rid, comment="<script>steal()</script>Nice <em>work</em>")
    html = pr.page(b)
    assert "<script>steal" not in html and "<em>work</em>" in html
    staff = pr.enter(INSTRUCTOR)
    pr.client.post(
        f"/pr/{pr.activity}/people/{pr.person_id(BEN)}/override",
        data={
            "t": staff.token,
            "kind": "reviewing",
            "percent": "50",
            "reason": "<script>x()</script>",
        },
    )
    assert "<script>x()" not in pr.page(staff)
    csv = pr.client.get(f"/pr/{pr.activity}/export.csv", query_string={"t": staff.token}).get_data(
        as_text=True
    )
    assert "<script>" not in csv and "Nice work" in csv


def test_a_mentor_or_guest_cannot_submit_or_review(pr: PeerReviewDriver) -> None:
    from tests.support.lti import MENTOR

    pr.create_activity(reviews_per_submission="1")
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    m = pr.enter(MENTOR)
    assert pr.client.post(f"/pr/{pr.activity}/reviews/next", data={"t": m.token}).status_code == 403
    assert pr.submit(m).status_code == 403
    assert pr.reviews() == []
