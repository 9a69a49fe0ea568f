"""Dynamic Registration inside the platform's iframe, in a real Chromium (issue 16, finding 11).

Moodle 4 ("show the registration page in an iframe") and Canvas open the tool's
registration URL in an iframe of their own page. A platform registering for the
first time is not among Peerlift's known platforms, so the registration pages
must allow framing by the origin of the ``openid_configuration`` being
registered once the invite has been checked. The platform here is the sandbox
LMS on its own origin: its "Register a tool" page frames ``/lti/register``,
the administrator registers, and the page receives ``org.imsglobal.lti.close``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lti_app.extensions import db
from lti_app.lms import invites, registry
from lti_app.lms.models import PENDING
from tests.support.browser import chromium, screenshot_if_failed
from tests.support.lms_services import ServicesLms
from tests.support.platform_server import LiveServer

#: The tool is served live: its threads must see what the test commits.
pytestmark = pytest.mark.committed_db

SHOTS = Path("/tmp")


@pytest.fixture
def tool_and_platform(app: Flask) -> Iterator[tuple[str, ServicesLms]]:
    with LiveServer(app) as tool, ServicesLms(tool.url) as lms:
        yield tool.url, lms


def _invite(app: Flask) -> str:
    with app.app_context():
        _, token = invites.create("Sandbox LMS", timedelta(hours=1))
        db.session.commit()
    return token


def test_registration_completes_inside_the_platforms_iframe(
    app: Flask, tool_and_platform: tuple[str, ServicesLms], request: pytest.FixtureRequest
) -> None:
    tool_url, lms = tool_and_platform
    invite = _invite(app)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        blocked: list[str] = []
        page.on(
            "console",
            lambda msg: blocked.append(msg.text) if "frame-ancestors" in msg.text else None,
        )
        try:
            page.goto(lms.url + "/register")
            page.fill("#url", f"{tool_url}/lti/register?invite={invite}")
            page.click("text=Start registration")
            frame = page.frame_locator("iframe[name=registration]")
            frame.get_by_role("button", name="Register Peerlift").wait_for(timeout=15_000)
            page.screenshot(path=str(SHOTS / "launchsec-register-1280.png"), full_page=True)
            page.set_viewport_size({"width": 800, "height": 900})
            page.screenshot(path=str(SHOTS / "launchsec-register-800.png"), full_page=True)
            frame.get_by_role("button", name="Register Peerlift").click()
            frame.get_by_text("Peerlift is registered, waiting for approval").wait_for(
                timeout=15_000
            )
            page.screenshot(path=str(SHOTS / "launchsec-register-done-800.png"), full_page=True)
            frame.get_by_role("button", name="Close").click()
            # The sandbox reloads its page when the tool posts org.imsglobal.lti.close.
            page.wait_for_url(lms.url + "/register", timeout=15_000)
            page.get_by_role("row", name="Peerlift").wait_for(timeout=15_000)
        finally:
            screenshot_if_failed(request, page)
        assert not blocked, blocked
    [received] = lms.store.registrations()
    assert received["client_name"] == "Peerlift"
    with app.app_context():
        reg = registry.find_registration(lms.url, received["client_id"])
        assert reg is not None and reg.status == PENDING


def test_registration_pages_name_the_platform_as_frame_ancestor_only_after_the_invite(
    app: Flask, client: Any, tool_and_platform: tuple[str, ServicesLms]
) -> None:
    _, lms = tool_and_platform
    config = lms.url + "/.well-known/openid-configuration"
    token = lms.store.new_registration_token()
    good = client.get(
        "/lti/register",
        query_string={
            "invite": _invite(app),
            "openid_configuration": config,
            "registration_token": token,
        },
    )
    assert good.status_code == 200
    assert lms.url in _frame_ancestors(good)
    bad = client.get(
        "/lti/register", query_string={"invite": "not-an-invite", "openid_configuration": config}
    )
    assert bad.status_code == 403
    assert lms.url not in _frame_ancestors(bad)
    # A failure after the invite check is still shown inside the platform's frame.
    failed = client.get(
        "/lti/register",
        query_string={"invite": _invite(app), "openid_configuration": lms.url + "/no-such-config"},
    )
    assert failed.status_code == 400
    assert lms.url in _frame_ancestors(failed)


def _frame_ancestors(resp: Any) -> str:
    csp = resp.headers["Content-Security-Policy"]
    return next(part for part in csp.split(";") if "frame-ancestors" in part)
