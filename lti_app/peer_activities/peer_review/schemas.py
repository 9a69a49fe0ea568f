"""Input schemas for the forms, and one output schema per audience.

Anonymity is enforced here, not in templates: an author's view of a review is
dumped through ``ReviewForAuthor`` (no reviewer field at all) unless the activity
is open; a reviewer's view of a submission through ``SubmissionForReviewer`` (no
author) unless it is single-blind or open. ``for_author`` / ``for_reviewer``
pick the schema from the activity's anonymity setting.
"""

from __future__ import annotations

import math
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from lti_app.peer_activities.peer_review.levels import levels_of
from lti_app.peer_activities.peer_review.models import PeerReviewCriterion, PeerReviewReview
from lti_app.peer_activities.peer_review.submissions import CriterionInput

# -- input -------------------------------------------------------------------------------


class SubmissionInput(Schema):
    body = fields.String(load_default="", validate=validate.Length(max=50000))
    link_url = fields.Url(
        load_default=None,
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=1024),
        error_messages={"invalid": "Give a link starting with https://."},
    )


def submission_input(form: Any) -> dict[str, Any]:
    data = {"body": form.get("body", ""), "link_url": form.get("link_url", "").strip() or None}
    loaded: dict[str, Any] = SubmissionInput().load(data)
    return loaded


class RatingInput(Schema):
    stars = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=5, error="Rate helpfulness from 1 to 5 stars."),
    )
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class OverrideInput(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["submission", "reviewing"]))
    percent = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=100, error="A grade is a percentage from 0 to 100."),
    )
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000, error="Give a reason for overriding the grade."),
    )


class ReasonInput(Schema):
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=2000, error="Give a reason.")
    )


def review_points(form: Any, criteria: list[PeerReviewCriterion]) -> dict[str, float]:
    """The points picked or typed per criterion (fields ``c-<criterion id>``: a
    level's points from the level picker, or a number); the range and the levels
    are checked by ``reviews.submit_review``."""
    points: dict[str, float] = {}
    for c in criteria:
        raw = (form.get("c-" + c.public_id) or "").strip()
        if raw == "":
            what = "Choose a level for" if c.levels.strip() else "Score"
            raise ValidationError(f"{what} “{c.name}” (0 to {c.max_points}).")
        try:
            value = float(raw)
        except ValueError as exc:
            raise ValidationError(f"“{c.name}”: {raw[:20]!r} is not a number.") from exc
        if not math.isfinite(value):
            raise ValidationError(f"“{c.name}”: {raw[:20]!r} is not a number.")
        points[c.public_id] = value
    return points


def criterion_comments(form: Any, criteria: list[PeerReviewCriterion]) -> dict[str, str]:
    """The comment typed per criterion (fields ``cc-<criterion id>``), raw: the
    service sanitises them and checks the required ones."""
    return {c.public_id: str(form.get("cc-" + c.public_id) or "")[:5000] for c in criteria}


def rubric_input(text: str) -> list[CriterionInput]:
    """Criteria typed one per line as ``name | max points | level descriptors``
    (descriptors separated by ``;``, low to high, each optionally starting with its
    points: ``0 | None; 2 | Some; 4 | Strong``). A name ending in ``*`` makes a
    comment on that criterion required."""
    items = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        name = parts[0]
        required = name.endswith("*")
        name = name.rstrip("*").strip()[:120]
        if not name:
            raise ValidationError(f"Line {n}: give the criterion a name.")
        try:
            points = int(parts[1]) if len(parts) > 1 and parts[1] else 4
        except ValueError as exc:
            raise ValidationError(f"Line {n}: the maximum points must be a whole number.") from exc
        if not 1 <= points <= 100:
            raise ValidationError(f"Line {n}: the maximum points must be from 1 to 100.")
        levels = "\n".join(_level_line(x) for x in " | ".join(parts[2:]).split(";") if x.strip())
        items.append(CriterionInput(name, points, levels[:4000], required))
    if not items:
        raise ValidationError("A rubric needs at least one criterion.")
    if len(items) > 20:
        raise ValidationError("A rubric has at most 20 criteria.")
    return items


def _level_line(text: str) -> str:
    """One level as stored: whitespace collapsed ("0  |  None" -> "0 | None")."""
    return " ".join(text.split())


def rubric_text(criteria: list[PeerReviewCriterion]) -> str:
    """The rubric as ``rubric_input`` reads it back (the editor's text)."""
    return "\n".join(
        f"{c.name}{'*' if c.comment_required else ''} | {c.max_points} | "
        f"{'; '.join(c.levels.splitlines())}"
        for c in criteria
    )


class LibrarySaveInput(Schema):
    name = fields.String(
        required=True,
        validate=validate.Length(
            min=1, max=120, error="Give the rubric a name of at most 120 characters."
        ),
    )


# -- output, one schema per audience -----------------------------------------------------


class SubmissionForReviewer(Schema):
    """What a reviewer sees of the work under double-blind: no author."""

    public_id = fields.String()
    body = fields.String()
    link_url = fields.String(allow_none=True)
    #: The attached file's extension ("" without a file); its name may name the author.
    file_ext = fields.String()


class SubmissionForReviewerNamed(SubmissionForReviewer):
    author_name = fields.String()
    file_name = fields.String(allow_none=True)


class ReviewForAuthor(Schema):
    """What an author sees of a review of their work: no reviewer."""

    public_id = fields.String()
    total = fields.Float()
    comment = fields.String()
    helpfulness = fields.Integer(allow_none=True)
    helpfulness_comment = fields.String()
    #: [{"name", "points", "max", "level", "comment"}] per criterion; ``comment``
    #: is the reviewer's sanitised comment on it ("" without one).
    scores = fields.List(fields.Dict())


class ReviewForAuthorNamed(ReviewForAuthor):
    reviewer_name = fields.String()


class ReviewForReviewer(Schema):
    """A reviewer's own review and how the author rated it (never the author's
    name unless the activity shows it)."""

    public_id = fields.String()
    status = fields.String()
    total = fields.Float(allow_none=True)
    helpfulness = fields.Integer(allow_none=True)
    helpfulness_comment = fields.String()


def review_facts(review: PeerReviewReview, criteria: list[PeerReviewCriterion]) -> dict[str, Any]:
    """Everything about a review; dump it through an audience schema before showing."""
    return {
        "public_id": review.public_id,
        "status": review.status,
        "total": review.total,
        "comment": review.comment,
        "helpfulness": review.helpfulness,
        "helpfulness_comment": review.helpfulness_comment,
        "reviewer_name": review.reviewer.display_name,
        "scores": [_score(review, c) for c in criteria],
    }


def _score(review: PeerReviewReview, c: PeerReviewCriterion) -> dict[str, Any]:
    points = review.scores.get(c.public_id)
    level = (
        ""
        if points is None
        else next(
            (
                lv.label
                for lv in levels_of(c.levels, c.max_points)
                if abs(lv.points - float(points)) < 1e-9
            ),
            "",
        )
    )
    return {
        "name": c.name,
        "points": points,
        "max": c.max_points,
        "level": level,
        "comment": (review.criterion_comments or {}).get(c.public_id, ""),
    }


def submission_facts(sub: Any) -> dict[str, Any]:
    ext = (sub.file_name or "").rsplit(".", 1)[-1].lower() if sub.file_key else ""
    return {
        "public_id": sub.public_id,
        "body": sub.body,
        "link_url": sub.link_url,
        "author_name": sub.author.display_name,
        "file_ext": ext,
        "file_name": sub.file_name,
    }


def for_author(anonymity: str) -> type[ReviewForAuthor]:
    return ReviewForAuthorNamed if anonymity == "open" else ReviewForAuthor


def for_reviewer(anonymity: str) -> type[SubmissionForReviewer]:
    return (
        SubmissionForReviewerNamed
        if anonymity in ("open", "single_blind")
        else SubmissionForReviewer
    )
