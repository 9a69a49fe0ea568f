"""Remove the author's identity from an uploaded document's metadata.

Double-blind review promises that a reviewer does not learn whose work they
read, yet an office file, a PDF or a photo names its author in metadata nobody
sees until they open "Properties". :func:`strip_metadata` returns a copy of the
file without it, built with the standard library only, and refuses (raises
:class:`DocumentError`, whose ``advice`` says what to do) whatever it cannot
clean with certainty: a refused upload is an inconvenience, a leaked name breaks
a promise.

What is removed, by type
    OOXML (.docx, .xlsx, .pptx): ``docProps/core.xml``, ``app.xml`` and
    ``custom.xml`` are replaced by neutral, empty ones (creator, last modified by,
    company, manager, template, custom properties); every ``author`` attribute
    (tracked changes, comments) becomes "Author", ``initials`` "A"; people /
    comment-author lists (``word/people.xml``, ``ppt/commentAuthors.xml``,
    ``ppt/authors.xml``, ``xl/persons``, legacy ``xl/comments``) lose names,
    user ids and provider ids; a template path on the author's disk in a
    relationship is cut to its file name; embedded JPEG/PNG pictures lose their
    Exif and text chunks (best effort: one that cannot be parsed is kept).
    ODF (.odt): ``meta.xml`` is replaced by a neutral one; ``dc:creator`` (comments,
    tracked changes) becomes "Author" in every part, as ``meta:creator-initials``.
    PDF: every string of every document information dictionary (all revisions:
    title, author, subject, keywords, creator, producer, company, …; dates are
    kept) is emptied in place, and the text of identifying XMP properties
    (``dc:creator``, ``pdf:Producer``, ``xmp:CreatorTool``, …) is blanked. Bytes
    keep their offsets, so the cross-reference table stays right and the file is
    not rewritten. Refused: encrypted PDFs, and identifying metadata in a
    compressed XMP stream or an object stream (it cannot be edited without
    rewriting the file; no PDF library is installed).
    JPEG: APP1 (Exif, XMP), APP3–APP13 (IPTC "by-line"), APP15 and comments are
    dropped; JFIF, the ICC colour profile and Adobe's APP14 are kept, and a photo's
    Exif orientation is carried over in a minimal Exif block so it is not shown
    on its side. PNG: text chunks (tEXt, zTXt, iTXt), eXIf and tIME are dropped.
    Text (.txt, .md): no metadata; returned as is.

Not covered (the content itself): a name typed into the text, a header or a
slide; PDF annotation authors (``/T`` of comments); SharePoint properties under
``customXml/``. Authors are told on the page that their name must not appear in
the work itself.

Every result is checked again before it is returned (the zip re-read and every
XML part parsed, image structure walked, the PDF scanned for what was removed),
so a file is either cleaned and valid, or refused.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET  # noqa: S405 - only for its ParseError
import zipfile
import zlib
from collections.abc import Callable

from lti_app.peer_activities.documents.common import DocumentError, Unreadable
from lti_app.peer_activities.documents.images import clean_jpeg, clean_png
from lti_app.peer_activities.documents.office import clean_odf, clean_ooxml
from lti_app.peer_activities.documents.pdf import clean_pdf

_OFFICE_ADVICE = {
    "docx": "open it in Word, save it as a new .docx (File → Save As)",
    "xlsx": "open it in Excel, save it as a new .xlsx (File → Save As)",
    "pptx": "open it in PowerPoint, save it as a new .pptx (File → Save As)",
    "odt": "open it in LibreOffice, save it as a new .odt (File → Save As)",
}
_PDF_ADVICE = (
    "save it as a new PDF without password protection (Print → Save as PDF, "
    "or export it again from the program you wrote it in)"
)
_IMAGE_ADVICE = "save it as a new PNG or JPEG (e.g. take a screenshot of it)"


def strip_metadata(data: bytes, extension: str) -> bytes:
    """``data`` without identifying metadata, as a file of the same type.

    ``extension`` is the lower-case extension without its dot. Raises
    ``DocumentError`` when the file cannot be parsed or cleaned; never returns a
    file that is broken or still carries the metadata it was asked to remove.
    Types without metadata (text) and unknown types are returned unchanged.
    """
    ext = extension.lower().lstrip(".")
    cleaner = _CLEANERS.get(ext)
    if cleaner is None:
        return data
    advice = _OFFICE_ADVICE.get(ext) or (_PDF_ADVICE if ext == "pdf" else _IMAGE_ADVICE)
    try:
        return cleaner(data)
    except DocumentError:
        raise
    except Unreadable as exc:
        raise DocumentError(str(exc), advice) from exc
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ET.ParseError,
        zlib.error,
        struct.error,
        EOFError,
        UnicodeError,
        ValueError,
        IndexError,
        KeyError,
        NotImplementedError,
        RuntimeError,
    ) as exc:  # zipfile: unsupported flags, encryption
        raise DocumentError(f"it is not a readable .{ext} file", advice) from exc


_CLEANERS: dict[str, Callable[[bytes], bytes]] = {
    "docx": clean_ooxml,
    "xlsx": clean_ooxml,
    "pptx": clean_ooxml,
    "odt": clean_odf,
    "pdf": clean_pdf,
    "jpg": clean_jpeg,
    "jpeg": clean_jpeg,
    "png": clean_png,
}
#: Extensions whose metadata ``strip_metadata`` removes.
SUPPORTED = frozenset(_CLEANERS)
