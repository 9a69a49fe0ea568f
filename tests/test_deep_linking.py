"""Deep Linking 2.0: an instructor picks an activity and the LMS gets a signed link back."""

from __future__ import annotations

import re
from typing import Any

import jwt
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.sandbox.platform import CLAIM, DL
from tests.support.lti import INSTRUCTOR, LAUNCH_URL, LEARNER, token_from


def _picker(lti: Any, **kwargs: Any) -> tuple[Any, str]:
    resp = lti.launch(INSTRUCTOR, message_type="LtiDeepLinkingRequest", **kwargs)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    location = resp.headers["Location"]
    assert "/lti/deep-link" in location
    return lti.client.get(location), token_from(location)


def _returned_jwt(resp: Any) -> str:
    body = resp.get_data(as_text=True)
    return re.search(r'name="JWT" value="([^"]+)"', body).group(1)


def _verify(client: Any, platform: Any, token: str) -> dict[str, Any]:
    jwks = client.get("/lti/jwks").get_json()
    return platform.verify_tool_jwt(token, jwks, audience=platform.issuer)


def test_picker_lists_the_four_activity_types(lti) -> None:
    page, _ = _picker(lti)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in (
        "Role-play pairings",
        "Peer assessment with feedback",
        "Case discussion",
        "Reflection journal",
    ):
        assert label in body


def test_choosing_an_activity_returns_a_signed_resource_link_with_line_item(
    lti, platform, app
) -> None:
    _, token = _picker(lti, dl_data="opaque-platform-data")
    resp = lti.client.post(
        "/lti/deep-link",
        data={
            "t": token,
            "activity_type": "role_play",
            "title": "Difficult conversations",
            "description": "Practise giving feedback",
            "role_play.group_size": "3",
            "role_play.rounds": "3",
        },
    )
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert 'action="' + platform.issuer + '/deep-link-return"' in body
    claims = _verify(lti.client, platform, _returned_jwt(resp))
    assert claims["iss"] == platform.client_id and claims["aud"] == platform.issuer
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[CLAIM + "version"] == "1.3.0"
    assert claims[CLAIM + "deployment_id"] == platform.deployment_id
    assert claims[DL + "data"] == "opaque-platform-data"
    [item] = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == LAUNCH_URL
    assert item["title"] == "Difficult conversations"
    assert item["lineItem"]["scoreMaximum"] == 100 and item["lineItem"]["tag"]
    with app.app_context():
        activity = db.session.scalar(select(Activity))
        assert activity.activity_type == "role_play"
        assert activity.settings == {
            "group_size_min": 3,
            "group_size_max": 3,
            "rounds": 3,
            "round_minutes": 10,
        }
        assert item["custom"] == {"peerlift_activity": activity.public_id}
        assert activity.resource_link_id is None


def test_data_is_omitted_when_the_platform_sent_none(lti, platform) -> None:
    _, token = _picker(lti)
    resp = lti.client.post(
        "/lti/deep-link", data={"t": token, "activity_type": "journal", "title": "My journal"}
    )
    claims = _verify(lti.client, platform, _returned_jwt(resp))
    assert DL + "data" not in claims


def test_line_item_is_omitted_when_the_platform_does_not_accept_one(lti, platform) -> None:
    def no_lineitem(claims: dict[str, Any]) -> None:
        claims[DL + "deep_linking_settings"]["accept_lineitem"] = False

    _, token = _picker(lti, mutate=no_lineitem)
    resp = lti.client.post(
        "/lti/deep-link", data={"t": token, "activity_type": "journal", "title": "J"}
    )
    [item] = _verify(lti.client, platform, _returned_jwt(resp))[DL + "content_items"]
    assert "lineItem" not in item


def test_first_launch_of_the_returned_link_binds_the_activity(lti, platform, app) -> None:
    _, token = _picker(lti)
    resp = lti.client.post(
        "/lti/deep-link",
        data={"t": token, "activity_type": "case_discussion", "title": "Budget cuts case"},
    )
    [item] = _verify(lti.client, platform, _returned_jwt(resp))[DL + "content_items"]
    page = lti.enter(
        LEARNER,
        resource_link={"id": "lms-link-9", "title": "x"},
        custom=item["custom"],
        lineitem="https://lms/lineitems/1?type_id=2",
    )
    body = page.get_data(as_text=True)
    assert "Budget cuts case" in body and "Case discussion" in body
    with app.app_context():
        activity = db.session.scalar(select(Activity))
        assert activity.resource_link_id == "lms-link-9"
        assert activity.lineitem_url == "https://lms/lineitems/1?type_id=2"


def test_copied_link_gets_its_own_copy_of_the_activity(lti, platform, app) -> None:
    _, token = _picker(lti)
    resp = lti.client.post(
        "/lti/deep-link", data={"t": token, "activity_type": "peer_review", "title": "Review"}
    )
    [item] = _verify(lti.client, platform, _returned_jwt(resp))[DL + "content_items"]
    lti.enter(LEARNER, resource_link={"id": "original"}, custom=item["custom"])
    lti.enter(LEARNER, resource_link={"id": "copied"}, custom=item["custom"])
    with app.app_context():
        rows = db.session.scalars(select(Activity).order_by(Activity.id)).all()
        assert [a.resource_link_id for a in rows] == ["original", "copied"]
        assert rows[1].activity_type == "peer_review" and rows[1].title == "Review"


def test_cancel_returns_no_content_items(lti, platform, app) -> None:
    _, token = _picker(lti)
    resp = lti.client.post("/lti/deep-link", data={"t": token, "cancel": "1"})
    assert _verify(lti.client, platform, _returned_jwt(resp))[DL + "content_items"] == []
    with app.app_context():
        assert db.session.scalar(select(Activity)) is None


def test_invalid_settings_show_the_form_again_with_errors(lti, app) -> None:
    _, token = _picker(lti)
    resp = lti.client.post(
        "/lti/deep-link",
        data={"t": token, "activity_type": "role_play", "title": "", "role_play.rounds": "99"},
    )
    assert resp.status_code == 422
    assert "Give the activity a title" in resp.get_data(as_text=True)
    resp = lti.client.post(
        "/lti/deep-link",
        data={"t": token, "activity_type": "role_play", "title": "T", "role_play.rounds": "99"},
    )
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Activity)) is None


def test_the_deep_linking_request_can_be_answered_once(lti) -> None:
    _, token = _picker(lti)
    data = {"t": token, "activity_type": "journal", "title": "J"}
    assert lti.client.post("/lti/deep-link", data=data).status_code == 200
    again = lti.client.post("/lti/deep-link", data=data)
    assert again.status_code == 400
    assert "deep_link_expired" in again.get_data(as_text=True)


def test_learner_cannot_use_the_activity_picker(lti) -> None:
    resp = lti.launch(LEARNER, message_type="LtiDeepLinkingRequest")
    page = lti.client.get(resp.headers["Location"])
    assert page.status_code == 403


def test_platform_that_does_not_accept_resource_links_gets_an_explanation(lti) -> None:
    def only_files(claims: dict[str, Any]) -> None:
        claims[DL + "deep_linking_settings"]["accept_types"] = ["file"]

    resp = lti.launch(INSTRUCTOR, message_type="LtiDeepLinkingRequest", mutate=only_files)
    assert resp.status_code == 400
    assert "does not accept LTI resource links" in resp.get_data(as_text=True)


def test_deep_linking_without_return_url_is_rejected(lti) -> None:
    def no_return(claims: dict[str, Any]) -> None:
        del claims[DL + "deep_linking_settings"]["deep_link_return_url"]

    resp = lti.launch(INSTRUCTOR, message_type="LtiDeepLinkingRequest", mutate=no_return)
    assert resp.status_code == 400


def test_return_url_is_escaped_in_the_auto_submit_form(lti) -> None:
    evil = 'https://lms.test/return?a="><script>alert(1)</script>'

    def mutate(claims: dict[str, Any]) -> None:
        claims[DL + "deep_linking_settings"]["deep_link_return_url"] = evil

    _, token = _picker(lti, mutate=mutate)
    body = lti.client.post("/lti/deep-link", data={"t": token, "cancel": "1"}).get_data(
        as_text=True
    )
    assert "<script>alert(1)</script>" not in body
    assert jwt  # imported for readers: the response is a JWT
