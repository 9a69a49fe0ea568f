"""The platform side of Dynamic Registration: fetching and checking a platform's
OpenID configuration, and the errors and settings the registration flow shares.

Split from :mod:`lti_app.launch.registration` (the two-step service) so each
file reads on its own: this one answers "who is this platform, and may we talk
to it?", that one "register Peerlift with it". Which host may speak for which
issuer is in :mod:`lti_app.launch.platform_hosts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lti_app.launch.errors import LaunchError
from lti_app.launch.platform_hosts import CANVAS_ISSUERS, config_host_allowed
from lti_app.lms import safe_fetch
from lti_app.lms.safe_fetch import FetchError, FetchPolicy

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

DEEP_LINKING = "LtiDeepLinkingRequest"

FAMILY_NAMES = {"moodle": "Moodle", "canvas": "Canvas"}


class RegistrationError(LaunchError):
    """A registration step that failed: ``code`` is stable (logs, tests), ``reason``
    precise and for the log only, ``message`` for the platform administrator.
    Rendered and logged by the same handler as a refused launch."""

    def __init__(self, code: str, reason: str, message: str, status: int = 400):
        super().__init__(code, reason, message, status, title="Peerlift could not be registered")


@dataclass(frozen=True)
class ToolSettings:
    """What registration needs from the app configuration."""

    base_url: str
    allow_private: bool
    timeout: float
    #: Vanity host names of hosted-Canvas customers the operator vouches for.
    canvas_hosts: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ToolSettings:
        return cls(
            base_url=str(config.get("BASE_URL") or "").rstrip("/"),
            allow_private=bool(config["REGISTRATION_ALLOW_PRIVATE_URLS"]),
            timeout=float(config["LTI_HTTP_TIMEOUT_S"]),
            canvas_hosts=tuple(
                h.lower().rstrip(".") for h in config.get("REGISTRATION_CANVAS_HOSTS") or ()
            ),
        )

    @property
    def policy(self) -> FetchPolicy:
        return FetchPolicy(allow_private=self.allow_private, timeout=self.timeout)


@dataclass(frozen=True)
class PlatformConfig:
    """The parts of the platform's OpenID configuration we use, validated."""

    openid_configuration_url: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    #: None when the platform does not list its scopes.
    scopes_supported: tuple[str, ...] | None
    product_family: str
    version: str
    messages_supported: tuple[str, ...]

    @property
    def config_host(self) -> str:
        return urlsplit(self.openid_configuration_url).hostname or ""

    @property
    def is_canvas(self) -> bool:
        return self.product_family == "canvas" or self.issuer.rstrip("/") in CANVAS_ISSUERS

    @property
    def family_label(self) -> str:
        return FAMILY_NAMES.get(self.product_family, self.product_family or "LTI platform")

    @property
    def name(self) -> str:
        """A name an administrator recognises, e.g. ``Canvas (school.instructure.com)``.

        The configuration host is included because every hosted Canvas has the
        same issuer; it tells the approving administrator which customer it is.
        """
        return f"{self.family_label} ({self.config_host or self.issuer})"[:255]

    @property
    def supports_deep_linking(self) -> bool:
        return DEEP_LINKING in self.messages_supported


def _invalid(reason: str, detail: str) -> RegistrationError:
    return RegistrationError(
        "platform_config_invalid",
        reason,
        f"Your learning platform's registration details are not usable: {detail} Peerlift "
        "did not register. Check that the platform supports LTI 1.3 Dynamic Registration, "
        "or register Peerlift manually (see the Peerlift README).",
        400,
    )


def _url_field(doc: Mapping[str, Any], key: str, *, allow_http: bool) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise _invalid(f"{key} missing", f"it does not name its {key}.")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise _invalid(f"{key} unparsable: {exc}", f"its {key} is not a valid URL.") from exc
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or len(value) > 1024:
        raise _invalid(
            f"{key}={safe_fetch.redact(value)!r} is not an absolute {'/'.join(schemes)} URL",
            f"its {key} is not an absolute {' or '.join(schemes)} URL.",
        )
    if parts.username is not None or parts.password is not None:
        raise _invalid(f"{key} has user info", f"its {key} contains a password.")
    return value


def _string_list(doc: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise _invalid(f"{key} is not a list", f"its {key} is not a list.")
    return tuple(v for v in value if isinstance(v, str))


def _message_types(value: Any) -> tuple[str, ...]:
    """``messages_supported``: objects ``{"type": …}`` (spec, Canvas) or plain strings (Moodle)."""
    if not isinstance(value, list):
        return ()
    types: list[str] = []
    for item in value:
        kind = item.get("type") if isinstance(item, dict) else item
        if isinstance(kind, str) and kind and kind not in types:
            types.append(kind)
    return tuple(types)


def load_platform_config(
    config_url: str | None, registration_token: str | None, settings: ToolSettings
) -> PlatformConfig:
    """Fetch the platform's OpenID configuration (guarded) and validate it."""
    if not config_url:
        raise RegistrationError(
            "missing_openid_configuration",
            "no openid_configuration parameter",
            "This page must be opened by your learning platform, not directly. In the "
            "platform's tool settings, paste the Peerlift registration link into the "
            'Dynamic Registration ("register by URL") field.',
            400,
        )
    try:
        resp = safe_fetch.get_json(config_url, settings.policy, bearer=registration_token)
    except FetchError as exc:
        raise fetch_failure("openid_configuration", exc, "Your learning platform") from exc
    if not resp.ok:
        raise RegistrationError(
            "openid_configuration_refused",
            f"{safe_fetch.redact(config_url)} answered HTTP {resp.status}: {resp.snippet!r}",
            f"Your learning platform did not hand out its configuration (HTTP {resp.status}). "
            "The registration may have expired: start it again from the platform.",
            400,
        )
    doc = resp.data
    if not isinstance(doc, dict):
        raise _invalid("configuration is not a JSON object", "it is not a JSON object.")
    allow_http = settings.allow_private

    issuer = _url_field(doc, "issuer", allow_http=allow_http)
    issuer_parts = urlsplit(issuer)
    if issuer_parts.query or issuer_parts.fragment or len(issuer) > 255:
        raise _invalid(
            f"issuer {issuer!r} has a query/fragment or is too long",
            "its issuer is not a plain URL.",
        )
    if not config_host_allowed(issuer, config_url, settings.canvas_hosts):
        canvas = issuer.rstrip("/") in CANVAS_ISSUERS
        raise _invalid(
            f"issuer {issuer} does not match configuration URL origin "
            f"{safe_fetch.redact(config_url)}",
            f"it claims to be {issuer} but its configuration came from "
            f"{urlsplit(config_url).hostname}, "
            + (
                "which is not a hosted Canvas address (the Peerlift administrator can allow "
                "a Canvas on its own domain with PEERLIFT_REGISTRATION_CANVAS_HOSTS)."
                if canvas
                else "another site (scheme, host and port must be the issuer's)."
            ),
        )
    lti = _platform_section(doc)
    if lti is None:
        raise _invalid(
            f"{PLATFORM_CONFIGURATION} missing", "it does not describe itself as an LTI platform."
        )
    family_code = lti.get("product_family_code")
    family = family_code.strip().lower()[:64] if isinstance(family_code, str) else ""
    version = lti.get("version")
    doc = _moodle_310_authorization_endpoint(doc, family)
    endpoints = {
        key: _url_field(doc, key, allow_http=allow_http)
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
    }
    algs = _string_list(doc, "id_token_signing_alg_values_supported") or ()
    if "RS256" not in algs:
        raise _invalid(
            "id_token_signing_alg_values_supported lacks RS256",
            "it does not sign launches with RS256, which LTI 1.3 requires.",
        )
    auth_methods = _string_list(doc, "token_endpoint_auth_methods_supported")
    if auth_methods is not None and "private_key_jwt" not in auth_methods:
        raise _invalid(
            "token_endpoint_auth_methods_supported lacks private_key_jwt",
            "it does not accept signed client assertions (private_key_jwt).",
        )
    return PlatformConfig(
        openid_configuration_url=config_url,
        issuer=issuer,
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        registration_endpoint=endpoints["registration_endpoint"],
        scopes_supported=_string_list(doc, "scopes_supported"),
        product_family=family,
        version=str(version)[:64] if isinstance(version, str | int | float) else "",
        messages_supported=_message_types(lti.get("messages_supported")),
    )


def _platform_section(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """The LTI platform configuration object.

    Moodle 3.10/3.11 publish it under the key with a trailing space
    (``"…/lti-platform-configuration "``), so keys are compared stripped.
    """
    section = doc.get(PLATFORM_CONFIGURATION)
    if section is None:
        section = next(
            (
                v
                for k, v in doc.items()
                if isinstance(k, str) and k.strip() == PLATFORM_CONFIGURATION
            ),
            None,
        )
    return section if isinstance(section, dict) else None


_MOODLE_GRANT_PATH = "/mod/lti/token.php"
_MOODLE_AUTH_PATH = "/mod/lti/auth.php"


def _moodle_310_authorization_endpoint(doc: dict[str, Any], family: str) -> dict[str, Any]:
    """Moodle 3.10/3.11 leave ``authorization_endpoint`` out of their configuration.

    Their OIDC endpoint is always ``mod/lti/auth.php`` beside ``mod/lti/token.php``,
    so for a Moodle whose token endpoint has that shape we fill it in. Nothing
    else is ever derived.
    """
    token = doc.get("token_endpoint")
    if family != "moodle" or doc.get("authorization_endpoint") or not isinstance(token, str):
        return doc
    parts = urlsplit(token)
    if not parts.path.endswith(_MOODLE_GRANT_PATH) or parts.query or parts.fragment:
        return doc
    path = parts.path[: -len(_MOODLE_GRANT_PATH)] + _MOODLE_AUTH_PATH
    return dict(doc, authorization_endpoint=parts._replace(path=path).geturl())


def check_fetchable_later(platform: PlatformConfig, settings: ToolSettings) -> None:
    """Peerlift fetches the platform JWKS and token endpoint later, outside this guard:
    refuse now if they point at private addresses (no-op when those are allowed)."""
    if settings.allow_private:
        return
    for label, url in (
        ("jwks_uri", platform.jwks_uri),
        ("token_endpoint", platform.token_endpoint),
    ):
        try:
            safe_fetch.check_url(url, settings.policy)
        except FetchError as exc:
            raise RegistrationError(
                f"{label}_blocked",
                f"{label}: {exc.reason}",
                f"Your learning platform's {label.replace('_', ' ')} is not reachable from "
                "the internet, so Peerlift cannot use it. Peerlift did not register.",
                400,
            ) from exc


_FETCH_MESSAGES = {
    "invalid_url": "{who} gave an address Peerlift cannot use.",
    "blocked_url": "{who} gave an address Peerlift is not allowed to contact (it must be a "
    "public https address).",
    "unresolvable": "{who} gave an address whose host name does not exist.",
    "unreachable": "{who} could not be reached.",
    "timeout": "{who} did not answer in time (it was cut off after a few seconds).",
    "redirect": "{who} answered with a redirect, which Peerlift does not follow.",
    "too_large": "{who} sent an answer that is far too large.",
    "not_json": "{who} did not answer with JSON.",
}


#: The platform did not answer (in time): a gateway error, not a bad request.
_FETCH_STATUS = {"unreachable": 502, "timeout": 504}


def fetch_failure(step: str, exc: FetchError, who: str) -> RegistrationError:
    message = _FETCH_MESSAGES.get(exc.code, "{who} could not be contacted.").format(who=who)
    return RegistrationError(
        f"{step}_{exc.code}",
        exc.reason,
        message + " Peerlift did not register. Try again; if it keeps "
        "failing, tell the Peerlift administrator the reference below.",
        _FETCH_STATUS.get(exc.code, 400),
    )
