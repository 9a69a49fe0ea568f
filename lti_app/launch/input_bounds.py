"""Bounds on what a login or launch may carry, checked before anything is stored.

A signature proves who sent a claim, not that it is sane: a platform (or anyone
holding a registration's key) can sign a ``sub`` with a NUL byte in it, which
PostgreSQL refuses with an error, or a 1 MiB ``name``. Login initiation is not
signed at all, and whatever it carries is echoed in the redirect to the
platform and kept in the state record until the launch. So:

* identifiers (``sub``, ``deployment_id``, ``context.id``, ``resource_link.id``,
  ``iss``, ``aud``) are at most 255 characters (LTI Core: "no more than 255 ASCII
  characters") and contain no control characters;
* text we store or show (names, e-mail, titles, labels) contains no control
  characters and is bounded; a description may have line breaks;
* URLs we call or send people to are at most 2048 characters, without control
  characters or spaces;
* each login parameter is at most 2 KB (``lti_message_hint`` 4 KB: Canvas sends
  a signed JWT there), the launch's ``state`` is one of ours in shape, and the
  ``id_token`` is at most 128 KiB.

A breach raises :class:`LaunchError` ``bad_input`` (400): the page names the
claim and what is wrong with it, the audit log line says the same, and the
request stores nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from lti_app.launch.errors import EXPIRED, LaunchError

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

ID_MAX = 255
NAME_MAX = 255
TITLE_MAX = 1024
DESCRIPTION_MAX = 8192
URL_MAX = 2048
LOGIN_PARAM_MAX = 2048
#: Canvas puts a signed JWT in ``lti_message_hint``.
MESSAGE_HINT_MAX = 4096
ID_TOKEN_MAX = 128 * 1024
ROLES_MAX = 100
CUSTOM_VALUE_MAX = 4096

LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "client_id",
    "lti_message_hint",
    "lti_deployment_id",
    "lti_storage_target",
)
#: What our own login issues: secrets.token_urlsafe(32).
_STATE = re.compile(r"[A-Za-z0-9_-]{16,100}")
_JWT = re.compile(r"[A-Za-z0-9_=.-]+")


#: Text that cannot have a problem (printable ASCII; with spaces / line breaks where
#: allowed): one regex match instead of a Python loop over every character.
_PLAIN = {
    (False, True): re.compile(r"[ -~]*"),
    (False, False): re.compile(r"[!-~]*"),
    (True, True): re.compile(r"[ -~\t\r\n]*"),
    (True, False): re.compile(r"[!-~\t\r\n]*"),
}


def _problem(value: str, *, line_breaks: bool = False, spaces: bool = True) -> str | None:
    """What is wrong with the characters of ``value`` (None: nothing)."""
    if _PLAIN[line_breaks, spaces].fullmatch(value):
        return None
    for ch in value:
        if ch == "\x00":
            return "contains a NUL character"
        if line_breaks and ch in "\t\r\n":
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            return f"contains the control character U+{ord(ch):04X}"
        if category == "Cs":
            return "contains an unpaired surrogate"
        if not spaces and ch.isspace():
            return "contains spaces"
    return None


def _refuse(where: str, what: str, field: str, why: str) -> LaunchError:
    return LaunchError(
        "bad_input",
        f"{where} {field} {why}",
        f"Your learning platform sent {what} that Peerlift cannot accept: its "
        f"{field.replace('_', ' ')} {why}. Nothing was saved. Go back to the course and try "
        "again; if it keeps happening, tell your course administrator and quote the "
        "reference below.",
        title="Peerlift could not accept this launch",
    )


def _check(
    where: str,
    what: str,
    field: str,
    value: Any,
    limit: int,
    *,
    line_breaks: bool = False,
    spaces: bool = True,
) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return  # ids sent as numbers; the validators that need strings say so
        raise _refuse(where, what, field, "is not text")
    if len(value) > limit:
        raise _refuse(where, what, field, f"is longer than {limit} characters ({len(value)})")
    why = _problem(value, line_breaks=line_breaks, spaces=spaces)
    if why:
        raise _refuse(where, what, field, why)


def check_login_params(params: Mapping[str, str]) -> None:
    """OIDC login initiation: every parameter we read, echo or keep is bounded."""
    for name in LOGIN_PARAMS:
        limit = MESSAGE_HINT_MAX if name == "lti_message_hint" else LOGIN_PARAM_MAX
        _check(
            "login",
            "a sign-in request",
            name,
            params.get(name),
            limit,
            spaces=name not in ("iss", "target_link_uri", "client_id"),
        )


def check_launch_form(form: Mapping[str, str]) -> None:
    """The launch POST itself, before the state is looked up or the token parsed."""
    token = form.get("id_token") or ""
    if len(token) > ID_TOKEN_MAX:
        raise _refuse(
            "launch",
            "a launch",
            "id_token",
            f"is larger than {ID_TOKEN_MAX // 1024} KiB ({len(token)} characters)",
        )
    if token and not _JWT.fullmatch(token):
        raise _refuse("launch", "a launch", "id_token", "is not a compact JWT")
    state = form.get("state") or ""
    if state and not looks_like_ours(state):
        raise LaunchError(
            "unknown_state",
            f"state of {len(state)} characters is not one of ours in shape",
            EXPIRED,
        )


def looks_like_ours(value: str) -> bool:
    """Could ``value`` be a state or ticket our login issued? (Never look up others.)"""
    return bool(_STATE.fullmatch(value or ""))


def check_issuer_and_audience(claims: Mapping[str, Any]) -> None:
    """``iss``/``aud``/``azp`` pick the registration: bounded before any lookup."""
    _check("launch", "a launch", "iss", claims.get("iss"), ID_MAX, spaces=False)
    aud = claims.get("aud")
    for value in [aud] if not isinstance(aud, list) else aud[:10]:
        _check("launch", "a launch", "aud", value, ID_MAX)
    if isinstance(aud, list) and len(aud) > 10:
        raise _refuse("launch", "a launch", "aud", "lists more than 10 audiences")
    _check("launch", "a launch", "azp", claims.get("azp"), ID_MAX)


def _get(claims: Mapping[str, Any], claim: str) -> Mapping[str, Any]:
    value = claims.get(claim)
    return value if isinstance(value, Mapping) else {}


def check_claims(claims: Mapping[str, Any]) -> None:
    """The verified id_token's claims Peerlift uses as identifiers, text or URLs."""

    def check(field: str, value: Any, limit: int, **kw: Any) -> None:
        _check("launch", "a launch", field, value, limit, **kw)

    check("sub", claims.get("sub"), ID_MAX)
    check("deployment_id", claims.get(CLAIM + "deployment_id"), ID_MAX)
    for field in ("name", "given_name", "family_name", "email"):
        check(field, claims.get(field), NAME_MAX)
    context = _get(claims, CLAIM + "context")
    check("context id", context.get("id"), ID_MAX)
    check("course title", context.get("title"), TITLE_MAX)
    check("course label", context.get("label"), TITLE_MAX)
    link = _get(claims, CLAIM + "resource_link")
    check("resource link id", link.get("id"), ID_MAX)
    check("link title", link.get("title"), TITLE_MAX)
    check("link description", link.get("description"), DESCRIPTION_MAX, line_breaks=True)
    check("target_link_uri", claims.get(CLAIM + "target_link_uri"), URL_MAX, spaces=False)
    roles = claims.get(CLAIM + "roles")
    if isinstance(roles, list):
        if len(roles) > ROLES_MAX:
            raise _refuse("launch", "a launch", "roles", f"lists more than {ROLES_MAX} roles")
        for role in roles:
            check("roles", role, URL_MAX, spaces=False)
    check(
        "memberships URL", _get(claims, NRPS).get("context_memberships_url"), URL_MAX, spaces=False
    )
    ags = _get(claims, AGS)
    check("line items URL", ags.get("lineitems"), URL_MAX, spaces=False)
    check("line item URL", ags.get("lineitem"), URL_MAX, spaces=False)
    presentation = _get(claims, CLAIM + "launch_presentation")
    check("return URL", presentation.get("return_url"), URL_MAX, spaces=False)
    settings = _get(claims, DL_SETTINGS)
    check("deep linking return URL", settings.get("deep_link_return_url"), URL_MAX, spaces=False)
    check("deep linking data", settings.get("data"), CUSTOM_VALUE_MAX)
    custom = _get(claims, CLAIM + "custom")
    for key, value in list(custom.items())[:200]:
        if isinstance(value, str):  # custom values are strings; others are ignored
            check(f"custom parameter {str(key)[:40]}", value, CUSTOM_VALUE_MAX, line_breaks=True)
