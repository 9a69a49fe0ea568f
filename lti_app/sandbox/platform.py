"""The sandbox LMS's platform core: its key, its JWKS, and the id_tokens it signs.

Pure Python + PyJWT/cryptography (no Flask), so the sandbox web app, the tests
and the benchmark all sign launches the same way. It builds *real* LTI 1.3
messages; tests then bend individual claims to make the certification's bad
payloads.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


@dataclass(frozen=True)
class SandboxUser:
    sub: str
    name: str
    given_name: str
    family_name: str
    email: str
    roles: tuple[str, ...]

    @property
    def role_label(self) -> str:
        short = [r.rsplit("#", 1)[-1] for r in self.roles]
        return ", ".join(short) or "no role"


DEMO_COURSE = {
    "id": "sandbox-course-1",
    "label": "LTC-101",
    "title": "Leading Through Change (sandbox course)",
    "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
}

DEMO_USERS = (
    SandboxUser(
        "sandbox-ada",
        "Ada Okafor",
        "Ada",
        "Okafor",
        "ada@sandbox.test",
        (MEMBERSHIP + "Instructor",),
    ),
    SandboxUser(
        "sandbox-tomas",
        "Tomás Reyes",
        "Tomás",
        "Reyes",
        "tomas@sandbox.test",
        ("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",),
    ),
    SandboxUser(
        "sandbox-ben", "Ben Carter", "Ben", "Carter", "ben@sandbox.test", (MEMBERSHIP + "Learner",)
    ),
    SandboxUser(
        "sandbox-chidi",
        "Chidi Mensah",
        "Chidi",
        "Mensah",
        "chidi@sandbox.test",
        (MEMBERSHIP + "Learner",),
    ),
    SandboxUser(
        "sandbox-dee",
        "Dee Laurent",
        "Dee",
        "Laurent",
        "dee@sandbox.test",
        (MEMBERSHIP + "Learner",),
    ),
    SandboxUser(
        "sandbox-eli", "Eli Novak", "Eli", "Novak", "eli@sandbox.test", (MEMBERSHIP + "Learner",)
    ),
    SandboxUser(
        "sandbox-mona",
        "Mona Haddad",
        "Mona",
        "Haddad",
        "mona@sandbox.test",
        (MEMBERSHIP + "Mentor",),
    ),
    # More learners, so the demo cohort can be grouped into triads.
    *(
        SandboxUser(
            f"sandbox-{given.lower()}",
            f"{given} {family}",
            given,
            family,
            f"{given.lower()}@sandbox.test",
            (MEMBERSHIP + "Learner",),
        )
        for given, family in (
            ("Fatima", "Zahra"),
            ("George", "Lindqvist"),
            ("Hana", "Sato"),
            ("Ivan", "Petrov"),
            ("Jade", "Thompson"),
            ("Kofi", "Asante"),
            ("Lena", "Fischer"),
            ("Marco", "Bianchi"),
        )
    ),
)


def load_or_create_key(path: Path | None) -> rsa.RSAPrivateKey:
    """The platform's RSA key; kept in ``path`` when given so restarts keep the same kid."""
    if path is not None and path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    return key


def _kid(key: rsa.RSAPrivateKey) -> str:
    numbers = key.public_key().public_numbers()
    return f"sandbox-{numbers.n % 10**12:012d}"


@dataclass
class SandboxPlatform:
    """A minimal LTI 1.3 platform: one issuer, one client, one deployment."""

    issuer: str
    client_id: str = "peerlift-sandbox-client"
    deployment_id: str = "sandbox-deployment-1"
    key: rsa.RSAPrivateKey = field(default_factory=lambda: load_or_create_key(None))

    @property
    def kid(self) -> str:
        return _kid(self.key)

    # -- URLs (relative to the issuer, which is where the sandbox is mounted) --
    @property
    def auth_login_url(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def jwks_url(self) -> str:
        return self.issuer + "/jwks"

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def sign(
        self,
        claims: dict[str, Any],
        headers: dict[str, Any] | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> str:
        """Sign any claims; tests pass odd headers/keys to build bad launches."""
        hdrs = {"kid": self.kid} if headers is None else headers
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers=hdrs)

    def claims(
        self,
        user: SandboxUser | None,
        *,
        nonce: str,
        target_link_uri: str,
        message_type: str = "LtiResourceLinkRequest",
        resource_link: dict[str, Any] | None = None,
        context: dict[str, Any] | None = DEMO_COURSE,
        custom: dict[str, str] | None = None,
        lineitem: str | None = None,
        deep_link_return_url: str | None = None,
        dl_data: str | None = None,
        services_base: str | None = None,
        with_pii: bool = True,
    ) -> dict[str, Any]:
        """The claims of a valid launch, as Moodle/Canvas would send them."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            CLAIM + "version": "1.3.0",
            CLAIM + "message_type": message_type,
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": target_link_uri,
            CLAIM + "roles": list(user.roles) if user else [],
            CLAIM + "tool_platform": {
                "guid": "peerlift-sandbox",
                "name": "Peerlift sandbox LMS",
                "product_family_code": "peerlift-sandbox",
                "version": "1.0",
            },
            CLAIM + "launch_presentation": {"document_target": "iframe", "locale": "en"},
        }
        if user is not None:
            body["sub"] = user.sub
            if with_pii:
                body.update(
                    name=user.name,
                    given_name=user.given_name,
                    family_name=user.family_name,
                    email=user.email,
                )
        if context is not None:
            body[CLAIM + "context"] = context
        if custom:
            body[CLAIM + "custom"] = custom
        base = services_base or self.issuer
        ctx_id = (context or {}).get("id", "none")
        body[NRPS] = {
            "context_memberships_url": f"{base}/api/courses/{ctx_id}/memberships",
            "service_versions": ["2.0"],
        }
        ags: dict[str, Any] = {
            "scope": AGS_SCOPES,
            "lineitems": f"{base}/api/courses/{ctx_id}/lineitems",
        }
        if lineitem:
            ags["lineitem"] = lineitem
        body[AGS] = ags
        if message_type == "LtiResourceLinkRequest":
            body[CLAIM + "resource_link"] = resource_link or {
                "id": "sandbox-link-" + uuid.uuid4().hex[:8],
                "title": "Sandbox activity",
            }
        else:
            body.pop(CLAIM + "resource_link", None)
            settings: dict[str, Any] = {
                "deep_link_return_url": deep_link_return_url or f"{base}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": False,
                "accept_lineitem": True,
                "auto_create": True,
                "title": "New Peerlift activity",
            }
            if dl_data is not None:
                settings["data"] = dl_data
            body[DL + "deep_linking_settings"] = settings
        return body

    def id_token(self, user: SandboxUser | None, **kwargs: Any) -> str:
        return self.sign(self.claims(user, **kwargs))

    def verify_tool_jwt(
        self, token: str, tool_jwks: dict[str, Any], audience: str | None = None
    ) -> dict[str, Any]:
        """Verify a JWT the tool signed (deep-linking response, client assertion)."""
        header = jwt.get_unverified_header(token)
        for jwk in tool_jwks.get("keys", []):
            if jwk.get("kid") == header.get("kid"):
                key = jwt.PyJWK(jwk).key
                claims: dict[str, Any] = jwt.decode(
                    token,
                    key,
                    algorithms=["RS256"],
                    audience=audience or self.issuer,
                    options={"require": ["iss", "aud", "iat", "exp"]},
                )
                return claims
        raise jwt.InvalidTokenError(f"tool key {header.get('kid')!r} not in the tool's JWKS")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)
