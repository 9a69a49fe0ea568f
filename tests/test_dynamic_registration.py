"""LTI Dynamic Registration, tool side: invites, the SSRF guard, Moodle- and Canvas-style flows.

A fake platform (a small Flask app served on 127.0.0.1 by ``LiveServer``)
answers the OpenID configuration and registration requests and records what
it received. The ``app`` fixture runs the testing config, which allows
loopback/http; the SSRF tests build an app with private URLs forbidden.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import re
import ssl
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask, Response, jsonify, request, stream_with_context
from sqlalchemy import func, select
from werkzeug.serving import make_server

from lti_app.extensions import db
from lti_app.launch import platform_config, platform_hosts
from lti_app.launch import registration as service
from lti_app.lms import invites, registry, safe_fetch
from lti_app.lms.models import ACTIVE, PENDING, Registration, RegistrationInvite
from lti_app.lms.safe_fetch import FetchError, FetchPolicy
from lti_app.sandbox.platform import SandboxPlatform
from tests.conftest import make_app
from tests.support.lti import LtiDriver
from tests.support.platform_server import LiveServer

TOKEN = "platform-registration-token-123"
PLATFORM_CONFIG = platform_config.PLATFORM_CONFIGURATION
TOOL_CONFIG = service.TOOL_CONFIGURATION
ALL_SCOPES = [service.SCOPE_LINEITEM, service.SCOPE_RESULT, service.SCOPE_SCORE, service.SCOPE_NRPS]


# -- the fake platform ----------------------------------------------------------------


class FakePlatform:
    """The platform side of Dynamic Registration, Moodle- or Canvas-flavoured."""

    def __init__(self) -> None:
        self.base = ""
        self.style = "moodle"
        self.issuer: str | None = None
        self.client_id = "moodle-client-42"
        self.deployment_id: str | None = "7"
        self.refuse = False
        self.overrides: dict[str, Any] = {}
        self.config_hits: list[dict[str, str]] = []
        self.registrations: list[dict[str, Any]] = []
        self.registration_auth: list[str] = []
        self.app = self._build()

    def config(self) -> dict[str, Any]:
        base = self.base
        if self.style == "canvas":
            doc: dict[str, Any] = {
                "issuer": self.issuer or "https://canvas.instructure.com",
                "authorization_endpoint": "https://sso.canvaslms.com/api/lti/authorize_redirect",
                "token_endpoint": "https://sso.canvaslms.com/login/oauth2/token",
                "jwks_uri": "https://sso.canvaslms.com/api/lti/security/jwks",
                "registration_endpoint": base + "/api/lti/registrations",
                "scopes_supported": ALL_SCOPES
                + ["https://canvas.instructure.com/lti/public_jwk/scope/update"],
                PLATFORM_CONFIG: {
                    "product_family_code": "canvas",
                    "version": "OpenSource",
                    "messages_supported": [
                        {
                            "type": "LtiResourceLinkRequest",
                            "placements": ["course_navigation", "link_selection"],
                        },
                        {
                            "type": "LtiDeepLinkingRequest",
                            "placements": ["link_selection", "assignment_selection"],
                        },
                    ],
                },
            }
        else:
            doc = {
                "issuer": self.issuer or base,
                "authorization_endpoint": base + "/mod/lti/auth.php",
                "token_endpoint": base + "/mod/lti/token.php",
                "jwks_uri": base + "/mod/lti/certs.php",
                "registration_endpoint": base + "/registrations",
                "scopes_supported": ALL_SCOPES
                + ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly", "openid"],
                PLATFORM_CONFIG: {
                    "product_family_code": "moodle",
                    "version": "4.5.2",
                    "messages_supported": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"],
                    "placements": ["AddContentMenu"],
                },
            }
        doc.update(
            {
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["id_token"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            }
        )
        if self.style == "moodle310":
            # Moodle 3.10/3.11: no authorization_endpoint, a trailing space in the
            # platform-configuration key, "LtiResourceLink" without "Request".
            del doc["authorization_endpoint"]
            section = doc.pop(PLATFORM_CONFIG)
            section["messages_supported"] = ["LtiResourceLink", "LtiDeepLinkingRequest"]
            doc[PLATFORM_CONFIG + " "] = section
        doc.update(self.overrides)
        return {k: v for k, v in doc.items() if v is not None}

    def _build(self) -> Flask:
        fake = Flask("fake_platform")

        def bearer_ok() -> bool:
            return request.headers.get("Authorization") == f"Bearer {TOKEN}"

        @fake.get("/openid-configuration")
        @fake.get("/platform/openid-configuration")  # served on the test platform's origin
        def openid_configuration() -> Any:
            self.config_hits.append(
                {
                    "host": request.headers.get("Host", ""),
                    "auth": request.headers.get("Authorization", ""),
                    "ua": request.headers.get("User-Agent", ""),
                }
            )
            if self.style == "canvas" and not bearer_ok():
                return jsonify(errors=[{"message": "Invalid access token"}]), 401
            return jsonify(self.config())

        @fake.get("/moved")
        def moved() -> Any:
            return "", 302, {"Location": self.base + "/openid-configuration"}

        @fake.get("/html")
        def html() -> Any:
            return "<html><body>Site maintenance</body></html>", 200, {"Content-Type": "text/html"}

        @fake.get("/huge")
        def huge() -> Any:
            doc = self.config()
            doc["padding"] = "x" * (300 * 1024)
            return jsonify(doc)

        @fake.get("/huge-stream")
        def huge_stream() -> Any:
            def chunks() -> Iterator[bytes]:
                yield b'{"padding": "'
                for _ in range(40):
                    yield b"x" * 8192
                yield b'"}'

            return Response(stream_with_context(chunks()), mimetype="application/json")

        def register() -> Any:
            self.registration_auth.append(request.headers.get("Authorization", ""))
            if not bearer_ok():
                return "missing_registration_token", 401
            body = request.get_json(force=True)
            self.registrations.append(body)
            if self.refuse:
                return jsonify(
                    error="invalid_client_metadata",
                    error_description="redirect_uris must be on the tool domain",
                ), 400
            for key in (
                "response_types",
                "initiate_login_uri",
                "redirect_uris",
                "client_name",
                "jwks_uri",
                "token_endpoint_auth_method",
                TOOL_CONFIG,
            ):
                if not body.get(key):
                    return f"missing required attribute {key}", 400
            if (
                "id_token" not in body["response_types"]
                or body["token_endpoint_auth_method"] != "private_key_jwt"
                or body.get("application_type") != "web"
            ):
                return "invalid registration", 400
            tool = dict(body[TOOL_CONFIG])
            if not tool.get("domain") or not tool.get("target_link_uri"):
                return "missing domain or target_link_uri", 400
            if self.deployment_id is not None:
                tool["deployment_id"] = self.deployment_id
            answer = dict(body, client_id=self.client_id)
            answer[TOOL_CONFIG] = tool
            return jsonify(answer)

        fake.post("/registrations")(register)
        fake.post("/api/lti/registrations")(register)
        return fake


class _Current:
    """WSGI entry of the module's one server: forwards to the current test's platform."""

    def __init__(self) -> None:
        self.platform = FakePlatform()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.platform.app(environ, start_response)


@pytest.fixture(scope="module")
def _fake_server() -> Iterator[tuple[LiveServer, _Current]]:
    current = _Current()
    with LiveServer(current) as server:
        yield server, current


@pytest.fixture
def fake(_fake_server: tuple[LiveServer, _Current]) -> FakePlatform:
    """A fresh fake platform per test (one server per module keeps the suite fast)."""
    server, current = _fake_server
    current.platform = FakePlatform()
    current.platform.base = server.url
    return current.platform


# -- helpers ------------------------------------------------------------------------


def new_invite(app: Flask, ttl: timedelta = timedelta(hours=1), note: str = "") -> str:
    with app.app_context():
        _, token = invites.create(note, ttl)
        db.session.commit()
    return token


def invite_row(app: Flask, token: str) -> RegistrationInvite:
    with app.app_context():
        row = db.session.scalar(
            select(RegistrationInvite).where(
                RegistrationInvite.token_hash == invites.hash_token(token)
            )
        )
        assert row is not None
        db.session.expunge(row)
        return row


def registration_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration)) or 0


def find(app: Flask, issuer: str, client_id: str) -> dict[str, Any] | None:
    with app.app_context():
        reg = registry.find_registration(issuer, client_id)
        if reg is None:
            return None
        return {
            "public_id": reg.public_id,
            "status": reg.status,
            "name": reg.name,
            "auth_login_url": reg.auth_login_url,
            "auth_token_url": reg.auth_token_url,
            "jwks_url": reg.jwks_url,
            "product_family": reg.product_family,
            "approved_at": reg.approved_at,
            "id": reg.id,
            "deployments": {d.deployment_id: d.status for d in reg.deployments},
        }


def params(
    fake: FakePlatform,
    invite: str | None,
    path: str = "/openid-configuration",
    token: str | None = TOKEN,
) -> dict[str, str]:
    out = {"openid_configuration": fake.base + path}
    if invite is not None:
        out["invite"] = invite
    if token is not None:
        out["registration_token"] = token
    return out


def audit_lines(caplog: Any) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "peerlift.audit"]


def assert_refused(resp: Any, code: str, status: int, caplog: Any) -> str:
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, body
    assert resp.mimetype == "text/html"
    assert "Traceback" not in body
    assert code in body  # the reference shown to the platform administrator
    assert any(f"code={code}" in line for line in audit_lines(caplog)), audit_lines(caplog)
    return body


@pytest.fixture(autouse=True)
def _audit_logs(caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="peerlift.audit")


# -- happy paths ----------------------------------------------------------------------


def test_moodle_style_registration_ends_pending_with_deployment(app, client, fake, caplog) -> None:
    invite = new_invite(app, note="Acme Moodle")
    before = registration_count(app)

    page = client.get("/lti/register", query_string=params(fake, invite))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "Register Peerlift" in html and "Moodle" in html and fake.base in html
    assert "Names and roles" in html and "Grades" in html and "email" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert invite_row(app, invite).used_at is None  # the GET does not use the invite

    done = client.post("/lti/register", data=params(fake, invite))
    html = done.get_data(as_text=True)
    assert done.status_code == 200, html

    reg = find(app, fake.base, "moodle-client-42")
    assert reg is not None
    assert reg["status"] == PENDING and reg["approved_at"] is None
    assert reg["auth_login_url"] == fake.base + "/mod/lti/auth.php"
    assert reg["auth_token_url"] == fake.base + "/mod/lti/token.php"
    assert reg["jwks_url"] == fake.base + "/mod/lti/certs.php"
    assert reg["product_family"] == "moodle"
    assert reg["name"] == "Moodle (127.0.0.1)"
    assert reg["deployments"] == {"7": PENDING}
    assert registration_count(app) == before + 1

    row = invite_row(app, invite)
    assert row.used_at is not None and row.registration_id == reg["id"]

    # What the platform administrator reads, and the close message.
    assert f"flask --app lti_app platforms approve {reg['public_id']}" in html
    assert "org.imsglobal.lti.close" in html and "Close" in html
    nonce = re.search(r"'nonce-([^']+)'", done.headers["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in html
    assert TOKEN not in html

    # The configuration was fetched again for the POST, with the bearer token.
    assert len(fake.config_hits) == 2
    assert all(hit["auth"] == f"Bearer {TOKEN}" for hit in fake.config_hits)
    assert all(hit["ua"].startswith("Peerlift") for hit in fake.config_hits)
    assert fake.registration_auth == [f"Bearer {TOKEN}"]
    assert any("registration pending" in line for line in audit_lines(caplog))
    # Neither secret reaches the logs.
    assert not any(TOKEN in r.getMessage() or invite in r.getMessage() for r in caplog.records)


def test_moodle_310_configuration_quirks_are_handled(app, client, fake) -> None:
    fake.style = "moodle310"
    invite = new_invite(app)
    page = client.get("/lti/register", query_string=params(fake, invite))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "does not list deep linking" not in html
    assert client.post("/lti/register", data=params(fake, invite)).status_code == 200
    reg = find(app, fake.base, "moodle-client-42")
    assert reg is not None and reg["product_family"] == "moodle"
    assert reg["auth_login_url"] == fake.base + "/mod/lti/auth.php"
    assert reg["deployments"] == {"7": PENDING}


def test_registration_request_has_every_required_field(app, client, fake) -> None:
    invite = new_invite(app)
    resp = client.post("/lti/register", data=params(fake, invite))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    [body] = fake.registrations
    assert body["application_type"] == "web"
    assert body["response_types"] == ["id_token"]
    assert body["grant_types"] == ["implicit", "client_credentials"]
    assert body["initiate_login_uri"] == "http://tool.test/lti/login"
    assert body["redirect_uris"] == ["http://tool.test/lti/launch"]
    assert body["client_name"] == "Peerlift"
    assert body["jwks_uri"] == "http://tool.test/lti/jwks"
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    assert body["scope"].split(" ") == ALL_SCOPES
    tool = body[TOOL_CONFIG]
    assert tool["domain"] == "tool.test"
    assert tool["target_link_uri"] == "http://tool.test/lti/launch"
    assert tool["claims"] == ["iss", "sub", "name", "given_name", "family_name", "email"]
    assert tool["description"]
    [message] = tool["messages"]
    assert message["type"] == "LtiDeepLinkingRequest"
    assert message["target_link_uri"] == "http://tool.test/lti/launch"
    assert message["label"] == "Add a Peerlift activity"
    assert message["placements"] == ["ContentArea"]
    assert service.CANVAS_PRIVACY_LEVEL not in tool
    # The JWKS the platform is told about serves a key.
    jwks = client.get("/lti/jwks").get_json()
    assert jwks["keys"]


@pytest.mark.parametrize(
    ("supported", "expected"),
    [
        (
            [service.SCOPE_SCORE, service.SCOPE_NRPS, "openid"],
            [service.SCOPE_SCORE, service.SCOPE_NRPS],
        ),
        (None, ALL_SCOPES),
        ([], []),
    ],
)
def test_only_scopes_the_platform_offers_are_requested(
    app, client, fake, supported, expected
) -> None:
    fake.overrides["scopes_supported"] = supported
    invite = new_invite(app)
    resp = client.post("/lti/register", data=params(fake, invite))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    [body] = fake.registrations
    assert body["scope"].split() == expected


def test_canvas_style_registration_without_deployment(app, client, fake, caplog) -> None:
    fake.style = "canvas"
    app.config["REGISTRATION_CANVAS_HOSTS"] = ["127.0.0.1"]  # the fake's "vanity domain"
    fake.client_id = "10000000000042"
    fake.deployment_id = None
    invite = new_invite(app)

    page = client.get("/lti/register", query_string=params(fake, invite))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "Canvas" in html and "https://canvas.instructure.com" in html

    done = client.post("/lti/register", data=params(fake, invite))
    html = done.get_data(as_text=True)
    assert done.status_code == 200, html
    assert "deployment ID" in html  # tells the admin a deployment must be added later

    reg = find(app, "https://canvas.instructure.com", "10000000000042")
    assert reg is not None and reg["status"] == PENDING
    assert reg["deployments"] == {}
    assert reg["product_family"] == "canvas"
    assert reg["name"] == "Canvas (127.0.0.1)"
    assert reg["auth_login_url"] == "https://sso.canvaslms.com/api/lti/authorize_redirect"
    assert reg["auth_token_url"] == "https://sso.canvaslms.com/login/oauth2/token"
    assert reg["jwks_url"] == "https://sso.canvaslms.com/api/lti/security/jwks"

    [body] = fake.registrations
    tool = body[TOOL_CONFIG]
    assert tool[service.CANVAS_PRIVACY_LEVEL] == "public"
    assert tool["messages"][0]["placements"] == ["link_selection", "assignment_selection"]
    assert body["scope"].split() == ALL_SCOPES
    assert fake.registration_auth == [f"Bearer {TOKEN}"]
    assert invite_row(app, invite).used_at is not None


def test_canvas_config_needs_the_bearer_token(app, client, fake, caplog) -> None:
    fake.style = "canvas"
    app.config["REGISTRATION_CANVAS_HOSTS"] = ["127.0.0.1"]
    invite = new_invite(app)
    resp = client.get("/lti/register", query_string=params(fake, invite, token=None))
    body = assert_refused(resp, "openid_configuration_refused", 400, caplog)
    assert "HTTP 401" in body
    assert fake.config_hits[0]["auth"] == ""


# -- invites ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_missing_or_unknown_invite_is_refused(app, client, fake, caplog, method) -> None:
    for invite, code in ((None, "invite_missing"), ("not-a-real-invite", "invite_unknown")):
        data = params(fake, invite)
        resp = (
            client.get("/lti/register", query_string=data)
            if method == "GET"
            else client.post("/lti/register", data=data)
        )
        body = assert_refused(resp, code, 403, caplog)
        assert "no longer valid" in body and "administrator" in body
    assert fake.config_hits == []  # nothing is fetched without a valid invite
    assert fake.registrations == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_expired_invite_is_refused(app, client, fake, caplog, method) -> None:
    invite = new_invite(app)
    with app.app_context():
        row = invites.find_usable(invite)
        row.expires_at = row.expires_at - timedelta(hours=2)
        db.session.commit()
    data = params(fake, invite)
    resp = (
        client.get("/lti/register", query_string=data)
        if method == "GET"
        else client.post("/lti/register", data=data)
    )
    assert_refused(resp, "invite_expired", 403, caplog)
    assert fake.config_hits == [] and fake.registrations == []


def test_invite_works_once(app, client, fake, caplog) -> None:
    invite = new_invite(app)
    # Previewing twice is fine: the GET does not use the invite.
    for _ in range(2):
        assert client.get("/lti/register", query_string=params(fake, invite)).status_code == 200
    assert invite_row(app, invite).used_at is None
    assert client.post("/lti/register", data=params(fake, invite)).status_code == 200

    fake.client_id = "another-client"
    assert_refused(
        client.get("/lti/register", query_string=params(fake, invite)), "invite_used", 403, caplog
    )
    assert_refused(
        client.post("/lti/register", data=params(fake, invite)), "invite_used", 403, caplog
    )
    assert len(fake.registrations) == 1
    assert find(app, fake.base, "another-client") is None


def test_page_opened_directly_explains_itself(app, client, caplog) -> None:
    invite = new_invite(app)
    resp = client.get("/lti/register", query_string={"invite": invite})
    body = assert_refused(resp, "missing_openid_configuration", 400, caplog)
    assert "Dynamic Registration" in body


# -- failures store nothing and keep the invite ----------------------------------------


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/moved", "openid_configuration_redirect"),
        ("/html", "openid_configuration_not_json"),
        ("/huge", "openid_configuration_too_large"),
        ("/huge-stream", "openid_configuration_too_large"),
        ("/nowhere", "openid_configuration_refused"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_bad_configuration_document_is_refused(
    app, client, fake, caplog, path, code, method
) -> None:
    invite = new_invite(app)
    before = registration_count(app)
    data = params(fake, invite, path=path)
    resp = (
        client.get("/lti/register", query_string=data)
        if method == "GET"
        else client.post("/lti/register", data=data)
    )
    assert_refused(resp, code, 400, caplog)
    assert registration_count(app) == before
    assert invite_row(app, invite).used_at is None
    assert fake.registrations == []
    # A redirect is reported, never followed.
    assert fake.config_hits == []


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"issuer": None}, "issuer missing"),
        ({"issuer": "https://moodle.example.org"}, "does not match configuration URL origin"),
        ({"registration_endpoint": "/relative"}, "registration_endpoint"),
        ({"jwks_uri": None}, "jwks_uri missing"),
        ({"token_endpoint": "ftp://x.example/token"}, "token_endpoint"),
        ({"authorization_endpoint": "javascript:alert(1)"}, "authorization_endpoint"),
        # Only a Moodle-shaped token endpoint lets us fill in a missing auth endpoint.
        (
            {"authorization_endpoint": None, "token_endpoint": "http://127.0.0.1/oauth/token"},
            "authorization_endpoint missing",
        ),
        ({"id_token_signing_alg_values_supported": ["HS256"]}, "RS256"),
        ({PLATFORM_CONFIG: None}, "lti-platform-configuration missing"),
        ({"token_endpoint_auth_methods_supported": ["client_secret_basic"]}, "private_key_jwt"),
    ],
)
def test_invalid_configuration_is_refused(app, client, fake, caplog, override, reason) -> None:
    fake.overrides.update(override)
    invite = new_invite(app)
    before = registration_count(app)
    resp = client.post("/lti/register", data=params(fake, invite))
    assert_refused(resp, "platform_config_invalid", 400, caplog)
    assert any(reason in line for line in audit_lines(caplog)), audit_lines(caplog)
    assert registration_count(app) == before
    assert fake.registrations == []
    assert invite_row(app, invite).used_at is None


def test_platform_refusal_is_shown_and_invite_stays_usable(app, client, fake, caplog) -> None:
    fake.refuse = True
    invite = new_invite(app)
    before = registration_count(app)
    resp = client.post("/lti/register", data=params(fake, invite))
    body = assert_refused(resp, "registration_refused", 422, caplog)
    assert "redirect_uris must be on the tool domain" in body  # the platform's own words
    assert "still works" in body
    assert registration_count(app) == before
    assert invite_row(app, invite).used_at is None

    fake.refuse = False
    resp = client.post("/lti/register", data=params(fake, invite))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert find(app, fake.base, "moodle-client-42") is not None


def test_answer_without_client_id_is_refused(app, client, fake, caplog) -> None:
    fake.client_id = ""
    invite = new_invite(app)
    assert_refused(
        client.post("/lti/register", data=params(fake, invite)),
        "registration_no_client_id",
        422,
        caplog,
    )
    assert invite_row(app, invite).used_at is None


def on_platform_origin(fake: FakePlatform, platform_server: Any) -> None:
    """Serve the fake's configuration on the test platform's own origin (the issuer's)."""
    platform_server[2].fallback = fake.app


def platform_params(platform: SandboxPlatform, invite: str) -> dict[str, str]:
    return {
        "openid_configuration": platform.issuer + "/openid-configuration",
        "invite": invite,
        "registration_token": TOKEN,
    }


@pytest.fixture(autouse=True)
def _no_fallback(platform_server: Any) -> Iterator[None]:
    yield
    platform_server[2].fallback = None


def test_existing_active_registration_is_not_overwritten(
    app, client, fake, platform: SandboxPlatform, platform_server, caplog
) -> None:
    """The sandbox platform is registered and active; a DR for the same
    (issuer, client_id) must not change its URLs."""
    on_platform_origin(fake, platform_server)
    fake.issuer = platform.issuer
    fake.client_id = platform.client_id
    original = find(app, platform.issuer, platform.client_id)
    assert original is not None and original["status"] == ACTIVE
    invite = new_invite(app)
    body = assert_refused(
        client.post("/lti/register", data=platform_params(platform, invite)),
        "registration_exists",
        409,
        caplog,
    )
    assert "already has a registration" in body
    assert find(app, platform.issuer, platform.client_id) == original
    assert invite_row(app, invite).used_at is None


# -- SSRF --------------------------------------------------------------------------------


@pytest.fixture
def strict_app(tmp_path: Path) -> Iterator[Flask]:
    """Production's rule: no loopback/private addresses, no plain http."""
    application = make_app(tmp_path, REGISTRATION_ALLOW_PRIVATE_URLS=False)
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:{port}/openid-configuration",
        "https://10.1.2.3/openid-configuration",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:{port}/openid-configuration",
        "https://[::ffff:127.0.0.1]/openid-configuration",
        "https://0.0.0.0/openid-configuration",
        "https://100.64.0.1/openid-configuration",
        "https://192.168.1.10/openid-configuration",
        "https://localhost:{port}/openid-configuration",
    ],
)
def test_private_addresses_are_refused(strict_app, fake, caplog, url) -> None:
    port = urlsplit(fake.base).port
    invite = new_invite(strict_app)
    client = strict_app.test_client()
    data = {
        "invite": invite,
        "openid_configuration": url.format(port=port),
        "registration_token": TOKEN,
    }
    for resp in (
        client.get("/lti/register", query_string=data),
        client.post("/lti/register", data=data),
    ):
        assert_refused(resp, "openid_configuration_blocked_url", 400, caplog)
    assert fake.config_hits == []
    assert registration_count(strict_app) == 0
    assert invite_row(strict_app, invite).used_at is None


def test_plain_http_is_refused_in_production_mode(strict_app, fake, caplog, monkeypatch) -> None:
    monkeypatch.setattr(safe_fetch, "resolve", lambda host, port: ["93.184.215.14"])
    invite = new_invite(strict_app)
    resp = strict_app.test_client().get(
        "/lti/register",
        query_string={
            "invite": invite,
            "openid_configuration": "http://lms.example.org/openid-configuration",
        },
    )
    assert_refused(resp, "openid_configuration_blocked_url", 400, caplog)
    assert any("plain http" in line for line in audit_lines(caplog))


def test_a_name_resolving_to_a_private_address_is_refused(strict_app, caplog, monkeypatch) -> None:
    """DNS answers count, not the name: one private answer among public ones blocks."""
    answers = {"lms.example.org": ["93.184.215.14", "10.0.0.8"]}
    monkeypatch.setattr(safe_fetch, "resolve", lambda host, port: answers[host])
    invite = new_invite(strict_app)
    resp = strict_app.test_client().get(
        "/lti/register",
        query_string={
            "invite": invite,
            "openid_configuration": "https://lms.example.org/.well-known/x",
        },
    )
    assert_refused(resp, "openid_configuration_blocked_url", 400, caplog)
    assert any("10.0.0.8" in line for line in audit_lines(caplog))


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("224.0.0.1", True),
        ("0.0.0.0", True),  # noqa: S104 - an address under test, not a bind
        ("255.255.255.255", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("ff02::1", True),
        ("::ffff:10.0.0.1", True),
        ("2002:7f00:1::", True),
        ("64:ff9b::a00:1", True),
        ("2001:db8::1", True),
        ("8.8.8.8", False),
        ("93.184.215.14", False),
        ("2606:4700::1111", False),
    ],
)
def test_blocked_addresses(address: str, blocked: bool) -> None:
    assert (safe_fetch.blocked_reason(ipaddress.ip_address(address)) is not None) is blocked


def test_user_info_and_odd_schemes_are_refused() -> None:
    policy = FetchPolicy(allow_private=True, timeout=2)
    for url in (
        "https://user:pw@lms.example.org/x",
        "file:///etc/passwd",
        "gopher://x/",
        "https://",
        "x" * 3000,
    ):
        with pytest.raises(FetchError) as err:
            safe_fetch.check_url(url, policy)
        assert err.value.code == "invalid_url"


def test_connection_goes_to_the_checked_address(fake, monkeypatch) -> None:
    """The name is resolved once, by us; requests connects to that IP and keeps the
    name in the Host header. ``.invalid`` never resolves, so a second lookup by
    requests itself would fail the request."""
    calls: list[str] = []

    def fake_dns(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(safe_fetch, "resolve", fake_dns)
    port = urlsplit(fake.base).port
    resp = safe_fetch.get_json(
        f"http://lms.invalid:{port}/openid-configuration",
        FetchPolicy(allow_private=True, timeout=5),
        bearer=TOKEN,
    )
    assert resp.ok and resp.data["issuer"] == fake.base
    assert calls == ["lms.invalid"]
    assert fake.config_hits[-1]["host"] == f"lms.invalid:{port}"


def test_jwks_and_token_endpoints_must_be_public_in_production(
    strict_app, caplog, monkeypatch
) -> None:
    platform = platform_config.PlatformConfig(
        openid_configuration_url="https://lms.example.org/oc",
        issuer="https://lms.example.org",
        authorization_endpoint="https://lms.example.org/auth",
        token_endpoint="https://lms.example.org/token",
        jwks_uri="https://keys.example.org/j",
        registration_endpoint="https://lms.example.org/reg",
        scopes_supported=None,
        product_family="moodle",
        version="4",
        messages_supported=(),
    )
    answers = {"lms.example.org": ["93.184.215.14"], "keys.example.org": ["127.0.0.1"]}
    monkeypatch.setattr(safe_fetch, "resolve", lambda host, port: answers[host])
    settings = platform_config.ToolSettings(
        base_url="https://tool.example", allow_private=False, timeout=2
    )
    with pytest.raises(platform_config.RegistrationError) as err:
        platform_config.check_fetchable_later(platform, settings)
    assert err.value.code == "jwks_uri_blocked"


# -- TLS through the pinned connection ---------------------------------------------------


def _tls_material(tmp_path: Path, name: str) -> tuple[ssl.SSLContext, str]:
    """A throwaway CA and a server certificate for ``name``; returns (server ctx, CA path)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = tmp_path / "ca.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path, key_path = tmp_path / "server.pem", tmp_path / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert_path), str(key_path))
    return ctx, str(ca_path)


def test_tls_is_verified_against_the_name_not_the_ip(tmp_path, fake, monkeypatch) -> None:
    ctx, ca_path = _tls_material(tmp_path, "lms.example.test")
    server = make_server("127.0.0.1", 0, fake.app, threaded=True, ssl_context=ctx)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        fake.base = f"https://lms.example.test:{server.server_port}"
        monkeypatch.setattr(safe_fetch, "resolve", lambda host, port: ["127.0.0.1"])
        policy = FetchPolicy(allow_private=True, timeout=5, verify=ca_path)
        resp = safe_fetch.get_json(fake.base + "/openid-configuration", policy)
        assert resp.ok and resp.data["issuer"] == fake.base
        assert fake.config_hits[-1]["host"] == f"lms.example.test:{server.server_port}"
        # Same IP, another name: the certificate does not match, so no request is sent.
        with pytest.raises(FetchError) as err:
            safe_fetch.get_json(
                f"https://other.example.test:{server.server_port}/openid-configuration", policy
            )
        assert err.value.code == "unreachable"
        assert len(fake.config_hits) == 1
    finally:
        server.shutdown()
        server.server_close()


# -- the host rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "config_url", "ok"),
    [
        ("https://moodle.example.org", "https://moodle.example.org/mod/lti/oc.php", True),
        ("https://moodle.example.org/", "https://moodle.example.org/mod/lti/oc.php", True),
        ("https://MOODLE.example.org", "https://moodle.example.org./oc", True),
        ("https://school.org/moodle", "https://school.org/moodle/mod/lti/oc.php", True),
        ("https://moodle.example.org:8443", "https://moodle.example.org:8443/oc", True),
        ("https://moodle.example.org", "https://moodle.example.org:443/oc", True),
        # attacks: siblings, parents, children, other ports, schemes and paths
        ("https://victim.moodlecloud.com", "https://attacker.moodlecloud.com/oc", False),
        ("https://moodle.example.org", "https://lms.example.org/oc", False),
        ("https://moodle.example.org", "https://example.org/oc", False),
        ("https://example.org", "https://lms.example.org/oc", False),
        ("https://moodle.example.org", "https://moodle.example.org.evil.test/oc", False),
        ("https://moodle.example.org", "https://badexample.org/oc", False),
        ("https://moodle.example.org:8443/moodle", "https://moodle.example.org/oc", False),
        ("https://moodle.example.org", "https://moodle.example.org:8443/oc", False),
        ("https://moodle.example.org", "http://moodle.example.org/oc", False),
        ("https://host.example/schoolB", "https://host.example/schoolA/oc", False),
        ("https://host.example/school", "https://host.example/schoolB/oc", False),
        ("https://10.0.0.1", "https://10.0.0.2/oc", False),
        ("https://10.0.0.1", "https://10.0.0.1:8443/oc", False),
        # hosted Canvas: a customer host of the same Canvas environment, https only
        ("https://canvas.instructure.com", "https://school.instructure.com/api/lti/oc", True),
        ("https://canvas.beta.instructure.com", "https://school.beta.instructure.com/oc", True),
        ("https://canvas.test.instructure.com", "https://school.test.instructure.com/oc", True),
        ("https://canvas.instructure.com", "https://canvas.school.edu/api/lti/oc", False),
        ("https://canvas.instructure.com", "https://evil.example/api/lti/oc", False),
        ("https://canvas.instructure.com", "https://instructure.com.evil.example/oc", False),
        ("https://canvas.instructure.com", "https://school.beta.instructure.com/oc", False),
        ("https://canvas.beta.instructure.com", "https://school.instructure.com/oc", False),
        ("https://canvas.test.instructure.com", "https://lms.school.edu/oc", False),
        ("https://canvas.instructure.com", "http://school.instructure.com/oc", False),
        ("https://canvas.instructure.com", "https://school.instructure.com:8443/oc", False),
    ],
)
def test_issuer_must_share_the_configuration_urls_origin(
    issuer: str, config_url: str, ok: bool
) -> None:
    assert platform_hosts.config_host_allowed(issuer, config_url) is ok


def test_a_canvas_vanity_domain_registers_only_when_the_operator_lists_it() -> None:
    allowed = ("canvas.school.edu",)
    assert platform_hosts.config_host_allowed(
        "https://canvas.instructure.com", "https://canvas.school.edu/oc", allowed
    )
    assert not platform_hosts.config_host_allowed(
        "https://canvas.instructure.com", "https://lms.other.edu/oc", allowed
    )
    assert not platform_hosts.config_host_allowed(
        "https://moodle.school.edu", "https://canvas.school.edu/oc", allowed
    )


def test_a_sibling_subdomain_cannot_register_for_another_issuer(app, client, fake, caplog) -> None:
    fake.issuer = "http://localhost:" + fake.base.rsplit(":", 1)[1]  # same port, other host
    invite = new_invite(app)
    resp = client.get("/lti/register", query_string=params(fake, invite))
    body = assert_refused(resp, "platform_config_invalid", 400, caplog)
    assert "scheme, host and port" in body
    assert not fake.registrations


# -- pending until approved; the CLI -----------------------------------------------------


def test_pending_registration_cannot_launch_until_approved(
    app, client, fake, platform: SandboxPlatform, platform_server, caplog
) -> None:
    server = platform_server[0]
    with app.app_context():  # start from a platform Peerlift does not know yet
        registry.remove(registry.find_registration(platform.issuer, platform.client_id))
        db.session.commit()
    on_platform_origin(fake, platform_server)
    fake.issuer = platform.issuer
    fake.client_id = platform.client_id
    fake.deployment_id = platform.deployment_id
    fake.overrides.update(
        authorization_endpoint=platform.auth_login_url,
        token_endpoint=platform.token_url,
        jwks_uri=server.url + "/jwks",
    )
    invite = new_invite(app)
    resp = client.post("/lti/register", data=platform_params(platform, invite))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    reg = find(app, platform.issuer, platform.client_id)
    assert reg is not None and reg["status"] == PENDING

    lti = LtiDriver(client, platform)
    resp = lti.login()
    assert resp.status_code == 403
    assert "registration_not_active" in resp.get_data(as_text=True)

    runner = app.test_cli_runner()
    pending = runner.invoke(args=["platforms", "pending"])
    assert pending.exit_code == 0, pending.output
    assert reg["public_id"] in pending.output and platform.issuer in pending.output
    assert f"platforms approve {reg['public_id']}" in pending.output

    result = runner.invoke(args=["platforms", "approve", reg["public_id"]])
    assert result.exit_code == 0, result.output
    approved = find(app, platform.issuer, platform.client_id)
    assert approved is not None and approved["status"] == ACTIVE
    assert approved["deployments"] == {platform.deployment_id: ACTIVE}
    assert lti.launch().status_code == 200
    assert "no pending registrations" in runner.invoke(args=["platforms", "pending"]).output


def test_invite_cli_prints_a_link_whose_token_is_stored_only_hashed(app) -> None:
    result = app.test_cli_runner().invoke(
        args=["platforms", "invite", "--note", "Acme Moodle", "--ttl-hours", "2"]
    )
    assert result.exit_code == 0, result.output
    urls = re.findall(r"\S+/lti/register\?\S+", result.output)
    assert len(urls) == 1
    url = urls[0]
    assert url.startswith("http://tool.test/lti/register?invite=")
    token = parse_qs(urlsplit(url).query)["invite"][0]
    with app.app_context():
        rows = list(db.session.scalars(select(RegistrationInvite)))
        assert len(rows) == 1
        row = rows[0]
        assert row.token_hash == invites.hash_token(token) != token
        assert token not in json.dumps(
            {c.name: str(getattr(row, c.name)) for c in RegistrationInvite.__table__.columns}
        )
        assert row.note == "Acme Moodle" and row.used_at is None
        left = row.expires_at - row.created_at
        assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2, seconds=5)
        assert invites.find_usable(token).id == row.id
    # A second invite is a different link.
    again = app.test_cli_runner().invoke(args=["platforms", "invite"])
    assert again.exit_code == 0 and token not in again.output


def test_invite_cli_rejects_a_bad_ttl(app) -> None:
    result = app.test_cli_runner().invoke(args=["platforms", "invite", "--ttl-hours", "0"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegistrationInvite)) == 0


def test_invite_claim_is_atomic(app) -> None:
    """Two requests holding the same invite: only the first claim succeeds."""
    token = new_invite(app)
    with app.app_context():
        first = invites.find_usable(token)
        invites.claim(first)
        db.session.commit()
    with app.app_context():
        row = db.session.scalar(select(RegistrationInvite))
        with pytest.raises(invites.InviteError) as err:
            invites.claim(row)
        assert err.value.code == "invite_used"
