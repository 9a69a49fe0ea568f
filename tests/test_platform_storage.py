"""Launch when the browser blocks third-party cookies: 1EdTech Platform Storage."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.support.lti import LAUNCH_URL, LEARNER, LtiDriver


def _json_block(body: str, element_id: str) -> dict[str, Any]:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', body, re.S
    )
    assert match, body
    return json.loads(match.group(1))


def _storage_login(lti: LtiDriver) -> dict[str, Any]:
    resp = lti.login(lti_storage_target="post_message_forwarding")
    assert resp.status_code == 200  # a page that talks to the platform, not a redirect
    cfg = _json_block(resp.get_data(as_text=True), "lti-login")
    # The browser drops the (third-party) cookie.
    lti.client._cookies.clear()
    return cfg


def _pending(lti: LtiDriver, cfg: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    token = lti.platform.id_token(LEARNER, nonce=cfg["nonce"], target_link_uri=LAUNCH_URL)
    resp = lti.post_launch(token, cfg["state"])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_data(as_text=True)
    ticket = re.search(r'name="ticket" value="([^"]+)"', body).group(1)
    return ticket, _json_block(body, "lti-pending")


def test_login_page_puts_state_to_the_platform_frame_at_its_origin(lti, platform) -> None:
    cfg = _storage_login(lti)
    assert cfg["target"] == "post_message_forwarding"
    assert cfg["origin"] == platform.issuer.rsplit("/", 1)[0]  # origin of the auth URL
    assert cfg["auth_url"].startswith(platform.auth_login_url + "?")
    assert cfg["state"] in cfg["auth_url"]


def test_launch_without_cookie_confirms_the_state_from_platform_storage(lti) -> None:
    cfg = _storage_login(lti)
    ticket, pending = _pending(lti, cfg)
    assert pending["state_key"] == "lti_state_" + cfg["state"]
    resp = lti.client.post("/lti/launch/confirm", data={"ticket": ticket, "state": cfg["state"]})
    assert resp.status_code == 200
    assert lti.client.get(resp.headers["Content-Location"]).status_code == 200


def test_wrong_state_from_storage_is_rejected(lti) -> None:
    cfg = _storage_login(lti)
    ticket, _ = _pending(lti, cfg)
    resp = lti.client.post("/lti/launch/confirm", data={"ticket": ticket, "state": "forged"})
    assert resp.status_code == 400
    assert "state_mismatch" in resp.get_data(as_text=True)


def test_a_ticket_works_once(lti) -> None:
    cfg = _storage_login(lti)
    ticket, _ = _pending(lti, cfg)
    data = {"ticket": ticket, "state": cfg["state"]}
    assert lti.client.post("/lti/launch/confirm", data=data).status_code == 200
    again = lti.client.post("/lti/launch/confirm", data=data)
    assert again.status_code == 400 and "unknown_ticket" in again.get_data(as_text=True)


def test_the_login_page_scripts_carry_the_csp_nonce(lti) -> None:
    resp = lti.login(lti_storage_target="_parent")
    csp = resp.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    body = resp.get_data(as_text=True)
    scripts = re.findall(r"<script(?! type=\"application/json\")([^>]*)>", body)
    assert scripts and all(f'nonce="{nonce}"' in attrs for attrs in scripts)
