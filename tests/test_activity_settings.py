"""Every activity's settings: shown with their defaults, read in words, editable after
creation on the activity's Settings page, refused with the reason once people have
started, and never losing what the instructor typed (issue 15, findings 3, 4, 8)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, OTHER_COURSE, GroupingDriver
from tests.peer_review.support import ANA, BEN, CHO, PeerReviewDriver
from tests.support.activity_driver import ActivityDriver, Visit
from tests.support.lti import INSTRUCTOR, LEARNER, token_from
from tests.support.templates import TEMPLATES

RAW = re.compile(
    r">\s*(True|False|None)\s*<|double_blind|single_blind|peer_coaching|"
    r"rounds_and_feedback|entries_and_checkins"
)


@pytest.fixture
def drive(lti: Any, app: Any) -> ActivityDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    return ActivityDriver(lti, app, link="settings-link")


def _settings(driver: ActivityDriver, staff: Visit) -> Any:
    return driver.client.get(f"/a/{driver.activity}/settings", query_string={"t": staff.token})


def _save(driver: ActivityDriver, staff: Visit, **fields: str) -> Any:
    page = _settings(driver, staff).get_data(as_text=True)
    form = _form_of(page)
    form.update(fields)
    return driver.client.post(f"/a/{driver.activity}/settings", data={"t": staff.token, **form})


def _form_of(page: str) -> dict[str, str]:
    """What the browser would send: every enabled input, select and textarea as shown."""
    form: dict[str, str] = {}
    for tag in re.finditer(r"<input ([^>]*)>", page):
        attrs = tag.group(1)
        name = re.search(r'name="([^"]+)"', attrs)
        if name and "disabled" not in attrs and name.group(1) != "t":
            value = re.search(r'value="([^"]*)"', attrs)
            form[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for sel in re.finditer(r'<select id="[^"]+" name="([^"]+)"([^>]*)>(.*?)</select>', page, re.S):
        if "disabled" in sel.group(2):
            continue
        chosen = re.search(r'<option value="([^"]*)" selected>', sel.group(3))
        first = re.search(r'<option value="([^"]*)"', sel.group(3))
        form[sel.group(1)] = (chosen or first).group(1)  # type: ignore[union-attr]
    for area in re.finditer(r'<textarea [^>]*name="([^"]+)"([^>]*)>(.*?)</textarea>', page, re.S):
        if "disabled" not in area.group(2):
            form[area.group(1)] = html.unescape(area.group(3))
    return form


def _settings_of(app: Any, public_id: str) -> dict[str, Any]:
    with app.app_context():
        activity = db.session.scalar(select(Activity).where(Activity.public_id == public_id))
        return dict(activity.settings)


def _value(page: str, name: str) -> str:
    tag = re.search(r'<input [^>]*name="' + re.escape(name) + r'"[^>]*>', page)
    assert tag is not None, name
    match = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(match.group(1)) if match else ""


def _error_next_to(page: str, field_id: str) -> str:
    """The error paragraph of a field, after checking the field points to it."""
    assert re.search(
        r'id="' + re.escape(field_id) + r'"[^>]*aria-invalid="true"[^>]*'
        r'aria-describedby="[^"]*' + re.escape(field_id) + "-error",
        page,
    ), field_id
    match = re.search(
        r'<p class="error field-error" id="'
        + re.escape(field_id)
        + r'-error" role="alert">([^<]+)</p>',
        page,
    )
    assert match is not None, field_id
    return html.unescape(match.group(1))


# -- deep linking: defaults are visible, input is never lost ----------------------------


def _picker(lti: Any) -> tuple[str, str]:
    resp = lti.launch(INSTRUCTOR, message_type="LtiDeepLinkingRequest")
    location = resp.headers["Location"]
    return lti.client.get(location).get_data(as_text=True), token_from(location)


def test_deep_linking_shows_every_number_setting_with_its_default_value(lti) -> None:
    page, _ = _picker(lti)
    assert _value(page, "peer_review.reviews_per_submission") == "3"
    assert _value(page, "peer_review.lease_minutes") == "120"
    assert (
        'name="role_play.rounds"' in page
        and '<option value="" selected>One per member, so everyone practises' in page
    )
    assert _value(page, "role_play.round_minutes") == "10"
    assert _value(page, "case_discussion.completion_posts") == "2"
    assert _value(page, "journal.checkin_days") == "30,60,90"
    assert _value(page, "journal.entries_required") == "1"
    assert "What? What happened" in page  # the default prompts, in their field
    # The journal's summary reads its default check-in days in words, named as the
    # default the form below changes (the picker never states days the instructor
    # may be changing).
    assert "check-ins 30, 60 and 90 days after completion (by default; you set this below)" in page


def test_deep_linking_refuses_a_blank_number_next_to_it_and_keeps_every_typed_value(lti) -> None:
    _, token = _picker(lti)
    resp = lti.client.post(
        "/lti/deep-link",
        data={
            "t": token,
            "activity_type": "peer_review",
            "title": "Essay review",
            "description": "Review two essays.",
            "peer_review.reviews_per_submission": "",
            "peer_review.anonymity": "open",
            "peer_review.lease_minutes": "45",
            "peer_review.submission_due": "2026-12-01T17:00",
            "journal.prompts": "Typed in another type's box",
        },
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert (
        _error_next_to(page, "peer_review-reviews_per_submission")
        == "Give a whole number from 1 to 6."
    )
    assert _value(page, "title") == "Essay review" and "Review two essays." in page
    assert _value(page, "peer_review.lease_minutes") == "45"
    assert _value(page, "peer_review.submission_due") == "2026-12-01T17:00"
    assert '<option value="open" selected>' in page
    assert "Typed in another type&#39;s box" in page
    assert 'id="type-peer_review" value="peer_review"\n          checked' in page


# -- settings in words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "expected"),
    [
        (
            "peer_review",
            {"anonymity": "double_blind", "allow_revision": "0"},
            [
                "Double-blind: authors and reviewers don't see each other's names",
                "Reviews per submission</th><td>3",
                "No due date",
                "No revised versions",
            ],
        ),
        (
            "role_play",
            {"group_size_min": "2", "group_size_max": "2"},
            [
                "Smallest group</th><td>2 people",
                "Largest group</th><td>2 people",
                "Minutes per round</th><td>10 minutes",
                "All rounds played and feedback given",
            ],
        ),
        (
            "case_discussion",
            {"mode": "peer_coaching"},
            [
                "Peer coaching: a member presents a real challenge",
                "2 posts",
                "Reading the group's published summary",
            ],
        ),
        (
            "journal",
            {"checkin_days": "30, 60, 90"},
            [
                "Check-ins</th><td>30, 60 and 90 days after completion",
                "Never: check-ins stay open",
                "Entries written and an action plan made",
            ],
        ),
    ],
)
def test_settings_read_in_words_and_never_raw(drive, kind, typed, expected) -> None:
    drive.setup_activity(kind, link=f"{kind}-link", **typed)
    page = drive.page(drive.enter(INSTRUCTOR))
    for text in expected:
        assert html.escape(text, quote=False).replace("'", "&#39;") in page or text in page, text
    table = page[page.index("<h2>Settings</h2>") :]
    table = table[: table.index("</table>")]
    assert not RAW.search(table), RAW.search(table)


# -- the Settings page -----------------------------------------------------------------------


def test_only_staff_of_the_activitys_course_open_its_settings(drive, lti) -> None:
    staff = drive.setup_activity("role_play", link="rp-link")
    learner = drive.enter(LEARNER)
    assert _settings(drive, learner).status_code == 403
    assert (
        drive.client.post(
            f"/a/{drive.activity}/settings", data={"t": learner.token, "rounds": "5"}
        ).status_code
        == 403
    )
    assert drive.client.post(f"/a/{drive.activity}/settings", data={"rounds": "5"}).status_code in (
        400,
        401,
        403,
    )
    other = drive.enter(INSTRUCTOR, link="elsewhere", context=OTHER_COURSE)
    assert _settings(drive, other).status_code == 404
    assert _settings(drive, staff).status_code == 200


def test_role_play_settings_change_and_confirm_themselves(drive, app) -> None:
    staff = drive.setup_activity("role_play", link="rp-link")
    page = _settings(drive, staff).get_data(as_text=True)
    assert _value(page, "round_minutes") == "10"
    resp = _save(
        drive, staff, round_minutes="15", rounds="4", group_size_min="2", group_size_max="3"
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    done = drive.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert (
        "Settings saved: Largest group: 3 people; Rounds: 4 rounds "
        "for every group; Minutes per round: 15 minutes."
    ) in done
    assert _settings_of(app, drive.activity) == {
        "group_size_min": 2,
        "group_size_max": 3,
        "rounds": 4,
        "round_minutes": 15,
        "completion": "rounds_and_feedback",
    }
    again = _save(drive, staff)
    assert "Nothing changed" in drive.client.get(again.headers["Location"]).get_data(as_text=True)


def _publish_groups(lti: Any, app: Any, kind: str, **settings: str) -> tuple[GroupingDriver, Visit]:
    grouping = GroupingDriver(lti, app)
    grouping.create_activity(kind, link=f"{kind}-grp", **settings)
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI):
        grouping.ready(user)
    assert grouping.form_groups(staff).status_code == 303
    rnd = grouping.rounds()[-1]
    resp = grouping.client.post(
        f"/g/{grouping.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return grouping, staff


def test_role_play_group_size_is_refused_after_groups_are_published_keeping_the_input(
    lti, app
) -> None:
    grouping, staff = _publish_groups(lti, app, "role_play", group_size_min="3", group_size_max="3")
    page = _settings(grouping, staff).get_data(as_text=True)
    assert "Fixed now:" in page and "Groups have been published" in page
    before = _settings_of(app, grouping.activity)
    resp = _save(
        grouping, staff, group_size_min="2", group_size_max="3", round_minutes="25", title="Renamed"
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Groups have been published, so their size is fixed" in _error_next_to(
        page, "group_size_min"
    )
    assert _value(page, "round_minutes") == "25" and _value(page, "title") == "Renamed"
    assert "Nothing was saved" in page
    assert _settings_of(app, grouping.activity) == before
    ok = _save(grouping, staff, round_minutes="25")
    assert ok.status_code == 303
    assert _settings_of(app, grouping.activity)["round_minutes"] == 25


def test_case_discussion_size_and_format_fixed_once_groups_publish_completion_still_changes(
    lti, app
) -> None:
    grouping, staff = _publish_groups(
        lti, app, "case_discussion", group_size_min="3", group_size_max="3"
    )
    refused = _save(grouping, staff, mode="peer_coaching", group_size_min="3", group_size_max="4")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "work in this format" in _error_next_to(page, "mode")
    assert "their size is fixed" in _error_next_to(page, "group_size_max")
    assert '<option value="peer_coaching" selected>' in page  # what was typed stays
    ok = _save(grouping, staff, completion_posts="1", completion_summary="ignore")
    assert ok.status_code == 303
    done = grouping.client.get(ok.headers["Location"]).get_data(as_text=True)
    assert (
        "Settings saved: Posts needed to complete: 1 post; Also needed to complete: Nothing else."
    ) in done


def test_case_discussion_settings_edit_before_groups(drive, app) -> None:
    staff = drive.setup_activity("case_discussion", link="cd-link")
    assert (
        _save(drive, staff, group_size_min="4", group_size_max="5", rounds="2").status_code == 303
    )
    assert _settings_of(app, drive.activity)["group_size_max"] == 5
    bad = _save(drive, staff, group_size_max="12", completion_posts="", rounds="2")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert _error_next_to(page, "group_size_max") == "Give a whole number from 3 to 9."
    assert _error_next_to(page, "completion_posts") == "Give a whole number from 0 to 50."
    assert _value(page, "group_size_max") == "12" and _value(page, "completion_posts") == ""


@pytest.fixture
def pr(lti: Any, app: Any, tmp_path: Any) -> PeerReviewDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    app.config["PEER_REVIEW_UPLOAD_DIR"] = str(tmp_path / "uploads")
    return PeerReviewDriver(lti, app)


def test_peer_review_settings_all_editable_before_anyone_starts(pr, app) -> None:
    staff = pr.create_activity()
    resp = _save(
        pr,
        staff,
        anonymity="open",
        reviews_per_submission="2",
        lease_minutes="30",
        rate_feedback="0",
        review_due="2026-12-02T09:00",
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    saved = _settings_of(app, pr.activity)
    assert saved["anonymity"] == "open" and saved["reviews_per_submission"] == 2
    assert saved["lease_minutes"] == 30 and saved["rate_feedback"] is False
    done = pr.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Anonymity: Open: authors and reviewers see each other&#39;s names" in done
    assert "Reviews due: 2 Dec 2026, 09:00 UTC" in done


def test_peer_review_anonymity_and_k_are_refused_once_work_is_in(pr, app) -> None:
    staff = pr.create_activity(reviews_per_submission="1")
    visits = {u.sub: pr.enter(u) for u in (ANA, BEN, CHO)}
    for visit in visits.values():
        assert pr.submit(visit).status_code == 303
    refused = _save(pr, staff, anonymity="open", lease_minutes="60")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "submitted under this anonymity promise" in _error_next_to(page, "anonymity")
    assert _value(page, "lease_minutes") == "60"
    assert _save(pr, staff, reviews_per_submission="2").status_code == 303  # no review yet
    pr.open_review(visits[ANA.sub])
    refused = _save(pr, staff, reviews_per_submission="3")
    assert refused.status_code == 422
    assert "Reviews have been allocated" in _error_next_to(
        refused.get_data(as_text=True), "reviews_per_submission"
    )
    assert _settings_of(app, pr.activity)["reviews_per_submission"] == 2
    assert _save(pr, staff, review_due="2026-12-02T09:00").status_code == 303
