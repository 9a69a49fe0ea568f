"""What every sandbox view needs: the platform, where the tool lives, the state, the hints.

Built once by :func:`lti_app.sandbox.app.create_sandbox_app` and kept in
``app.extensions["sandbox"]``; views reach it through :func:`current`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lti_app.launch.services import JWKS_PATH, LAUNCH_PATH, LOGIN_PATH
from lti_app.sandbox.platform import SandboxPlatform
from lti_app.sandbox.store import SandboxStore

USER_AGENT = "Peerlift-Sandbox-LMS/1.0"
HTTP_TIMEOUT_S = 5
#: How long a login_hint / lti_message_hint from a rendered launch page stays valid.
HINT_MAX_AGE_S = 3600
#: Moodle-style query string on every line item URL: clients must keep it when
#: they append ``/scores`` or ``/results``.
LINEITEM_QUERY = "type_id=1"

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
AGS_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SUPPORTED_SCOPES = (NRPS_SCOPE, AGS_LINEITEM, AGS_LINEITEM_READONLY, AGS_RESULT_READONLY, AGS_SCORE)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class ToolEndpoints:
    """The Peerlift tool as the sandbox sees it: registered URLs only."""

    base_url: str

    @property
    def login_url(self) -> str:
        return self.base_url + LOGIN_PATH

    @property
    def launch_url(self) -> str:
        return self.base_url + LAUNCH_PATH

    @property
    def jwks_url(self) -> str:
        return self.base_url + JWKS_PATH

    @property
    def origin(self) -> str:
        return origin_of(self.base_url)

    def fetch_jwks(self) -> dict[str, Any]:
        """The tool's public keys, fetched fresh over HTTP as a real platform would."""
        resp = requests.get(
            self.jwks_url,
            timeout=HTTP_TIMEOUT_S,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        resp.raise_for_status()
        jwks: dict[str, Any] = resp.json()
        return jwks


class HintSigner:
    """Signs the opaque ``login_hint`` and ``lti_message_hint`` the sandbox hands the
    tool, so the auth endpoint can trust what comes back without server state."""

    def __init__(self, secret: str):
        self._login = URLSafeTimedSerializer(secret, salt="sandbox.login_hint")
        self._message = URLSafeTimedSerializer(secret, salt="sandbox.lti_message_hint")

    def login_hint(self, user_sub: str) -> str:
        return str(self._login.dumps(user_sub))

    def message_hint(self, payload: dict[str, Any]) -> str:
        return str(self._message.dumps(payload))

    def read_login_hint(self, hint: str) -> str | None:
        try:
            value = self._login.loads(hint, max_age=HINT_MAX_AGE_S)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def read_message_hint(self, hint: str) -> dict[str, Any] | None:
        try:
            value = self._message.loads(hint, max_age=HINT_MAX_AGE_S)
        except BadSignature:
            return None
        return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class Sandbox:
    platform: SandboxPlatform
    tool: ToolEndpoints
    store: SandboxStore
    hints: HintSigner

    @property
    def base(self) -> str:
        """Absolute URL of the sandbox (its issuer); service URLs hang off it."""
        return self.platform.issuer

    def course_api(self, ctx_id: str) -> str:
        return f"{self.base}/api/courses/{ctx_id}"

    def lineitem_url(self, ctx_id: str, item_id: str, suffix: str = "") -> str:
        return f"{self.course_api(ctx_id)}/lineitems/{item_id}{suffix}?{LINEITEM_QUERY}"


def current() -> Sandbox:
    sandbox: Sandbox = current_app.extensions["sandbox"]
    return sandbox
