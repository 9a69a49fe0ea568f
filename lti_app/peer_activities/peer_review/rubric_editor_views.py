"""The rubric editor page (staff): a grid of criteria and levels, preview as a
learner, reuse from the library or another peer assessment of the course by
name, and the text format as import/export. The grid's own buttons redraw the
page without storing anything; only "Save the rubric" stores (see
``rubric_editor``). Same blueprint and scoping as ``staff_views``.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from lti_app.actor import confirm
from lti_app.actor.session import Actor, require_actor
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import rubric_editor as editor
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.levels import levels_of
from lti_app.peer_activities.peer_review.routing import bp, scope
from lti_app.peer_activities.peer_review.submissions import PeerReviewError


@bp.get("/<activity_id>/rubric/edit")
@require_actor(staff=True)
def rubric_editor(activity_id: str) -> Any:
    """The rubric as a grid, ready to edit."""
    actor, activity = scope(activity_id)
    return _page(actor, activity, editor.current_rows(activity), {})


@bp.post("/<activity_id>/rubric/edit")
@require_actor(staff=True)
def rubric_editor_post(activity_id: str) -> Any:
    """One button of the editor: save, preview, a row button, reuse or import."""
    actor, activity = scope(activity_id)
    form = request.form
    action = str(form.get("action", "save"))
    rows = editor.rows_from_form(form)
    errors: dict[str, list[str]] = {}
    if action == "import":
        imported, problem = editor.import_text(str(form.get("text", "")))
        if problem:
            errors["text"] = [problem]
        else:
            rows = imported
    elif action == "reuse":
        loaded = editor.load_source(activity, str(form.get("source", "")))
        if loaded is None:
            errors["source"] = ["Choose a rubric from the list."]
        else:
            rows = loaded
    elif action == "save":
        items, errors = editor.check(rows)
        if not errors:
            try:
                subs.save_rubric(activity, items)
            except PeerReviewError as exc:
                errors = {"_schema": [str(exc)]}
            else:
                return redirect(
                    url_for(
                        "peer_review.rubric_editor",
                        activity_id=activity.public_id,
                        t=actor.token(),
                        **confirm.url_args(actor, "Rubric saved. Reviewers use it from now on."),
                    ),
                    code=303,
                )
    elif action != "preview":
        rows = editor.apply_action(rows, action)
    preview = action == "preview" or action in {"import", "reuse"} and not errors
    return _page(
        actor, activity, rows, errors, preview=preview, loaded=action in {"import", "reuse"}
    )


def _page(
    actor: Actor,
    activity: Activity,
    rows: list[editor.CriterionRow],
    errors: dict[str, list[str]],
    *,
    preview: bool = False,
    loaded: bool = False,
) -> Any:
    items, problems = editor.check(rows)
    shown = [
        {
            "name": item.name,
            "max_points": item.max_points,
            "required": item.comment_required,
            "levels": levels_of(item.levels, item.max_points),
        }
        for item in items
    ]
    return render_template(
        "peer_review/rubric_editor.html",
        actor=actor,
        activity=activity,
        rows=rows,
        errors=errors,
        locked=subs.reviews_started(activity),
        sources=editor.sources(activity),
        text=editor.as_text(rows),
        preview=shown if preview and not problems else None,
        preview_blocked=preview and bool(problems),
        loaded=loaded and not errors,
        max_criteria=editor.MAX_CRITERIA,
        max_levels=editor.MAX_LEVELS,
    ), 422 if errors else 200
