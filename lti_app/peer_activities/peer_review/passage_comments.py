"""Reviewers' comments anchored to passages of a text submission: read from the
review form, checked against the work's text, stored on the review, and shown
beside the marked passages (to the author, without the reviewer's name unless the
activity is open; to staff, with it).

Where a passage is and what is refused: ``lti_app.domain.passages``. The review
form sends one ``pa-start``, ``pa-end`` and ``pa-comment`` per passage (the review
page's script fills them from the reviewer's selection); without the script the
reviewer still gives the overall and per-criterion comments. Comments are plain
text: Jinja escapes them; the marked work is rebuilt from the stored sanitised
body, never from anything the browser sent.

Side effects: ``save`` updates the review and flushes; the request commits.
"""

from __future__ import annotations

from typing import Any

from lti_app.domain import passages
from lti_app.domain.redaction import Redactor
from lti_app.extensions import db
from lti_app.peer_activities.peer_review.models import PeerReviewReview
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError

FIELDS = ("pa-start", "pa-end", "pa-comment")


def from_form(form: Any) -> list[tuple[str, str, str]]:
    """The passages a review form sent, as typed: ``(start, end, comment)``."""
    if not hasattr(form, "getlist"):
        return []
    starts, ends, comments = (form.getlist(name) for name in FIELDS)
    if not (len(starts) == len(ends) == len(comments)):
        raise PeerReviewError(
            "The comments on passages came in incomplete. Select the passages again."
        )
    if len(starts) > passages.MAX_ANCHORS:
        raise PeerReviewError(f"A review can comment on at most {passages.MAX_ANCHORS} passages.")
    return [
        (s[:12], e[:12], c[: passages.MAX_COMMENT + 1])
        for s, e, c in zip(starts, ends, comments, strict=True)
    ]


def quoted(form: Any) -> tuple[str, str]:
    """The passage quoted by its words (fields ``pa-find``, ``pa-find-comment``: the
    way without the script or a mouse), as typed."""
    return (
        str(form.get("pa-find") or "")[: passages.MAX_PASSAGE + 1],
        str(form.get("pa-find-comment") or "")[: passages.MAX_COMMENT + 1],
    )


def check(
    review: PeerReviewReview,
    sent: list[tuple[str, str, str]],
    quote: tuple[str, str] = ("", ""),
) -> list[passages.Anchor]:
    """The passages (by offsets, and the one quoted by its words) checked against
    the work's text; refused with the reason."""
    words, comment = quote
    if not sent and not words.strip() and not comment.strip():
        return []
    text = passages.plain_text(review.submission.body)
    if not text.strip():
        raise PeerReviewError("This work has no text to comment on passage by passage.")
    try:
        found: list[tuple[object, object, str]] = list(sent)
        if words.strip() or comment.strip():
            start, end = passages.find(text, words)
            found.append((start, end, comment))
        return passages.validate(text, found)
    except passages.AnchorError as exc:
        raise PeerReviewError(str(exc)) from exc


def save(review: PeerReviewReview, anchors: list[passages.Anchor]) -> None:
    review.passage_comments = [
        {"start": a.start, "end": a.end, "comment": a.comment, "quote": a.quote} for a in anchors
    ]
    db.session.flush()


def kept(review: PeerReviewReview, form: Any) -> list[dict[str, Any]]:
    """What a refused form sent, to show again (nothing typed is lost): each passage
    with its quote when its offsets still make sense."""
    try:
        sent = from_form(form)
    except PeerReviewError:
        return []
    if not sent:
        return []
    text = passages.plain_text(review.submission.body)
    out = []
    for start, end, comment in sent:
        ok = start.isdigit() and end.isdigit() and int(start) < int(end) <= len(text)
        out.append(
            {
                "start": start,
                "end": end,
                "comment": comment,
                "quote": text[int(start) : int(end)] if ok else "",
            }
        )
    return out


def shown(
    body: str, stored: list[dict[str, Any]] | None, redactor: Redactor | None = None
) -> dict[str, Any] | None:
    """The work with a review's passages marked (``html``: only ``passages.mark``
    output, safe to render) and the comments in the same order (``comments``:
    ``[{"n", "quote", "comment"}]``, plain text to escape), or None without any.
    ``redactor``: course members' names are taken out of the comments (an author
    must not learn who reviewed them from "as Ben said"); quotes are the work's own."""
    if not stored:
        return None
    anchors = sorted(
        (
            passages.Anchor(int(a["start"]), int(a["end"]), str(a["comment"]), str(a["quote"]))
            for a in stored
        ),
        key=lambda a: (a.start, a.end),
    )
    text = passages.plain_text(body)
    anchors = [a for a in anchors if a.end <= len(text) and text[a.start : a.end] == a.quote]
    if not anchors:
        return None

    def clean(value: str) -> str:
        return redactor.text(value) if redactor is not None else value

    return {
        "html": passages.mark(body, anchors),
        "comments": [
            {"n": n, "quote": a.quote, "comment": clean(a.comment)}
            for n, a in enumerate(anchors, start=1)
        ],
    }
