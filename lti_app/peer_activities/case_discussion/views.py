"""Case discussion pages and actions (blueprint ``case_discussion``): the case
(staff write it; course members read its files), group threads and posts with
edits, "this helped" and moderation, the polling endpoint that brings new posts
without a reload, and the course's insights library. The facilitator's tools
(participation, nudges, summary, peer-coaching rounds) are in
``facilitation_views``, on the same blueprint.

Every view is scoped: the activity must belong to the caller's platform,
deployment and course and be a case discussion, and a thread, post or group
must belong to that activity and to a group the caller may read; anything else
is a 404. Forms carry the session token ``t``, which is also their CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from lti_app.actor import confirm
from lti_app.actor.session import Actor, current_actor, require_actor
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import (
    attachments,
    cases,
    lookups,
    panel,
    schemas,
    services,
    summaries,
)
from lti_app.peer_activities.case_discussion.cases import CaseInputError
from lti_app.peer_activities.case_discussion.lookups import Access
from lti_app.peer_activities.case_discussion.models import CaseDiscussionThread
from lti_app.peer_activities.case_discussion.routing import (
    access_to,
    back_to_activity,
    bp,
    group_access,
    group_page,
    refused_on_activity,
    scope,
    thread_access,
)
from lti_app.peer_activities.case_discussion.services import CaseDiscussionError
from lti_app.peer_activities.models import Activity


def _thread_url(
    actor: Actor, activity: Activity, thread: CaseDiscussionThread, anchor: str | None = None
) -> str:
    return url_for(
        "case_discussion.thread",
        activity_id=activity.public_id,
        thread_id=thread.public_id,
        t=actor.token(),
        _anchor=anchor,
    )


def _thread_page(
    actor: Actor,
    activity: Activity,
    thread: CaseDiscussionThread,
    acc: Access,
    status: int = 200,
    before: str | None = None,
) -> Any:
    view = panel.thread_view(acc, thread, actor.person, before)
    return render_template(
        "case_discussion/thread.html", actor=actor, activity=activity, tv=view
    ), status


def _refused_on_thread(
    actor: Actor,
    activity: Activity,
    thread: CaseDiscussionThread,
    acc: Access,
    message: str,
    status: int,
    form: dict[str, str] | None = None,
) -> Any:
    g.case_discussion_flash = {"error": message, "form": form or {}}
    return _thread_page(actor, activity, thread, acc, status)


# -- the case (staff) ---------------------------------------------------------------------


def _case_form(
    actor: Actor,
    activity: Activity,
    form: dict[str, str] | None,
    errors: dict[str, list[str]],
    status: int = 200,
) -> Any:
    if form is None:  # the saved case (a file action re-renders the editor)
        case = lookups.case_of(activity)
        form = (
            {
                "title": case.title,
                "body": panel.editable(case.body),
                "links": cases.links_as_text(case.links),
            }
            if case
            else {}
        )
    return render_template(
        "case_discussion/case_edit.html",
        actor=actor,
        activity=activity,
        form=form,
        errors=errors,
        files=attachments.attachments_of(activity),
    ), status


@bp.get("/<activity_id>/case")
@require_actor(staff=True)
def edit_case(activity_id: str) -> Any:
    """The case editor: title, text, links, and attached files."""
    actor, activity, _ = scope(activity_id)
    return _case_form(actor, activity, None, {})


@bp.post("/<activity_id>/case")
@require_actor(staff=True)
def save_case(activity_id: str) -> Any:
    """Save the case (text sanitised, links checked)."""
    actor, activity, _ = scope(activity_id)
    form = schemas.case_input(request.form)
    try:
        cases.save_case(activity, actor.person, form)
    except CaseInputError as exc:
        return _case_form(actor, activity, form, exc.messages, 422)
    return back_to_activity(actor, activity, "cd-case", done="Case saved.")


@bp.post("/<activity_id>/case/files")
@require_actor(staff=True)
def attach_file(activity_id: str) -> Any:
    """Attach a file to the case (size and type checked)."""
    actor, activity, _ = scope(activity_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _case_form(actor, activity, None, {"file": ["Choose a file to attach."]}, 422)
    try:
        attachments.attach(activity, upload.filename, upload.stream)
    except CaseDiscussionError as exc:
        return _case_form(actor, activity, None, {"file": [str(exc)]}, exc.status)
    return redirect(
        url_for(
            "case_discussion.edit_case",
            activity_id=activity.public_id,
            t=actor.token(),
            **confirm.url_args(actor, "File attached."),
        ),
        code=303,
    )


@bp.post("/<activity_id>/case/files/<file_id>/delete")
@require_actor(staff=True)
def delete_file(activity_id: str, file_id: str) -> Any:
    """Remove a file from the case."""
    actor, activity, _ = scope(activity_id)
    row = attachments.attachment_of(activity, file_id)
    if row is None:
        abort(404)
    attachments.remove(row)
    return redirect(
        url_for(
            "case_discussion.edit_case",
            activity_id=activity.public_id,
            t=actor.token(),
            **confirm.url_args(actor, "File removed."),
        ),
        code=303,
    )


@bp.get("/<activity_id>/files/<file_id>")
@require_actor()
def download_file(activity_id: str, file_id: str) -> Any:
    """A case file, as a download, for people of the activity's course."""
    _, activity, _ = scope(activity_id)
    row = attachments.attachment_of(activity, file_id)
    path = attachments.path_of(row) if row is not None else None
    if row is None or path is None:
        abort(404)
    # ``file_name`` went through secure_filename: ASCII letters, digits, "._-" only.
    return send_file(
        path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=row.file_name,
        max_age=0,
    )


# -- threads and posts --------------------------------------------------------------------


@bp.post("/<activity_id>/groups/<group_id>/threads")
@require_actor()
def start_thread(activity_id: str, group_id: str) -> Any:
    """Start a thread in a group, with its first post."""
    actor, activity, course = scope(activity_id)
    acc = group_access(actor, activity, course, group_id)
    form = schemas.post_input(request.form)
    try:
        thread = services.start_thread(activity, acc, actor.person, form["title"], form["body"])
    except CaseDiscussionError as exc:
        if actor.is_staff:
            g.case_discussion_flash = {"error": str(exc), "form": form}
            return group_page(actor, activity, acc, exc.status)
        return refused_on_activity(actor, activity, str(exc), exc.status, form)
    return redirect(_thread_url(actor, activity, thread), code=303)


@bp.get("/<activity_id>/threads/<thread_id>")
@require_actor()
def thread(activity_id: str, thread_id: str) -> Any:
    """A thread: its newest posts (older ones behind a link), the reply form, and
    the moderation tools for staff and the facilitator."""
    actor, activity, course = scope(activity_id)
    found, acc = thread_access(actor, activity, course, thread_id)
    if acc.member:
        services.mark_mentions_seen(found, actor.person)
        services.mark_nudges_seen(activity, actor.person)
    return _thread_page(actor, activity, found, acc, before=request.args.get("before"))


@bp.get("/<activity_id>/threads/<thread_id>/updates")
@require_actor()
def thread_updates(activity_id: str, thread_id: str) -> Any:
    """Posts new or changed since the ``since`` cursor, rendered, as JSON (polled
    by case_discussion.js; the token rides in the URL, no cookie needed)."""
    actor, activity, course = scope(activity_id)
    found, acc = thread_access(actor, activity, course, thread_id)
    raw = request.args.get("since", "0")
    since = int(raw) if raw.isdigit() else 0
    changed = panel.changes_since(acc, found, actor.person, since) if since < found.revision else []
    token = actor.token()
    posts = [
        {
            "id": pv.post.public_id,
            "html": render_template(
                "case_discussion/_post.html",
                pv=pv,
                acc=acc,
                activity=activity,
                thread=found,
                t=token,
            ),
        }
        for pv in changed
    ]
    # A full page may leave more changes behind: continue from the last one given.
    cursor = (
        changed[-1].post.revision
        if len(changed) >= lookups.PAGE_SIZE
        else max([found.revision] + [pv.post.revision for pv in changed])
    )
    resp = jsonify({"cursor": cursor, "posts": posts, "locked": found.locked, "token": token})
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/<activity_id>/threads/<thread_id>/posts")
@require_actor()
def reply(activity_id: str, thread_id: str) -> Any:
    """Reply in a thread of one's group."""
    actor, activity, course = scope(activity_id)
    found, acc = thread_access(actor, activity, course, thread_id)
    form = schemas.post_input(request.form)
    try:
        post = services.reply(activity, acc, found, actor.person, form["body"])
    except CaseDiscussionError as exc:
        return _refused_on_thread(actor, activity, found, acc, str(exc), exc.status, form)
    return redirect(_thread_url(actor, activity, found, f"post-{post.public_id}"), code=303)


def _post_action(activity_id: str, post_id: str, action: str) -> Any:
    actor, activity, course = scope(activity_id)
    post = lookups.post_of(activity, post_id)
    if post is None:
        abort(404)
    found, acc = access_to(actor, course, db.session.get(CaseDiscussionThread, post.thread_id))
    form = schemas.post_input(request.form)
    try:
        if action == "edit":
            services.edit_post(activity, acc, post, actor.person, form["body"])
        elif action == "helped":
            services.toggle_helped(acc, post, actor.person)
        elif action == "hide":
            services.set_hidden(acc, post, actor.person, request.form.get("hidden") != "0")
        elif action == "capture":
            summaries.capture_post(activity, acc, post, request.form.get("section", ""))
    except CaseDiscussionError as exc:
        return _refused_on_thread(
            actor, activity, found, acc, str(exc), exc.status, form if action == "edit" else None
        )
    return redirect(_thread_url(actor, activity, found, f"post-{post.public_id}"), code=303)


@bp.post("/<activity_id>/posts/<post_id>/edit")
@require_actor()
def edit_post(activity_id: str, post_id: str) -> Any:
    """The author changes their post, within the editing window."""
    return _post_action(activity_id, post_id, "edit")


@bp.post("/<activity_id>/posts/<post_id>/helped")
@require_actor()
def helped(activity_id: str, post_id: str) -> Any:
    """Mark someone's post "this helped" (or take the mark back)."""
    return _post_action(activity_id, post_id, "helped")


@bp.post("/<activity_id>/posts/<post_id>/hide")
@require_actor()
def hide_post(activity_id: str, post_id: str) -> Any:
    """Staff or the facilitator hide a post from the group (``hidden=0`` shows it)."""
    return _post_action(activity_id, post_id, "hide")


@bp.post("/<activity_id>/posts/<post_id>/capture")
@require_actor()
def capture_post(activity_id: str, post_id: str) -> Any:
    """ "Capture insight": the facilitator pins a post into a summary section."""
    return _post_action(activity_id, post_id, "capture")


@bp.post("/<activity_id>/threads/<thread_id>/lock")
@require_actor()
def lock_thread(activity_id: str, thread_id: str) -> Any:
    """Staff or the facilitator lock a thread (``locked=0`` opens it again)."""
    actor, activity, course = scope(activity_id)
    found, acc = thread_access(actor, activity, course, thread_id)
    try:
        services.set_locked(acc, found, actor.person, request.form.get("locked") != "0")
    except CaseDiscussionError as exc:
        return _refused_on_thread(actor, activity, found, acc, str(exc), exc.status)
    return redirect(_thread_url(actor, activity, found), code=303)


# -- the insights library -----------------------------------------------------------------


@bp.get("/library")
@require_actor()
def library() -> Any:
    """Every published summary and resource of the course's case discussions,
    searchable, for anyone in the course (including people who join later)."""
    actor = current_actor()
    if actor.course is None or not (actor.is_staff or actor.roles.is_learner):
        abort(404)
    query = request.args.get("q", "")
    entries = summaries.library(actor.course, query)
    return render_template(
        "case_discussion/library.html",
        actor=actor,
        entries=entries,
        resources=summaries.resources_of(entries),
        query=query,
    )
