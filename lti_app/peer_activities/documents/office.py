"""Metadata removal from zip-based office documents: OOXML (.docx, .xlsx, .pptx)
and ODF (.odt), with the XML and zip helpers they share (see ``metadata``)."""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET  # noqa: S405 - DTDs are refused before parsing
import zipfile
import zlib
from collections.abc import Callable

from lti_app.peer_activities.documents.common import (
    MAX_MEMBERS,
    MAX_UNPACKED,
    NEUTRAL_AUTHOR,
    NEUTRAL_INITIALS,
    Unreadable,
)
from lti_app.peer_activities.documents.images import IMAGE_CLEANERS

# -- XML helpers --------------------------------------------------------------------------


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parse_check(name: str, xml: bytes, check: Callable[[ET.Element], None] | None = None) -> None:
    """Parse ``xml`` (refusing DTDs: no entity expansion, no external entities) and
    run ``check`` on every element."""
    if _DTD.search(xml):
        raise Unreadable(f"{name} declares a DTD")
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
        pattern = re.compile(
            rb"(<" + re.escape(tag) + rb"(?:\s[^<>]*)?>)([^<]*)(</" + re.escape(tag) + rb"\s*>)"
        )
        xml = pattern.sub(lambda m, v=value: m.group(1) + v + m.group(3), xml)  # type: ignore[misc]
    return xml


# -- zip containers ----------------------------------------------------------------------


def _read_zip(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise Unreadable("it has too many parts")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise Unreadable("it holds two parts with the same name")
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise Unreadable("it unpacks to more than 200 MB")
    out = []
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Unreadable("it is password-protected")
        with archive.open(info) as member:
            content = member.read(MAX_UNPACKED - total + 1)
        total += len(content)
        if total > MAX_UNPACKED:
            raise Unreadable("it unpacks to more than 200 MB")
        out.append((info, content))
    return out


def _write_zip(
    parts: list[tuple[zipfile.ZipInfo, bytes]], stored_first: str | None = None
) -> bytes:
    """A fresh archive: same part names, order, dates and compression; no extra
    fields or comments (they may carry a user id or a path)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, content in parts:
            fresh = zipfile.ZipInfo(info.filename, date_time=max(info.date_time, _ZIP_EPOCH))
            fresh.compress_type = (
                zipfile.ZIP_STORED
                if info.filename == stored_first or info.compress_type == zipfile.ZIP_STORED
                else zipfile.ZIP_DEFLATED
            )
            fresh.external_attr = info.external_attr
            archive.writestr(fresh, content)
    result = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(result)) as check:  # re-read: CRCs and structure
        if check.testzip() is not None:
            raise Unreadable("the cleaned archive did not verify")
    return result


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _embedded_image(name: str, content: bytes) -> bytes:
    """A photo pasted into a document keeps its Exif (camera owner, GPS): cleaned
    like an upload, or kept as it is when it cannot be parsed (best effort: the
    document's own metadata is what names the author)."""
    cleaner = IMAGE_CLEANERS.get(name.rsplit(".", 1)[-1].lower())
    if cleaner is None:
        return content
    try:
        return cleaner(content)
    except (Unreadable, struct.error, IndexError, ValueError, zlib.error):
        return content


def _is_xml(name: str, content: bytes) -> bool:
    """Parts that must be well-formed XML. VML drawings often are not (and name
    nobody); LibreOffice writes some empty ``.xml`` parts."""
    return name.lower().endswith((".xml", ".rels")) and bool(content.strip())


# -- OOXML --------------------------------------------------------------------------------

_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
    b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/'
    b'dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    b"</cp:coreProperties>"
)
_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/docPropsVTypes"></Properties>'
)
_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/docPropsVTypes"></Properties>'
)
#: Part (lower-case) -> its neutral replacement.
_OOXML_REPLACE = {
    "docprops/core.xml": _CORE,
    "docprops/app.xml": _APP,
    "docprops/custom.xml": _CUSTOM,
}
#: Attributes (local name) naming a person, anywhere -> neutral value.
_OOXML_ATTRS = {
    b"author": NEUTRAL_AUTHOR.encode(),
    b"initials": NEUTRAL_INITIALS.encode(),
    b"userId": b"",
    b"providerId": b"None",
    b"userName": NEUTRAL_AUTHOR.encode(),
}
#: Parts that list people by ``name`` / ``displayName``.
_PEOPLE_PARTS = re.compile(
    r"^(ppt/commentAuthors\.xml|ppt/authors\.xml|xl/persons/[^/]+\.xml"
    r"|word/people\.xml|xl/revisions/userNames\.xml)$",
    re.IGNORECASE,
)
_PEOPLE_ATTRS = {b"name": NEUTRAL_AUTHOR.encode(), b"displayName": NEUTRAL_AUTHOR.encode()}
_BY_KIND = {b"core-properties": _CORE, b"extended-properties": _APP, b"custom-properties": _CUSTOM}
_PROPERTIES_REL = re.compile(
    rb'<Relationship\b(?=[^>]*Type="[^"]*/(core-properties|extended-properties|'
    rb'custom-properties)")[^>]*Target="([^"]+)"'
)
_LEGACY_COMMENTS = re.compile(r"^xl/comments[^/]*\.xml$", re.IGNORECASE)
_EXTERNAL_FILE = re.compile(
    rb'(Target\s*=\s*")((?:file:)?[^"]*[/\\])([^"/\\]*)("[^<>]*TargetMode\s*=\s*"External")'
)


def clean_ooxml(data: bytes) -> bytes:
    parts = _read_zip(data)
    if not any(i.filename == "[Content_Types].xml" for i, _ in parts):
        raise Unreadable("it is not an Office Open XML file")
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
    neutral = {
        "author": NEUTRAL_AUTHOR,
        "initials": NEUTRAL_INITIALS,
        "userId": "",
        "providerId": "None",
        "userName": NEUTRAL_AUTHOR,
    }
    people = bool(_PEOPLE_PARTS.match(name))

    def check(elem: ET.Element) -> None:
        for attr, value in elem.attrib.items():
            local = _local(attr)
            if local in neutral and value != neutral[local]:
                raise Unreadable(f"a name in {name} could not be removed")
            if people and local in ("name", "displayName") and value != NEUTRAL_AUTHOR:
                raise Unreadable(f"a name in {name} could not be removed")

    return check


# -- ODF ----------------------------------------------------------------------------------

_ODF_META = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
    b'office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="%s">'
    b"<office:meta/></office:document-meta>"
)
_DC = "{http://purl.org/dc/elements/1.1/}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
#: Elements naming a person in ODF content (comments, tracked changes) -> neutral text.
_ODF_PEOPLE = {
    f"{_DC}creator": NEUTRAL_AUTHOR,
    f"{_META}creator-initials": NEUTRAL_INITIALS,
    f"{_META}initial-creator": NEUTRAL_AUTHOR,
    f"{_META}printed-by": NEUTRAL_AUTHOR,
}
_ODF_VERSION = re.compile(rb'office:version="([0-9.]{1,8})"')


def clean_odf(data: bytes) -> bytes:
    parts = _read_zip(data)
    if (
        not parts
        or parts[0][0].filename != "mimetype"
        or not parts[0][1].startswith(b"application/vnd.oasis.opendocument.")
    ):
        raise Unreadable("it is not an OpenDocument file")
    cleaned = []
    for info, content in parts:
        name = info.filename
        if name == "meta.xml":
            found = _ODF_VERSION.search(content)
            content = _ODF_META % (found.group(1) if found else b"1.2")
        elif _is_xml(name, content):
            _parse_check(name, content)
            content = _sub_element_text(
                content,
                {
                    b"dc:creator": NEUTRAL_AUTHOR.encode(),
                    b"meta:creator-initials": NEUTRAL_INITIALS.encode(),
                    b"meta:initial-creator": NEUTRAL_AUTHOR.encode(),
                    b"meta:printed-by": NEUTRAL_AUTHOR.encode(),
                },
            )
            _parse_check(name, content, _odf_verifier(name))
        else:
            content = _embedded_image(name, content)
        cleaned.append((info, content))
    return _write_zip(cleaned, stored_first="mimetype")


def _odf_verifier(name: str) -> Callable[[ET.Element], None]:
    def check(elem: ET.Element) -> None:
        expected = _ODF_PEOPLE.get(elem.tag)
        if expected is not None and (elem.text or "") != expected:
            raise Unreadable(f"a name in {name} could not be removed")

    return check
