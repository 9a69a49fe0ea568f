"""A cohort of four runs through peer review end to end over HTTP."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.grades.models import Score
from tests.grades.helpers import send_grades
from tests.peer_review.support import COHORT, PeerReviewDriver
from tests.support.lti import INSTRUCTOR


def test_cohort_submits_reviews_rates_and_is_graded_once(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="2")
    visits = {u.sub: pr.enter(u) for u in COHORT}
    for u in COHORT:
        assert pr.submit(visits[u.sub], f"<p>Essay by {u.given_name}</p>").status_code == 303

    # Each learner does two reviews through "next review", round by round.
    scores = {COHORT[0].sub: 4.0, COHORT[1].sub: 3.0, COHORT[2].sub: 2.0, COHORT[3].sub: 3.0}
    for _ in range(2):
        for u in COHORT:
            rid = pr.open_review(visits[u.sub])
            page = pr.client.get(
                f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": visits[u.sub].token}
            ).get_data(as_text=True)
            assert "The author's name is hidden" in page
            assert all(other.name not in page for other in COHORT if other is not u)
            assert pr.send_review(visits[u.sub], rid, [scores[u.sub]] * 3).status_code == 303

    reviews = pr.reviews()
    assert all(r.reviewer_id != r.author_id for r in reviews)
    assert sorted(Counter(r.submission_id for r in reviews).values()) == [2, 2, 2, 2]
    assert sorted(Counter(r.reviewer_id for r in reviews).values()) == [2, 2, 2, 2]

    # Authors see their feedback, never who wrote it (double-blind by default).
    for u in COHORT:
        html = pr.page(visits[u.sub])
        assert "Reviewer 1" in html and "Reviewer 2" in html
        for other in COHORT:
            if other is not u:
                assert other.name not in html
        data = pr.client.get(
            f"/pr/{pr.activity}/feedback.json", query_string={"t": visits[u.sub].token}
        ).get_json()
        assert len(data["reviews"]) == 2
        assert all("reviewer_name" not in r for r in data["reviews"])
        assert not any(other.name in str(data) for other in COHORT)

    # Nobody is complete until they rated the feedback; then exactly once.
    with pr.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Score)) == 0
    for u in COHORT:
        for rid in pr.review_ids_received(visits[u.sub]):
            assert pr.rate(visits[u.sub], rid, stars=4).status_code == 303
        assert "You have completed this activity" in pr.page(visits[u.sub])
    assert (
        pr.rate(
            visits[COHORT[0].sub], pr.review_ids_received(visits[COHORT[0].sub])[0], stars=5
        ).status_code
        == 303
    )
    with pr.app.app_context():
        rows = db.session.scalars(select(Score)).all()
        assert len(rows) == 4 and len({r.person_id for r in rows}) == 4
        assert all(r.score_given == 100 and r.version == 1 for r in rows)

    # Reviewers see how their reviews were rated.
    assert "How authors rated your reviews" in pr.page(visits[COHORT[1].sub])

    # The instructor sees grades with explanations and overrides one with a reason.
    staff = pr.enter(INSTRUCTOR)
    html = pr.page(staff)
    assert "mean of 2 peer score(s)" in html
    assert "completion 2/2" in html
    assert "Krippendorff" in html
    target = pr.person_id(COHORT[2])
    url = f"/pr/{pr.activity}/people/{target}/override"
    no_reason = pr.client.post(
        url, data={"t": staff.token, "kind": "submission", "percent": "80", "reason": ""}
    )
    assert no_reason.status_code == 422
    assert "Give a reason" in no_reason.get_data(as_text=True)
    ok = pr.client.post(
        url,
        data={
            "t": staff.token,
            "kind": "submission",
            "percent": "80",
            "reason": "Reviewers missed the appendix",
        },
    )
    assert ok.status_code == 303
    html = pr.page(staff)
    assert "Reviewers missed the appendix" in html and "80.0 %" in html

    # Grades go to the gradebook with their explanations; later overrides follow.
    send_grades(pr.app, pr.client, pr.activity, staff.token)
    with pr.app.app_context():
        from lti_app.courses.models import Person
        from lti_app.grades.models import LineItem

        by_kind = Counter(
            db.session.scalars(select(LineItem.kind).join(Score, Score.line_item_id == LineItem.id))
        )
        assert by_kind == {"completion": 4, "submission": 4, "reviewing": 4}
        pk = db.session.scalar(select(Person.id).where(Person.public_id == target))
        sub_score = db.session.scalar(
            select(Score).join(LineItem).where(LineItem.kind == "submission", Score.person_id == pk)
        )
        assert sub_score.score_given == 80 and sub_score.comment == "Set by your instructor."
        other = db.session.scalar(
            select(Score).join(LineItem).where(LineItem.kind == "submission", Score.person_id != pk)
        )
        assert re.fullmatch(r"Average of 2 peer reviews: \d+%\.", other.comment), other.comment
    assert (
        pr.client.post(
            url,
            data={"t": staff.token, "kind": "reviewing", "percent": "55", "reason": "Late reviews"},
        ).status_code
        == 303
    )
    with pr.app.app_context():
        rev_score = db.session.scalar(
            select(Score).join(LineItem).where(LineItem.kind == "reviewing", Score.person_id == pk)
        )
        assert rev_score.score_given == 55 and rev_score.version == 2

    csv = pr.client.get(f"/pr/{pr.activity}/export.csv", query_string={"t": staff.token})
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    assert csv.get_data(as_text=True).count("Clear argument") == 8

    # Staff moderate a submission: the work and its reviews, with reviewer names.
    from lti_app.peer_activities.peer_review.models import PeerReviewSubmission

    with pr.app.app_context():
        sub = db.session.scalar(select(PeerReviewSubmission).limit(1))
        sub_id, author_id = sub.public_id, sub.author_id
    html = pr.client.get(
        f"/pr/{pr.activity}/submissions/{sub_id}", query_string={"t": staff.token}
    ).get_data(as_text=True)
    reviewer_names = {r.reviewer_id for r in reviews if r.author_id == author_id}
    assert (
        html.count("total 3")
        + html.count("total 6")
        + html.count("total 9")
        + html.count("total 12")
        == 2
    )
    assert len(reviewer_names) == 2
    learner = visits[COHORT[0].sub]
    assert (
        pr.client.get(
            f"/pr/{pr.activity}/submissions/{sub_id}", query_string={"t": learner.token}
        ).status_code
        == 403
    )
