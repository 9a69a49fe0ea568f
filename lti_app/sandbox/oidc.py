"""The platform's OIDC side of an LTI launch: the authentication endpoint and the JWKS.

``/auth`` is where the tool's login redirects the browser. It checks the
authentication request like a strict platform, works out who is launching what
from the signed hints the launch page gave the tool, and answers with the
id_token as an auto-submitting form post to the registered redirect URI.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from werkzeug.wrappers import Response

from lti_app.launch.services import STATE_COOKIE_PREFIX
from lti_app.sandbox.context import Sandbox, current
from lti_app.sandbox.platform import CLAIM, SandboxUser

bp = Blueprint("oidc", __name__)

#: Expected values of the authentication request (LTI 1.3 / Security Framework §5.1.1.2).
_FIXED = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post"}


class AuthError(Exception):
    """An authentication request the sandbox answers with an OIDC error response."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


@bp.get("/jwks")
def jwks() -> Any:
    """The platform's public keys, which the tool uses to verify our id_tokens."""
    resp = jsonify(current().platform.jwks())
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


def _autopost(action: str, fields: dict[str, str], heading: str) -> str:
    return render_template("sandbox/autopost.html", action=action, fields=fields, heading=heading)


@bp.route("/auth", methods=["GET", "POST"])
def auth() -> Any:
    """OIDC authentication endpoint (implicit flow, form_post response mode)."""
    sandbox = current()
    params = request.form if request.method == "POST" else request.args
    if params.get("client_id") != sandbox.platform.client_id:
        # RFC 6749 §4.1.2.1: never redirect for an unknown client.
        return render_template(
            "sandbox/error.html",
            title="Unknown client",
            message=f"client_id {params.get('client_id')!r} is not registered with this "
            f"sandbox (expected {sandbox.platform.client_id!r}).",
            status=400,
        ), 400
    state = params.get("state", "")
    try:
        user, message = _check_request(sandbox, params)
        claims = _claims(sandbox, user, message, params["nonce"])
    except AuthError as exc:
        return _error_response(sandbox, exc, state)
    page = _autopost(
        params["redirect_uri"],
        {"id_token": sandbox.platform.sign(claims), "state": state},
        "Signing you in to Peerlift…",
    )
    resp = Response(page, mimetype="text/html")
    if message.get("storage"):
        _drop_tool_state_cookie(sandbox, resp, state)
    return resp


def _error_response(sandbox: Sandbox, exc: AuthError, state: str) -> Any:
    """Post the OIDC error back to the client's *registered* redirect URI (never to
    an unregistered one the request named, RFC 6749 §4.1.2.1)."""
    fields = {"error": exc.code, "error_description": exc.description}
    if state:
        fields["state"] = state
    return _autopost(sandbox.tool.launch_url, fields, "Returning to Peerlift…")


def _check_request(sandbox: Sandbox, params: Any) -> tuple[SandboxUser, dict[str, Any]]:
    """Validate the authentication request; return the user and the message hint."""
    if params.get("redirect_uri") != sandbox.tool.launch_url:
        raise AuthError(
            "invalid_request",
            f"redirect_uri {params.get('redirect_uri')!r} is not "
            f"registered for this client (expected {sandbox.tool.launch_url})",
        )
    for name, expected in _FIXED.items():
        if params.get(name) != expected:
            raise AuthError(
                "invalid_request", f"{name} must be {expected!r}, not {params.get(name)!r}"
            )
    for name in ("nonce", "state"):
        if not params.get(name):
            raise AuthError("invalid_request", f"{name} is required")
    sub = sandbox.hints.read_login_hint(params.get("login_hint", ""))
    user = sandbox.store.user(sub) if sub else None
    if user is None:
        raise AuthError(
            "login_required",
            "login_hint does not name a signed-in sandbox user (it must be passed back unchanged)",
        )
    message = sandbox.hints.read_message_hint(params.get("lti_message_hint", ""))
    if message is None or message.get("user") != user.sub:
        raise AuthError(
            "invalid_request",
            "lti_message_hint is missing, altered, expired or was issued for another user",
        )
    return user, message


def _claims(
    sandbox: Sandbox, user: SandboxUser, message: dict[str, Any], nonce: str
) -> dict[str, Any]:
    """The id_token claims for a resource link launch or a deep-linking request."""
    ctx_id = message.get("context", "")
    course = sandbox.store.course(ctx_id)
    if course is None:
        raise AuthError("invalid_request", f"no course {ctx_id!r}")
    common: dict[str, Any] = {"nonce": nonce, "context": course, "services_base": sandbox.base}
    if message.get("deep_link"):
        claims = sandbox.platform.claims(
            user,
            target_link_uri=sandbox.tool.launch_url,
            message_type="LtiDeepLinkingRequest",
            deep_link_return_url=sandbox.base + "/deep-link-return",
            dl_data=sandbox.store.new_dl_request(ctx_id, user.sub),
            **common,
        )
    else:
        link = sandbox.store.link(ctx_id, message.get("link", ""))
        if link is None:
            raise AuthError("invalid_request", "that resource link no longer exists")
        lineitem = link["lineitem_id"]
        resource_link = {"id": link["id"], "title": link["title"]}
        if link["text"]:
            resource_link["description"] = link["text"]
        claims = sandbox.platform.claims(
            user,
            target_link_uri=link["url"],
            custom=link["custom"] or None,
            resource_link=resource_link,
            lineitem=sandbox.lineitem_url(ctx_id, lineitem) if lineitem else None,
            **common,
        )
    claims[CLAIM + "launch_presentation"].update(
        document_target="window" if message.get("window") else "iframe",
        return_url=sandbox.base + "/",
    )
    return claims


def _drop_tool_state_cookie(sandbox: Sandbox, resp: Response, state: str) -> None:
    """ "Simulate blocked third-party cookies": the tool and the sandbox share an
    origin, so the tool's state cookie would always come back. Expiring it here
    makes the launch arrive without it, and the tool must use Platform Storage."""
    secure = sandbox.tool.base_url.startswith("https://")
    resp.delete_cookie(
        STATE_COOKIE_PREFIX + state[:16],
        path="/lti/",
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )
