"""LTI Dynamic Registration 1.0, tool side: the service behind ``/lti/register``.

Flow (1EdTech LTI-DR §3): a platform administrator pastes our registration
link into the LMS; the LMS opens it with ``openid_configuration`` (a URL) and
usually ``registration_token``. We fetch the platform's OpenID configuration,
show what Peerlift will ask for, and on confirmation POST our client
registration to the platform's ``registration_endpoint``. The platform answers
with a ``client_id`` (Moodle also with a ``deployment_id``) and we store the
registration.

Guards, because the endpoint is reachable by anyone and makes the server
fetch caller-supplied URLs:

* only with a one-time invite (:mod:`lti_app.lms.invites`); the GET checks it
  without using it, the POST claims it atomically and only keeps it claimed
  when the platform accepted the registration;
* every platform URL is fetched through :mod:`lti_app.lms.safe_fetch` (https,
  public addresses only, pinned connection, no redirects, timeouts, size cap);
  in production ``jwks_uri`` and ``token_endpoint``, which Peerlift will fetch
  later, must resolve to public addresses too;
* the new registration starts ``pending``: it cannot launch until an
  administrator runs ``flask --app lti_app platforms approve <id>``;
* an existing registration for the same (issuer, client_id) is never
  overwritten.

Side effects: flushes rows (a tool key if none exists, the registration and
its deployment, the invite's ``used_at``/``registration_id``). A failure raises
:class:`RegistrationError`; the request then ends with a 4xx and rolls back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lti_app.launch.platform_config import (
    DEEP_LINKING,
    PlatformConfig,
    RegistrationError,
    ToolSettings,
    check_fetchable_later,
    fetch_failure,
    load_platform_config,
)
from lti_app.launch.services import JWKS_PATH, LAUNCH_PATH, LOGIN_PATH
from lti_app.lms import invites, keys, registry, safe_fetch
from lti_app.lms.invites import InviteError
from lti_app.lms.models import PENDING, Registration, RegistrationInvite
from lti_app.lms.registry import PlatformSpec, RegistryError
from lti_app.lms.safe_fetch import FetchError

audit = logging.getLogger("peerlift.audit")

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CANVAS_PRIVACY_LEVEL = "https://canvas.instructure.com/lti/privacy_level"


SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
#: What Peerlift uses: line items (a second grade column per activity), reading
#: results, sending scores, and the course roster for pairing.
WANTED_SCOPES = (SCOPE_LINEITEM, SCOPE_RESULT, SCOPE_SCORE, SCOPE_NRPS)

#: Where Canvas offers deep linking: module items and assignments.
CANVAS_PLACEMENTS = ("link_selection", "assignment_selection")
#: Claims we ask for. Moodle sends names/email only when the tool lists them.
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")

DEEP_LINK_LABEL = "Add a Peerlift activity"
DESCRIPTION = (
    "Peer learning inside your course: role-play pairings, peer assessment with "
    "feedback, case discussions and reflection journals."
)


_MAX_TOKEN_LENGTH = 8192

INVITE_INVALID = (
    "This registration link is no longer valid. Ask the Peerlift administrator for a new one."
)


@dataclass(frozen=True)
class Preview:
    """What the confirmation page shows."""

    platform: PlatformConfig
    scopes: tuple[str, ...]
    claims: tuple[str, ...]

    @property
    def asks_grades(self) -> bool:
        return any(s in self.scopes for s in (SCOPE_LINEITEM, SCOPE_RESULT, SCOPE_SCORE))

    @property
    def asks_roster(self) -> bool:
        return SCOPE_NRPS in self.scopes


@dataclass(frozen=True)
class Completed:
    registration: Registration
    deployment_id: str | None


# -- the two steps -------------------------------------------------------------------


def start(
    invite_token: str | None,
    config_url: str | None,
    registration_token: str | None,
    settings: ToolSettings,
) -> Preview:
    """GET: check the invite (without using it) and the platform; return what to confirm."""
    invite = _usable_invite(invite_token)
    token = _registration_token(registration_token)
    platform = load_platform_config(config_url, token, settings)
    audit.info(
        "registration previewed invite=%s issuer=%s family=%s config=%s",
        invite.id,
        platform.issuer,
        platform.product_family or "-",
        safe_fetch.redact(platform.openid_configuration_url),
    )
    return Preview(platform=platform, scopes=requested_scopes(platform), claims=CLAIMS)


def complete(
    invite_token: str | None,
    config_url: str | None,
    registration_token: str | None,
    settings: ToolSettings,
) -> Completed:
    """POST: re-check everything, register with the platform, store a pending registration.

    Nothing from the confirmation form is trusted: the configuration is fetched
    again. The invite is claimed before the platform is called, so two
    concurrent submissions cannot both register; if anything fails afterwards
    the request rolls back and the invite is usable again.
    """
    invite = _usable_invite(invite_token)
    token = _registration_token(registration_token)
    platform = load_platform_config(config_url, token, settings)
    check_fetchable_later(platform, settings)
    _require_base_url(settings)
    keys.ensure_key()  # the platform may fetch our JWKS right away
    try:
        invites.claim(invite)
    except InviteError as exc:
        raise RegistrationError(exc.code, exc.reason, INVITE_INVALID, 403) from exc

    body = registration_request(platform, settings.base_url)
    try:
        resp = safe_fetch.post_json(
            platform.registration_endpoint, body, settings.policy, bearer=token
        )
    except FetchError as exc:
        raise fetch_failure("registration_endpoint", exc, platform.family_label) from exc
    client_id, deployment_id = _parse_registration_response(resp, platform)

    if registry.find_registration(platform.issuer, client_id) is not None:
        raise RegistrationError(
            "registration_exists",
            f"{platform.issuer} client_id={client_id} is already registered; not overwritten",
            f"Peerlift already has a registration for this platform with client ID "
            f"{client_id}, so it did not change it. If it should be replaced, the Peerlift "
            "administrator must remove the old one first (flask --app lti_app platforms "
            "remove), then send you a new registration link.",
            409,
        )
    spec = PlatformSpec(
        issuer=platform.issuer,
        client_id=client_id,
        auth_login_url=platform.authorization_endpoint,
        auth_token_url=platform.token_endpoint,
        jwks_url=platform.jwks_uri,
        name=platform.name,
        product_family=platform.product_family or None,
    )
    try:
        reg = registry.add_platform(
            spec,
            [deployment_id] if deployment_id else [],
            status=PENDING,
            allow_http=settings.allow_private,
        )
    except RegistryError as exc:
        raise RegistrationError(
            "registration_invalid",
            f"platform answer not storable: {exc}",
            f"{platform.family_label} accepted the registration but sent details Peerlift "
            f"cannot store ({exc}). Remove the Peerlift tool in {platform.family_label} and "
            "tell the Peerlift administrator.",
            422,
        ) from exc
    invites.link(invite, reg)
    audit.info(
        "registration pending id=%s issuer=%s client_id=%s deployment=%s family=%s "
        "config=%s invite=%s",
        reg.public_id,
        reg.issuer,
        reg.client_id,
        deployment_id or "-",
        platform.product_family or "-",
        safe_fetch.redact(platform.openid_configuration_url),
        invite.id,
    )
    return Completed(registration=reg, deployment_id=deployment_id)


# -- checks -------------------------------------------------------------------------


def check_invite(token: str | None) -> None:
    """Raise :class:`RegistrationError` unless ``token`` is a usable invite (not used)."""
    _usable_invite(token)


def _usable_invite(token: str | None) -> RegistrationInvite:
    try:
        return invites.find_usable(token)
    except InviteError as exc:
        raise RegistrationError(exc.code, exc.reason, INVITE_INVALID, 403) from exc


def _registration_token(token: str | None) -> str | None:
    """The platform's registration token, if any; it goes into an HTTP header."""
    if not token:
        return None
    if (
        len(token) > _MAX_TOKEN_LENGTH
        or not token.isascii()
        or not token.isprintable()
        or any(ch.isspace() for ch in token)
    ):
        raise RegistrationError(
            "bad_registration_token",
            "registration_token is not a printable ASCII token",
            "The registration token from your learning platform is "
            "malformed. Start the registration again from the platform.",
        )
    return token


def _require_base_url(settings: ToolSettings) -> None:
    parts = urlsplit(settings.base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RegistrationError(
            "tool_not_configured",
            "BASE_URL is not set",
            "This Peerlift installation is not fully configured (its "
            "public address is missing). Tell its administrator.",
            500,
        )


# -- the registration request and its answer --------------------------------------------


def requested_scopes(platform: PlatformConfig) -> tuple[str, ...]:
    """The scopes we want, minus those the platform says it does not offer."""
    if platform.scopes_supported is None:
        return WANTED_SCOPES
    return tuple(s for s in WANTED_SCOPES if s in platform.scopes_supported)


def registration_request(platform: PlatformConfig, base_url: str) -> dict[str, Any]:
    """The client registration we POST (LTI-DR §3.5, plus Canvas's privacy extension).

    Placements: Canvas shows deep linking in module items and assignments;
    other platforms (Moodle ignores placements) get the generic ``ContentArea``.
    """
    launch_url = base_url + LAUNCH_PATH
    placements = list(CANVAS_PLACEMENTS) if platform.is_canvas else ["ContentArea"]
    tool_config: dict[str, Any] = {
        "domain": urlsplit(base_url).netloc,
        "target_link_uri": launch_url,
        "claims": list(CLAIMS),
        "messages": [
            {
                "type": DEEP_LINKING,
                "target_link_uri": launch_url,
                "label": DEEP_LINK_LABEL,
                "placements": placements,
            }
        ],
        "description": DESCRIPTION,
    }
    if platform.is_canvas:
        tool_config[CANVAS_PRIVACY_LEVEL] = "public"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base_url + LOGIN_PATH,
        "redirect_uris": [launch_url],
        "client_name": "Peerlift",
        "jwks_uri": base_url + JWKS_PATH,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(requested_scopes(platform)),
        TOOL_CONFIGURATION: tool_config,
    }


def _id_value(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _parse_registration_response(
    resp: safe_fetch.JsonResponse, platform: PlatformConfig
) -> tuple[str, str | None]:
    who = platform.family_label
    if not resp.ok:
        detail = _platform_error(resp)
        raise RegistrationError(
            "registration_refused",
            f"{safe_fetch.redact(platform.registration_endpoint)} answered HTTP {resp.status}: "
            f"{resp.snippet!r}",
            f"{who} refused the registration (HTTP {resp.status}"
            + (f": {detail}" if detail else "")
            + "). Nothing was registered and this "
            "registration link still works: start the registration again from the platform. "
            "If it keeps failing, tell the Peerlift administrator the reference below.",
            422,
        )
    data = resp.data if isinstance(resp.data, dict) else {}
    client_id = _id_value(data.get("client_id"))
    if client_id is None:
        raise RegistrationError(
            "registration_no_client_id",
            f"registration answer without client_id: {resp.snippet!r}",
            f"{who} answered the registration without a client ID, so Peerlift cannot use "
            "it. Nothing was stored; tell the Peerlift administrator.",
            422,
        )
    tool_config = data.get(TOOL_CONFIGURATION)
    deployment_id = (
        _id_value(tool_config.get("deployment_id")) if isinstance(tool_config, dict) else None
    )
    return client_id, deployment_id


def _platform_error(resp: safe_fetch.JsonResponse) -> str:
    """The platform's own words: OAuth-style ``error``/``error_description`` or the text."""
    if isinstance(resp.data, dict):
        parts = [str(resp.data.get(k, "")) for k in ("error", "error_description", "message")]
        text = " – ".join(p for p in parts if p)
        if text:
            return text[:300]
    return resp.snippet[:300]
