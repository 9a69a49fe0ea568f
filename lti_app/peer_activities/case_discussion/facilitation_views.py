"""The facilitator's tools, on the ``case_discussion`` blueprint: a group's page
(staff and the group's facilitator), giving a learner the facilitator role
(staff), the participation view and nudges, the summary editor and its
publication, the published summary (members), and moving peer-coaching rounds on.

Scoped like every view of the blueprint (see ``views``); staff act on every group
of their course's activity, a learner-facilitator on their own group only.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, request, url_for

from lti_app.actor import confirm
from lti_app.actor.session import Actor, require_actor
from lti_app.peer_activities.case_discussion import (
    coaching,
    facilitation,
    lookups,
    panel,
    summaries,
)
from lti_app.peer_activities.case_discussion.lookups import Access
from lti_app.peer_activities.case_discussion.routing import (
    back_to_activity,
    bp,
    group_access,
    group_page,
    refused_on_activity,
    scope,
)
from lti_app.peer_activities.case_discussion.services import CaseDiscussionError
from lti_app.peer_activities.models import Activity


def _moderator(actor: Actor, activity: Activity, course: Any, group_id: str) -> Access:
    acc = group_access(actor, activity, course, group_id)
    if not acc.can_moderate:
        abort(403)
    return acc


def _group_url(
    actor: Actor,
    activity: Activity,
    acc: Access,
    endpoint: str,
    anchor: str | None = None,
    done: str | None = None,
) -> str:
    """A page of the group; ``done`` is what it then confirms, once."""
    return url_for(
        endpoint,
        activity_id=activity.public_id,
        group_id=acc.group.public_id,
        t=actor.token(),
        **confirm.url_args(actor, done),
        _anchor=anchor,
    )


# -- the group's page and its facilitators ------------------------------------------------


@bp.get("/<activity_id>/groups/<group_id>")
@require_actor()
def group(activity_id: str, group_id: str) -> Any:
    """A group's threads and rounds, for staff and the group's facilitator (members
    find the same on the activity page)."""
    actor, activity, course = scope(activity_id)
    acc = group_access(actor, activity, course, group_id)
    if not acc.can_moderate:
        return back_to_activity(actor, activity)
    return group_page(actor, activity, acc)


@bp.post("/<activity_id>/groups/<group_id>/facilitators")
@require_actor(staff=True)
def set_facilitator(activity_id: str, group_id: str) -> Any:
    """Give a member the facilitator role for their group (``on=0`` takes it back)."""
    actor, activity, course = scope(activity_id)
    acc = group_access(actor, activity, course, group_id)
    try:
        facilitation.set_facilitator(
            activity, acc.group, request.form.get("person", ""), request.form.get("on") != "0"
        )
    except CaseDiscussionError as exc:
        return refused_on_activity(actor, activity, str(exc), exc.status)
    return back_to_activity(
        actor, activity, f"cd-row-{acc.group.public_id}", done="Facilitator updated."
    )


# -- participation and nudges -------------------------------------------------------------


@bp.get("/<activity_id>/groups/<group_id>/participation")
@require_actor()
def participation(activity_id: str, group_id: str) -> Any:
    """Posts per member, who has not spoken yet, time since each one's last post,
    and a gentle nudge to send."""
    actor, activity, course = scope(activity_id)
    acc = _moderator(actor, activity, course, group_id)
    return render_template(
        "case_discussion/participation.html",
        actor=actor,
        activity=activity,
        pv=panel.participation_view(acc),
        info=panel.flash(),
    )


@bp.post("/<activity_id>/groups/<group_id>/nudges")
@require_actor()
def nudge(activity_id: str, group_id: str) -> Any:
    """Send a member a nudge: shown at their next launch, e-mailed if configured."""
    actor, activity, course = scope(activity_id)
    acc = _moderator(actor, activity, course, group_id)
    person_id = request.form.get("person", "")
    recipient = next((m.person for m in acc.group.members if m.person.public_id == person_id), None)
    try:
        if recipient is None:
            raise CaseDiscussionError("Nudge members of this group only.", 404)
        link = url_for("activities.show", activity_id=activity.public_id, _external=True)
        facilitation.send_nudge(
            activity, acc, actor.person, recipient, request.form.get("text", ""), link
        )
    except CaseDiscussionError as exc:
        g.case_discussion_flash = {"error": str(exc)}
        return render_template(
            "case_discussion/participation.html",
            actor=actor,
            activity=activity,
            pv=panel.participation_view(acc),
            info=panel.flash(),
        ), exc.status
    return redirect(
        _group_url(actor, activity, acc, "case_discussion.participation", done="Nudge sent."),
        code=303,
    )


# -- the summary --------------------------------------------------------------------------


def _summary_editor(actor: Actor, activity: Activity, acc: Access, status: int = 200) -> Any:
    return render_template(
        "case_discussion/summary_edit.html",
        actor=actor,
        activity=activity,
        sv=panel.summary_view(acc),
    ), status


def _editor_refused(
    actor: Actor,
    activity: Activity,
    acc: Access,
    exc: CaseDiscussionError,
    form: dict[str, str] | None = None,
) -> Any:
    g.case_discussion_flash = {"error": str(exc), "form": form or {}}
    return _summary_editor(actor, activity, acc, exc.status)


@bp.get("/<activity_id>/groups/<group_id>/summary")
@require_actor()
def summary(activity_id: str, group_id: str) -> Any:
    """The group's summary: the editor for staff and the facilitator; the
    published summary for members (reading it is recorded)."""
    actor, activity, course = scope(activity_id)
    acc = group_access(actor, activity, course, group_id)
    found = lookups.summary_of(acc.group)
    if acc.member and found is not None:
        summaries.mark_read(activity, found, actor.person)
    if acc.can_moderate and request.args.get("view") != "published":
        return _summary_editor(actor, activity, acc)
    return render_template(
        "case_discussion/summary.html",
        actor=actor,
        activity=activity,
        acc=acc,
        summary=found if found and found.is_published else None,
        sections=summaries.sections_of(found),
    )


@bp.post("/<activity_id>/groups/<group_id>/summary/items")
@require_actor()
def add_summary_item(activity_id: str, group_id: str) -> Any:
    """Add an entry at the end of a section."""
    actor, activity, course = scope(activity_id)
    acc = _moderator(actor, activity, course, group_id)
    section = request.form.get("section", "")
    form = {"section": section, "body": str(request.form.get("body", ""))}
    try:
        summaries.add_item(activity, acc, section, form["body"])
    except CaseDiscussionError as exc:
        return _editor_refused(actor, activity, acc, exc, form)
    return redirect(
        _group_url(actor, activity, acc, "case_discussion.summary", f"section-{section}"), code=303
    )


def _item_action(activity_id: str, item_id: str, action: str) -> Any:
    actor, activity, course = scope(activity_id)
    item = lookups.summary_item_of(activity, item_id)
    if item is None:
        abort(404)
    acc = _moderator(actor, activity, course, _group_public_id(item.summary.group_id))
    section = item.section
    try:
        if action == "edit":
            summaries.edit_item(
                acc, item, str(request.form.get("body", "")), request.form.get("section") or None
            )
        elif action == "delete":
            summaries.delete_item(acc, item)
        else:
            summaries.move_item(acc, item, request.form.get("direction", ""))
    except CaseDiscussionError as exc:
        return _editor_refused(actor, activity, acc, exc)
    return redirect(
        _group_url(actor, activity, acc, "case_discussion.summary", f"section-{section}"), code=303
    )


def _group_public_id(group_pk: int) -> str:
    found = lookups.group_by_id(group_pk)
    if found is None:
        abort(404)
    return found.public_id


@bp.post("/<activity_id>/summary-items/<item_id>")
@require_actor()
def edit_summary_item(activity_id: str, item_id: str) -> Any:
    """Reword an entry, or move it to another section."""
    return _item_action(activity_id, item_id, "edit")


@bp.post("/<activity_id>/summary-items/<item_id>/delete")
@require_actor()
def delete_summary_item(activity_id: str, item_id: str) -> Any:
    """Remove an entry."""
    return _item_action(activity_id, item_id, "delete")


@bp.post("/<activity_id>/summary-items/<item_id>/move")
@require_actor()
def move_summary_item(activity_id: str, item_id: str) -> Any:
    """Move an entry up or down within its section (by sense, not time)."""
    return _item_action(activity_id, item_id, "move")


@bp.post("/<activity_id>/groups/<group_id>/summary/publish")
@require_actor()
def publish_summary(activity_id: str, group_id: str) -> Any:
    """Publish the summary to the whole group (notice at next launch, e-mail if
    configured; those who missed the discussion see it first)."""
    actor, activity, course = scope(activity_id)
    acc = _moderator(actor, activity, course, group_id)
    try:
        link = url_for("activities.show", activity_id=activity.public_id, _external=True)
        summaries.publish(activity, acc, actor.person, link)
    except CaseDiscussionError as exc:
        return _editor_refused(actor, activity, acc, exc)
    return redirect(_group_url(actor, activity, acc, "case_discussion.summary"), code=303)


# -- peer-coaching rounds -----------------------------------------------------------------


def _round_action(activity_id: str, round_id: str, action: str) -> Any:
    actor, activity, course = scope(activity_id)
    rnd = lookups.round_of(activity, round_id)
    if rnd is None:
        abort(404)
    acc = group_access(actor, activity, course, _group_public_id(rnd.group_id))
    try:
        if action == "advance":
            coaching.advance_stage(acc, rnd, actor.person)
        else:
            coaching.record_plan(
                activity, acc, rnd, actor.person, str(request.form.get("plan", ""))
            )
    except CaseDiscussionError as exc:
        form = {"plan": str(request.form.get("plan", ""))}
        if acc.can_moderate and actor.is_staff:
            g.case_discussion_flash = {"error": str(exc), "form": form}
            return group_page(actor, activity, acc, exc.status)
        return refused_on_activity(actor, activity, str(exc), exc.status, form)
    if actor.is_staff:
        return redirect(_group_url(actor, activity, acc, "case_discussion.group"), code=303)
    return back_to_activity(actor, activity, f"round-{rnd.public_id}", done="Saved.")


@bp.post("/<activity_id>/rounds/<round_id>/advance")
@require_actor()
def advance_round(activity_id: str, round_id: str) -> Any:
    """The presenter (or the facilitator) moves the round to its next stage."""
    return _round_action(activity_id, round_id, "advance")


@bp.post("/<activity_id>/rounds/<round_id>/plan")
@require_actor()
def record_plan(activity_id: str, round_id: str) -> Any:
    """The presenter records what they will try; the round is done."""
    return _round_action(activity_id, round_id, "plan")
