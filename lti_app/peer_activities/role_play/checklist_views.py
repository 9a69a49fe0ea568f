"""The observer checklist editor (staff): a form with a row per item, a preview
of the rating form as observers see it, reuse from another role-play of the
course by name, and the line format as import/export. A blueprint of its own
(same ``/rp`` prefix and scoping as ``views``), so no view module imports another.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from lti_app.actor import confirm
from lti_app.actor.session import Actor, require_actor
from lti_app.peer_activities.grid_form import apply_action, rows_from_form
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity
from lti_app.peer_activities.role_play import checklist_editor as editor
from lti_app.peer_activities.role_play import panel, scenarios

bp = Blueprint("role_play_checklist", __name__, url_prefix="/rp", template_folder="templates")


def _scope(activity_id: str) -> tuple[Actor, Activity]:
    actor, activity, _course = course_activity(activity_id, enabled=panel.enabled)
    return actor, activity


@bp.get("/<activity_id>/checklist/edit")
@require_actor(staff=True)
def edit_checklist(activity_id: str) -> Any:
    """The checklist as rows, ready to edit."""
    actor, activity = _scope(activity_id)
    rows = editor.current_rows(activity)
    return _page(actor, activity, rows, {})


@bp.post("/<activity_id>/checklist/edit")
@require_actor(staff=True)
def edit_checklist_post(activity_id: str) -> Any:
    """One button of the editor: save, preview, a row button, reuse or import."""
    actor, activity = _scope(activity_id)
    action = str(request.form.get("action", "save"))
    rows = rows_from_form(request.form, editor.PREFIX, editor.COLUMNS, scenarios.MAX_ITEMS)
    errors: dict[str, list[str]] = {}
    if action == "import":
        imported, problem = editor.import_text(str(request.form.get("text", "")))
        if problem:
            errors["text"] = [problem]
        else:
            rows = imported
    elif action == "reuse":
        loaded = editor.load_source(activity, str(request.form.get("source", "")))
        if loaded is None:
            errors["source"] = ["Choose a role-play from the list."]
        else:
            rows = loaded
    elif action == "save":
        items, errors = editor.check(rows)
        if not errors:
            scenarios.save_checklist(activity, items)
            return redirect(
                url_for(
                    ".edit_checklist",
                    activity_id=activity.public_id,
                    t=actor.token(),
                    **confirm.url_args(actor, "Observer checklist saved."),
                ),
                code=303,
            )
    elif action != "preview":
        apply_action(rows, action, editor.PREFIX, editor.BLANK, scenarios.MAX_ITEMS)
    loaded_now = action in {"import", "reuse"} and not errors
    return _page(
        actor, activity, rows, errors, preview=action == "preview" or loaded_now, loaded=loaded_now
    )


def _page(
    actor: Actor,
    activity: Activity,
    rows: list[dict[str, str]],
    errors: dict[str, list[str]],
    *,
    preview: bool = False,
    loaded: bool = False,
) -> Any:
    items, problems = editor.check(rows)
    return render_template(
        "role_play/checklist_edit.html",
        actor=actor,
        activity=activity,
        rows=rows,
        errors=errors,
        scale=scenarios.SCALE,
        sources=editor.sources(activity),
        text=editor.as_text(rows),
        preview=editor.preview(items) if preview and not problems else None,
        preview_blocked=preview and bool(problems),
        loaded=loaded,
        limit=scenarios.MAX_ITEMS,
    ), 422 if errors else 200
