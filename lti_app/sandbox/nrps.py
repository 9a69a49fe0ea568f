"""Names and Role Provisioning Services 2.0: the course's membership container."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request

from lti_app.sandbox.context import NRPS_SCOPE, current
from lti_app.sandbox.oauth import require_scope
from lti_app.sandbox.platform import MEMBERSHIP, SandboxUser
from lti_app.sandbox.responses import media_json, paginate

bp = Blueprint("nrps", __name__)

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def has_role(user: SandboxUser, role: str) -> bool:
    """``role`` as NRPS filters it: a full URI or a short context role name (which,
    like Moodle, means the membership vocabulary); sub-roles count for their
    principal role (a TA is an Instructor)."""
    wanted = role if ":" in role else MEMBERSHIP + role
    sub_prefix = wanted.replace("membership#", "membership/", 1) + "#"
    return any(r == wanted or r.startswith(sub_prefix) for r in user.roles)


def member_json(user: SandboxUser) -> dict[str, Any]:
    return {
        "status": "Active",
        "user_id": user.sub,
        "roles": list(user.roles),
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "email": user.email,
    }


def membership_container(ctx_id: str, members: list[SandboxUser], url: str) -> dict[str, Any]:
    course = current().store.course(ctx_id) or {}
    return {
        "id": url,
        "context": {k: course[k] for k in ("id", "label", "title") if k in course},
        "members": [member_json(u) for u in members],
    }


@bp.get("/api/courses/<ctx_id>/memberships")
@require_scope(NRPS_SCOPE)
def memberships(ctx_id: str) -> Any:
    """Members of the course, filtered by ``role``, paged by ``limit``."""
    store = current().store
    if store.course(ctx_id) is None:
        abort(404)
    role = request.args.get("role")
    members = [u for u in store.members() if role is None or has_role(u, role)]
    page, headers = paginate(members)
    return media_json(
        membership_container(ctx_id, list(page), request.url), MEDIA_TYPE, headers=headers
    )
