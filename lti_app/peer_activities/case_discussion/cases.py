"""Case authoring by staff: a title, the case as sanitised rich text, and links.

Side effects: inserts/updates the case row and flushes; the request commits.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import lookups
from lti_app.peer_activities.case_discussion.models import CaseDiscussionCase
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.rich_text import rich_text

log = logging.getLogger(__name__)

CASE_LIMIT = 50000
MAX_LINKS = 20


class CaseInputError(ValueError):
    """Form errors, by field."""

    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("invalid case")
        self.messages = messages


def parse_links(text: str) -> list[dict[str, str]]:
    """One link per line: ``Label | https://…`` or just the address. Only http(s)."""
    links: list[dict[str, str]] = []
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label, sep, url = line.rpartition("|")
        if not sep:
            label, url = "", line
        label, url = label.strip()[:200], url.strip()
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or len(url) > 1000
            or any(c.isspace() for c in url)
        ):
            errors.append(f"Line {number}: links must be web addresses (http:// or https://).")
            continue
        links.append({"label": label or url, "url": url})
    if len(links) > MAX_LINKS:
        errors.append(f"Keep to {MAX_LINKS} links at most.")
    if errors:
        raise CaseInputError({"links": errors})
    return links


def links_as_text(links: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{link['label']} | {link['url']}" if link["label"] != link["url"] else link["url"]
        for link in links
    )


def save_case(activity: Activity, editor: Person, form: dict[str, str]) -> CaseDiscussionCase:
    """Save the case's title, text (sanitised) and links."""
    errors: dict[str, list[str]] = {}
    title = " ".join(form.get("title", "").split())
    if not title:
        errors["title"] = ["Give the case a title."]
    elif len(title) > 255:
        errors["title"] = ["Keep the title under 255 characters."]
    raw = form.get("body", "")
    if len(raw) > CASE_LIMIT:
        errors["body"] = [f"The case is {len(raw):,} characters; the limit is {CASE_LIMIT:,}."]
    try:
        links = parse_links(form.get("links", ""))
    except CaseInputError as exc:
        errors.update(exc.messages)
        links = []
    if errors:
        raise CaseInputError(errors)
    case = lookups.case_of(activity)
    if case is None:
        case = CaseDiscussionCase(activity_id=activity.id)
        db.session.add(case)
    case.title = title
    case.body = rich_text(raw, limit=CASE_LIMIT)
    case.links = links
    case.edited_by_id = editor.id
    db.session.flush()
    log.info("case discussion %s: case saved", activity.public_id)
    return case
