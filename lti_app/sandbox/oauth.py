"""OAuth 2.0 client_credentials with a JWT client assertion (RFC 7523), as LTI services use.

The tool proves who it is by signing an assertion with its key; the sandbox checks
it against the tool's JWKS, fetched over HTTP like Moodle or Canvas would.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import jwt
import requests
from flask import Blueprint, jsonify, request

from lti_app.sandbox.context import SUPPORTED_SCOPES, Sandbox, current
from lti_app.sandbox.responses import ApiError

bp = Blueprint("oauth", __name__)
F = TypeVar("F", bound=Callable[..., Any])

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_TTL_S = 3600


class AssertionRejected(ValueError):
    pass


def _oauth_error(code: str, description: str, status: int) -> Any:
    resp = jsonify(error=code, error_description=description)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def verify_assertion(sandbox: Sandbox, assertion: str) -> dict[str, Any]:
    """Signature, iss == sub == client_id, aud == token URL, exp, and a fresh jti."""
    try:
        jwks = sandbox.tool.fetch_jwks()
    except (requests.RequestException, ValueError) as exc:
        raise AssertionRejected(f"could not fetch the tool's JWKS: {exc}") from exc
    platform = sandbox.platform
    try:
        claims = platform.verify_tool_jwt(assertion, jwks, audience=platform.token_url)
    except jwt.InvalidTokenError as exc:
        raise AssertionRejected(f"client_assertion rejected: {exc}") from exc
    if claims["iss"] != platform.client_id or claims.get("sub") != platform.client_id:
        raise AssertionRejected("client_assertion iss and sub must both be the client_id")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise AssertionRejected("client_assertion has no jti")
    if not sandbox.store.use_jti(jti, float(claims["exp"])):
        raise AssertionRejected("client_assertion jti was already used (replay)")
    return claims


@bp.post("/token")
def token() -> Any:
    """Exchange a signed client assertion for a bearer token with the granted scopes.

    Like Moodle, requested scopes the platform does not offer are dropped, not
    refused, so the tool must read ``scope`` in the answer."""
    sandbox = current()
    form = request.form
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "grant_type must be client_credentials", 400)
    if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
        return _oauth_error(
            "invalid_request", f"send client_assertion with client_assertion_type={JWT_BEARER}", 400
        )
    try:
        verify_assertion(sandbox, form["client_assertion"])
    except AssertionRejected as exc:
        return _oauth_error("invalid_client", str(exc), 401)
    granted = [s for s in dict.fromkeys(form.get("scope", "").split()) if s in SUPPORTED_SCOPES]
    if not granted:
        return _oauth_error(
            "invalid_scope",
            "none of the requested scopes is offered; supported: " + " ".join(SUPPORTED_SCOPES),
            400,
        )
    access_token = sandbox.store.issue_token(granted, TOKEN_TTL_S)
    resp = jsonify(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_S,
            "scope": " ".join(granted),
        }
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


def require_scope(*accepted: str) -> Callable[[F], F]:
    """View decorator: a live bearer token carrying at least one of ``accepted``."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scopes = None
            if header.startswith("Bearer "):
                scopes = current().store.token_scopes(header[7:].strip())
            if scopes is None:
                raise ApiError(
                    401,
                    "a valid bearer token from the token endpoint is required",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            if not scopes & set(accepted):
                raise ApiError(
                    403,
                    "the token lacks the scope: " + " or ".join(accepted),
                    code="insufficient_scope",
                    headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
                )
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
