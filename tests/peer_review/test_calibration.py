"""Calibration (example submissions with reference assessments) and self-assessment,
through HTTP as instructors and learners use them (issue 20, rows 1 and 2)."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.peer_review.calibration_models import PeerReviewCalibration
from tests.peer_review.support import ANA, BEN, CHO, DAN, OTHER_COURSE, PeerReviewDriver
from tests.support.activity_driver import Visit
from tests.support.lti import INSTRUCTOR

#: Two criteria with levels: 0..4 each.
RUBRIC = (
    "Argument | 4 | 0 | Weak; 2 | Fair; 4 | Strong\nEvidence | 4 | 0 | None; 2 | Some; 4 | Cited"
)


def _settings(pr: PeerReviewDriver, staff: Visit, **changes: str) -> int:
    data = {
        "t": staff.token,
        "calibration": "off",
        "calibration_tolerance": "80",
        "calibration_tries": "2",
        "self_assessment": "off",
        "self_assessment_weight": "0",
        **changes,
    }
    return pr.client.post(f"/pr/{pr.activity}/calibration/settings", data=data).status_code


def _example(pr: PeerReviewDriver, staff: Visit, points: list[str], title: str = "Ex 1") -> int:
    (a, _), (e, _) = pr.criteria()
    data = {
        "t": staff.token,
        "title": title,
        "body": "<p>An example essay.</p>",
        f"c-{a}": points[0],
        f"c-{e}": points[1],
        "comment": "Strong claim, thin evidence.",
    }
    return pr.client.post(f"/pr/{pr.activity}/examples", data=data).status_code


def _setup(pr: PeerReviewDriver, mode: str = "required", **extra: str) -> Visit:
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    resp = pr.client.post(f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": RUBRIC})
    assert resp.status_code == 303
    assert _settings(pr, staff, calibration=mode, **extra) == 303
    assert _example(pr, staff, ["4", "2"]) == 303
    return staff


def _example_ids(pr: PeerReviewDriver, visit: Visit) -> list[str]:
    page = pr.client.get(f"/pr/{pr.activity}/calibration", query_string={"t": visit.token})
    assert page.status_code == 200
    return re.findall(r'id="ex-([A-Za-z0-9_-]+)">Example', page.get_data(as_text=True))


def _try(pr: PeerReviewDriver, visit: Visit, points: list[str]) -> tuple[int, str]:
    (a, _), (e, _) = pr.criteria()
    data = {"t": visit.token}
    for ex in _example_ids(pr, visit):
        data[f"{ex}:c-{a}"] = points[0]
        data[f"{ex}:c-{e}"] = points[1]
    resp = pr.client.post(f"/pr/{pr.activity}/calibration", data=data)
    if resp.status_code == 303:
        resp = pr.client.get(resp.headers["Location"])
    return resp.status_code, resp.get_data(as_text=True)


def test_required_calibration_sends_a_learner_to_the_examples_before_their_first_review(
    pr: PeerReviewDriver,
) -> None:
    _setup(pr)
    a, b = pr.enter(ANA), pr.enter(BEN)
    assert pr.submit(a, "Ana's essay").status_code == 303
    assert pr.submit(b, "Ben's essay").status_code == 303
    resp = pr.next_review(a)
    assert resp.status_code == 303
    assert "/calibration" in resp.headers["Location"]
    assert "Assess the examples" in pr.page(a)
    assert not pr.reviews()


def test_a_try_shows_each_criterion_beside_the_reference_and_passing_opens_reviewing(
    pr: PeerReviewDriver,
) -> None:
    _setup(pr)
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    status, html = _try(pr, a, ["4", "2"])
    assert status == 200
    assert "Agreement: 100 %" in html
    assert "within the 80 % needed" in html
    assert "Strong claim, thin evidence." in html
    assert pr.open_review(a)


def test_below_tolerance_offers_a_retry_until_the_tries_run_out(pr: PeerReviewDriver) -> None:
    _setup(pr)  # tolerance 80 %, two tries
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    status, html = _try(pr, a, ["0", "2"])  # 1 − (4/4 + 0)/2 = 50 %
    assert "Agreement: 50 %" in html
    assert "you rated 4 higher" not in html and "you rated 4 lower" in html
    assert "Try again" in html
    assert "/calibration" in pr.next_review(a).headers["Location"]
    status, html = _try(pr, a, ["2", "2"])  # 75 %: still short, last try
    assert "that was your last try" in html
    assert pr.open_review(a)  # may review anyway
    status, _html = _try(pr, a, ["4", "2"])
    assert status == 422  # no more tries


def test_a_retry_that_reaches_the_tolerance_passes(pr: PeerReviewDriver) -> None:
    _setup(pr)
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    _try(pr, a, ["0", "2"])
    _status, html = _try(pr, a, ["4", "2"])
    assert "within the 80 % needed" in html
    staff = pr.enter(INSTRUCTOR)
    assert "Who calibrated how well" in staff.html
    row = re.search(
        r"Ana Quintero</th><td>2</td>\s*<td>50 %</td>\s*<td>100 %</td>\s*<td>yes", staff.html
    )
    assert row, staff.html


def test_a_missing_rating_is_refused_and_what_was_picked_is_kept(pr: PeerReviewDriver) -> None:
    _setup(pr)
    a = pr.enter(ANA)
    pr.submit(a)
    (arg, _), _ = pr.criteria()
    ex = _example_ids(pr, a)[0]
    resp = pr.client.post(
        f"/pr/{pr.activity}/calibration", data={"t": a.token, f"{ex}:c-{arg}": "4"}
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Choose a level for “Evidence”" in html
    assert re.search(r'value="4" required checked', html)


def test_calibration_off_leaves_next_review_alone_and_hides_the_page(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    assert pr.open_review(a)
    resp = pr.client.get(f"/pr/{pr.activity}/calibration", query_string={"t": a.token})
    assert resp.status_code == 404


def test_weighted_calibration_feeds_reviewing_accuracy_and_says_so(pr: PeerReviewDriver) -> None:
    _setup(pr, mode="weighted")
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    _try(pr, a, ["2", "2"])  # 75 %
    rid = pr.open_review(a)
    assert pr.send_review(a, rid, [4, 4]).status_code == 303
    staff = pr.enter(INSTRUCTOR)
    # One reviewer per submission, so no peer comparison: accuracy is calibration alone.
    assert "accuracy = calibration agreement 0.75" in staff.html
    assert "agreement makes half of each learner" in staff.html


def test_an_example_is_fixed_once_assessed_and_another_course_cannot_touch_it(
    pr: PeerReviewDriver,
) -> None:
    staff = _setup(pr)
    a = pr.enter(ANA)
    ex = _example_ids(pr, a)[0]
    _try(pr, a, ["4", "2"])
    resp = pr.client.post(f"/pr/{pr.activity}/examples/{ex}/delete", data={"t": staff.token})
    assert resp.status_code == 422
    assert "can no longer be removed" in resp.get_data(as_text=True)
    with pr.app.app_context():
        assert db.session.scalar(select(PeerReviewCalibration.id)) is not None
    # A learner may not add examples.
    assert _example(pr, a, ["4", "4"]) == 403
    # Another course's instructor gets a 404 for this activity's example.
    mine = pr.activity
    pr.create_activity(link="other-pr", context=OTHER_COURSE)
    other = pr.enter(INSTRUCTOR, context=OTHER_COURSE)
    resp = pr.client.post(f"/pr/{mine}/examples/{ex}/delete", data={"t": other.token})
    assert resp.status_code == 404


def test_a_reference_must_score_every_criterion_with_its_levels(pr: PeerReviewDriver) -> None:
    staff = _setup(pr)
    assert _example(pr, staff, ["3", "2"], title="Odd") == 422  # 3 is not a level
    page = pr.client.post(
        f"/pr/{pr.activity}/examples",
        data={"t": staff.token, "title": "Kept title", "body": "Kept body"},
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Kept title" in html and "Kept body" in html


def test_self_assessment_shows_beside_the_peers_once_reviews_are_in(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    pr.client.post(f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": RUBRIC})
    assert _settings(pr, staff, self_assessment="optional") == 303
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    assert "Rate your own work" in pr.page(a)
    (arg, _), (ev, _) = pr.criteria()
    resp = pr.client.post(
        f"/pr/{pr.activity}/self-assessment", data={"t": a.token, f"c-{arg}": "4", f"c-{ev}": "4"}
    )
    assert resp.status_code == 303
    assert "Once your peers' reviews are in" in pr.page(a)
    rid = pr.open_review(b)
    assert pr.send_review(b, rid, [2, 4]).status_code == 303
    html = pr.page(a)
    assert "You and your peers" in html
    assert "you rated yourself 2 higher" in html
    again = pr.client.post(
        f"/pr/{pr.activity}/self-assessment", data={"t": a.token, f"c-{arg}": "0", f"c-{ev}": "0"}
    )
    assert again.status_code == 422
    staff = pr.enter(INSTRUCTOR)
    assert "authors rate themselves 2 higher" in staff.html


def test_required_self_assessment_holds_completion_until_given(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1", rate_feedback="false")
    staff = pr.enter(INSTRUCTOR)
    pr.client.post(f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": RUBRIC})
    assert _settings(pr, staff, self_assessment="required") == 303
    a, b, c = pr.enter(ANA), pr.enter(BEN), pr.enter(CHO)
    for v in (a, b, c):
        pr.submit(v)
    rid = pr.open_review(a)
    assert pr.send_review(a, rid, [2, 2]).status_code == 303
    assert "You have completed this activity" not in pr.page(a)
    (arg, _), (ev, _) = pr.criteria()
    pr.client.post(
        f"/pr/{pr.activity}/self-assessment", data={"t": a.token, f"c-{arg}": "2", f"c-{ev}": "2"}
    )
    assert "You have completed this activity" in pr.page(a)


def test_bad_settings_are_refused_with_a_message(pr: PeerReviewDriver) -> None:
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    resp = pr.client.post(
        f"/pr/{pr.activity}/calibration/settings",
        data={
            "t": staff.token,
            "calibration": "required",
            "calibration_tolerance": "150",
            "calibration_tries": "2",
            "self_assessment": "off",
            "self_assessment_weight": "0",
        },
    )
    assert resp.status_code == 422
    assert 'value="150"' in resp.get_data(as_text=True)


def test_an_example_that_no_longer_fits_a_changed_rubric_holds_nobody_back(
    pr: PeerReviewDriver,
) -> None:
    staff = _setup(pr)
    new_rubric = "Focus | 2 | 0 | Off; 2 | On"
    resp = pr.client.post(
        f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": new_rubric}
    )
    assert resp.status_code == 303
    staff = pr.enter(INSTRUCTOR)
    assert "the rubric changed: save a new reference" in staff.html
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    assert pr.open_review(a)  # no example fits, so nothing to calibrate against
    # A new example made with the new rubric counts; the stale one is still left out.
    ((focus, _),) = pr.criteria()
    resp = pr.client.post(
        f"/pr/{pr.activity}/examples",
        data={"t": staff.token, "title": "Fresh", "body": "Fresh example", f"c-{focus}": "2"},
    )
    assert resp.status_code == 303
    assert "/calibration" in pr.next_review(b).headers["Location"]
    (ex,) = _example_ids(pr, b)
    resp = pr.client.post(
        f"/pr/{pr.activity}/calibration", data={"t": b.token, f"{ex}:c-{focus}": "2"}
    )
    assert resp.status_code == 303
    assert pr.open_review(b)


def test_a_refused_self_assessment_keeps_what_was_picked(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    pr.client.post(f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": RUBRIC})
    assert _settings(pr, staff, self_assessment="optional") == 303
    a = pr.enter(ANA)
    pr.submit(a)
    (arg, _), _ = pr.criteria()
    resp = pr.client.post(
        f"/pr/{pr.activity}/self-assessment",
        data={"t": a.token, f"c-{arg}": "2", "comment": "More sources next time"},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Choose a level for “Evidence”" in html
    assert "More sources next time" in html
    assert re.search(r'name="c-' + arg + r'" value="2" required checked', html)


def test_another_courses_learner_cannot_open_the_calibration_page(pr: PeerReviewDriver) -> None:
    _setup(pr)
    mine = pr.activity
    pr.create_activity(link="other-pr", context=OTHER_COURSE)
    stranger = pr.enter(ANA, context=OTHER_COURSE)
    resp = pr.client.get(f"/pr/{mine}/calibration", query_string={"t": stranger.token})
    assert resp.status_code == 404


def test_calibration_agreement_sits_beside_a_lenient_reviewers_flag(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="3")
    staff = pr.enter(INSTRUCTOR)
    pr.client.post(f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": RUBRIC})
    assert _settings(pr, staff, calibration="practice") == 303
    assert _example(pr, staff, ["4", "2"]) == 303
    visits = [pr.enter(u) for u in (ANA, BEN, CHO, DAN)]
    for v in visits:
        assert pr.submit(v).status_code == 303
    for n, v in enumerate(visits):
        _try(pr, v, ["4", "2"] if n == 0 else ["0", "0"])  # Ana 100 %, the others 25 %
        for _ in range(3):
            rid = pr.open_review(v)
            assert pr.send_review(v, rid, [4, 4] if n == 0 else [0, 0]).status_code == 303
    html = pr.enter(INSTRUCTOR).html
    flag = re.search(r"<li>Ana Quintero: lenient[^<]*<span class=\"tag\">([^<]*)</span>", html)
    assert flag, html
    assert flag.group(1) == "calibration 100 %"


def test_a_self_assessment_weight_makes_it_a_part_of_the_reviewing_grade(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    pr.client.post(f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": RUBRIC})
    assert _settings(pr, staff, self_assessment="optional", self_assessment_weight="20") == 303
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    (arg, _), (ev, _) = pr.criteria()
    pr.client.post(
        f"/pr/{pr.activity}/self-assessment", data={"t": a.token, f"c-{arg}": "4", f"c-{ev}": "4"}
    )
    assert "counts 20 % of your reviewing grade" not in pr.page(a)  # said before saving only
    rid = pr.open_review(b)
    pr.send_review(b, rid, [2, 2])  # peers' total 4 of 8, Ana's own 8: 1 − 4/8 = 0.50
    html = pr.enter(INSTRUCTOR).html
    assert "self-assessment 0.50" in html
    assert "0.2×self-assessment" in html
