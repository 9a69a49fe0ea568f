"""The review form's level picker and per-criterion comments, as reviewers,
authors and instructors see them."""

from __future__ import annotations

import csv
import io

from tests.peer_review.support import ANA, BEN, PeerReviewDriver
from tests.support.activity_driver import Visit
from tests.support.lti import INSTRUCTOR

#: Depth: numbered levels, comment required; Style: four plain levels spread over
#: 0..3; Bonus: no levels (a number).
RUBRIC = (
    "Depth* | 4 | 0 | Shallow; 2 | Some analysis; 4 | Deep analysis\n"
    "Style | 3 | Poor; Adequate; Good; Polished\n"
    "Bonus | 2"
)


def _rubric_activity(pr: PeerReviewDriver) -> tuple[Visit, Visit, Visit, str]:
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": RUBRIC}
        ).status_code
        == 303
    )
    a, b = pr.enter(ANA), pr.enter(BEN)
    assert pr.submit(a, "<p>Ana's essay</p>").status_code == 303
    assert pr.submit(b, "<p>Ben's essay</p>").status_code == 303
    return staff, a, b, pr.open_review(a)


def _post(
    pr: PeerReviewDriver,
    visit: Visit,
    rid: str,
    points: list[str],
    notes: list[str],
    comment: str = "Well argued overall.",
) -> tuple[int, str]:
    crit = pr.criteria()
    data = {"t": visit.token, "comment": comment}
    for (pid, _), p, note in zip(crit, points, notes, strict=True):
        data[f"c-{pid}"] = p
        data[f"cc-{pid}"] = note
    resp = pr.client.post(f"/pr/{pr.activity}/reviews/{rid}", data=data)
    return resp.status_code, resp.get_data(as_text=True)


def test_the_review_form_offers_each_criterions_levels_as_a_radio_group(
    pr: PeerReviewDriver,
) -> None:
    _staff, a, _b, rid = _rubric_activity(pr)
    (depth, _), (style, _), (bonus, _) = pr.criteria()
    page = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": a.token}).get_data(
        as_text=True
    )
    for value in ("0", "2", "4"):
        assert f'name="c-{depth}" value="{value}"' in page
    assert "Deep analysis" in page and "(4 points)" in page
    # Plain levels are spread evenly from 0 to the maximum, low to high.
    for value in ("0", "1", "2", "3"):
        assert f'name="c-{style}" value="{value}"' in page
    assert 'Polished <span class="muted">(3 points)' in page
    # A criterion without levels falls back to a number.
    assert f'name="c-{bonus}" type="number"' in page
    assert "Comment on Depth (required)" in page and "Comment on Style (optional)" in page


def test_unknown_levels_out_of_range_points_and_missing_required_comments_are_refused(
    pr: PeerReviewDriver,
) -> None:
    _staff, a, _b, rid = _rubric_activity(pr)
    (depth, _), (style, _), _bonus = pr.criteria()
    status, page = _post(pr, a, rid, ["3", "2", "1"], ["Needs sources.", "Typed note", ""])
    assert status == 422
    assert "“Depth”: choose one of its levels (3 points is not one)." in page
    # The form comes back with what was typed.
    assert "Typed note" in page and "Well argued overall." in page
    assert f'name="c-{style}" value="2" required checked' in page
    status, page = _post(pr, a, rid, ["4", "2", "5"], ["Deep.", "", ""])
    assert status == 422 and "“Bonus”: 5 is outside 0..2." in page
    status, page = _post(pr, a, rid, ["4", "1.5", "1"], ["Deep.", "", ""])
    assert status == 422 and "“Style”: choose one of its levels" in page
    status, page = _post(pr, a, rid, ["4", "2", "1"], ["  ", "", ""])
    assert status == 422 and "Explain your score on “Depth” in a comment." in page
    status, page = _post(pr, a, rid, ["", "2", "1"], ["Deep.", "", ""])
    assert status == 422 and "Choose a level for “Depth”" in page
    assert all(r.status == "leased" for r in pr.reviews())
    status, _ = _post(pr, a, rid, ["4", "2", "1.5"], ["Deep.", "", ""])
    assert status == 303
    [review] = pr.reviews()
    assert review.scores == {depth: 4.0, style: 2.0, pr.criteria()[2][0]: 1.5}
    assert review.total == 7.5
    assert review.criterion_comments == {depth: "<p>Deep.</p>"}


def test_the_author_sees_each_criterions_comment_and_level_but_never_the_reviewer(
    pr: PeerReviewDriver,
) -> None:
    _staff, a, b, rid = _rubric_activity(pr)
    status, _ = _post(
        pr,
        a,
        rid,
        ["2", "3", "0"],
        [
            "Your <b>second</b> section needs evidence.<script>alert(1)</script>",
            "Lovely prose.",
            "",
        ],
    )
    assert status == 303
    author = b if pr.reviews()[0].author_id != pr.reviews()[0].reviewer_id else a
    html = pr.page(author)
    assert "Your <strong>second</strong> section needs evidence." not in html  # <b> dropped
    assert "second" in html and "section needs evidence." in html
    assert "<script>alert(1)</script>" not in html
    assert "Lovely prose." in html and "Some analysis" in html and "Polished" in html
    assert ANA.name not in html and "Reviewer 1" in html
    data = pr.client.get(
        f"/pr/{pr.activity}/feedback.json", query_string={"t": author.token}
    ).get_json()
    [review] = data["reviews"]
    assert "reviewer_name" not in review and ANA.name not in str(data)
    by_name = {s["name"]: s for s in review["scores"]}
    assert by_name["Style"]["comment"] == "<p>Lovely prose.</p>"
    assert by_name["Style"]["level"] == "Polished"
    assert by_name["Bonus"]["comment"] == ""


def test_the_export_and_the_moderation_page_include_per_criterion_comments(
    pr: PeerReviewDriver,
) -> None:
    staff, a, _b, rid = _rubric_activity(pr)
    assert _post(pr, a, rid, ["4", "1", "2"], ["=cmd|' /C calc'!A0", "Wordy.", ""])[0] == 303
    resp = pr.client.get(f"/pr/{pr.activity}/export.csv", query_string={"t": staff.token})
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    header, row = rows[0], rows[1]
    assert header[3:9] == [
        "Depth",
        "Depth comment",
        "Style",
        "Style comment",
        "Bonus",
        "Bonus comment",
    ]
    assert row[3:9] == ["4.0", "'=cmd|' /C calc'!A0", "1.0", "Wordy.", "2.0", ""]
    [review] = pr.reviews()
    with pr.app.app_context():
        from lti_app.extensions import db
        from lti_app.peer_activities.peer_review.models import PeerReviewSubmission

        sub = db.session.get(PeerReviewSubmission, review.submission_id)
        sub_id = sub.public_id
    page = pr.client.get(
        f"/pr/{pr.activity}/submissions/{sub_id}", query_string={"t": staff.token}
    ).get_data(as_text=True)
    assert "Wordy." in page and "Deep analysis" in page


def test_levels_that_mix_numbered_and_plain_lines_or_exceed_the_maximum_are_refused(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    url = f"/pr/{pr.activity}/rubric"
    mixed = pr.client.post(url, data={"t": staff.token, "rubric": "Depth | 4 | 0 | None; Some"})
    assert mixed.status_code == 422
    assert "start every level with its points" in mixed.get_data(as_text=True)
    high = pr.client.post(url, data={"t": staff.token, "rubric": "Depth | 4 | 0 | None; 5 | Max"})
    assert high.status_code == 422 and "outside 0..4" in high.get_data(as_text=True)
    twice = pr.client.post(url, data={"t": staff.token, "rubric": "Depth | 4 | 2 A; 2 B"})
    assert twice.status_code == 422 and "same points" in twice.get_data(as_text=True)
    ok = pr.client.post(
        url, data={"t": staff.token, "rubric": "Depth* | 4 | 0 | None; 4 | Max\nStyle | 2"}
    )
    assert ok.status_code == 303
    html = pr.page(staff)
    assert "comment required" in html
    editor = pr.client.get(f"/pr/{pr.activity}/rubric/edit", query_string={"t": staff.token})
    assert "Depth* | 4 | 0 | None; 4 | Max" in editor.get_data(as_text=True)
