"""id_token validation to the LTI Advantage certification standard, around pylti1p3.

pylti1p3's :class:`MessageLaunch` does the plumbing (JWT parsing, message
validators, service accessors for NRPS/AGS). It is frozen since 2022 and too lax
on its own, so each step is replaced or wrapped here:

* registration by (iss, aud/azp), ``aud``/``azp`` checked (pylti1p3 ignores them);
* RS256 only, ``kid`` required, platform JWKS cached and re-fetched on an unknown kid;
* ``exp`` and ``iat`` required with leeway and a maximum token age;
* ``state`` and ``nonce`` single-use from our server-side store (pylti1p3 never
  consumes the nonce);
* deployment must be known and active for that registration;
* ``target_link_uri`` equal to the login's, version, message type, roles and
  ``sub`` checked as the certification's bad-payload list expects.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any

import jwt
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch

from lti_app.launch import input_bounds
from lti_app.launch.errors import (
    EXPIRED,
    PLATFORM_KEYS_UNAVAILABLE,
    PLATFORM_KEYS_UNUSABLE,
    SETUP,
    LaunchError,
)
from lti_app.launch.state_store import Store
from lti_app.lms import registry
from lti_app.lms.models import Deployment, Registration
from lti_app.lms.platform_keys import PlatformKeyCache, PlatformKeyError

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
SUPPORTED_MESSAGES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)


@dataclass(frozen=True)
class ValidationSettings:
    leeway: int
    max_age: int


class _Placeholder:
    """pylti1p3 insists on session and cookie services; we keep state ourselves."""


class AnonymousLaunch(Exception):
    """A valid launch without ``sub`` (LTI Core §5.3.6.1): nobody to sign in."""


class PeerliftMessageLaunch(MessageLaunch):  # type: ignore[type-arg]
    def __init__(
        self,
        form: dict[str, str],
        store: Store,
        keys: PlatformKeyCache,
        settings: ValidationSettings,
    ):
        # Hand pylti1p3 our long-lived HTTP session: it would otherwise build a
        # new requests.Session (adapters, pools) for every launch.
        super().__init__(
            form,
            None,
            session_service=_Placeholder(),
            cookie_service=_Placeholder(),
            requests_session=keys.session,
        )
        self._form = form
        self._store = store
        self._keys = keys
        self._settings = settings
        self.registration: Registration | None = None
        self.deployment: Deployment | None = None
        self.login: dict[str, Any] = {}
        self.header: dict[str, Any] = {}

    # -- pylti1p3 hooks --------------------------------------------------------
    def _get_request_param(self, key: str) -> str:
        return self._form.get(key, "")

    def save_launch_data(self) -> PeerliftMessageLaunch:
        return self  # launch data is recorded in our own tables

    # -- the pipeline ----------------------------------------------------------
    def validate(self) -> PeerliftMessageLaunch:
        self._validated = True  # pylti1p3 re-enters validate() when reading the body
        try:
            input_bounds.check_launch_form(self._form)
            self._check_format()
            self._check_registration()
            # State and nonce before the signature: checking the signature may
            # fetch the platform's keys (an unknown kid re-fetches, at most once a
            # minute), and a forged token without a state we issued must not spend
            # that budget and so block a genuine key rotation.
            self._check_state_and_nonce()
            self._check_signature()
            input_bounds.check_claims(self.claims)
            self._check_message()
            self._check_deployment()
            if "sub" not in self.claims:
                raise AnonymousLaunch()
            try:
                self.validate_message()  # pylti1p3's own message validators, a second net
            except LtiException as exc:
                raise LaunchError("invalid_message", f"pylti1p3: {exc}") from exc
        except Exception:
            self._validated = False
            raise
        return self

    @property
    def claims(self) -> dict[str, Any]:
        body: Any = self._jwt["body"]
        return body  # type: ignore[no-any-return]

    def _check_format(self) -> None:
        if not self._form.get("id_token"):
            raise LaunchError("missing_id_token", "no id_token in the launch POST")
        if not self._form.get("state"):
            raise LaunchError("missing_state", "no state in the launch POST")
        try:
            self.validate_jwt_format()
        except LtiException as exc:
            raise LaunchError("malformed_jwt", f"id_token is not a JWT: {exc}") from exc
        header: Any = self._jwt.get("header")
        body: Any = self._jwt.get("body")
        if not isinstance(header, dict) or not isinstance(body, dict):
            raise LaunchError("malformed_jwt", "JWT header or body is not a JSON object")
        self.header = header
        alg = header.get("alg")
        if alg != "RS256":
            raise LaunchError("alg_not_allowed", f"JWT alg {alg!r} is not RS256")
        if not header.get("kid"):
            raise LaunchError("missing_kid", "JWT header has no kid")

    def _client_id_from_aud(self) -> str:
        body = self.claims
        aud = body.get("aud")
        azp = body.get("azp")
        auds = [aud] if isinstance(aud, str) else aud
        if not isinstance(auds, list) or not auds or not all(isinstance(a, str) for a in auds):
            raise LaunchError("bad_aud", f"aud claim missing or malformed: {aud!r}")
        if azp is not None and not isinstance(azp, str):
            raise LaunchError("bad_azp", "azp is not a string")
        if len(auds) > 1 and not azp:
            raise LaunchError("bad_azp", "several audiences but no azp")
        client_id = azp or auds[0]
        if client_id not in auds:
            raise LaunchError("bad_azp", f"azp {azp!r} is not among the audiences")
        return client_id

    def _check_registration(self) -> None:
        input_bounds.check_issuer_and_audience(self.claims)
        iss = self.claims.get("iss")
        if not isinstance(iss, str) or not iss:
            raise LaunchError("missing_claim", "id_token has no iss")
        client_id = self._client_id_from_aud()
        reg = registry.find_registration(iss, client_id)
        if reg is None:
            raise LaunchError(
                "unknown_registration",
                f"no registration for iss={iss!r} client_id={client_id!r}",
                SETUP,
                403,
            )
        if not reg.is_active:
            raise LaunchError(
                "registration_not_active",
                f"registration {reg.public_id} is {reg.status}",
                SETUP,
                403,
            )
        aud = self.claims.get("aud")
        for other in [aud] if isinstance(aud, str) else list(aud or []):
            if other != reg.client_id and registry.find_registration(iss, other) is None:
                raise LaunchError(
                    "untrusted_aud", f"aud lists an audience we don't trust: {other!r}", status=401
                )
        self.registration = reg
        self._registration = None  # pylti1p3's own object is built lazily (tool_conf)

    def _check_signature(self) -> None:
        reg = self.registration
        assert reg is not None
        kid = str(self.header["kid"])
        try:
            key = self._keys.get(reg.id, reg.jwks_url, kid)
        except PlatformKeyError as exc:
            if exc.code == "jwks_unreachable":
                raise LaunchError(
                    exc.code,
                    exc.reason,
                    PLATFORM_KEYS_UNAVAILABLE,
                    503,
                    title="Your learning platform is not answering",
                    retry_after=30,
                ) from exc
            if exc.code == "jwks_invalid":
                raise LaunchError(
                    exc.code,
                    exc.reason,
                    PLATFORM_KEYS_UNUSABLE,
                    502,
                    title="Your learning platform's keys are unusable",
                    retry_after=60,
                ) from exc
            raise LaunchError(exc.code, exc.reason) from exc
        s = self._settings
        try:
            jwt.decode(
                self._form["id_token"],
                key,
                algorithms=["RS256"],
                audience=reg.client_id,
                issuer=reg.issuer,
                leeway=s.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchError("token_expired", f"id_token expired: {exc}", EXPIRED) from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchError("bad_iat", f"id_token issued in the future: {exc}") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise LaunchError("missing_claim", f"id_token lacks {exc.claim}") from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchError("bad_aud", f"aud: {exc}", status=401) from exc
        except jwt.InvalidSignatureError as exc:
            raise LaunchError("bad_signature", "id_token signature does not verify") from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchError("invalid_token", f"id_token rejected: {exc}") from exc
        iat = self.claims["iat"]
        if not isinstance(iat, int | float) or time.time() - iat > s.max_age + s.leeway:
            raise LaunchError(
                "token_too_old", f"id_token iat {iat!r} older than {s.max_age}s", EXPIRED
            )
        exp = self.claims["exp"]
        if not isinstance(exp, int | float):
            raise LaunchError("invalid_token", f"exp is not a number: {exp!r}")

    def _check_state_and_nonce(self) -> None:
        state = self._form["state"]
        login = self._store.take("state:" + state) if len(state) <= 100 else None
        if login is None:
            raise LaunchError(
                "unknown_state",
                "state unknown, expired or already used (replayed id_token?)",
                EXPIRED,
            )
        self.login = login
        assert self.registration is not None
        if login["registration"] != self.registration.id:
            raise LaunchError("state_mismatch", "state was issued for another registration")
        nonce = self.claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(
            nonce.encode("utf-8", "replace"), str(login["nonce"]).encode()
        ):
            raise LaunchError("bad_nonce", "id_token nonce is not the one issued at login")

    def _check_deployment(self) -> None:
        reg = self.registration
        assert reg is not None
        dep_id = self.claims.get(CLAIM + "deployment_id")
        if not isinstance(dep_id, str) or not dep_id or len(dep_id) > 255:
            raise LaunchError("missing_deployment_id", "deployment_id claim missing or invalid")
        dep = registry.find_deployment(reg, dep_id)
        if dep is None:
            raise LaunchError(
                "unknown_deployment",
                f"deployment {dep_id!r} is not registered for {reg.issuer} / {reg.client_id}",
                SETUP,
                403,
            )
        if not dep.is_active:
            raise LaunchError(
                "deployment_not_active", f"deployment {dep_id!r} is {dep.status}", SETUP, 403
            )
        self.deployment = dep

    def _check_message(self) -> None:
        body = self.claims
        version = body.get(CLAIM + "version")
        if version is None:
            raise LaunchError("missing_version", "no LTI version claim")
        if version != "1.3.0":
            raise LaunchError("wrong_version", f"LTI version {version!r} is not 1.3.0")
        message_type = body.get(CLAIM + "message_type")
        if not message_type:
            raise LaunchError("missing_message_type", "no message_type claim")
        if message_type not in SUPPORTED_MESSAGES:
            raise LaunchError(
                "unsupported_message_type", f"message_type {message_type!r} is not supported"
            )
        roles = body.get(CLAIM + "roles")
        if roles is None:
            raise LaunchError("missing_roles", "no roles claim")
        if not isinstance(roles, list):
            raise LaunchError("bad_roles", "roles claim is not an array")
        if "sub" in body:
            sub = body["sub"]
            if not isinstance(sub, str) or not sub:
                raise LaunchError("empty_sub", "sub is present but empty")
            if len(sub) > 255:
                raise LaunchError("bad_sub", "sub is longer than 255 characters")
        if message_type == RESOURCE_LINK_REQUEST:
            link = body.get(CLAIM + "resource_link")
            if not isinstance(link, dict) or not isinstance(link.get("id"), str) or not link["id"]:
                raise LaunchError("missing_resource_link", "resource_link.id missing")
            target = body.get(CLAIM + "target_link_uri")
            if not isinstance(target, str) or not target:
                raise LaunchError("missing_target_link_uri", "target_link_uri claim missing")
            if target != self.login.get("target_link_uri"):
                raise LaunchError(
                    "target_link_uri_mismatch",
                    f"target_link_uri {target!r} differs from the login's",
                )
        else:
            settings = body.get(DL_SETTINGS)
            if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
                raise LaunchError(
                    "missing_deep_linking_settings",
                    "deep_linking_settings or its return URL missing",
                )
            accept = settings.get("accept_types")
            if not isinstance(accept, list) or "ltiResourceLink" not in accept:
                raise LaunchError(
                    "dl_type_not_accepted",
                    f"platform accepts only {accept!r}",
                    "This place in your learning platform cannot hold a Peerlift activity "
                    "(it does not accept LTI resource links). Add Peerlift as an external "
                    "tool activity instead.",
                )

    @property
    def is_deep_linking(self) -> bool:
        return self.claims.get(CLAIM + "message_type") == DEEP_LINKING_REQUEST
