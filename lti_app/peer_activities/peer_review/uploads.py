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

Side effects: writes and deletes files; the database row is flushed, the request
commits. A file written for a request that then fails stays orphaned (harmless,
unreachable: no row names it).
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import IO

from flask import current_app
from werkzeug.utils import secure_filename

from lti_app.extensions import db
from lti_app.peer_activities.documents import DocumentError, strip_metadata
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewSubmission
from lti_app.peer_activities.peer_review.submissions import PeerReviewError

log = logging.getLogger(__name__)

DEFAULT_MAX = 10 * 1024 * 1024
_ZIP = (b"PK\x03\x04",)
#: Extension -> accepted leading bytes (None: UTF-8 text).
ALLOWED: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": _ZIP, "pptx": _ZIP, "xlsx": _ZIP, "odt": _ZIP,
    "txt": None, "md": None,
}


def upload_dir() -> Path:
    configured = current_app.config.get("PEER_REVIEW_UPLOAD_DIR")
    path = Path(configured) if configured else \
        Path(current_app.instance_path) / "uploads" / "peer_review"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config.get("PEER_REVIEW_MAX_UPLOAD_BYTES", DEFAULT_MAX))


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PeerReviewError(f"The file is too large: at most {limit // (1024 * 1024)} MB.")
    return data


def check(filename: str, data: bytes) -> str:
    """The sanitised name, or ``PeerReviewError`` saying what is wrong."""
    safe = secure_filename(filename or "")[:200]
    ext = extension(safe)
    if ext not in ALLOWED:
        raise PeerReviewError("Upload a PDF, Word, PowerPoint, Excel, OpenDocument, text or "
                              "image (PNG, JPEG) file.")
    if not data:
        raise PeerReviewError("The file is empty.")
    signatures = ALLOWED[ext]
    if signatures is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PeerReviewError("A .txt or .md file must be UTF-8 text.") from exc
    elif not any(data.startswith(sig) for sig in signatures):
        raise PeerReviewError(f"The file's content is not a .{ext} file.")
    return safe


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
    data = _read_limited(stream, max_bytes())
    safe = check(filename, data)
    activity = db.session.get(Activity, sub.activity_id)
    anonymity = str((activity.settings if activity else {}).get("anonymity", "double_blind"))
    data = anonymised(data, extension(safe), anonymity)
    key = secrets.token_hex(16)
    (upload_dir() / f"{key}.bin").write_bytes(data)
    old = sub.file_key
    sub.file_key, sub.file_name, sub.file_size = key, safe, len(data)
    if old:
        remove(old)


def path_of(sub: PeerReviewSubmission) -> Path | None:
    if not sub.file_key or not all(c in "0123456789abcdef" for c in sub.file_key):
        return None
    path = upload_dir() / f"{sub.file_key}.bin"
    return path if path.is_file() else None


def remove(key: str) -> None:
    if all(c in "0123456789abcdef" for c in key):
        (upload_dir() / f"{key}.bin").unlink(missing_ok=True)
