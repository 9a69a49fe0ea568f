"""Drive the tool's OIDC login and launch as an LMS and a browser would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lti_app.sandbox.platform import DEMO_USERS, SandboxPlatform, SandboxUser

TOOL = "http://tool.test"
LAUNCH_URL = TOOL + "/lti/launch"
INSTRUCTOR = DEMO_USERS[0]
TA = DEMO_USERS[1]
LEARNER = DEMO_USERS[2]
LEARNER2 = DEMO_USERS[3]
MENTOR = DEMO_USERS[6]


class LtiDriver:
    def __init__(self, client: FlaskClient, platform: SandboxPlatform):
        self.client = client
        self.platform = platform

    def login_params(self, **overrides: Any) -> dict[str, str]:
        params = {
            "iss": self.platform.issuer,
            "login_hint": "hint-123",
            "target_link_uri": LAUNCH_URL,
            "client_id": self.platform.client_id,
            "lti_message_hint": "msg-456",
            "lti_deployment_id": self.platform.deployment_id,
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v is not None}

    def login(self, method: str = "POST", **overrides: Any) -> TestResponse:
        params = self.login_params(**overrides)
        if method == "GET":
            return self.client.get("/lti/login", query_string=params)
        return self.client.post("/lti/login", data=params)

    def start(self, **overrides: Any) -> tuple[str, str]:
        """Log in and return (state, nonce) from the redirect to the platform."""
        resp = self.login(**overrides)
        assert resp.status_code == 302, resp.get_data(as_text=True)
        query = parse_qs(urlsplit(resp.headers["Location"]).query)
        return query["state"][0], query["nonce"][0]

    def post_launch(self, id_token: str, state: str) -> TestResponse:
        return self.client.post("/lti/launch", data={"id_token": id_token, "state": state})

    def launch(
        self,
        user: SandboxUser | None = INSTRUCTOR,
        *,
        mutate: Callable[[dict[str, Any]], None] | None = None,
        sign: Callable[[dict[str, Any]], str] | None = None,
        **claim_kwargs: Any,
    ) -> TestResponse:
        """A complete login + launch; ``mutate`` bends the claims before signing."""
        state, nonce = self.start()
        claim_kwargs.setdefault("target_link_uri", LAUNCH_URL)
        claims = self.platform.claims(user, nonce=nonce, **claim_kwargs)
        if mutate:
            mutate(claims)
        token = (sign or self.platform.sign)(claims)
        return self.post_launch(token, state)

    def enter(self, user: SandboxUser | None = INSTRUCTOR, **kwargs: Any) -> TestResponse:
        """Launch and return the page the person lands on (via its GET address, so
        the page is also shown to work on reload)."""
        resp = self.launch(user, **kwargs)
        if resp.status_code == 303:  # deep linking goes through a redirect
            return self.client.get(resp.headers["Location"])
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return self.client.get(resp.headers["Content-Location"])


def token_from(location: str) -> str:
    return parse_qs(urlsplit(location).query)["t"][0]
