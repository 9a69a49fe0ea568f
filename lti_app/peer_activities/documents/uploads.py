"""Uploaded files, checked and stored the same way for every activity.

An activity describes its uploads once (an ``UploadKind``: its settings, the
types it accepts, how a refusal reads) and uses it to read, check, store, find
and delete files:

* size: at most ``<max_setting>`` bytes (default 10 MB), counted while reading,
  so a lying Content-Length does not help;
* type: an extension allow-list, and the content must look like that type (PDF
  and image signatures, Office files are zip archives, text must be UTF-8);
* name: the stored file is named by a random key (``<key>.bin``) under
  ``<dir_setting>`` (default ``<instance>/uploads/<name>``), never by anything
  the person typed; the original name is kept, through ``secure_filename``, for
  display and download.

Removing the author's name from the file's metadata is ``strip_metadata``; what
to do with a file that cannot be cleaned is the activity's choice. Serving a
file (always as an attachment, ``application/octet-stream``, only to those
allowed) is the view's.

Side effects: writes and deletes files. A file written for a request that then
fails stays orphaned (harmless, unreachable: no row names it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from werkzeug.utils import secure_filename

DEFAULT_MAX = 10 * 1024 * 1024
_ZIP = (b"PK\x03\x04",)
#: Extension -> accepted leading bytes (None: UTF-8 text).
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": _ZIP,
    "pptx": _ZIP,
    "xlsx": _ZIP,
    "odt": _ZIP,
    "txt": None,
    "md": None,
    "csv": None,
}
_HEX = frozenset("0123456789abcdef")


class UploadError(ValueError):
    """A file refused, with the sentence for the person and an HTTP status (413
    too large, else 422)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


def extension(name: str) -> str:
    """The lower-case extension without its dot ("" when there is none)."""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_key(key: str | None) -> bool:
    """Whether ``key`` is a storage key this module could have made."""
    return bool(key) and set(key or "") <= _HEX


@dataclass(frozen=True)
class UploadKind:
    """One activity's uploads: where they go, how large and of which types they may
    be, and how a refused type is explained."""

    #: Default folder under ``<instance>/uploads``.
    name: str
    #: Config keys: the folder, the size limit in bytes.
    dir_setting: str
    max_setting: str
    #: Accepted extensions (each one of ``SIGNATURES``).
    extensions: frozenset[str]
    #: The sentence that refuses any other type.
    wrong_type: str
    #: The sentence that refuses a text file that is not UTF-8 (``{ext}``: its extension).
    not_text: str = "A .{ext} file must be UTF-8 text."

    def directory(self) -> Path:
        configured = current_app.config.get(self.dir_setting)
        path = (
            Path(configured)
            if configured
            else Path(current_app.instance_path) / "uploads" / self.name
        )
        path.mkdir(parents=True, exist_ok=True)
        return path

    def max_bytes(self) -> int:
        return int(current_app.config.get(self.max_setting, DEFAULT_MAX))

    def read(self, stream: IO[bytes]) -> bytes:
        """The upload's bytes, refused (413) past the limit without reading on."""
        limit = self.max_bytes()
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise UploadError(f"The file is too large: at most {limit // (1024 * 1024)} MB.", 413)
        return data

    def check(self, filename: str, data: bytes) -> str:
        """The sanitised name, or ``UploadError`` saying what is wrong."""
        safe = secure_filename(filename or "")[:200]
        ext = extension(safe)
        if ext not in self.extensions:
            raise UploadError(self.wrong_type)
        if not data:
            raise UploadError("The file is empty.")
        signatures = SIGNATURES[ext]
        if signatures is None:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UploadError(self.not_text.format(ext=ext)) from exc
        elif not any(data.startswith(sig) for sig in signatures):
            raise UploadError(f"The file's content is not a .{ext} file.")
        return safe

    def store(self, data: bytes) -> str:
        """Write ``data`` under a new random key; returns the key."""
        key = secrets.token_hex(16)
        (self.directory() / f"{key}.bin").write_bytes(data)
        return key

    def path_of(self, key: str | None) -> Path | None:
        """The stored file of ``key``, if it exists."""
        if key is None or not is_key(key):
            return None
        path = self.directory() / f"{key}.bin"
        return path if path.is_file() else None

    def remove(self, key: str | None) -> None:
        if key is not None and is_key(key):
            (self.directory() / f"{key}.bin").unlink(missing_ok=True)
