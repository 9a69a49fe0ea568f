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

import io
import re
import struct
import xml.etree.ElementTree as ET  # noqa: S405 - DTDs are refused before parsing
import zipfile
import zlib
from collections.abc import Callable

__all__ = ["DocumentError", "strip_metadata", "SUPPORTED"]

#: Uncompressed size a zip document may unpack to (zip bombs).
MAX_UNPACKED = 200 * 1024 * 1024
MAX_MEMBERS = 20000
#: What neutral values replace names with.
NEUTRAL_AUTHOR = "Author"
NEUTRAL_INITIALS = "A"


class DocumentError(ValueError):
    """The file's metadata could not be removed with certainty; ``advice`` says
    how the person can make a file that can (already phrased for them)."""

    def __init__(self, reason: str, advice: str):
        super().__init__(reason)
        self.reason = reason
        self.advice = advice

    def message(self) -> str:
        """One paragraph for the person who uploaded the file."""
        return (f"We could not remove the author's name from this file ({self.reason}); "
                f"{self.advice} and upload again.")


_OFFICE_ADVICE = {
    "docx": "open it in Word, save it as a new .docx (File → Save As)",
    "xlsx": "open it in Excel, save it as a new .xlsx (File → Save As)",
    "pptx": "open it in PowerPoint, save it as a new .pptx (File → Save As)",
    "odt": "open it in LibreOffice, save it as a new .odt (File → Save As)",
}
_PDF_ADVICE = ("save it as a new PDF without password protection (Print → Save as PDF, "
               "or export it again from the program you wrote it in)")
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
    except _Unreadable as exc:
        raise DocumentError(str(exc), advice) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ET.ParseError, zlib.error,
            struct.error, EOFError, UnicodeError, ValueError, IndexError, KeyError,
            NotImplementedError, RuntimeError) as exc:  # zipfile: unsupported flags, encryption
        raise DocumentError(f"it is not a readable .{ext} file", advice) from exc


class _Unreadable(Exception):
    """The structure is not what the type promises, or holds what we cannot clean."""


# -- XML helpers --------------------------------------------------------------------------


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parse_check(name: str, xml: bytes, check: Callable[[ET.Element], None] | None = None
                 ) -> None:
    """Parse ``xml`` (refusing DTDs: no entity expansion, no external entities) and
    run ``check`` on every element."""
    if _DTD.search(xml):
        raise _Unreadable(f"{name} declares a DTD")
    for _event, elem in ET.iterparse(io.BytesIO(xml), events=("end",)):  # noqa: S314
        if check is not None:
            check(elem)
        elem.clear()


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


_TAG = re.compile(rb"<[A-Za-z_][^<>]*>")


def _sub_attributes(xml: bytes, values: dict[bytes, bytes], any_prefix: bool = True) -> bytes:
    """Replace the values of attributes named (local name) in ``values`` inside
    every start tag; other text is left alone."""
    names = b"|".join(re.escape(n) for n in values)
    prefix = rb"(?:[\w.-]+:)?" if any_prefix else b""
    attr = re.compile(rb"(\s" + prefix + rb"(" + names + rb")\s*=\s*)(\"[^\"]*\"|'[^']*')")

    def fix_tag(tag: re.Match[bytes]) -> bytes:
        return attr.sub(lambda m: m.group(1) + b'"' + values[m.group(2)] + b'"', tag.group(0))

    return _TAG.sub(fix_tag, xml)


def _sub_element_text(xml: bytes, tags: dict[bytes, bytes]) -> bytes:
    """Replace the text of elements with the given qualified names."""
    for tag, value in tags.items():
        pattern = re.compile(rb"(<" + re.escape(tag) + rb"(?:\s[^<>]*)?>)([^<]*)(</"
                             + re.escape(tag) + rb"\s*>)")
        xml = pattern.sub(lambda m, v=value: m.group(1) + v + m.group(3), xml)  # type: ignore[misc]
    return xml


# -- zip containers ----------------------------------------------------------------------


def _read_zip(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _Unreadable("it has too many parts")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _Unreadable("it holds two parts with the same name")
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise _Unreadable("it unpacks to more than 200 MB")
    out = []
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Unreadable("it is password-protected")
        with archive.open(info) as member:
            content = member.read(MAX_UNPACKED - total + 1)
        total += len(content)
        if total > MAX_UNPACKED:
            raise _Unreadable("it unpacks to more than 200 MB")
        out.append((info, content))
    return out


def _write_zip(parts: list[tuple[zipfile.ZipInfo, bytes]], stored_first: str | None = None
               ) -> bytes:
    """A fresh archive: same part names, order, dates and compression; no extra
    fields or comments (they may carry a user id or a path)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, content in parts:
            fresh = zipfile.ZipInfo(info.filename, date_time=max(info.date_time, _ZIP_EPOCH))
            fresh.compress_type = (zipfile.ZIP_STORED if info.filename == stored_first
                                   or info.compress_type == zipfile.ZIP_STORED
                                   else zipfile.ZIP_DEFLATED)
            fresh.external_attr = info.external_attr
            archive.writestr(fresh, content)
    result = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(result)) as check:  # re-read: CRCs and structure
        if check.testzip() is not None:
            raise _Unreadable("the cleaned archive did not verify")
    return result


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _embedded_image(name: str, content: bytes) -> bytes:
    """A photo pasted into a document keeps its Exif (camera owner, GPS): cleaned
    like an upload, or kept as it is when it cannot be parsed (best effort: the
    document's own metadata is what names the author)."""
    cleaner = _IMAGE_CLEANERS.get(name.rsplit(".", 1)[-1].lower())
    if cleaner is None:
        return content
    try:
        return cleaner(content)
    except (_Unreadable, struct.error, IndexError, ValueError, zlib.error):
        return content


def _is_xml(name: str, content: bytes) -> bool:
    """Parts that must be well-formed XML. VML drawings often are not (and name
    nobody); LibreOffice writes some empty ``.xml`` parts."""
    return name.lower().endswith((".xml", ".rels")) and bool(content.strip())


# -- OOXML --------------------------------------------------------------------------------

_CORE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
         b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
         b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/'
         b'dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
         b'</cp:coreProperties>')
_APP = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/docPropsVTypes"></Properties>')
_CUSTOM = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           b'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
           b'2006/docPropsVTypes"></Properties>')
#: Part (lower-case) -> its neutral replacement.
_OOXML_REPLACE = {"docprops/core.xml": _CORE, "docprops/app.xml": _APP,
                  "docprops/custom.xml": _CUSTOM}
#: Attributes (local name) naming a person, anywhere -> neutral value.
_OOXML_ATTRS = {b"author": NEUTRAL_AUTHOR.encode(), b"initials": NEUTRAL_INITIALS.encode(),
                b"userId": b"", b"providerId": b"None", b"userName": NEUTRAL_AUTHOR.encode()}
#: Parts that list people by ``name`` / ``displayName``.
_PEOPLE_PARTS = re.compile(r"^(ppt/commentAuthors\.xml|ppt/authors\.xml|xl/persons/[^/]+\.xml"
                           r"|word/people\.xml|xl/revisions/userNames\.xml)$", re.IGNORECASE)
_PEOPLE_ATTRS = {b"name": NEUTRAL_AUTHOR.encode(), b"displayName": NEUTRAL_AUTHOR.encode()}
_BY_KIND = {b"core-properties": _CORE, b"extended-properties": _APP,
            b"custom-properties": _CUSTOM}
_PROPERTIES_REL = re.compile(
    rb'<Relationship\b(?=[^>]*Type="[^"]*/(core-properties|extended-properties|'
    rb'custom-properties)")[^>]*Target="([^"]+)"')
_LEGACY_COMMENTS = re.compile(r"^xl/comments[^/]*\.xml$", re.IGNORECASE)
_EXTERNAL_FILE = re.compile(
    rb'(Target\s*=\s*")((?:file:)?[^"]*[/\\])([^"/\\]*)("[^<>]*TargetMode\s*=\s*"External")')


def _clean_ooxml(data: bytes) -> bytes:
    parts = _read_zip(data)
    if not any(i.filename == "[Content_Types].xml" for i, _ in parts):
        raise _Unreadable("it is not an Office Open XML file")
    replace = dict(_OOXML_REPLACE)
    rels = next((c for i, c in parts if i.filename == "_rels/.rels"), b"")
    for m in _PROPERTIES_REL.finditer(rels):  # properties parts stored under other names
        replace[m.group(2).decode("utf-8").lstrip("/").lower()] = _BY_KIND[m.group(1)]
    cleaned = []
    for info, content in parts:
        name = info.filename
        key = name.lower()
        if key in replace:
            content = replace[key]
        elif _is_xml(key, content):
            _parse_check(name, content)
            content = _sub_attributes(content, _OOXML_ATTRS)
            if _PEOPLE_PARTS.match(name):
                content = _sub_attributes(content, _PEOPLE_ATTRS, any_prefix=False)
            if _LEGACY_COMMENTS.match(name):
                content = _sub_element_text(content, {b"author": NEUTRAL_AUTHOR.encode()})
            if key.endswith(".rels"):
                content = _EXTERNAL_FILE.sub(_local_path_to_name, content)
            _parse_check(name, content, _ooxml_verifier(name))
        else:
            content = _embedded_image(name, content)
        cleaned.append((info, content))
    return _write_zip(cleaned)


def _local_path_to_name(m: re.Match[bytes]) -> bytes:
    """An external target on the author's disk (a template, a linked file), e.g.
    ``file:///C:\\Users\\bvogel\\Templates\\Report.dotx``, keeps only its name."""
    target = m.group(2)
    if target.startswith((b"http:", b"https:", b"mailto:")):
        return m.group(0)
    return m.group(1) + b"file:///" + m.group(3) + m.group(4)


def _ooxml_verifier(name: str) -> Callable[[ET.Element], None]:
    neutral = {"author": NEUTRAL_AUTHOR, "initials": NEUTRAL_INITIALS, "userId": "",
               "providerId": "None", "userName": NEUTRAL_AUTHOR}
    people = bool(_PEOPLE_PARTS.match(name))

    def check(elem: ET.Element) -> None:
        for attr, value in elem.attrib.items():
            local = _local(attr)
            if local in neutral and value != neutral[local]:
                raise _Unreadable(f"a name in {name} could not be removed")
            if people and local in ("name", "displayName") and value != NEUTRAL_AUTHOR:
                raise _Unreadable(f"a name in {name} could not be removed")

    return check


# -- ODF ----------------------------------------------------------------------------------

_ODF_META = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
             b'office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
             b'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="%s">'
             b'<office:meta/></office:document-meta>')
_DC = "{http://purl.org/dc/elements/1.1/}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
#: Elements naming a person in ODF content (comments, tracked changes) -> neutral text.
_ODF_PEOPLE = {f"{_DC}creator": NEUTRAL_AUTHOR, f"{_META}creator-initials": NEUTRAL_INITIALS,
               f"{_META}initial-creator": NEUTRAL_AUTHOR, f"{_META}printed-by": NEUTRAL_AUTHOR}
_ODF_VERSION = re.compile(rb'office:version="([0-9.]{1,8})"')


def _clean_odf(data: bytes) -> bytes:
    parts = _read_zip(data)
    if not parts or parts[0][0].filename != "mimetype" \
            or not parts[0][1].startswith(b"application/vnd.oasis.opendocument."):
        raise _Unreadable("it is not an OpenDocument file")
    cleaned = []
    for info, content in parts:
        name = info.filename
        if name == "meta.xml":
            found = _ODF_VERSION.search(content)
            content = _ODF_META % (found.group(1) if found else b"1.2")
        elif _is_xml(name, content):
            _parse_check(name, content)
            content = _sub_element_text(content, {
                b"dc:creator": NEUTRAL_AUTHOR.encode(),
                b"meta:creator-initials": NEUTRAL_INITIALS.encode(),
                b"meta:initial-creator": NEUTRAL_AUTHOR.encode(),
                b"meta:printed-by": NEUTRAL_AUTHOR.encode()})
            _parse_check(name, content, _odf_verifier(name))
        else:
            content = _embedded_image(name, content)
        cleaned.append((info, content))
    return _write_zip(cleaned, stored_first="mimetype")


def _odf_verifier(name: str) -> Callable[[ET.Element], None]:
    def check(elem: ET.Element) -> None:
        expected = _ODF_PEOPLE.get(elem.tag)
        if expected is not None and (elem.text or "") != expected:
            raise _Unreadable(f"a name in {name} could not be removed")

    return check


# -- PDF ----------------------------------------------------------------------------------

_INFO_REF = re.compile(rb"/Info\s+(\d+)\s+(\d+)\s+R")
#: Information-dictionary keys kept: dates say nothing about who, Trapped is a name.
_INFO_KEEP = {b"CreationDate", b"ModDate", b"Trapped"}
#: Keys that only ever hold document metadata (blanked wherever they appear).
_PDF_PEOPLE_KEYS = rb"Author|Creator|Producer|Company|Manager|LastModifiedBy|AuthorEmail"
_PDF_PEOPLE = re.compile(rb"/(" + _PDF_PEOPLE_KEYS + rb")(?=[\s(<])\s*(?=[(<])(?!<<)")
#: XMP properties naming a person or their software (qualified as XMP writes them).
_XMP_PEOPLE = (b"dc:creator", b"dc:contributor", b"dc:publisher", b"dc:rights", b"dc:title",
               b"dc:description", b"dc:subject", b"pdf:Author", b"pdf:Producer",
               b"pdf:Keywords", b"xmp:CreatorTool", b"xmpRights:Owner",
               b"photoshop:AuthorsPosition", b"photoshop:CaptionWriter",
               b"photoshop:Credit", b"xmpMM:Manager")
_WS = b" \t\r\n\f\x00"


def _clean_pdf(data: bytes) -> bytes:
    if not data.startswith(b"%PDF-"):
        raise _Unreadable("it is not a PDF file")
    if re.search(rb"/Encrypt\s*(\d+\s+\d+\s+R|<<)", data):
        raise _Unreadable("it is encrypted")
    out = bytearray(data)
    for ref in {(m.group(1), m.group(2)) for m in _INFO_REF.finditer(data)}:
        bodies = list(_objects(data, *ref))
        if not bodies:  # inside a compressed object stream: cannot be edited in place
            raise _Unreadable("its document properties are compressed")
        for start, end in bodies:
            _blank_info(data, out, start, end)
    for m in _PDF_PEOPLE.finditer(data):
        # Not inside a string blanked above (a title that reads "/Author (x)").
        if out[m.start():m.end() + 1] == data[m.start():m.end() + 1]:
            _blank_string_at(out, m.end())
    _blank_xmp(out)
    _verify_pdf(bytes(out))
    return bytes(out)


def _objects(data: bytes, num: bytes, gen: bytes) -> list[tuple[int, int]]:
    """(start, end) of the body of every uncompressed ``num gen obj`` (one per revision)."""
    found = []
    for m in re.finditer(rb"(?<![0-9])" + num + rb"\s+" + gen + rb"\s+obj\b", data):
        end = data.find(b"endobj", m.end())
        if end < 0:
            raise _Unreadable("an object is not terminated")
        found.append((m.end(), end))
    return found


def _blank_info(data: bytes, out: bytearray, start: int, end: int) -> None:
    """Empty every string value of an information dictionary (indirect values too)."""
    body = data[start:end]
    if b"<<" not in body:
        raise _Unreadable("its document properties are not a dictionary")
    done = start  # past the last string blanked: a "/" inside a string is no key
    for m in re.finditer(rb"/([A-Za-z0-9#_.-]+)\s*", body):
        key, at = m.group(1), start + m.end()
        if key in _INFO_KEEP or start + m.start() < done:
            continue
        if data[at:at + 1] == b"(" or (data[at:at + 1] == b"<" and data[at:at + 2] != b"<<"):
            done = _string_end(data, at)
            _blank_string_at(out, at)
            continue
        indirect = re.match(rb"(\d+)\s+(\d+)\s+R", data[at:at + 24])
        if indirect:
            targets = _objects(data, indirect.group(1), indirect.group(2))
            if not targets:
                raise _Unreadable("its document properties are compressed")
            for t_start, t_end in targets:
                inner = re.search(rb"[(<]", data[t_start:t_end])
                if inner:
                    _blank_string_at(out, t_start + inner.start())


def _blank_string_at(out: bytearray, at: int) -> None:
    """Turn the PDF string starting at ``at`` into an empty one, padding with spaces
    so no byte moves: ``(Ana)`` -> ``()   ``, ``<FEFF0041>`` -> ``<>        ``."""
    end = _string_end(out, at)
    out[at:end] = (b"()" if out[at:at + 1] == b"(" else b"<>") + b" " * (end - at - 2)


def _string_end(buf: bytearray | bytes, at: int) -> int:
    """Index just past the literal or hex string starting at ``at``."""
    if buf[at:at + 1] == b"<":
        end = buf.find(b">", at)
        if end < 0 or not re.fullmatch(rb"[0-9A-Fa-f\s]*", bytes(buf[at + 1:end])):
            raise _Unreadable("a hex string is malformed")
        return end + 1
    depth, i = 0, at
    while i < len(buf):
        c = buf[i]
        if c == 0x5C:  # backslash: the next byte is escaped
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise _Unreadable("a string is not terminated")


_XMP_OPEN = re.compile(rb"<(" + b"|".join(re.escape(t) for t in _XMP_PEOPLE) + rb")(\s[^<>]*)?>")
_XMP_ATTR = re.compile(rb"\s(" + b"|".join(re.escape(t) for t in _XMP_PEOPLE)
                       + rb")\s*=\s*(\"[^\"]*\"|'[^']*')")


def _blank_xmp(out: bytearray) -> None:
    """Blank (spaces, same length) the text inside identifying XMP properties and
    their attribute forms, in every uncompressed XMP packet."""
    for packet_start, packet_end in _xmp_packets(out):
        packet = bytes(out[packet_start:packet_end])
        for m in _XMP_OPEN.finditer(packet):
            close = packet.find(b"</" + m.group(1), m.end())
            if close < 0:
                continue  # an empty element (<dc:creator/>) has nothing to blank
            inner = packet[m.end():close]
            blanked = re.sub(rb">[^<]*<", lambda t: b">" + b" " * (len(t.group(0)) - 2) + b"<",
                             b">" + inner + b"<")[1:-1]
            out[packet_start + m.end():packet_start + close] = blanked
        for m in _XMP_ATTR.finditer(packet):
            value_start = packet_start + m.start(2) + 1
            value_end = packet_start + m.end(2) - 1
            out[value_start:value_end] = b" " * (value_end - value_start)


def _xmp_packets(buf: bytearray | bytes) -> list[tuple[int, int]]:
    found = []
    for m in re.finditer(rb"<x:xmpmeta\b|<rdf:RDF\b", buf):
        end_tag = b"</x:xmpmeta>" if m.group(0).startswith(b"<x:") else b"</rdf:RDF>"
        end = buf.find(end_tag, m.end())
        if end < 0:
            raise _Unreadable("its XMP metadata is not terminated")
        found.append((m.start(), end + len(end_tag)))
    return found


def _verify_pdf(data: bytes) -> None:
    """Refuse what cleaning could not reach: identifying values left uncompressed,
    or inside compressed object / metadata streams."""
    for m in _PDF_PEOPLE.finditer(data):
        end = _string_end(data, m.end())
        if data[m.end() + 1:end - 1].strip(_WS):
            raise _Unreadable("a document property could not be removed")
    for start, end in _xmp_packets(data):
        _check_xmp(data[start:end], "its XMP metadata could not be cleaned")
    for dictionary, stream in _metadata_streams(data):
        if b"/Filter" not in dictionary:
            continue  # uncompressed: scanned above
        if not re.search(rb"/Filter\s*(/FlateDecode|\[\s*/FlateDecode\s*\])", dictionary):
            raise _Unreadable("its metadata is compressed in a way we cannot read")
        content = _inflate(stream)
        if re.search(rb"/Type\s*/Metadata\b", dictionary):
            _check_xmp(content, "its XMP metadata is compressed")
        for m in _PDF_PEOPLE.finditer(content):
            end = _string_end(content, m.end())
            if content[m.end() + 1:end - 1].strip(_WS):
                raise _Unreadable("its document properties are compressed")


def _check_xmp(packet: bytes, reason: str) -> None:
    """Raise ``reason`` when an identifying XMP property still has a value."""
    for m in _XMP_OPEN.finditer(packet):
        close = packet.find(b"</" + m.group(1), m.end())
        if close >= 0 and re.sub(rb"<[^<>]*>", b"", packet[m.end():close]).strip(_WS):
            raise _Unreadable(reason)
    for m in _XMP_ATTR.finditer(packet):
        if m.group(2)[1:-1].strip(_WS):
            raise _Unreadable(reason)


def _metadata_streams(data: bytes) -> list[tuple[bytes, bytes]]:
    """(dictionary, raw data) of every XMP metadata stream and object stream (the
    places metadata can hide compressed)."""
    found = []
    for m in re.finditer(rb"\bstream(\r\n|\n|\r)", data):
        dict_start = data.rfind(b"obj", 0, m.start())
        dictionary = data[dict_start:m.start()] if dict_start >= 0 else b""
        if not re.search(rb"/Type\s*/(Metadata|ObjStm)\b", dictionary):
            continue
        end = data.find(b"endstream", m.end())
        if end < 0:
            raise _Unreadable("a stream is not terminated")
        found.append((dictionary, data[m.end():end]))
    return found


def _inflate(raw: bytes) -> bytes:
    inflater = zlib.decompressobj()
    content = inflater.decompress(raw, MAX_UNPACKED)
    if inflater.unconsumed_tail:
        raise _Unreadable("a compressed stream is too large")
    return content


# -- images -------------------------------------------------------------------------------

#: JPEG markers kept before the image data: APP0 (JFIF), APP2 (ICC profile only),
#: APP14 (Adobe colour transform); everything else (APP1 Exif/XMP, APP13 IPTC,
#: COM, …) with a name in it is dropped. Non-APP segments (tables, frame) are kept.
_APP0, _APP1, _APP2, _APP14, _APP15, _COM, _SOS = 0xE0, 0xE1, 0xE2, 0xEE, 0xEF, 0xFE, 0xDA


def _clean_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise _Unreadable("it is not a JPEG image")
    out = bytearray(b"\xff\xd8")
    orientation = None
    i = 2
    while True:
        if i >= len(data) or data[i] != 0xFF:
            raise _Unreadable("its segments are malformed")
        while i < len(data) and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= len(data):
            raise _Unreadable("it ends before the image data")
        marker = data[i]
        i += 1
        if marker in (0x01, *range(0xD0, 0xD8)):  # standalone markers
            out += bytes((0xFF, marker))
            continue
        if marker == 0xD9:
            raise _Unreadable("it has no image data")
        (length,) = struct.unpack(">H", data[i:i + 2])
        if length < 2 or i + length > len(data):
            raise _Unreadable("a segment is truncated")
        payload = data[i + 2:i + length]
        segment = bytes((0xFF, marker)) + data[i:i + length]
        i += length
        if marker == _SOS:
            # The image data runs to the first EOI (0xFFD9 cannot occur inside it:
            # a 0xFF there is always followed by 0x00 or a restart marker). Bytes
            # after it (a phone's second "multi-picture" image, with its own Exif)
            # are dropped; a file cut short keeps what it has.
            eoi = data.find(b"\xff\xd9", i)
            out += segment + (data[i:eoi + 2] if eoi >= 0 else data[i:])
            break
        if marker == _APP1 and payload.startswith(b"Exif\x00\x00"):
            orientation = _exif_orientation(payload[6:]) or orientation
        keep = (marker < _APP0 or marker > _APP15 or marker in (_APP0, _APP14)
                or (marker == _APP2 and payload.startswith(b"ICC_PROFILE\x00")))
        if marker == _COM:
            keep = False
        if keep:
            out += segment
    if orientation:
        exif = _minimal_exif(orientation)
        at = _after_app0(out)
        out[at:at] = exif
    _verify_jpeg(bytes(out))
    return bytes(out)


def _after_app0(out: bytearray) -> int:
    """Where the orientation block goes: right after SOI and a JFIF APP0."""
    if out[2:4] == b"\xff\xe0":
        length: int = struct.unpack(">H", out[4:6])[0]
        return 4 + length
    return 2


def _exif_orientation(tiff: bytes) -> int | None:
    """The Orientation (tag 0x0112) of IFD0 when it says the photo is turned."""
    try:
        order = {b"II": "<", b"MM": ">"}[tiff[:2]]
        (ifd,) = struct.unpack(order + "I", tiff[4:8])
        (count,) = struct.unpack(order + "H", tiff[ifd:ifd + 2])
        for n in range(count):
            entry = tiff[ifd + 2 + 12 * n:ifd + 14 + 12 * n]
            tag, kind = struct.unpack(order + "HH", entry[:4])
            if tag == 0x0112 and kind == 3:
                (value,) = struct.unpack(order + "H", entry[8:10])
                return int(value) if 2 <= value <= 8 else None
    except (KeyError, struct.error):
        return None
    return None


def _minimal_exif(orientation: int) -> bytes:
    tiff = (b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
            + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0))
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


_ORIENTATIONS = frozenset(_minimal_exif(o)[4:] for o in range(2, 9))


def _verify_jpeg(data: bytes) -> None:
    i = 2
    while True:
        while data[i] == 0xFF:
            i += 1
        marker = data[i]
        i += 1
        if marker in (0x01, *range(0xD0, 0xD8)):
            continue
        (length,) = struct.unpack(">H", data[i:i + 2])
        payload = data[i + 2:i + length]
        if marker == _COM or (_APP0 <= marker <= _APP15 and marker not in (_APP0, _APP2, _APP14)
                              and not (marker == _APP1 and payload in _ORIENTATIONS)):
            raise _Unreadable("its metadata could not be removed")
        if marker == _SOS:
            return
        i += length


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Ancillary chunks that carry text, Exif or a timestamp.
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _clean_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise _Unreadable("it is not a PNG image")
    out = bytearray(_PNG_SIGNATURE)
    i = len(_PNG_SIGNATURE)
    seen_header = False
    while True:
        if i + 12 > len(data):
            raise _Unreadable("it is truncated")
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        end = i + 12 + length
        if end > len(data) or not kind.isalpha():
            raise _Unreadable("a chunk is truncated")
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(data[i + 4:end - 4]) != crc:
            raise _Unreadable("a chunk is damaged")
        if not seen_header and kind != b"IHDR":
            raise _Unreadable("it does not start with its header")
        seen_header = True
        if kind not in _PNG_DROP:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            return bytes(out)


_IMAGE_CLEANERS: dict[str, Callable[[bytes], bytes]] = {
    "jpg": _clean_jpeg, "jpeg": _clean_jpeg, "png": _clean_png}
_CLEANERS: dict[str, Callable[[bytes], bytes]] = {
    "docx": _clean_ooxml, "xlsx": _clean_ooxml, "pptx": _clean_ooxml,
    "odt": _clean_odf,
    "pdf": _clean_pdf,
    "jpg": _clean_jpeg, "jpeg": _clean_jpeg,
    "png": _clean_png,
}
#: Extensions whose metadata ``strip_metadata`` removes.
SUPPORTED = frozenset(_CLEANERS)
