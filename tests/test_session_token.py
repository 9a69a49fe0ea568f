"""The tool session after a launch rides in a signed, short-lived token, not a cookie."""

from __future__ import annotations

import time

from itsdangerous import URLSafeTimedSerializer

from lti_app.actor.session import SALT
from tests.conftest import make_app
from tests.support.lti import INSTRUCTOR, LEARNER, token_from


def _activity_url(location: str) -> str:
    return location.split("?")[0].replace("http://localhost", "")


def test_page_works_with_the_token_and_no_cookies(lti) -> None:
    location = lti.launch(LEARNER).headers["Content-Location"]
    lti.client._cookies.clear()
    resp = lti.client.get(_activity_url(location), query_string={"t": token_from(location)})
    assert resp.status_code == 200


def test_bearer_header_is_accepted(lti) -> None:
    location = lti.launch(LEARNER).headers["Content-Location"]
    resp = lti.client.get(
        _activity_url(location), headers={"Authorization": "Bearer " + token_from(location)}
    )
    assert resp.status_code == 200


def test_no_token_gives_a_readable_401(lti) -> None:
    location = lti.launch(LEARNER).headers["Content-Location"]
    resp = lti.client.get(_activity_url(location))
    assert resp.status_code == 401
    assert "open the activity again" in resp.get_data(as_text=True)


def test_tampered_token_is_refused(lti) -> None:
    location = lti.launch(LEARNER).headers["Content-Location"]
    token = token_from(location)
    resp = lti.client.get(_activity_url(location), query_string={"t": token[:-3] + "abc"})
    assert resp.status_code == 401


def test_token_forged_with_another_secret_cannot_claim_instructor(lti) -> None:
    location = lti.launch(LEARNER).headers["Content-Location"]
    forged = URLSafeTimedSerializer("guessed-secret", salt=SALT).dumps(
        {"r": "x", "d": "y", "p": "z", "c": None, "ro": ["instructor"]}
    )
    resp = lti.client.get(_activity_url(location), query_string={"t": forged})
    assert resp.status_code == 401


def test_expired_token_is_refused(tmp_path, lti, app) -> None:
    app.config["SESSION_TOKEN_MAX_AGE_S"] = 1
    location = lti.launch(LEARNER).headers["Content-Location"]
    time.sleep(2.1)
    resp = lti.client.get(_activity_url(location), query_string={"t": token_from(location)})
    assert resp.status_code == 401


def test_rotated_secret_keeps_live_sessions_working(lti, app) -> None:
    location = lti.launch(LEARNER).headers["Content-Location"]
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "new-secret-after-rotation"
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    resp = lti.client.get(_activity_url(location), query_string={"t": token_from(location)})
    assert resp.status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    resp = lti.client.get(_activity_url(location), query_string={"t": token_from(location)})
    assert resp.status_code == 401


def test_learner_cannot_post_the_instructor_setup_form(lti) -> None:
    location = lti.launch(LEARNER).headers["Content-Location"]
    resp = lti.client.post(
        _activity_url(location) + "/setup",
        data={"t": token_from(location), "activity_type": "journal", "title": "hijack"},
    )
    assert resp.status_code == 403


def test_instructor_sets_up_a_plain_link(lti) -> None:
    location = lti.launch(INSTRUCTOR).headers["Content-Location"]
    resp = lti.client.post(
        _activity_url(location) + "/setup",
        data={
            "t": token_from(location),
            "activity_type": "journal",
            "title": "Weekly reflection",
            "journal.checkin_days": "30,60",
        },
    )
    assert resp.status_code == 303
    page = lti.client.get(resp.headers["Location"])
    assert "Weekly reflection" in page.get_data(as_text=True)
    assert "30 and 60 days after completion" in page.get_data(as_text=True)  # in words


def test_setup_form_without_the_token_is_refused_like_a_csrf(lti) -> None:
    location = lti.launch(INSTRUCTOR).headers["Content-Location"]
    resp = lti.client.post(
        _activity_url(location) + "/setup", data={"activity_type": "journal", "title": "x"}
    )
    assert resp.status_code == 401


def test_state_cookie_is_partitioned_and_secure_when_served_over_https(
    tmp_path, platform, platform_server
) -> None:
    from lti_app.extensions import db
    from lti_app.lms import keys
    from tests.conftest import register_platform
    from tests.support.lti import LtiDriver

    app = make_app(tmp_path, COOKIE_SECURE=True)
    with app.app_context():
        db.create_all()
        register_platform(platform, platform_server[0].url + "/jwks")
        keys.ensure_key()
        db.session.commit()
    resp = LtiDriver(app.test_client(), platform).login()
    cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie
    assert "HttpOnly" in cookie
