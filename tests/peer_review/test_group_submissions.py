"""Group submissions: one submission per group of another activity's published
round; every member sees its feedback and gets its grade; nobody reviews their
own group's work (just in time or in batch); reviewing stays individual."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.grades.models import LineItem, Score
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember, GroupingRound
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import (
    PeerReviewSubmission,
    PeerReviewSubmissionMember,
)
from lti_app.sandbox.platform import SandboxUser
from tests.grades.helpers import send_grades
from tests.peer_review.support import ANA, BEN, CHO, DAN, EVE, PeerReviewDriver, learner
from tests.support.activity_driver import Visit
from tests.support.lti import INSTRUCTOR

FAY = learner("fay", "Fay Lindqvist")
GUS = learner("gus", "Gus Oyelaran")
HAL = learner("hal", "Hal Brennan")
GROUPS = ((ANA, BEN), (CHO, DAN), (EVE, FAY, GUS))
EVERYONE = (ANA, BEN, CHO, DAN, EVE, FAY, GUS)


def _publish_groups(
    pr: PeerReviewDriver, activity: str, groups: tuple[tuple[SandboxUser, ...], ...]
) -> None:
    """The grouping activity's published round (formed by the grouping feature,
    which has its own tests)."""
    with pr.app.app_context():
        act = db.session.scalar(select(Activity).where(Activity.public_id == activity))
        rnd = GroupingRound(
            activity_id=act.id,
            course_id=act.course_id,
            number=1,
            status="published",
            published_at=utcnow(),
        )
        db.session.add(rnd)
        db.session.flush()
        for n, members in enumerate(groups, start=1):
            grp = GroupingGroup(round_id=rnd.id, position=n)
            db.session.add(grp)
            db.session.flush()
            for user in members:
                person = db.session.scalar(select(Person).where(Person.sub == user.sub))
                db.session.add(
                    GroupingMember(round_id=rnd.id, group_id=grp.id, person_id=person.id)
                )
        db.session.commit()


def _group_activity(
    pr: PeerReviewDriver, *, k: str = "2", extra: tuple[SandboxUser, ...] = ()
) -> tuple[Visit, dict[str, Visit]]:
    pr.setup_activity("role_play", link="grp-src")
    source = pr.activity
    for user in EVERYONE + extra:
        pr.enter(user)
    _publish_groups(pr, source, GROUPS)
    pr.create_activity(reviews_per_submission=k)
    staff = pr.enter(INSTRUCTOR)
    assert source in pr.page(staff)  # offered as where the groups come from
    resp = pr.client.post(
        f"/pr/{pr.activity}/settings",
        data={
            "t": staff.token,
            "group_settings": "1",
            "group_submissions": "1",
            "groups_from": source,
        },
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return staff, {u.sub: pr.enter(u) for u in EVERYONE + extra}


def _group_of(person_id: int) -> set[int]:
    ids = {u.sub: db.session.scalar(select(Person.id).where(Person.sub == u.sub)) for u in EVERYONE}
    for members in GROUPS:
        found = {ids[u.sub] for u in members}
        if person_id in found:
            return found
    raise AssertionError(person_id)


def test_a_group_submits_once_and_every_member_sees_the_feedback_and_gets_the_grade(
    pr: PeerReviewDriver,
) -> None:
    staff, v = _group_activity(pr)
    assert pr.submit(v[ANA.sub], "<p>Our group's plan, draft</p>").status_code == 303
    # A group-mate sees the group's submission and revises it for the group.
    page = pr.page(v[BEN.sub])
    assert "Our group's plan, draft" in page and "One submission for your group" in page
    assert pr.submit(v[BEN.sub], "<p>Our group's plan, final</p>").status_code == 303
    assert pr.submit(v[CHO.sub], "<p>Team two</p>").status_code == 303
    assert pr.submit(v[GUS.sub], "<p>Team three</p>").status_code == 303
    with pr.app.app_context():
        subs = db.session.scalars(select(PeerReviewSubmission)).all()
        assert len(subs) == 3
        assert {s.body for s in subs} >= {"<p>Our group's plan, final</p>"}
        assert (
            db.session.scalar(select(db.func.count()).select_from(PeerReviewSubmissionMember)) == 7
        )

    # Reviewing stays individual: everyone owes 2 (the other two groups' work).
    for _ in range(2):
        for u in EVERYONE:
            rid = pr.open_review(v[u.sub])
            assert pr.send_review(v[u.sub], rid, [3.0, 3.0, 3.0]).status_code == 303
    refused = pr.next_review(v[ANA.sub], volunteer="1")
    assert refused.status_code == 409  # only her own group's work is left
    assert "no submission you can review" in refused.get_data(as_text=True)
    reviews = pr.reviews()
    assert len(reviews) == 14
    with pr.app.app_context():
        owners: dict[int, set[int]] = {}
        for m in db.session.scalars(select(PeerReviewSubmissionMember)):
            owners.setdefault(m.submission_id, set()).add(m.person_id)
        for r in reviews:
            assert r.reviewer_id not in owners[r.submission_id]
            assert owners[r.submission_id] == _group_of(r.author_id)

    # Every member sees the group's feedback (never who wrote it) and can rate it.
    ana_reviews = pr.review_ids_received(v[ANA.sub])
    assert pr.review_ids_received(v[BEN.sub]) == ana_reviews and len(ana_reviews) >= 2
    ben_page = pr.page(v[BEN.sub])
    assert all(u.name not in ben_page for u in (CHO, DAN, EVE, FAY, GUS))
    assert pr.rate(v[BEN.sub], ana_reviews[0], stars=5).status_code == 303
    for members in GROUPS:
        first = v[members[0].sub]
        for rid in pr.review_ids_received(first):
            assert pr.rate(first, rid, stars=4).status_code == 303
    for u in EVERYONE:
        assert "You have completed this activity" in pr.page(v[u.sub])

    # The group's submission grade goes to every member.
    send_grades(pr.app, pr.client, pr.activity, staff.token)
    with pr.app.app_context():
        item = db.session.scalar(select(LineItem).where(LineItem.kind == "submission"))
        given = {
            p: s
            for p, s in db.session.execute(
                select(Person.sub, Score.score_given)
                .join(Score, Score.person_id == Person.id)
                .where(Score.line_item_id == item.id)
            )
        }
    assert set(given) == {u.sub for u in EVERYONE}
    assert all(score == 75.0 for score in given.values())


def test_a_group_mate_is_never_allocated_their_own_groups_submission_in_batch_mode(
    pr: PeerReviewDriver,
) -> None:
    staff, v = _group_activity(pr, k="2")
    for members in GROUPS:
        assert pr.submit(v[members[-1].sub]).status_code == 303
    assert pr.client.post(f"/pr/{pr.activity}/allocate", data={"t": staff.token}).status_code == 303
    reviews = pr.reviews()
    assert sorted(Counter(r.submission_id for r in reviews).values()) == [2, 2, 2]
    loads = Counter(r.reviewer_id for r in reviews)
    assert max(loads.values()) - min(loads.values(), default=0) <= 1
    with pr.app.app_context():
        owners: dict[int, set[int]] = {}
        for m in db.session.scalars(select(PeerReviewSubmissionMember)):
            owners.setdefault(m.submission_id, set()).add(m.person_id)
        assert all(r.reviewer_id not in owners[r.submission_id] for r in reviews)
    # Reviewers who got a batch task find it waiting; a group-mate's "next review"
    # just in time never lands on their own group's work either.
    for u in EVERYONE:
        resp = pr.next_review(v[u.sub])
        if resp.status_code == 303:
            rid = resp.headers["Location"].split("/reviews/")[1].split("?")[0]
            assert pr.send_review(v[u.sub], rid).status_code == 303
    with pr.app.app_context():
        for r in pr.reviews():
            assert r.reviewer_id not in owners[r.submission_id]


def test_a_learner_without_a_group_is_told_to_ask_for_one(pr: PeerReviewDriver) -> None:
    staff, v = _group_activity(pr, extra=(HAL,))
    page = pr.page(v[HAL.sub])
    assert "you are not in a group yet" in page
    refused = pr.submit(v[HAL.sub], "<p>Solo</p>")
    assert refused.status_code == 422
    assert "you are not in a group yet. Ask your instructor" in refused.get_data(as_text=True)
    with pr.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PeerReviewSubmission)) == 0
    # The instructor sees why they are stuck.
    assert f"{HAL.name}: not in a group" in pr.page(staff)


def test_group_mode_needs_published_groups_and_is_fixed_once_work_is_submitted(
    pr: PeerReviewDriver,
) -> None:
    staff, v = _group_activity(pr)
    url = f"/pr/{pr.activity}/settings"
    no_source = pr.client.post(
        url,
        data={
            "t": staff.token,
            "group_settings": "1",
            "group_submissions": "1",
            "groups_from": "nope",
        },
    )
    assert no_source.status_code == 422
    assert "whose published groups submit together" in no_source.get_data(as_text=True)
    assert pr.submit(v[ANA.sub]).status_code == 303
    off = pr.client.post(url, data={"t": staff.token, "group_settings": "1"})
    assert off.status_code == 422
    assert "can no longer be switched" in off.get_data(as_text=True)
    # Other settings still change.
    assert (
        pr.client.post(
            url, data={"t": staff.token, "method": "median", "rate_feedback": "1"}
        ).status_code
        == 303
    )
