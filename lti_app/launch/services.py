"""OIDC login and launch: the services behind /lti/login and /lti/launch.

Side effects: the login writes one single-use state record; a successful
launch consumes it and records course, person, enrolment and activity (flushed;
the request commits). A rejected launch raises :class:`LaunchError` and the
request rolls back, so nothing is written.
"""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import Select, and_, bindparam, literal, select

from lti_app.courses import roster
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.courses.services import KnownRows, LaunchPeople, context_id_of, record_launch
from lti_app.domain.roles import RoleSet, map_roles
from lti_app.extensions import db
from lti_app.launch import input_bounds
from lti_app.launch.errors import EXPIRED, SETUP, LaunchError
from lti_app.launch.state_store import Store
from lti_app.launch.validation import (
    CLAIM,
    DL_SETTINGS,
    AnonymousLaunch,
    PeerliftMessageLaunch,
    ValidationSettings,
)
from lti_app.lms import registry
from lti_app.lms.models import Deployment, Registration
from lti_app.lms.platform_keys import PlatformKeyCache
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.services import resolve_activity

log = logging.getLogger(__name__)

#: The tool's fixed, documented LTI endpoints (the blueprint is mounted at /lti).
LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
JWKS_PATH = "/lti/jwks"
STATE_COOKIE_PREFIX = "peerlift-state-"


@dataclass(frozen=True)
class ToolSite:
    """What the launch needs to know about where the tool is served."""

    base_url: str
    state_ttl: int
    validation: ValidationSettings

    @property
    def launch_url(self) -> str:
        return self.base_url + LAUNCH_PATH

    @property
    def login_url(self) -> str:
        return self.base_url + LOGIN_PATH

    @property
    def jwks_url(self) -> str:
        return self.base_url + JWKS_PATH

    def is_our_launch_url(self, url: str) -> bool:
        try:
            got, ours = urlsplit(url), urlsplit(self.base_url)
        except ValueError:
            return False
        return (
            (got.scheme, got.netloc) == (ours.scheme, ours.netloc)
            and got.path.rstrip("/") == urlsplit(self.launch_url).path
            and not got.fragment
        )


@dataclass(frozen=True)
class LoginResult:
    state: str
    auth_url: str
    #: Platform Storage frame name (``lti_storage_target``), when offered.
    storage_target: str | None
    storage_origin: str
    nonce: str


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def start_login(params: Mapping[str, str], site: ToolSite, store: Store) -> LoginResult:
    """Check an OIDC login initiation and prepare the authentication request."""
    input_bounds.check_login_params(params)
    iss = params.get("iss", "")
    login_hint = params.get("login_hint", "")
    target = params.get("target_link_uri", "")
    client_id = params.get("client_id") or None
    if not iss:
        raise LaunchError("login_missing_iss", "login initiation without iss")
    if not login_hint:
        raise LaunchError("login_missing_login_hint", "login initiation without login_hint")
    if not target:
        raise LaunchError("login_missing_target", "login initiation without target_link_uri")
    try:
        reg = registry.find_registration(iss, client_id)
    except registry.AmbiguousIssuer as exc:
        raise LaunchError("login_ambiguous_issuer", f"{iss}: {exc}", SETUP) from exc
    if reg is None:
        raise LaunchError(
            "login_unknown_platform",
            f"no registration for iss={iss!r} client_id={client_id!r}",
            SETUP,
            403,
        )
    if not reg.is_active:
        raise LaunchError(
            "registration_not_active", f"registration {reg.public_id} is {reg.status}", SETUP, 403
        )
    if not site.is_our_launch_url(target):
        raise LaunchError(
            "login_bad_target_link_uri", f"target_link_uri {target!r} is not this tool's launch URL"
        )
    dep_hint = params.get("lti_deployment_id")
    if dep_hint:
        dep = registry.find_deployment(reg, dep_hint)
        if dep is None or not dep.is_active:
            raise LaunchError(
                "unknown_deployment",
                f"deployment {dep_hint!r} not registered/active for {reg.issuer} / {reg.client_id}",
                SETUP,
                403,
            )
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    storage_target = params.get("lti_storage_target") or None
    # The original login parameters are kept so a launch blocked by cookie
    # settings can be restarted in a new window.
    relogin = {
        k: params[k]
        for k in (
            "iss",
            "login_hint",
            "target_link_uri",
            "client_id",
            "lti_message_hint",
            "lti_deployment_id",
        )
        if params.get(k)
    }
    store.put(
        "state:" + state,
        {
            "registration": reg.id,
            "nonce": nonce,
            "target_link_uri": target,
            "storage_target": storage_target,
            "relogin": relogin,
        },
        site.state_ttl,
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": reg.client_id,
        # Always the registered redirect URI, whatever query the target carries.
        "redirect_uri": site.launch_url,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    auth = urlsplit(reg.auth_login_url)
    joined = "&".join(q for q in (auth.query, urlencode(query)) if q)
    auth_url = urlunsplit((auth.scheme, auth.netloc, auth.path, joined, ""))
    log.info(
        "login ok iss=%s client_id=%s storage=%s", reg.issuer, reg.client_id, bool(storage_target)
    )
    return LoginResult(state, auth_url, storage_target, _origin(reg.auth_login_url), nonce)


@dataclass
class LaunchOutcome:
    registration: Registration
    deployment: Deployment
    claims: dict[str, Any]
    roles: RoleSet
    is_deep_linking: bool


@dataclass(frozen=True)
class Recorded:
    """What :func:`record` wrote: the people, and the activity (resource launch)
    or the key of the pending deep-linking request."""

    people: LaunchPeople
    activity: Activity | None = None
    deep_link_key: str | None = None


@dataclass(frozen=True)
class PendingBinding:
    """The id_token is valid but this browser is not yet bound to the login:
    the page must read the state back from Platform Storage."""

    ticket: str
    state: str
    storage_target: str
    storage_origin: str


def validate_launch(
    form: Mapping[str, str],
    cookies: Mapping[str, str],
    site: ToolSite,
    store: Store,
    keys: PlatformKeyCache,
) -> LaunchOutcome | PendingBinding:
    """Validate a launch POST and bind it to the browser that started the login."""
    launch = PeerliftMessageLaunch(dict(form), store, keys, site.validation)
    try:
        launch.validate()
    except AnonymousLaunch:
        raise LaunchError(
            "anonymous_launch",
            "launch without sub",
            "Your learning platform opened Peerlift without saying who you are, so there is "
            "nothing to show. Sign in to the course and open the activity from there.",
            200,
            title="Please sign in to your course",
        ) from None
    assert launch.registration is not None and launch.deployment is not None
    state = form["state"]
    cookie = cookies.get(STATE_COOKIE_PREFIX + state[:16])
    outcome = LaunchOutcome(
        launch.registration,
        launch.deployment,
        launch.claims,
        map_roles(launch.claims.get(CLAIM + "roles", [])),
        launch.is_deep_linking,
    )
    if cookie is not None:
        if not hmac.compare_digest(cookie.encode("utf-8", "replace"), state.encode()):
            raise LaunchError("state_mismatch", "state cookie does not match the posted state")
        return outcome
    storage_target = launch.login.get("storage_target")
    if storage_target:
        ticket = secrets.token_urlsafe(32)
        store.put(
            "pending:" + ticket,
            {
                "state": state,
                "registration": launch.registration.id,
                "deployment": launch.deployment.id,
                "claims": launch.claims,
            },
            120,
        )
        return PendingBinding(
            ticket, state, storage_target, _origin(launch.registration.auth_login_url)
        )
    relogin = launch.login.get("relogin") or {}
    new_window = None
    if not launch.is_deep_linking and relogin:
        new_window = site.base_url + "/lti/login?" + urlencode(relogin)
    raise LaunchError(
        "state_cookie_missing",
        "no state cookie for this login (third-party cookies blocked?) and no platform storage",
        "Your browser blocked the cookie Peerlift needs inside the course page, so the launch "
        "could not be confirmed. Open Peerlift in a new window to continue"
        + ("." if new_window else ", or allow cookies for this site and try again."),
        new_window_url=new_window,
        title="Open Peerlift in a new window",
    )


def confirm_storage_binding(ticket: str, state_value: str, store: Store) -> LaunchOutcome:
    """Second half of a Platform Storage launch: the page read the state back."""
    pending = store.take("pending:" + ticket) if input_bounds.looks_like_ours(ticket) else None
    if pending is None:
        raise LaunchError("unknown_ticket", "launch ticket unknown, expired or used", EXPIRED)
    if not state_value or not hmac.compare_digest(
        state_value.encode("utf-8", "replace"), str(pending["state"]).encode()
    ):
        raise LaunchError("state_mismatch", "state read from platform storage does not match")
    reg = db.session.get(Registration, pending["registration"])
    dep = db.session.get(Deployment, pending["deployment"])
    if reg is None or dep is None or not reg.is_active or not dep.is_active:
        raise LaunchError(
            "registration_not_active", "registration gone during the launch", SETUP, 403
        )
    claims = pending["claims"]
    return LaunchOutcome(
        reg,
        dep,
        claims,
        map_roles(claims.get(CLAIM + "roles", [])),
        claims.get(CLAIM + "message_type") == "LtiDeepLinkingRequest",
    )


def _known_rows(outcome: LaunchOutcome) -> tuple[KnownRows, Activity | None]:
    """Person, course, enrolment and activity of a launch in one round trip.

    A repeat launch (the common case) then needs no other query and, when
    nothing changed, no write; missing rows fall back to the create paths.
    """
    claims = outcome.claims
    link = claims.get(CLAIM + "resource_link")
    link_id = link.get("id") if isinstance(link, dict) and not outcome.is_deep_linking else None
    params = {
        "reg": outcome.registration.id,
        "sub": claims["sub"],
        "dep": outcome.deployment.id,
        "context": context_id_of(claims),
        "link": link_id,
    }
    person, course, enrolment, activity = db.session.execute(_known_rows_stmt(), params).one()
    return KnownRows(person, course, enrolment), activity


@functools.cache
def _known_rows_stmt() -> Select[Person, Course, Enrolment, Activity]:
    """Built once: constructing this select costs more than running it."""
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(Person, Course, Enrolment, Activity)
        .select_from(anchor)
        .outerjoin(
            Person, and_(Person.registration_id == bindparam("reg"), Person.sub == bindparam("sub"))
        )
        .outerjoin(
            Course,
            and_(
                Course.deployment_id == bindparam("dep"), Course.context_id == bindparam("context")
            ),
        )
        .outerjoin(
            Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.person_id == Person.id)
        )
        .outerjoin(
            Activity,
            and_(
                Activity.deployment_id == bindparam("dep"),
                Activity.resource_link_id == bindparam("link"),
            ),
        )
    )


def record(outcome: LaunchOutcome, store: Store, dl_ttl: int = 3600) -> Recorded:
    """Write what a valid launch creates: course, person, enrolment, and the
    activity (resource launch) or a pending deep-linking request."""
    known, activity = _known_rows(outcome)
    people = record_launch(
        outcome.registration, outcome.deployment, outcome.claims, outcome.roles, known
    )
    if people.course is not None and outcome.roles.is_staff:
        # Instructors see who is in the course before anyone else launches.
        roster.sync_if_stale(people.course)
    if outcome.is_deep_linking:
        key = secrets.token_urlsafe(24)
        settings = outcome.claims.get(DL_SETTINGS, {})
        store.put(
            "dl:" + key,
            {
                "registration": outcome.registration.id,
                "deployment": outcome.deployment.id,
                "person": people.person.id,
                "settings": settings,
            },
            dl_ttl,
        )
        return Recorded(people, deep_link_key=key)
    return Recorded(
        people,
        activity=resolve_activity(
            outcome.registration, outcome.deployment, people.course, outcome.claims, activity
        ),
    )
