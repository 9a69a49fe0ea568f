"""LTI endpoints. Thin: parse the request, call a service, render."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import (
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from lti_app import signals
from lti_app.actor.session import Actor, current_actor, require_actor
from lti_app.extensions import limiter
from lti_app.launch import registration, runtime, services
from lti_app.launch.blueprint import bp
from lti_app.launch.deep_linking import content_item, response_jwt
from lti_app.launch.errors import EXPIRED, LaunchError
from lti_app.lms import frame_origins, keys
from lti_app.peer_activities import page as activity_page
from lti_app.peer_activities import registry
from lti_app.peer_activities import services as activities
from lti_app.peer_activities.services import ActivityInputError

log = logging.getLogger(__name__)
audit = logging.getLogger("peerlift.audit")


def _params() -> dict[str, str]:
    data = request.form if request.method == "POST" else request.args
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _set_state_cookie(resp: Response, state: str, *, expire: bool = False) -> None:
    """The login's browser binding; expired again once the launch has used it, so
    a browser does not carry one cookie per launch for ten minutes."""
    secure = current_app.config["COOKIE_SECURE"]
    resp.set_cookie(
        services.STATE_COOKIE_PREFIX + state[:16],
        "" if expire else state,
        max_age=0 if expire else current_app.config["LTI_LOGIN_STATE_TTL_S"],
        path="/lti/",
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


def _launch_limit() -> str:
    return str(current_app.config["RATELIMIT_LAUNCH"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_launch_limit)
def login() -> Any:
    """OIDC third-party-initiated login: check the platform, then send the browser to it."""
    result = services.start_login(_params(), runtime.site(), runtime.store())
    resp: Response
    if result.storage_target:
        resp = make_response(render_template("launch/login_storage.html", login=result))
    else:
        resp = redirect(result.auth_url, code=302)
    _set_state_cookie(resp, result.state)
    return resp


def _enter(outcome: services.LaunchOutcome) -> Response:
    recorded = services.record(outcome, runtime.store())
    # Whoever records launches (analytics' xAPI statements) listens; launch knows none.
    signals.launched.send(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        person=recorded.people.person,
        activity=recorded.activity,
        claims=outcome.claims,
    )
    frame_origins.learn(
        outcome.registration,
        frame_origins.candidates_from_launch(outcome.claims, request.headers.get("Origin")),
    )
    people = recorded.people
    # A session without a course may open only the activity it launched into.
    bound = recorded.activity.public_id if recorded.activity is not None else None
    actor = Actor(
        outcome.registration,
        outcome.deployment,
        people.person,
        people.course,
        outcome.roles,
        deep_link=recorded.deep_link_key,
        activity=bound if people.course is None else None,
    )
    token = actor.token()  # signed once: the page's links and forms reuse it
    audit.info(
        "launch ok iss=%s client_id=%s deployment=%s sub=%s type=%s",
        outcome.registration.issuer,
        outcome.registration.client_id,
        outcome.deployment.deployment_id,
        people.person.public_id,
        "deep_linking" if outcome.is_deep_linking else "resource",
    )
    if recorded.activity is None:  # deep linking: on to the activity picker
        return redirect(url_for("launch.deep_link", t=token), code=303)
    # Answer the launch with the activity page itself (no redirect round trip);
    # Content-Location names its GET address, which the page puts in the
    # address bar so a reload is a GET, not a re-posted launch.
    g.actor = actor
    url = url_for("activities.show", activity_id=recorded.activity.public_id, t=token)
    resp = make_response(activity_page.render_activity(actor, recorded.activity, self_url=url))
    resp.headers["Content-Location"] = url
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/launch")
@limiter.limit(_launch_limit)
def launch() -> Any:
    """Resource link and deep linking launches: validate the id_token, then enter the tool."""
    if request.form.get("error"):
        desc = request.form.get("error_description", "")[:300]
        raise LaunchError(
            "platform_error",
            f"platform returned error={request.form['error'][:64]!r} {desc!r}",
            "Your learning platform did not let Peerlift sign you in"
            + (f" ({desc})." if desc else ".")
            + " Make sure you are signed in to the course, then open the activity again.",
            title="Sign-in with your learning platform failed",
        )
    result = services.validate_launch(
        _params(), request.cookies, runtime.site(), runtime.store(), runtime.platform_keys()
    )
    if isinstance(result, services.PendingBinding):
        return render_template("launch/storage_confirm.html", pending=result)
    resp = _enter(result)
    _set_state_cookie(resp, request.form["state"], expire=True)
    return resp


@bp.post("/launch/confirm")
@limiter.limit(_launch_limit)
def launch_confirm() -> Any:
    """Platform Storage: the page read the login state back from the platform."""
    outcome = services.confirm_storage_binding(
        request.form.get("ticket", ""), request.form.get("state", ""), runtime.store()
    )
    return _enter(outcome)


@bp.get("/jwks")
def jwks() -> Any:
    """The tool's public keys (current and, during a rotation, next/previous)."""
    resp = jsonify(keys.published_jwks())
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@bp.get("/config/canvas.json")
def canvas_config() -> Any:
    """Canvas Developer Key JSON ("Enter URL" / "Paste JSON") for manual registration."""
    site = runtime.site()
    placements = [
        {
            "placement": name,
            "message_type": "LtiDeepLinkingRequest",
            "target_link_uri": site.launch_url,
            "text": registration.DEEP_LINK_LABEL,
        }
        for name in registration.CANVAS_PLACEMENTS
    ]
    return jsonify(
        {
            "title": "Peerlift",
            "description": registration.DESCRIPTION,
            "oidc_initiation_url": site.login_url,
            "target_link_uri": site.launch_url,
            "public_jwk_url": site.jwks_url,
            "scopes": list(registration.WANTED_SCOPES),
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "privacy_level": "public",
                    "domain": urlsplit(site.base_url).netloc,
                    "tool_id": "peerlift",
                    "settings": {"text": "Peerlift", "placements": placements},
                }
            ],
            "custom_fields": {},
        }
    )


def _deep_link_request() -> dict[str, Any]:
    actor = current_actor()
    pending = runtime.store().get("dl:" + actor.deep_link) if actor.deep_link else None
    if pending is None or pending["registration"] != actor.registration.id:
        raise LaunchError("deep_link_expired", "deep-linking request unknown or expired", EXPIRED)
    return pending


@bp.get("/deep-link")
@require_actor(staff=True)
def deep_link() -> Any:
    """The activity picker an instructor sees when adding Peerlift from the LMS."""
    pending = _deep_link_request()
    return render_template(
        "launch/deep_link.html",
        types=registry.all_types(),
        settings=pending["settings"],
        actor=current_actor(),
        errors={},
        form={},
    )


@bp.post("/deep-link")
@require_actor(staff=True)
def deep_link_submit() -> Any:
    """Create the chosen activity and return it to the LMS as a signed resource link."""
    actor = current_actor()
    pending = _deep_link_request()
    dl_settings = pending["settings"]
    if request.form.get("cancel"):
        items: list[dict[str, Any]] = []
        message = None
    else:
        kind = registry.get(request.form.get("activity_type"))
        title = request.form.get("title", "").strip()[:255]
        try:
            if not title:
                raise ActivityInputError({"title": ["Give the activity a title."]})
            if kind is None:
                raise ActivityInputError({"activity_type": ["Choose an activity type."]})
            activity = activities.create_activity(
                actor.registration,
                actor.deployment,
                actor.course,
                activity_type=kind.key,
                title=title,
                description=request.form.get("description", "").strip()[:2000],
                settings=activities.settings_from_form(kind.key, request.form),
            )
        except ActivityInputError as exc:
            return render_template(
                "launch/deep_link.html",
                types=registry.all_types(),
                settings=dl_settings,
                actor=actor,
                errors=exc.messages,
                form=request.form,
            ), 422
        items = [content_item(activity, kind.label, runtime.site().launch_url, dl_settings)]
        message = f"Added {title}"
    runtime.store().take("dl:" + (actor.deep_link or ""))
    token = response_jwt(
        key=keys.signing_key(),
        client_id=actor.registration.client_id,
        platform_issuer=actor.registration.issuer,
        deployment_id=actor.deployment.deployment_id,
        settings=dl_settings,
        items=items,
        message=message,
    )
    audit.info("deep linking response iss=%s items=%d", actor.registration.issuer, len(items))
    return render_template(
        "launch/deep_link_return.html", return_url=dl_settings["deep_link_return_url"], jwt=token
    )


def launch_error(exc: LaunchError) -> Any:
    """Every refused login/launch: a readable page, a precise log line, nothing stored."""
    request_id = request.headers.get("X-Request-Id", "")
    ref = request_id if _REQUEST_ID.fullmatch(request_id) else secrets.token_hex(4)
    log_fn = audit.info if exc.status < 400 else audit.warning
    log_fn(
        "%s rejected code=%s ref=%s status=%s path=%s reason=%s",
        "registration" if request.path.startswith("/lti/register") else "launch",
        exc.code,
        ref,
        exc.status,
        request.path,
        exc.reason,
    )
    resp = make_response(
        render_template(
            "error.html",
            title=exc.title,
            message=exc.message,
            code=exc.code,
            ref=ref,
            new_window_url=exc.new_window_url,
        ),
        exc.status,
    )
    resp.headers["Cache-Control"] = "no-store"
    if exc.retry_after is not None:
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


#: A proxy's request id is echoed on the page and in the log only if it looks like one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
