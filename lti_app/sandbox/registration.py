"""LTI Dynamic Registration 1.0, platform side: openid-configuration and the endpoint.

The sandbox only records and lists registrations made this way; launches keep
using its main client. The checks mirror Moodle's ``registration_helper`` so a
tool that registers here also registers there.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, request

from lti_app.sandbox.context import SUPPORTED_SCOPES, current
from lti_app.sandbox.responses import ApiError, json_body

bp = Blueprint("registration", __name__)

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
VARIABLES = (
    "Context.id",
    "Context.label",
    "Context.title",
    "ResourceLink.id",
    "ResourceLink.title",
    "User.id",
    "Person.name.full",
    "Person.name.given",
    "Person.name.family",
    "Person.email.primary",
)


@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> Any:
    """What a tool reads first during dynamic registration."""
    sandbox = current()
    platform = sandbox.platform
    return jsonify(
        {
            "issuer": platform.issuer,
            "authorization_endpoint": platform.auth_login_url,
            "token_endpoint": platform.token_url,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": platform.jwks_url,
            "registration_endpoint": sandbox.base + "/api/registrations",
            "scopes_supported": ["openid", *SUPPORTED_SCOPES],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": [
                "iss",
                "aud",
                "sub",
                "iat",
                "exp",
                "nonce",
                "name",
                "given_name",
                "family_name",
                "email",
            ],
            PLATFORM_CONFIG: {
                "product_family_code": "peerlift-sandbox",
                "version": "1.0",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
                "variables": list(VARIABLES),
            },
        }
    )


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def registration_problems(body: dict[str, Any]) -> list[str]:
    """Everything wrong with a client registration request (empty list: fine)."""
    problems = []
    if body.get("application_type", "web") != "web":
        problems.append("application_type must be 'web'")
    response_types = body.get("response_types")
    if not isinstance(response_types, list) or "id_token" not in response_types:
        problems.append("response_types must contain 'id_token'")
    redirects = body.get("redirect_uris")
    if not isinstance(redirects, list) or not redirects or not all(map(_is_url, redirects)):
        problems.append("redirect_uris must be a non-empty array of URLs")
    for name in ("initiate_login_uri", "jwks_uri"):
        if not _is_url(body.get(name)):
            problems.append(f"{name} must be an http(s) URL")
    if not isinstance(body.get("client_name"), str) or not body["client_name"].strip():
        problems.append("client_name is required")
    if body.get("token_endpoint_auth_method") != "private_key_jwt":
        problems.append("token_endpoint_auth_method must be 'private_key_jwt'")
    tool = body.get(TOOL_CONFIG)
    if not isinstance(tool, dict):
        problems.append(f"{TOOL_CONFIG} object is required")
    else:
        if not isinstance(tool.get("domain"), str) or not tool["domain"]:
            problems.append(f"{TOOL_CONFIG}.domain is required")
        if not _is_url(tool.get("target_link_uri")):
            problems.append(f"{TOOL_CONFIG}.target_link_uri must be an http(s) URL")
    return problems


@bp.post("/api/registrations")
def register() -> Any:
    """Accept a tool's registration with a one-time token; answer with its client_id.

    The token is spent only by a successful registration, so a tool can fix a
    rejected request and retry."""
    store = current().store
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    if not token or not store.registration_token_valid(token):
        raise ApiError(
            401,
            "registration_token missing, unknown, expired or already used",
            code="invalid_token",
        )
    body = json_body()
    problems = registration_problems(body)
    if problems:
        raise ApiError(400, "; ".join(problems), code="invalid_client_metadata")
    if not store.take_registration_token(token):
        raise ApiError(401, "registration_token was used meanwhile", code="invalid_token")
    client_id = "sandbox-dr-" + secrets.token_urlsafe(9)
    deployment_id = "sandbox-dr-deployment-" + secrets.token_hex(3)
    answer = {
        **body,
        "client_id": client_id,
        TOOL_CONFIG: {**body[TOOL_CONFIG], "deployment_id": deployment_id},
    }
    store.add_registration(
        {
            "client_id": client_id,
            "deployment_id": deployment_id,
            "client_name": body["client_name"],
            "request": body,
        }
    )
    resp = jsonify(answer)
    resp.status_code = 201
    return resp
