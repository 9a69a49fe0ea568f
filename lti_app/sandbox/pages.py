"""The pages people click through: course home, launch frames, roster, grades, register.

A launch is what an LMS does: the launch page frames an iframe named ``tool``
whose first document auto-submits the OIDC login initiation to the tool. The
``login_hint`` and ``lti_message_hint`` are signed, opaque to the tool, and come
back to ``/auth``, which turns them into the id_token.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from lti_app.sandbox.context import Sandbox, current, origin_of
from lti_app.sandbox.nrps import membership_container
from lti_app.sandbox.platform import SandboxUser
from lti_app.sandbox.store import DEMO_COURSE_ID, is_learner, is_staff

bp = Blueprint("pages", __name__)

#: Name of the hidden Platform Storage frame, as Canvas names it.
STORAGE_FRAME = "post_message_forwarding"


@bp.before_request
def _on_issuer_origin() -> Any:
    """Pages must be browsed on the issuer's origin (e.g. localhost, not 127.0.0.1):
    the tool addresses Platform Storage messages to it, and cookies are per host."""
    wanted = origin_of(current().base)
    if request.method == "GET" and origin_of(request.host_url) != wanted:
        return redirect(wanted + request.script_root + request.full_path.rstrip("?"))
    return None


def _course(ctx_id: str) -> dict[str, Any]:
    course = current().store.course(ctx_id)
    if course is None:
        abort(404, description=f"There is no course {ctx_id!r} in the sandbox.")
    return course


def _member(sub: str | None) -> SandboxUser:
    user = current().store.user(sub or "")
    if user is None:
        abort(404, description="Choose a person enrolled in the course.")
    return user


def _staff(sub: str | None) -> SandboxUser:
    user = _member(sub)
    if not is_staff(user):
        abort(
            403,
            description=f"{user.name} cannot add activities: only instructors and "
            "teaching assistants can, as in a real course.",
        )
    return user


def _link(ctx_id: str, link_id: str | None) -> dict[str, Any]:
    link = current().store.link(ctx_id, link_id or "")
    if link is None:
        abort(404, description="That activity is not in this course (any more).")
    return link


@bp.get("/")
def home() -> Any:
    """The demo course: its activities (with who to open them as), and its people."""
    store = current().store
    ctx_id = DEMO_COURSE_ID
    people = store.members()
    return render_template(
        "sandbox/home.html",
        course=_course(ctx_id),
        links=store.links(ctx_id),
        lineitems={i["id"]: i for i in store.lineitems(ctx_id)},
        people=people,
        staff=[u for u in people if is_staff(u)],
        tool=current().tool,
    )


def _frame_page(
    course: dict[str, Any], user: SandboxUser, heading: str, launch: dict[str, str]
) -> Any:
    """The LMS page around a launch: the tool iframe, and the Platform Storage frame
    when blocked third-party cookies are simulated."""
    storage = request.args.get("storage") == "1"
    initiation = {"ctx_id": course["id"], "user": user.sub, **launch}
    in_frame = {**initiation, "storage": "1"} if storage else initiation
    return render_template(
        "sandbox/launch.html",
        course=course,
        user=user,
        heading=heading,
        storage=storage,
        launch=launch,
        storage_frame=STORAGE_FRAME,
        frame_url=url_for(".login_initiation", **in_frame),
        window_url=url_for(".login_initiation", **initiation, window="1"),
        tool_origin=current().tool.origin,
    )


@bp.get("/courses/<ctx_id>/launch")
def launch(ctx_id: str) -> Any:
    """Open a resource link as one of the course's people."""
    course = _course(ctx_id)
    link = _link(ctx_id, request.args.get("link"))
    return _frame_page(
        course, _member(request.args.get("user")), link["title"], {"link": link["id"]}
    )


@bp.get("/courses/<ctx_id>/deep-link")
def deep_link(ctx_id: str) -> Any:
    """Start deep linking ("add content") as an instructor."""
    course = _course(ctx_id)
    return _frame_page(
        course, _staff(request.args.get("user")), "Add a Peerlift activity", {"deep_link": "1"}
    )


def _launch_target(sandbox: Sandbox, ctx_id: str, user: SandboxUser) -> tuple[dict[str, Any], str]:
    """What is being launched (for ``lti_message_hint``) and the target link URI."""
    args = request.args
    window = args.get("window") == "1"
    message: dict[str, Any] = {
        "user": user.sub,
        "context": ctx_id,
        "window": window,
        "storage": args.get("storage") == "1" and not window,
    }
    if args.get("deep_link") == "1":
        _staff(user.sub)
        return {**message, "deep_link": True}, sandbox.tool.launch_url
    link = _link(ctx_id, args.get("link"))
    return {**message, "link": link["id"]}, link["url"]


@bp.get("/courses/<ctx_id>/login-initiation")
def login_initiation(ctx_id: str) -> Any:
    """The tool frame's first document: auto-submit the third-party-initiated login."""
    sandbox = current()
    _course(ctx_id)
    user = _member(request.args.get("user"))
    message, target = _launch_target(sandbox, ctx_id, user)
    platform = sandbox.platform
    fields = {
        "iss": platform.issuer,
        "login_hint": sandbox.hints.login_hint(user.sub),
        "target_link_uri": target,
        "client_id": platform.client_id,
        "lti_message_hint": sandbox.hints.message_hint(message),
        "lti_deployment_id": platform.deployment_id,
    }
    if message["storage"]:
        fields["lti_storage_target"] = STORAGE_FRAME
    return render_template(
        "sandbox/autopost.html",
        action=sandbox.tool.login_url,
        fields=fields,
        heading="Opening Peerlift…",
    )


@bp.get("/storage-frame")
def storage_frame() -> Any:
    """The hidden Platform Storage frame (``lti.put_data`` / ``lti.get_data``)."""
    return render_template("sandbox/storage_frame.html", tool_origin=current().tool.origin)


@bp.get("/roster")
def roster() -> Any:
    """The course's people as NRPS hands them to the tool."""
    sandbox = current()
    ctx_id = DEMO_COURSE_ID
    url = sandbox.course_api(ctx_id) + "/memberships"
    container = membership_container(ctx_id, list(sandbox.store.members()), url)
    return render_template(
        "sandbox/roster.html",
        course=_course(ctx_id),
        url=url,
        members=sandbox.store.members(),
        container=json.dumps(container, indent=2, ensure_ascii=False),
    )


@bp.get("/grades")
def grades() -> Any:
    """The gradebook (learners × line items) and the last service calls received."""
    store = current().store
    ctx_id = DEMO_COURSE_ID
    items = store.lineitems(ctx_id)
    return render_template(
        "sandbox/grades.html",
        course=_course(ctx_id),
        items=items,
        learners=[u for u in store.members() if is_learner(u)],
        scores={i["id"]: store.scores(i["id"]) for i in items},
        links={link["id"]: link for link in store.links(ctx_id)},
        calls=store.calls(),
    )


def _registration_frame_url(tool_url: str, sandbox: Sandbox) -> str:
    """The tool's registration URL with the two Dynamic Registration parameters added."""
    extra = urlencode(
        {
            "openid_configuration": sandbox.base + "/.well-known/openid-configuration",
            "registration_token": sandbox.store.new_registration_token(),
        }
    )
    return tool_url + ("&" if urlsplit(tool_url).query else "?") + extra


@bp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    """Paste a tool's Dynamic Registration URL; the sandbox opens it in a frame."""
    sandbox = current()
    tool_url = request.form.get("url", "").strip() if request.method == "POST" else ""
    error = frame_url = None
    if tool_url:
        parts = urlsplit(tool_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
            error = "Paste an http(s) URL without a #fragment."
        else:
            frame_url = _registration_frame_url(tool_url, sandbox)
            g.frame_origins = [origin_of(tool_url)]
    elif request.method == "POST":
        error = "Paste the tool's registration URL."
    return render_template(
        "sandbox/register.html",
        tool_url=tool_url,
        error=error,
        frame_url=frame_url,
        frame_origin=origin_of(tool_url) if frame_url else None,
        default_url=sandbox.tool.base_url + "/lti/register",
        registrations=sandbox.store.registrations()[::-1],
    ), 400 if error else 200
