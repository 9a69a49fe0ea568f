"""Files attached to a case: checked, stored outside the web root, served only to
the course's members.

* size: at most ``CASE_DISCUSSION_MAX_UPLOAD_BYTES`` (default 10 MB);
* type: an extension allow-list (office, PDF, text, CSV, images), and the
  content must look like that type;
* name: stored as ``<random key>.bin`` under ``CASE_DISCUSSION_UPLOAD_DIR``
  (default ``<instance>/uploads/case_discussion``); the original name is kept,
  through ``secure_filename``, for display and download;
* metadata: removed where the file allows; a file that cannot be cleaned is
  kept as uploaded (staff material);
* serving: always as an attachment, ``application/octet-stream``, to people of
  the activity's course (checked by the view's scoping).

How each of these is done is ``peer_activities.documents`` (shared with
peer-review submissions); this module holds the case's rules and rows.

Side effects: writes and deletes files and flushes rows; the request commits. A
file written for a request that then fails stays orphaned (unreachable).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import IO

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.case_discussion.models import CaseDiscussionAttachment
from lti_app.peer_activities.case_discussion.services import CaseDiscussionError
from lti_app.peer_activities.documents import (
    DocumentError,
    UploadError,
    UploadKind,
    extension,
    strip_metadata,
)
from lti_app.peer_activities.models import Activity

MAX_FILES = 10
#: How case files are checked and stored (``peer_activities.documents.uploads``).
FILES = UploadKind(
    name="case_discussion",
    dir_setting="CASE_DISCUSSION_UPLOAD_DIR",
    max_setting="CASE_DISCUSSION_MAX_UPLOAD_BYTES",
    extensions=frozenset(
        {"pdf", "png", "jpg", "jpeg", "docx", "pptx", "xlsx", "odt", "txt", "md", "csv"}
    ),
    wrong_type="Attach a PDF, Word, PowerPoint, Excel, OpenDocument, text, CSV or image "
    "(PNG, JPEG) file.",
)


def attachments_of(activity: Activity) -> list[CaseDiscussionAttachment]:
    return list(
        db.session.scalars(
            select(CaseDiscussionAttachment)
            .where(CaseDiscussionAttachment.activity_id == activity.id)
            .order_by(CaseDiscussionAttachment.id)
        )
    )


def attachment_of(activity: Activity, public_id: str) -> CaseDiscussionAttachment | None:
    found: CaseDiscussionAttachment | None = db.session.scalar(
        select(CaseDiscussionAttachment).where(
            CaseDiscussionAttachment.public_id == public_id,
            CaseDiscussionAttachment.activity_id == activity.id,
        )
    )
    return found


def attach(activity: Activity, filename: str, stream: IO[bytes]) -> CaseDiscussionAttachment:
    """Check and store a file for the case."""
    if len(attachments_of(activity)) >= MAX_FILES:
        raise CaseDiscussionError(f"A case holds at most {MAX_FILES} files.", 409)
    try:
        data = FILES.read(stream)
        safe = FILES.check(filename, data)
    except UploadError as exc:
        raise CaseDiscussionError(exc.message, exc.status) from exc
    # Case files often name the real people a case disguises: remove the author
    # and editor metadata where the file allows (staff material, so a file that
    # cannot be cleaned is kept as uploaded).
    with contextlib.suppress(DocumentError):
        data = strip_metadata(data, extension(safe))
    row = CaseDiscussionAttachment(
        activity_id=activity.id, file_key=FILES.store(data), file_name=safe, file_size=len(data)
    )
    db.session.add(row)
    db.session.flush()
    return row


def path_of(row: CaseDiscussionAttachment) -> Path | None:
    return FILES.path_of(row.file_key)


def remove(row: CaseDiscussionAttachment) -> None:
    FILES.remove(row.file_key)
    db.session.delete(row)
    db.session.flush()
