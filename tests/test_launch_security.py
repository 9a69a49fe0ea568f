"""Launches the LTI Advantage certification calls bad, and the others we refuse.

Each one must get a readable HTML page with a 4xx status, a log line with the
precise reason, no session (no redirect into the tool) and no rows written.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.extensions import db
from lti_app.lms import registry
from lti_app.lms.registry import PlatformSpec
from lti_app.peer_activities.models import Activity
from lti_app.sandbox.platform import CLAIM, SandboxPlatform
from tests.support.lti import INSTRUCTOR, LAUNCH_URL, LEARNER, LtiDriver


def _rows(app: Any) -> int:
    with app.app_context():
        return sum(
            db.session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Person, Course, Enrolment, Activity)
        )


def _b64(part: dict[str, Any]) -> str:
    """A JWT segment: base64url JSON without padding."""
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _drop(*names: str):
    def mutate(claims: dict[str, Any]) -> None:
        for name in names:
            claims.pop(name, None)

    return mutate


def _set(name: str, value: Any):
    def mutate(claims: dict[str, Any]) -> None:
        claims[name] = value

    return mutate


def assert_rejected(resp: Any, code: str, app: Any, caplog: Any, status: int = 400) -> None:
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, body
    assert resp.mimetype == "text/html"
    assert "Traceback" not in body and "Exception" not in body
    assert code in body  # the reference shown to the person
    assert "Location" not in resp.headers
    assert _rows(app) == 0
    assert any(
        f"code={code}" in r.getMessage() for r in caplog.records if r.name == "peerlift.audit"
    ), [r.getMessage() for r in caplog.records]


# -- the certification's twelve known bad payloads --------------------------------


def test_no_kid_is_rejected(lti: LtiDriver, platform: SandboxPlatform, app, caplog) -> None:
    resp = lti.launch(sign=lambda c: platform.sign(c, headers={}))
    assert_rejected(resp, "missing_kid", app, caplog)


def test_wrong_kid_is_rejected_after_one_refetch(
    lti, platform, app, caplog, platform_server
) -> None:
    jwks_app = platform_server[2]
    before = jwks_app.hits
    resp = lti.launch(sign=lambda c: platform.sign(c, headers={"kid": "imposter"}))
    assert_rejected(resp, "unknown_kid", app, caplog)
    assert jwks_app.hits == before + 1


def test_wrong_lti_version_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_set(CLAIM + "version", "1.2.0"))
    assert_rejected(resp, "wrong_version", app, caplog)


def test_missing_lti_version_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_drop(CLAIM + "version"))
    assert_rejected(resp, "missing_version", app, caplog)


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "e30.e30.", "x" * 50])
def test_not_a_jwt_is_rejected(lti, app, caplog, token: str) -> None:
    state, _ = lti.start()
    resp = lti.post_launch(token, state)
    assert resp.status_code == 400
    assert "Traceback" not in resp.get_data(as_text=True)
    assert _rows(app) == 0


def test_jwt_that_is_not_lti_is_rejected(lti, platform, app, caplog) -> None:
    state, nonce = lti.start()
    token = platform.sign(
        {
            "iss": platform.issuer,
            "aud": platform.client_id,
            "sub": "x",
            "nonce": nonce,
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        }
    )
    assert_rejected(lti.post_launch(token, state), "missing_version", app, caplog)


@pytest.mark.parametrize("claim", ["exp", "iat", "nonce", "iss", "aud"])
def test_missing_required_claim_is_rejected(lti, app, caplog, claim: str) -> None:
    resp = lti.launch(mutate=_drop(claim))
    assert resp.status_code in (400, 401, 403)
    assert _rows(app) == 0
    assert "Location" not in resp.headers


def test_expired_token_is_rejected(lti, app, caplog) -> None:
    now = int(time.time())
    resp = lti.launch(mutate=lambda c: c.update(iat=now - 400, exp=now - 200))
    assert_rejected(resp, "token_expired", app, caplog)


def test_token_issued_in_the_future_is_rejected(lti, app, caplog) -> None:
    now = int(time.time())
    resp = lti.launch(mutate=lambda c: c.update(iat=now + 600, exp=now + 900))
    assert_rejected(resp, "bad_iat", app, caplog)


def test_token_older_than_max_age_is_rejected(lti, app, caplog) -> None:
    now = int(time.time())
    resp = lti.launch(mutate=lambda c: c.update(iat=now - 3600, exp=now + 300))
    assert_rejected(resp, "token_too_old", app, caplog)


def test_clock_skew_within_leeway_is_accepted(lti) -> None:
    now = int(time.time())
    resp = lti.launch(mutate=lambda c: c.update(iat=now + 30, exp=now - 30 + 300))
    assert resp.status_code == 200


def test_missing_message_type_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_drop(CLAIM + "message_type"))
    assert_rejected(resp, "missing_message_type", app, caplog)


def test_unknown_message_type_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_set(CLAIM + "message_type", "LtiSubmissionReviewRequest"))
    assert_rejected(resp, "unsupported_message_type", app, caplog)


def test_missing_roles_claim_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_drop(CLAIM + "roles"))
    assert_rejected(resp, "missing_roles", app, caplog)


def test_missing_deployment_id_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_drop(CLAIM + "deployment_id"))
    assert_rejected(resp, "missing_deployment_id", app, caplog)


def test_missing_resource_link_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_drop(CLAIM + "resource_link"))
    assert_rejected(resp, "missing_resource_link", app, caplog)


def test_empty_resource_link_id_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_set(CLAIM + "resource_link", {"id": ""}))
    assert_rejected(resp, "missing_resource_link", app, caplog)


def test_empty_sub_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_set("sub", ""))
    assert_rejected(resp, "empty_sub", app, caplog)


# -- beyond the certification list -------------------------------------------------


def test_alg_none_is_rejected(lti, platform, app, caplog) -> None:
    def unsigned(claims: dict[str, Any]) -> str:
        return f"{_b64({'alg': 'none', 'kid': platform.kid})}.{_b64(claims)}."

    assert_rejected(lti.launch(sign=unsigned), "alg_not_allowed", app, caplog)


def test_hs256_signed_with_public_key_is_rejected(lti, platform, app, caplog) -> None:
    def hs(claims: dict[str, Any]) -> str:
        header = {"alg": "HS256", "kid": platform.kid, "typ": "JWT"}
        return f"{_b64(header)}.{_b64(claims)}.c2ln"

    assert_rejected(lti.launch(sign=hs), "alg_not_allowed", app, caplog)


def test_tampered_signature_is_rejected(lti, platform, app, caplog) -> None:
    def tampered(claims: dict[str, Any]) -> str:
        token = platform.sign(claims)
        head, body, sig = token.split(".")
        forged = dict(claims, sub="someone-else")
        body = _b64(forged)
        return f"{head}.{body}.{sig}"

    assert_rejected(lti.launch(sign=tampered), "bad_signature", app, caplog)


def test_token_signed_by_another_key_with_the_platform_kid_is_rejected(
    lti, platform, app, caplog
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    resp = lti.launch(sign=lambda c: platform.sign(c, key=other))
    assert_rejected(resp, "bad_signature", app, caplog)


def test_wrong_aud_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=lambda c: c.update(aud="someone-else", azp="someone-else"))
    assert_rejected(resp, "unknown_registration", app, caplog, status=403)


def test_untrusted_extra_audience_is_rejected(lti, platform, app, caplog) -> None:
    resp = lti.launch(
        mutate=lambda c: c.update(aud=[platform.client_id, "evil-client"], azp=platform.client_id)
    )
    assert_rejected(resp, "untrusted_aud", app, caplog, status=401)


def test_several_audiences_without_azp_are_rejected(lti, platform, app, caplog) -> None:
    def mutate(c: dict[str, Any]) -> None:
        c["aud"] = [platform.client_id, "other"]
        c.pop("azp")

    assert_rejected(lti.launch(mutate=mutate), "bad_azp", app, caplog)


def test_azp_other_than_our_client_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_set("azp", "other-client"))
    assert_rejected(resp, "bad_azp", app, caplog)


def test_replayed_id_token_is_rejected(lti, platform, app, caplog) -> None:
    state, nonce = lti.start()
    token = platform.id_token(LEARNER, nonce=nonce, target_link_uri=LAUNCH_URL)
    assert lti.post_launch(token, state).status_code == 200
    rows = _rows(app)
    resp = lti.post_launch(token, state)
    assert resp.status_code == 400
    assert "unknown_state" in resp.get_data(as_text=True)
    assert _rows(app) == rows


def test_id_token_replayed_with_a_fresh_state_is_rejected(lti, platform, app, caplog) -> None:
    state, nonce = lti.start()
    token = platform.id_token(LEARNER, nonce=nonce, target_link_uri=LAUNCH_URL)
    assert lti.post_launch(token, state).status_code == 200
    fresh_state, _ = lti.start()
    resp = lti.post_launch(token, fresh_state)
    assert resp.status_code == 400
    assert "bad_nonce" in resp.get_data(as_text=True)


def test_state_mismatch_is_rejected(lti, platform, app, caplog) -> None:
    state, nonce = lti.start()
    token = platform.id_token(LEARNER, nonce=nonce, target_link_uri=LAUNCH_URL)
    assert_rejected(lti.post_launch(token, "made-up-state"), "unknown_state", app, caplog)


def test_state_cookie_of_another_login_is_rejected(lti, platform, app, caplog) -> None:
    state, nonce = lti.start()
    # The attacker's own login: a valid state+id_token pair, posted from the victim's browser
    # which holds a cookie for a different state under the same cookie name is impossible;
    # so overwrite the victim's cookie value instead.
    lti.client.set_cookie("peerlift-state-" + state[:16], "not-the-state", path="/lti/")
    token = platform.id_token(LEARNER, nonce=nonce, target_link_uri=LAUNCH_URL)
    assert_rejected(lti.post_launch(token, state), "state_mismatch", app, caplog)


def test_missing_state_cookie_offers_a_new_window(lti, platform, app, caplog) -> None:
    state, nonce = lti.start()
    lti.client.delete_cookie("peerlift-state-" + state[:16], path="/lti/")
    token = platform.id_token(LEARNER, nonce=nonce, target_link_uri=LAUNCH_URL)
    resp = lti.post_launch(token, state)
    assert_rejected(resp, "state_cookie_missing", app, caplog)
    body = resp.get_data(as_text=True)
    assert "Open Peerlift in a new window" in body
    assert 'target="_blank"' in body and "/lti/login?" in body


def test_nonce_not_issued_by_us_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_set("nonce", "attacker-nonce"))
    assert_rejected(resp, "bad_nonce", app, caplog)


def test_target_link_uri_differing_from_login_is_rejected(lti, app, caplog) -> None:
    resp = lti.launch(mutate=_set(CLAIM + "target_link_uri", "http://tool.test/lti/launch?x=1"))
    assert_rejected(resp, "target_link_uri_mismatch", app, caplog)


def test_deployment_of_another_registration_is_rejected(lti, platform, app, caplog) -> None:
    with app.app_context():
        registry.add_platform(
            PlatformSpec(
                issuer="https://other.example",
                client_id="c2",
                auth_login_url="https://o/a",
                auth_token_url="https://o/t",
                jwks_url="https://o/j",
            ),
            ["other-deployment"],
        )
        db.session.commit()
    resp = lti.launch(mutate=_set(CLAIM + "deployment_id", "other-deployment"))
    assert_rejected(resp, "unknown_deployment", app, caplog, status=403)


def test_unreachable_platform_keys_get_a_503_saying_try_again(lti, platform, app, caplog) -> None:
    _point_jwks(app, "http://127.0.0.1:9/jwks")
    resp = lti.launch()
    assert_rejected(resp, "jwks_unreachable", app, caplog, status=503)
    assert resp.headers["Retry-After"] == "30"
    body = resp.get_data(as_text=True)
    assert "keys could not be fetched" in body and "could not be verified" not in body


def test_platform_jwks_not_json_is_a_platform_fault(
    lti, platform, app, caplog, platform_server
) -> None:
    _point_jwks(app, platform_server[0].url + "/not-json")
    resp = lti.launch()
    assert_rejected(resp, "jwks_invalid", app, caplog, status=502)
    assert "keys Peerlift cannot read" in resp.get_data(as_text=True)


def test_platform_jwks_http_error_gets_a_503(lti, platform, app, caplog, platform_server) -> None:
    _point_jwks(app, platform_server[0].url + "/error")
    resp = lti.launch()
    assert_rejected(resp, "jwks_unreachable", app, caplog, status=503)
    assert "Retry-After" in resp.headers


def test_known_keys_keep_launches_working_while_the_platform_jwks_is_down(
    lti, platform, app, platform_server, monkeypatch, caplog
) -> None:
    jwks_app = platform_server[2]
    assert lti.launch().status_code == 200  # keys cached
    app.extensions["peerlift.platform_keys"].ttl = 0  # the cached copy has expired ...

    def down() -> dict[str, Any]:
        raise RuntimeError("platform JWKS endpoint down")

    monkeypatch.setattr(jwks_app, "jwks", down)  # ... and the platform answers 500
    caplog.set_level(logging.WARNING, logger="lti_app.lms.platform_keys")
    assert lti.launch().status_code == 200
    assert any("using the copy fetched" in r.getMessage() for r in caplog.records)


def test_a_forged_token_with_a_random_kid_cannot_block_a_key_rotation(
    lti, platform, app, caplog, platform_server
) -> None:
    """The state is checked before any key fetch: a forged token without one of our
    states never spends the once-a-minute re-fetch, so a genuine new key works."""
    jwks_app = platform_server[2]
    assert lti.launch().status_code == 200
    hits = jwks_app.hits
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for i in range(5):
        claims = platform.claims(INSTRUCTOR, nonce="guessed", target_link_uri=LAUNCH_URL)
        forged = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": f"random-{i}"})
        resp = lti.post_launch(forged, "A" * 43)
        assert resp.status_code == 400 and "unknown_state" in resp.get_data(as_text=True)
    assert jwks_app.hits == hits, "no key fetch for a token without a state of ours"
    old_key = platform.key
    platform.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    try:
        assert lti.launch().status_code == 200  # the rotated key is fetched and accepted
    finally:
        platform.key = old_key
    assert jwks_app.hits == hits + 1


def _point_jwks(app: Any, url: str) -> None:
    with app.app_context():
        reg = registry.list_registrations()[0]
        reg.jwks_url = url
        db.session.commit()


def test_platform_error_response_gets_a_readable_page(client, app, caplog) -> None:
    resp = client.post(
        "/lti/launch",
        data={
            "error": "login_required",
            "error_description": "<b>Session expired</b>",
            "state": "s",
        },
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "platform_error" in body and "&lt;b&gt;Session expired" in body
    assert _rows(app) == 0


def test_launch_with_no_form_at_all_is_rejected(client, app, caplog) -> None:
    resp = client.post("/lti/launch")
    assert_rejected(resp, "missing_id_token", app, caplog)


def test_pending_registration_cannot_launch(lti, app, caplog) -> None:
    with app.app_context():
        reg = registry.list_registrations()[0]
        reg.status = "pending"
        db.session.commit()
    resp = lti.login()
    assert resp.status_code == 403
    assert "registration_not_active" in resp.get_data(as_text=True)


# -- login initiation ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_login_redirects_to_the_platform_with_the_oidc_parameters(
    lti, platform, method: str
) -> None:
    resp = lti.login(method=method)
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert location.startswith(platform.auth_login_url + "?")
    for part in (
        "scope=openid",
        "response_type=id_token",
        "response_mode=form_post",
        "prompt=none",
        "login_hint=hint-123",
        "lti_message_hint=msg-456",
        f"client_id={platform.client_id}",
    ):
        assert part in location
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Path=/lti/" in cookie


def test_login_from_unknown_issuer_does_not_redirect(lti, app, caplog) -> None:
    resp = lti.login(iss="https://unknown.example")
    assert resp.status_code == 403 and "Location" not in resp.headers
    assert "login_unknown_platform" in resp.get_data(as_text=True)


def test_login_with_unknown_client_id_does_not_redirect(lti) -> None:
    resp = lti.login(client_id="not-ours")
    assert resp.status_code == 403 and "Location" not in resp.headers


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/lti/launch",
        "http://tool.test.evil.example/lti/launch",
        "http://tool.test/somewhere-else",
        "//evil.example/lti/launch",
        "javascript:alert(1)",
    ],
)
def test_login_refuses_an_open_redirect_target_link_uri(lti, target: str) -> None:
    resp = lti.login(target_link_uri=target)
    assert resp.status_code == 400 and "Location" not in resp.headers
    assert "login_bad_target_link_uri" in resp.get_data(as_text=True)


def test_login_with_unknown_deployment_does_not_redirect(lti) -> None:
    resp = lti.login(lti_deployment_id="nope")
    assert resp.status_code == 403 and "Location" not in resp.headers


@pytest.mark.parametrize("missing", ["iss", "login_hint", "target_link_uri"])
def test_login_missing_a_required_parameter_is_refused(lti, missing: str) -> None:
    resp = lti.login(**{missing: None})
    assert resp.status_code == 400 and "Location" not in resp.headers


def test_login_without_client_id_works_when_the_issuer_has_one_registration(lti) -> None:
    assert lti.login(client_id=None).status_code == 302


def test_login_without_client_id_is_refused_when_the_issuer_is_shared(lti, app, platform) -> None:
    with app.app_context():
        registry.add_platform(
            PlatformSpec(
                issuer=platform.issuer,
                client_id="second-client",
                auth_login_url="https://o/a",
                auth_token_url="https://o/t",
                jwks_url="https://o/j",
            ),
            ["d2"],
        )
        db.session.commit()
    resp = lti.login(client_id=None)
    assert resp.status_code == 400
    assert "login_ambiguous_issuer" in resp.get_data(as_text=True)


def test_rejections_are_logged_with_the_precise_reason(lti, caplog) -> None:
    caplog.set_level(logging.INFO, logger="peerlift.audit")
    lti.launch(mutate=_set(CLAIM + "version", "1.1"))
    messages = [r.getMessage() for r in caplog.records if r.name == "peerlift.audit"]
    assert any("wrong_version" in m and "'1.1'" in m for m in messages)


def test_token_never_appears_in_logs(lti, platform, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    state, nonce = lti.start()
    token = platform.id_token(INSTRUCTOR, nonce=nonce, target_link_uri=LAUNCH_URL)
    lti.post_launch(token, state)
    lti.post_launch(token, state)
    assert all(token not in r.getMessage() for r in caplog.records)


def test_jwt_library_leeway_is_not_the_only_expiry_guard(lti, app, caplog) -> None:
    """exp given as a string must not slip past the numeric checks."""
    resp = lti.launch(mutate=_set("exp", "9999999999"))
    assert resp.status_code == 400
    assert _rows(app) == 0


def test_platform_key_rotation_is_picked_up_on_an_unknown_kid(lti, platform, app) -> None:
    assert lti.launch().status_code == 200
    old_key = platform.key
    platform.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    try:
        assert lti.launch().status_code == 200
    finally:
        platform.key = old_key
    assert jwt  # keep import used


def test_state_cookie_is_expired_once_the_launch_used_it(lti, platform) -> None:
    state, nonce = lti.start()
    token = platform.id_token(LEARNER, nonce=nonce, target_link_uri=LAUNCH_URL)
    resp = lti.post_launch(token, state)
    assert resp.status_code == 200
    assert lti.client.get_cookie("peerlift-state-" + state[:16], path="/lti/") is None


def test_redirect_uri_is_always_the_registered_launch_url(lti) -> None:
    resp = lti.login(target_link_uri=LAUNCH_URL + "?activity=abc")
    assert resp.status_code == 302
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query["redirect_uri"] == [LAUNCH_URL]
