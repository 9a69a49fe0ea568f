"""Allocation rules, bad input, anonymity settings and moving people on."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.grades.models import Score
from lti_app.peer_activities.peer_review.models import PeerReviewReview, PeerReviewSubmission
from tests.peer_review.support import ANA, BEN, CHO, DAN, PeerReviewDriver
from tests.support.lti import INSTRUCTOR


def _author_of(pr: PeerReviewDriver, review_id: str) -> int:
    with pr.app.app_context():
        return db.session.scalar(
            select(PeerReviewReview.author_id).where(PeerReviewReview.public_id == review_id)
        )


def _person_pk(pr: PeerReviewDriver, user) -> int:  # type: ignore[no-untyped-def]
    from lti_app.courses.models import Person

    with pr.app.app_context():
        return db.session.scalar(select(Person.id).where(Person.sub == user.sub))


def test_nobody_reviews_their_own_submission(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="2")
    a, b = pr.enter(ANA), pr.enter(BEN)
    assert pr.next_review(a).status_code == 409  # must submit first
    pr.submit(a)
    pr.submit(b)
    rid = pr.open_review(a)
    assert _author_of(pr, rid) == _person_pk(pr, BEN)
    assert pr.send_review(a, rid).status_code == 303
    # The only other submission is reviewed: nothing left, never their own.
    again = pr.next_review(a, volunteer="1")
    assert again.status_code == 409
    assert "no submission you can review" in again.get_data(as_text=True)
    # And the database refuses a self-review outright.
    with pr.app.app_context():
        sub = db.session.scalar(select(PeerReviewSubmission).limit(1))
        db.session.add(
            PeerReviewReview(
                activity_id=sub.activity_id,
                submission_id=sub.id,
                reviewer_id=sub.author_id,
                author_id=sub.author_id,
            )
        )
        try:
            db.session.flush()
        except Exception as exc:  # noqa: BLE001
            assert "not_self" in str(exc) or "CHECK" in str(exc)
        else:
            raise AssertionError("self-review was stored")
        db.session.rollback()


def test_a_late_submitter_still_gets_reviews_from_volunteers_and_the_instructor(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="2")
    v = {u.sub: pr.enter(u) for u in (ANA, BEN, CHO, DAN)}
    for u in (ANA, BEN, CHO):
        pr.submit(v[u.sub])
    for u in (ANA, BEN, CHO):
        for _ in range(2):
            assert pr.send_review(v[u.sub], pr.open_review(v[u.sub])).status_code == 303
    late = pr.submit(v[DAN.sub], "Sorry, late!")
    assert late.status_code == 303
    # A volunteer is offered the late submission first (it has no review yet).
    assert pr.next_review(v[ANA.sub]).status_code == 409
    resp = pr.next_review(v[ANA.sub], volunteer="1")
    assert resp.status_code == 303
    rid = resp.headers["Location"].split("/reviews/")[1].split("?")[0]
    assert _author_of(pr, rid) == _person_pk(pr, DAN)
    assert pr.send_review(v[ANA.sub], rid).status_code == 303
    # The instructor is the fallback reviewer.
    staff = pr.enter(INSTRUCTOR)
    rid = pr.open_review(staff)
    assert _author_of(pr, rid) == _person_pk(pr, DAN)
    assert pr.send_review(staff, rid).status_code == 303
    assert len(pr.review_ids_received(v[DAN.sub])) == 2


def test_an_abandoned_review_returns_to_the_pool_when_its_lease_runs_out(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1")
    v = {u.sub: pr.enter(u) for u in (ANA, BEN, CHO)}
    for u in (ANA, BEN, CHO):  # submitted in this order: ANA's is the oldest
        pr.submit(v[u.sub])
    held = pr.open_review(v[ANA.sub])
    assert _author_of(pr, held) == _person_pk(pr, BEN)  # oldest of the two open to her
    assert _author_of(pr, pr.open_review(v[BEN.sub])) == _person_pk(pr, ANA)
    # ANA walks away; her lease runs out.
    with pr.app.app_context():
        db.session.execute(
            update(PeerReviewReview)
            .where(PeerReviewReview.public_id == held)
            .values(lease_until=utcnow() - timedelta(1))
        )
        db.session.commit()
    # CHO now gets BEN's submission (it has no live review), not ANA's (leased by BEN).
    assert _author_of(pr, pr.open_review(v[CHO.sub])) == _person_pk(pr, BEN)
    staff = pr.enter(INSTRUCTOR)
    assert "1 lapsed" in pr.page(staff)
    # ANA comes back: her lapsed lease is let go (BEN's work has its review now) and
    # she gets the submission still lacking one, CHO's, never a 2nd review of BEN's.
    fresh = pr.open_review(v[ANA.sub])
    assert fresh != held and _author_of(pr, fresh) == _person_pk(pr, CHO)
    assert held not in {r.public_id for r in pr.reviews()}
    assert pr.send_review(v[ANA.sub], fresh).status_code == 303
    assert sorted(Counter(r.submission_id for r in pr.reviews()).values()) == [1, 1, 1]


def test_rubric_scores_out_of_range_are_refused_with_a_clear_message(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    rid = pr.open_review(a)
    too_high = pr.send_review(a, rid, [5, 3, 3])
    assert too_high.status_code == 422
    assert "“Content”: 5 is outside 0..4" in too_high.get_data(as_text=True)
    assert pr.send_review(a, rid, [-1, 3, 3]).status_code == 422
    missing = pr.client.post(
        f"/pr/{pr.activity}/reviews/{rid}", data={"t": a.token, "comment": "x"}
    )
    assert missing.status_code == 422
    assert "Choose a level for “Content”" in missing.get_data(as_text=True)
    no_comment = pr.send_review(a, rid, [3, 3, 3], comment="   ")
    assert no_comment.status_code == 422
    assert "overall comment" in no_comment.get_data(as_text=True)
    assert all(r.status == "leased" for r in pr.reviews())
    assert pr.send_review(a, rid, [4, 0, 2]).status_code == 303
    bad_stars = pr.rate(b, rid, stars=6)
    assert bad_stars.status_code == 422 and "1 to 5" in bad_stars.get_data(as_text=True)


def test_single_blind_shows_the_author_to_reviewers_and_open_shows_everyone(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1", anonymity="single_blind")
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    rid = pr.open_review(a)
    page = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": a.token})
    assert f"By {BEN.name}" in page.get_data(as_text=True)
    pr.send_review(a, rid)
    assert ANA.name not in pr.page(b)  # the author still does not see the reviewer

    pr.create_activity(reviews_per_submission="1", anonymity="open", link="pr-open")
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    pr.send_review(a, pr.open_review(a))
    assert ANA.name in pr.page(b)


def test_a_stuck_learner_is_shown_and_moved_on_with_a_reason(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="2")
    a = pr.enter(ANA)
    pr.enter(BEN)
    pr.submit(a)
    staff = pr.enter(INSTRUCTOR)
    assert "Who is stuck" in pr.page(staff)
    url = f"/pr/{pr.activity}/people/{pr.person_id(ANA)}/move-on"
    assert pr.client.post(url, data={"t": staff.token, "reason": ""}).status_code == 422
    assert (
        pr.client.post(url, data={"t": staff.token, "reason": "Cohort too small"}).status_code
        == 303
    )
    assert "moved on: Cohort too small" in pr.page(staff)
    assert pr.client.post(url, data={"t": staff.token, "reason": "again"}).status_code == 303
    with pr.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Score)) == 1


def test_the_instructor_edits_the_rubric_until_reviews_are_given(pr: PeerReviewDriver) -> None:
    staff = pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    url = f"/pr/{pr.activity}/rubric"
    bad = pr.client.post(url, data={"t": staff.token, "rubric": "Depth | lots"})
    assert bad.status_code == 422 and "whole number" in bad.get_data(as_text=True)
    ok = pr.client.post(
        url, data={"t": staff.token, "rubric": "Depth | 10 | shallow; deep\nStyle | 5"}
    )
    assert ok.status_code == 303
    assert [m for _, m in pr.criteria()] == [10, 5]
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    rid = pr.open_review(a)
    # "shallow; deep" are spread over 0..10: only 0 and 10 are levels of Depth.
    between = pr.send_review(a, rid, [7, 5])
    assert between.status_code == 422
    assert "“Depth”: choose one of its levels" in between.get_data(as_text=True)
    assert pr.send_review(a, rid, [10, 5]).status_code == 303
    locked = pr.client.post(url, data={"t": staff.token, "rubric": "Other | 3"})
    assert locked.status_code == 422
    assert "can no longer be changed" in locked.get_data(as_text=True)


def test_phase_dates_flag_late_work_and_results_show_learners_their_grades(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1", submission_due="2020-01-01T09:00")
    a, b = pr.enter(ANA), pr.enter(BEN)
    html = pr.page(a)
    assert "due 01 Jan 2020 09:00 UTC" in html
    assert pr.submit(a).status_code == 303  # late work is still accepted
    staff = pr.enter(INSTRUCTOR)
    html = pr.page(staff)
    assert "late" in html and "overdue: submission" in html  # BEN has not submitted
    bad = pr.client.post(
        f"/pr/{pr.activity}/settings",
        data={"t": staff.token, "review_due": "tomorrow", "method": "mean"},
    )
    assert bad.status_code == 422 and "Give a date and time" in bad.get_data(as_text=True)
    ok = pr.client.post(
        f"/pr/{pr.activity}/settings",
        data={
            "t": staff.token,
            "submission_due": "2020-01-01T09:00",
            "review_due": "2020-01-02T09:00",
            "method": "median",
            "accuracy_weighting": "1",
        },
    )  # feedback phase switched off
    assert ok.status_code == 303
    pr.submit(b)
    pr.send_review(a, pr.open_review(a), [4, 4, 4])
    pr.send_review(b, pr.open_review(b), [2, 2, 2])
    html = pr.page(b)  # every phase is past: results
    # The learner reads the grade in plain words; the formula is the instructor's.
    assert "Your grades" in html and "Based on 1 peer review: 100%." in html
    assert "peer score(s)" not in html and "×" not in html
    assert ANA.name not in html
    assert "median of 1 peer score(s)" in pr.page(staff)


def test_a_manager_and_their_report_never_review_each_other(pr: PeerReviewDriver) -> None:
    from lti_app.courses.models import Course
    from lti_app.peer_activities.grouping.reporting_lines import import_reporting_lines

    pr.create_activity(reviews_per_submission="2")
    v = {u.sub: pr.enter(u) for u in (ANA, BEN, CHO)}
    with pr.app.app_context():
        course = db.session.scalar(select(Course).where(Course.context_id == pr.context["id"]))
        report = import_reporting_lines(course, b"ana@acme.test,ben@acme.test\n")
        assert not report.skipped
        db.session.commit()
    for u in (ANA, BEN, CHO):
        pr.submit(v[u.sub])
    assert _author_of(pr, pr.open_review(v[ANA.sub])) == _person_pk(pr, CHO)
    assert _author_of(pr, pr.open_review(v[BEN.sub])) == _person_pk(pr, CHO)
    for u in (ANA, BEN):
        rid = pr.open_review(v[u.sub])  # resumes the open one
        pr.send_review(v[u.sub], rid)
        refused = pr.next_review(v[u.sub])
        assert refused.status_code == 409
        assert "peers in a reporting line never review each other" in refused.get_data(as_text=True)
    assert all(
        {r.reviewer_id, r.author_id} != {_person_pk(pr, ANA), _person_pk(pr, BEN)}
        for r in pr.reviews()
    )
    assert "no submission left for them to review" in pr.page(pr.enter(INSTRUCTOR))


def test_batch_allocation_at_a_deadline_balances_load_and_reviewers_find_their_tasks(
    pr: PeerReviewDriver,
) -> None:
    from collections import Counter

    from tests.peer_review.support import EVE

    pr.create_activity(reviews_per_submission="2")
    people = (ANA, BEN, CHO, DAN, EVE)
    v = {u.sub: pr.enter(u) for u in people}
    for u in people:
        pr.submit(v[u.sub])
    staff = pr.enter(INSTRUCTOR)
    assert pr.client.post(f"/pr/{pr.activity}/allocate", data={"t": staff.token}).status_code == 303
    rows = pr.reviews()
    assert len(rows) == 10 and all(r.reviewer_id != r.author_id for r in rows)
    assert set(Counter(r.submission_id for r in rows).values()) == {2}
    assert set(Counter(r.reviewer_id for r in rows).values()) == {2}
    again = pr.client.post(f"/pr/{pr.activity}/allocate", data={"t": staff.token})
    assert again.status_code == 422 and "already started" in again.get_data(as_text=True)
    mine = {r.public_id for r in rows if r.reviewer_id == _person_pk(pr, ANA)}
    first = pr.open_review(v[ANA.sub])
    assert first in mine
    pr.send_review(v[ANA.sub], first)
    assert pr.open_review(v[ANA.sub]) in mine - {first}


def test_authors_revise_their_work_after_feedback_when_the_activity_allows_it(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1", allow_revision="1")
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a, "First draft")
    pr.submit(b)
    early = pr.client.post(f"/pr/{pr.activity}/revision", data={"t": a.token, "body": "v2"})
    assert early.status_code == 422 and "once you have received feedback" in early.get_data(
        as_text=True
    )
    pr.send_review(b, pr.open_review(b))
    ok = pr.client.post(
        f"/pr/{pr.activity}/revision",
        data={"t": a.token, "body": "Second draft<script>x()</script>"},
    )
    assert ok.status_code == 303
    html = pr.page(a)
    assert "Second draft" in html and "<script>x()" not in html and "First draft" in html

    pr.create_activity(reviews_per_submission="1", link="pr-norev")
    a = pr.enter(ANA)
    pr.submit(a)
    refused = pr.client.post(f"/pr/{pr.activity}/revision", data={"t": a.token, "body": "v2"})
    assert refused.status_code == 422 and "does not take revisions" in refused.get_data(
        as_text=True
    )


def test_the_edit_box_shows_the_work_as_typed_not_its_markup(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    ana = pr.enter(ANA)
    pr.submit(ana, "First paragraph & more.\n\nSecond one,\nwith a line break.")
    page = pr.page(ana)
    box = page.split('id="pr-body"', 1)[1].split("</textarea>", 1)[0]
    assert "&lt;p&gt;" not in box and "&lt;br&gt;" not in box
    assert "First paragraph &amp; more.\n\nSecond one,\nwith a line break." in box
    # Saving it unchanged gives the same work back.
    pr.submit(ana, "First paragraph & more.\n\nSecond one,\nwith a line break.")
    with pr.app.app_context():
        body = db.session.scalars(select(PeerReviewSubmission.body)).one()
    assert body == "<p>First paragraph &amp; more.</p><p>Second one,<br>with a line break.</p>"
