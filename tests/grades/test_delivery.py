"""Scores reach the LMS gradebook exactly as intended, through faults, never lost."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.grades.models import FAILED, LEARNING_GAIN, PENDING, SENT, LineItem
from lti_app.peer_activities.models import Activity
from tests.grades.helpers import deliver, record, scores, settle, start, time_passes

SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"


def _item_id(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def _completion_item(app, setup) -> str:
    with app.app_context():
        activity = db.session.get(Activity, setup.activity_id)
        return _item_id(activity.lineitem_url)


def _creations(lms):
    return [c for c in lms.faults.calls("/lineitems", "POST") if c.path.endswith("/lineitems")]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_a_recorded_score_reaches_the_lms_with_every_field_it_needs(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=2)
    record(app, setup, users[0].sub, 80, comment="Clear, specific feedback.")
    report = deliver(app)
    assert report.sent == 1
    got = lms.store.scores(_completion_item(app, setup))[users[0].sub]
    assert got["scoreGiven"] == 80 and got["scoreMaximum"] == 100
    assert got["activityProgress"] == "Completed" and got["gradingProgress"] == "FullyGraded"
    assert got["comment"] == "Clear, specific feedback."
    assert _ts(got["timestamp"]).tzinfo is not None
    post = lms.faults.calls("/scores", "POST")[-1]
    assert post.headers["Content-Type"] == SCORE_MEDIA
    assert post.headers["User-Agent"].startswith("Peerlift/")
    assert post.query == "type_id=1", "the line item's query string is kept on /scores"
    assert scores(app)[0].status == SENT


def test_an_empty_comment_is_still_sent_so_the_lms_keeps_it_in_step(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    record(app, setup, users[0].sub, 50)
    deliver(app)
    assert lms.store.scores(_completion_item(app, setup))[users[0].sub].get("comment") == ""


def test_only_the_newest_of_several_quick_changes_is_sent(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    for value in (10, 20, 30):
        record(app, setup, users[0].sub, value)
    deliver(app)
    item = _completion_item(app, setup)
    assert lms.store.scores(item)[users[0].sub]["scoreGiven"] == 30
    assert lms.store.accepted_counts(item) == {users[0].sub: 1}


def test_updates_get_strictly_increasing_timestamps_a_second_apart(app, make_lms):
    """The LMS compares whole seconds (Moodle's 409): a quick second update still lands."""
    lms, setup, users = start(app, make_lms, learners=1)
    record(app, setup, users[0].sub, 40)
    deliver(app)
    first = lms.store.scores(_completion_item(app, setup))[users[0].sub]["timestamp"]
    record(app, setup, users[0].sub, 90)
    assert deliver(app).sent == 1
    second = lms.store.scores(_completion_item(app, setup))[users[0].sub]
    assert second["scoreGiven"] == 90
    assert _ts(second["timestamp"]) - _ts(first) >= timedelta(seconds=1)


def test_a_negative_score_is_sent_as_zero(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    record(app, setup, users[0].sub, -12)
    deliver(app)
    assert lms.store.scores(_completion_item(app, setup))[users[0].sub]["scoreGiven"] == 0


def test_every_grade_arrives_through_500s_429s_and_an_expired_token(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=12)
    lms.faults.add("/scores", 500, times=5)
    lms.faults.add("/scores", 429, times=4, headers={"Retry-After": "1"})
    for i, user in enumerate(users):
        record(app, setup, user.sub, 50 + i)
    deliver(app)
    lms.store.revoke_tokens()  # the LMS forgets the token: the next calls get 401
    time_passes(app)
    settle(app)
    item = _completion_item(app, setup)
    got = lms.store.scores(item)
    assert {u.sub: got[u.sub]["scoreGiven"] for u in users} == {
        u.sub: 50 + i for i, u in enumerate(users)
    }
    assert set(lms.store.accepted_counts(item).values()) == {1}, "no score was sent twice"
    assert all(s.status == SENT for s in scores(app))
    assert lms.token_requests() == 2, "one token, then one fresh token after the 401"


def test_retry_after_is_honoured(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    lms.faults.add("/scores", 429, times=1, headers={"Retry-After": "120"})
    record(app, setup, users[0].sub, 70)
    before = utcnow()
    report = deliver(app)
    assert report.retrying == 1
    row = scores(app)[0]
    assert row.status == PENDING and row.attempts == 1
    assert row.next_attempt_at >= before + timedelta(seconds=119)
    assert "rate-limiting" in row.last_error and row.last_status == 429


def test_canvas_403_rate_limit_is_retried_not_failed(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    lms.faults.add("/scores", 403, times=1, body=b"403 Forbidden (Rate Limit Exceeded)")
    record(app, setup, users[0].sub, 70)
    assert deliver(app).retrying == 1
    time_passes(app)
    assert deliver(app).sent == 1


def test_an_hour_long_outage_delays_grades_and_loses_none(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=6)
    outage = lms.faults.add("", 503)  # every call, token endpoint included
    for user in users:
        record(app, setup, user.sub, 65)
    for _ in range(12):  # many retry rounds while the LMS is down
        deliver(app)
        time_passes(app)
    waiting = scores(app)
    assert all(s.status == PENDING for s in waiting)
    assert all("unavailable (503)" in (s.last_error or "") for s in waiting)
    assert min(s.attempts for s in waiting) >= 10
    lms.faults.faults.remove(outage)
    settle(app)
    got = lms.store.scores(_completion_item(app, setup))
    assert {u.sub for u in users} <= set(got)
    assert all(s.status == SENT and s.last_error is None for s in scores(app))


def test_backoff_grows_exponentially_with_jitter(app, make_lms):
    app.config.update(GRADES_BACKOFF_BASE_S=10, GRADES_BACKOFF_CAP_S=900)
    lms, setup, users = start(app, make_lms, learners=1)
    lms.faults.add("/scores", 500)
    record(app, setup, users[0].sub, 70)
    waits = []
    for _ in range(4):
        now = utcnow()
        deliver(app)
        waits.append((scores(app)[0].next_attempt_at - now).total_seconds())
        time_passes(app)
    for attempt, wait in enumerate(waits, start=1):
        full = 10 * 2 ** (attempt - 1)
        assert full / 2 - 1 <= wait <= full + 1, (attempt, waits)


def test_a_score_the_lms_refuses_fails_with_its_reason_and_can_be_retried(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=2)
    lms.faults.add(
        "/scores",
        422,
        times=1,
        body=b'{"errors": {"type": "unprocessable", "message": '
        b'"This course has concluded. AGS requests will no longer be accepted '
        b'for this course."}}',
    )
    record(app, setup, users[0].sub, 70)
    report = deliver(app)
    assert report.failed == 1
    row = scores(app)[0]
    assert row.status == FAILED and row.last_status == 422
    assert "This course has concluded" in row.last_error
    time_passes(app)
    assert deliver(app).claimed == 0, "a failed score is not retried on its own"

    from lti_app.grades.panel import retry_scores

    with app.app_context():
        assert retry_scores(activity_id=setup.activity_id).queued == 1
        db.session.commit()
    assert deliver(app).sent == 1
    got = lms.store.scores(_completion_item(app, setup))[users[0].sub]
    assert got["scoreGiven"] == 70


def test_a_409_after_an_attempt_that_may_have_landed_counts_as_sent(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    lms.faults.add("/scores", 504, times=1)
    record(app, setup, users[0].sub, 70)
    deliver(app)
    time_passes(app)
    lms.faults.add("/scores", 409, times=1)
    assert deliver(app).sent == 1
    assert scores(app)[0].status == SENT


def test_a_first_409_means_the_lms_holds_a_newer_grade_so_the_score_is_not_failed(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    lms.faults.add(
        "/scores", 409, times=1, body=b'{"error": "Refusing score with an earlier timestamp"}'
    )
    record(app, setup, users[0].sub, 70)
    report = deliver(app)
    assert (report.failed, report.sent, report.superseded) == (0, 1, 1)
    row = scores(app)[0]
    assert row.status == SENT and row.last_status == 409 and row.last_error is None
    from lti_app.grades.panel import retry_scores, summarise

    with app.app_context():
        assert "Already in the LMS" in summarise(setup.activity_id).rows[0].detail
        assert retry_scores(activity_id=setup.activity_id).queued == 0
        db.session.commit()
    assert deliver(app).claimed == 0, "a superseded score is never sent again"


def test_canvas_before_last_updated_timestamp_counts_as_superseded(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    lms.faults.add(
        "/scores",
        400,
        times=1,
        body=b'{"errors": [{"message": "Provided '
        b"timestamp of 2026-01-01T00:00:00Z before "
        b'last updated timestamp"}]}',
    )
    record(app, setup, users[0].sub, 70)
    assert deliver(app).superseded == 1
    assert scores(app)[0].status == SENT


def test_retry_marks_a_legacy_409_failure_sent_without_sending_it_again(app, make_lms):
    """Scores failed with 409 before this fix are in the LMS already: "Retry" marks
    them sent and sends nothing (72 duplicates were sent that way)."""
    from sqlalchemy import update

    from lti_app.grades.models import Score
    from lti_app.grades.panel import retry_scores

    lms, setup, users = start(app, make_lms, learners=2)
    for user in users:
        record(app, setup, user.sub, 70)
    assert settle(app).sent == 2
    with app.app_context():
        db.session.execute(
            update(Score).values(
                status=FAILED, last_status=409, version=2, last_error="LMS refused it (409)"
            )
        )
        db.session.commit()
        outcome = retry_scores(activity_id=setup.activity_id)
        db.session.commit()
    assert (outcome.queued, outcome.already_delivered) == (0, 2)
    assert deliver(app).claimed == 0
    item = _completion_item(app, setup)
    assert sorted(set(lms.store.accepted_counts(item).values())) == [1]


def test_a_refused_token_request_keeps_scores_waiting_with_the_reason(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=2)
    lms.faults.add(
        "/token", 400, body=b'{"error": "invalid_client", "error_description": "unknown client_id"}'
    )
    for user in users:
        record(app, setup, user.sub, 70)
    deliver(app)
    for row in scores(app):
        assert row.status == PENDING
        assert "Access token request" in row.last_error and "unknown client_id" in row.last_error
    lms.faults.clear()
    time_passes(app)
    assert settle(app).sent == 2


def test_one_token_request_serves_many_scores(app, make_lms):
    app.config["GRADES_BATCH"] = 10
    lms, setup, users = start(app, make_lms, learners=40)
    for user in users:
        record(app, setup, user.sub, 75)
    assert settle(app).sent == 40
    assert lms.token_requests() == 1


def test_malformed_token_json_is_retried(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=1)
    lms.faults.add("/token", 200, times=1, body=b"<html>proxy error</html>")
    record(app, setup, users[0].sub, 75)
    deliver(app)
    assert "malformed JSON" in scores(app)[0].last_error
    time_passes(app)
    assert deliver(app).sent == 1


def test_learning_gain_line_item_is_created_once_with_link_and_tag(app, make_lms):
    lms, setup, users = start(app, make_lms, learners=3)
    for user in users:
        record(app, setup, user.sub, 12, kind=LEARNING_GAIN)
    assert deliver(app).sent == 3
    items = [
        i for i in lms.store.lineitems(lms.context_id) if i.get("tag") == "peerlift-learning-gain"
    ]
    assert len(items) == 1
    assert items[0]["resourceLinkId"] == setup.link_id
    assert len(_creations(lms)) == 1
    got = lms.store.scores(items[0]["id"])
    assert {u.sub for u in users} == set(got)


def test_an_existing_learning_gain_line_item_is_reused_not_duplicated(app, make_lms):
    """A copied course, or a creation whose answer was lost: look before creating."""
    lms, setup, users = start(app, make_lms, learners=1)
    url = lms.add_lineitem("Gain", setup.link_id, "peerlift-learning-gain")
    record(app, setup, users[0].sub, 5, kind=LEARNING_GAIN)
    assert deliver(app).sent == 1
    assert not _creations(lms)
    with app.app_context():
        item = db.session.scalars(select(LineItem).where(LineItem.kind == LEARNING_GAIN)).one()
        assert item.url == url


def test_a_line_item_that_cannot_be_created_fails_its_scores_with_the_reason(app, make_lms):
    lms, setup, users = start(
        app, make_lms, learners=1, scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    )
    record(app, setup, users[0].sub, 5, kind=LEARNING_GAIN)
    assert deliver(app).failed == 1
    assert "grade columns" in scores(app)[0].last_error


def test_instructors_and_test_users_are_never_graded(app, make_lms):
    from lti_app.courses.models import Enrolment, Person

    lms, setup, users = start(app, make_lms, learners=2)
    with app.app_context():
        db.session.get(Person, setup.learner_ids[users[0].sub]).is_test_user = True
        enrolment = db.session.scalars(
            select(Enrolment).where(Enrolment.person_id == setup.learner_ids[users[1].sub])
        ).one()
        enrolment.roles = ["instructor"]
        db.session.commit()
    assert record(app, setup, users[0].sub, 5) is None
    assert record(app, setup, users[1].sub, 5) is None
    assert scores(app) == []


def test_a_rolled_back_change_sends_no_score(app, make_lms):
    from lti_app.courses.models import Person
    from lti_app.grades.services import line_item_for, record_score

    lms, setup, users = start(app, make_lms, learners=1)
    with app.app_context():
        activity = db.session.get(Activity, setup.activity_id)
        person = db.session.get(Person, setup.learner_ids[users[0].sub])
        record_score(line_item_for(activity, "completion"), person, score_given=3)
        db.session.rollback()
    assert scores(app) == []
    assert deliver(app).claimed == 0


def test_scores_held_by_a_worker_that_died_are_taken_over_when_its_lease_ends(app, make_lms):
    from sqlalchemy import update

    from lti_app.grades import delivery
    from lti_app.grades.models import Score

    lms, setup, users = start(app, make_lms, learners=3)
    for user in users:
        record(app, setup, user.sub, 60)
    with app.app_context():
        assert len(delivery.claim("dead-worker", 10, lease_s=120)) == 3
        db.session.commit()
    assert deliver(app).claimed == 0, "another worker's lease is respected"
    with app.app_context():
        db.session.execute(update(Score).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert deliver(app).sent == 3
    assert set(lms.store.accepted_counts(_completion_item(app, setup)).values()) == {1}


def test_many_quick_changes_before_delivery_do_not_push_the_timestamp_into_the_future(
    app, make_lms
):
    """Canvas refuses timestamps more than a minute ahead; unsent versions don't count."""
    lms, setup, users = start(app, make_lms, learners=1)
    for value in range(90):
        record(app, setup, users[0].sub, value)
    deliver(app)
    got = lms.store.scores(_completion_item(app, setup))[users[0].sub]
    assert got["scoreGiven"] == 89
    assert _ts(got["timestamp"]) - datetime.now(_ts(got["timestamp"]).tzinfo) < timedelta(seconds=2)


def test_each_kind_of_column_is_created_once_with_its_own_tag_and_label(app, make_lms):
    from lti_app.grades.models import MASTERY, REVIEWING, SUBMISSION

    lms, setup, users = start(app, make_lms, learners=1)
    for kind in (MASTERY, SUBMISSION, REVIEWING, LEARNING_GAIN):
        record(app, setup, users[0].sub, 70, kind=kind)
    assert deliver(app).sent == 4
    items = {i["tag"]: i["label"] for i in lms.store.lineitems(lms.context_id) if i.get("tag")}
    assert items["peerlift-mastery"].endswith("post-test mastery")
    assert items["peerlift-submission"].endswith("submission grade")
    assert items["peerlift-reviewing"].endswith("reviewing grade")
    assert items["peerlift-learning-gain"].endswith("learning gain")
    assert len(_creations(lms)) == 4
