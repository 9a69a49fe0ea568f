"""Files attached to submissions: checked, stored outside the web root, served
only to those allowed.

* size: at most ``PEER_REVIEW_MAX_UPLOAD_BYTES`` (default 10 MB), counted while
  reading, so a lying Content-Length does not help;
* type: an extension allow-list, and the content must look like that type (PDF
  and image signatures, Office files are zip archives, text must be UTF-8);
* name: the stored file is named by a random key (``<key>.bin``) under
  ``PEER_REVIEW_UPLOAD_DIR`` (default ``<instance>/uploads/peer_review``), never
  by anything the person typed; the original name is kept, sanitised, for display
  and download;
* metadata: the author's name is removed from the file's metadata before it is
  stored (``peer_activities.documents.strip_metadata``: document properties,
  tracked-change and comment authors, PDF info and XMP, Exif and PNG text), for
  every anonymity setting: under "open" the names are on the page anyway, but a
  file also names colleagues who commented, a company, a manager and the
  author's disk, which reviewers need not read. A file whose metadata cannot be
  removed with certainty is refused with what to do instead, except under
  "open", where it is stored as uploaded (nothing is promised that it breaks);
* serving: always as an attachment (``Content-Disposition: attachment``), as
  ``application/octet-stream``, only to the author, a reviewer allocated to the
  work, or the course's staff (checked by the view).

How each of these is done is ``peer_activities.documents`` (shared with
case-discussion attachments); this module holds the submission's rules.

Side effects: writes and deletes files; the database row is flushed, the request
commits. A file written for a request that then fails stays orphaned (harmless,
unreachable: no row names it).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO

from lti_app.extensions import db
from lti_app.peer_activities.documents import (
    DocumentError,
    UploadError,
    UploadKind,
    extension,
    strip_metadata,
)
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewSubmission
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError

log = logging.getLogger(__name__)

__all__ = ["FILES", "anonymised", "attach", "extension", "max_bytes", "path_of", "remove"]

#: How submitted files are checked and stored (``peer_activities.documents.uploads``).
FILES = UploadKind(
    name="peer_review",
    dir_setting="PEER_REVIEW_UPLOAD_DIR",
    max_setting="PEER_REVIEW_MAX_UPLOAD_BYTES",
    extensions=frozenset({"pdf", "png", "jpg", "jpeg", "docx", "pptx", "xlsx", "odt", "txt", "md"}),
    wrong_type="Upload a PDF, Word, PowerPoint, Excel, OpenDocument, text or image (PNG, "
    "JPEG) file.",
    not_text="A .txt or .md file must be UTF-8 text.",
)


def max_bytes() -> int:
    return FILES.max_bytes()


def anonymised(data: bytes, ext: str, anonymity: str) -> bytes:
    """``data`` without identifying metadata; ``PeerReviewError`` (the reason and
    what to do) when that cannot be done and the activity promises anonymity."""
    try:
        return strip_metadata(data, ext)
    except DocumentError as exc:
        if anonymity == "open":
            log.info("peer review upload: metadata kept (open review): %s", exc.reason)
            return data
        raise PeerReviewError(exc.message()) from exc


def attach(sub: PeerReviewSubmission, filename: str, stream: IO[bytes]) -> None:
    """Check, anonymise (see the module docstring) and store a file for ``sub``,
    replacing any earlier one."""
    try:
        data = FILES.read(stream)
        safe = FILES.check(filename, data)
    except UploadError as exc:
        raise PeerReviewError(exc.message) from exc
    activity = db.session.get(Activity, sub.activity_id)
    anonymity = str((activity.settings if activity else {}).get("anonymity", "double_blind"))
    data = anonymised(data, extension(safe), anonymity)
    old = sub.file_key
    sub.file_key, sub.file_name, sub.file_size = FILES.store(data), safe, len(data)
    if old:
        remove(old)


def path_of(sub: PeerReviewSubmission) -> Path | None:
    return FILES.path_of(sub.file_key)


def remove(key: str) -> None:
    FILES.remove(key)
