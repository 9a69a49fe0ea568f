"""Files attached to a case: checked, stored outside the web root, served only to
the course's members.

* size: at most ``CASE_DISCUSSION_MAX_UPLOAD_BYTES`` (default 10 MB), counted
  while reading, so a lying Content-Length does not help;
* type: an extension allow-list, and the content must look like that type;
* name: stored as ``<random key>.bin`` under ``CASE_DISCUSSION_UPLOAD_DIR``
  (default ``<instance>/uploads/case_discussion``); the original name is kept,
  through ``secure_filename``, for display and download;
* serving: always as an attachment, ``application/octet-stream``, to people of
  the activity's course (checked by the view's scoping).

Side effects: writes and deletes files and flushes rows; the request commits. A
file written for a request that then fails stays orphaned (unreachable).
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import select
from werkzeug.utils import secure_filename

from lti_app.extensions import db
from lti_app.peer_activities.case_discussion.models import CaseDiscussionAttachment
from lti_app.peer_activities.case_discussion.services import CaseDiscussionError
from lti_app.peer_activities.documents import DocumentError, strip_metadata
from lti_app.peer_activities.models import Activity

DEFAULT_MAX = 10 * 1024 * 1024
MAX_FILES = 10
_ZIP = (b"PK\x03\x04",)
#: Extension -> accepted leading bytes (None: UTF-8 text).
ALLOWED: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": _ZIP, "pptx": _ZIP, "xlsx": _ZIP, "odt": _ZIP,
    "txt": None, "md": None, "csv": None,
}
_HEX = frozenset("0123456789abcdef")


def upload_dir() -> Path:
    configured = current_app.config.get("CASE_DISCUSSION_UPLOAD_DIR")
    path = Path(configured) if configured else \
        Path(current_app.instance_path) / "uploads" / "case_discussion"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config.get("CASE_DISCUSSION_MAX_UPLOAD_BYTES", DEFAULT_MAX))


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check(filename: str, data: bytes) -> str:
    """The sanitised name, or ``CaseDiscussionError`` saying what is wrong."""
    safe = secure_filename(filename or "")[:200]
    ext = extension(safe)
    if ext not in ALLOWED:
        raise CaseDiscussionError("Attach a PDF, Word, PowerPoint, Excel, OpenDocument, text, "
                                  "CSV or image (PNG, JPEG) file.", 422)
    if not data:
        raise CaseDiscussionError("The file is empty.", 422)
    signatures = ALLOWED[ext]
    if signatures is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CaseDiscussionError(f"A .{ext} file must be UTF-8 text.", 422) from exc
    elif not any(data.startswith(sig) for sig in signatures):
        raise CaseDiscussionError(f"The file's content is not a .{ext} file.", 422)
    return safe


def attachments_of(activity: Activity) -> list[CaseDiscussionAttachment]:
    return list(db.session.scalars(select(CaseDiscussionAttachment).where(
        CaseDiscussionAttachment.activity_id == activity.id).order_by(
            CaseDiscussionAttachment.id)))


def attachment_of(activity: Activity, public_id: str) -> CaseDiscussionAttachment | None:
    found: CaseDiscussionAttachment | None = db.session.scalar(
        select(CaseDiscussionAttachment).where(
            CaseDiscussionAttachment.public_id == public_id,
            CaseDiscussionAttachment.activity_id == activity.id))
    return found


def attach(activity: Activity, filename: str, stream: IO[bytes]) -> CaseDiscussionAttachment:
    """Check and store a file for the case."""
    if len(attachments_of(activity)) >= MAX_FILES:
        raise CaseDiscussionError(f"A case holds at most {MAX_FILES} files.", 409)
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise CaseDiscussionError(
            f"The file is too large: at most {limit // (1024 * 1024)} MB.", 413)
    safe = check(filename, data)
    # Case files often name the real people a case disguises: remove the author
    # and editor metadata where the file allows (staff material, so a file that
    # cannot be cleaned is kept as uploaded).
    with contextlib.suppress(DocumentError):
        data = strip_metadata(data, safe.rsplit(".", 1)[-1].lower() if "." in safe else "")
    key = secrets.token_hex(16)
    (upload_dir() / f"{key}.bin").write_bytes(data)
    row = CaseDiscussionAttachment(activity_id=activity.id, file_key=key, file_name=safe,
                                   file_size=len(data))
    db.session.add(row)
    db.session.flush()
    return row


def path_of(row: CaseDiscussionAttachment) -> Path | None:
    if not row.file_key or not set(row.file_key) <= _HEX:
        return None
    path = upload_dir() / f"{row.file_key}.bin"
    return path if path.is_file() else None


def remove(row: CaseDiscussionAttachment) -> None:
    if row.file_key and set(row.file_key) <= _HEX:
        (upload_dir() / f"{row.file_key}.bin").unlink(missing_ok=True)
    db.session.delete(row)
    db.session.flush()
