"""Metadata removal from PDF files, in place: strings are blanked with spaces so
no byte moves and the cross-reference table stays right (see ``metadata``)."""

from __future__ import annotations

import re
import zlib

from lti_app.peer_activities.documents.common import MAX_UNPACKED, Unreadable

_INFO_REF = re.compile(rb"/Info\s+(\d+)\s+(\d+)\s+R")
#: Information-dictionary keys kept: dates say nothing about who, Trapped is a name.
_INFO_KEEP = {b"CreationDate", b"ModDate", b"Trapped"}
#: Keys that only ever hold document metadata (blanked wherever they appear).
_PDF_PEOPLE_KEYS = rb"Author|Creator|Producer|Company|Manager|LastModifiedBy|AuthorEmail"
_PDF_PEOPLE = re.compile(rb"/(" + _PDF_PEOPLE_KEYS + rb")(?=[\s(<])\s*(?=[(<])(?!<<)")
#: XMP properties naming a person or their software (qualified as XMP writes them).
_XMP_PEOPLE = (
    b"dc:creator",
    b"dc:contributor",
    b"dc:publisher",
    b"dc:rights",
    b"dc:title",
    b"dc:description",
    b"dc:subject",
    b"pdf:Author",
    b"pdf:Producer",
    b"pdf:Keywords",
    b"xmp:CreatorTool",
    b"xmpRights:Owner",
    b"photoshop:AuthorsPosition",
    b"photoshop:CaptionWriter",
    b"photoshop:Credit",
    b"xmpMM:Manager",
)
_WS = b" \t\r\n\f\x00"


def clean_pdf(data: bytes) -> bytes:
    if not data.startswith(b"%PDF-"):
        raise Unreadable("it is not a PDF file")
    if re.search(rb"/Encrypt\s*(\d+\s+\d+\s+R|<<)", data):
        raise Unreadable("it is encrypted")
    out = bytearray(data)
    for ref in {(m.group(1), m.group(2)) for m in _INFO_REF.finditer(data)}:
        bodies = list(_objects(data, *ref))
        if not bodies:  # inside a compressed object stream: cannot be edited in place
            raise Unreadable("its document properties are compressed")
        for start, end in bodies:
            _blank_info(data, out, start, end)
    for m in _PDF_PEOPLE.finditer(data):
        # Not inside a string blanked above (a title that reads "/Author (x)").
        if out[m.start() : m.end() + 1] == data[m.start() : m.end() + 1]:
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
            raise Unreadable("an object is not terminated")
        found.append((m.end(), end))
    return found


def _blank_info(data: bytes, out: bytearray, start: int, end: int) -> None:
    """Empty every string value of an information dictionary (indirect values too)."""
    body = data[start:end]
    if b"<<" not in body:
        raise Unreadable("its document properties are not a dictionary")
    done = start  # past the last string blanked: a "/" inside a string is no key
    for m in re.finditer(rb"/([A-Za-z0-9#_.-]+)\s*", body):
        key, at = m.group(1), start + m.end()
        if key in _INFO_KEEP or start + m.start() < done:
            continue
        if data[at : at + 1] == b"(" or (data[at : at + 1] == b"<" and data[at : at + 2] != b"<<"):
            done = _string_end(data, at)
            _blank_string_at(out, at)
            continue
        indirect = re.match(rb"(\d+)\s+(\d+)\s+R", data[at : at + 24])
        if indirect:
            targets = _objects(data, indirect.group(1), indirect.group(2))
            if not targets:
                raise Unreadable("its document properties are compressed")
            for t_start, t_end in targets:
                inner = re.search(rb"[(<]", data[t_start:t_end])
                if inner:
                    _blank_string_at(out, t_start + inner.start())


def _blank_string_at(out: bytearray, at: int) -> None:
    """Turn the PDF string starting at ``at`` into an empty one, padding with spaces
    so no byte moves: ``(Ana)`` -> ``()   ``, ``<FEFF0041>`` -> ``<>        ``."""
    end = _string_end(out, at)
    out[at:end] = (b"()" if out[at : at + 1] == b"(" else b"<>") + b" " * (end - at - 2)


def _string_end(buf: bytearray | bytes, at: int) -> int:
    """Index just past the literal or hex string starting at ``at``."""
    if buf[at : at + 1] == b"<":
        end = buf.find(b">", at)
        if end < 0 or not re.fullmatch(rb"[0-9A-Fa-f\s]*", bytes(buf[at + 1 : end])):
            raise Unreadable("a hex string is malformed")
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
    raise Unreadable("a string is not terminated")


_XMP_OPEN = re.compile(rb"<(" + b"|".join(re.escape(t) for t in _XMP_PEOPLE) + rb")(\s[^<>]*)?>")
_XMP_ATTR = re.compile(
    rb"\s(" + b"|".join(re.escape(t) for t in _XMP_PEOPLE) + rb")\s*=\s*(\"[^\"]*\"|'[^']*')"
)


def _blank_xmp(out: bytearray) -> None:
    """Blank (spaces, same length) the text inside identifying XMP properties and
    their attribute forms, in every uncompressed XMP packet."""
    for packet_start, packet_end in _xmp_packets(out):
        packet = bytes(out[packet_start:packet_end])
        for m in _XMP_OPEN.finditer(packet):
            close = packet.find(b"</" + m.group(1), m.end())
            if close < 0:
                continue  # an empty element (<dc:creator/>) has nothing to blank
            inner = packet[m.end() : close]
            blanked = re.sub(
                rb">[^<]*<",
                lambda t: b">" + b" " * (len(t.group(0)) - 2) + b"<",
                b">" + inner + b"<",
            )[1:-1]
            out[packet_start + m.end() : packet_start + close] = blanked
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
            raise Unreadable("its XMP metadata is not terminated")
        found.append((m.start(), end + len(end_tag)))
    return found


def _verify_pdf(data: bytes) -> None:
    """Refuse what cleaning could not reach: identifying values left uncompressed,
    or inside compressed object / metadata streams."""
    for m in _PDF_PEOPLE.finditer(data):
        end = _string_end(data, m.end())
        if data[m.end() + 1 : end - 1].strip(_WS):
            raise Unreadable("a document property could not be removed")
    for start, end in _xmp_packets(data):
        _check_xmp(data[start:end], "its XMP metadata could not be cleaned")
    for dictionary, stream in _metadata_streams(data):
        if b"/Filter" not in dictionary:
            continue  # uncompressed: scanned above
        if not re.search(rb"/Filter\s*(/FlateDecode|\[\s*/FlateDecode\s*\])", dictionary):
            raise Unreadable("its metadata is compressed in a way we cannot read")
        content = _inflate(stream)
        if re.search(rb"/Type\s*/Metadata\b", dictionary):
            _check_xmp(content, "its XMP metadata is compressed")
        for m in _PDF_PEOPLE.finditer(content):
            end = _string_end(content, m.end())
            if content[m.end() + 1 : end - 1].strip(_WS):
                raise Unreadable("its document properties are compressed")


def _check_xmp(packet: bytes, reason: str) -> None:
    """Raise ``reason`` when an identifying XMP property still has a value."""
    for m in _XMP_OPEN.finditer(packet):
        close = packet.find(b"</" + m.group(1), m.end())
        if close >= 0 and re.sub(rb"<[^<>]*>", b"", packet[m.end() : close]).strip(_WS):
            raise Unreadable(reason)
    for m in _XMP_ATTR.finditer(packet):
        if m.group(2)[1:-1].strip(_WS):
            raise Unreadable(reason)


def _metadata_streams(data: bytes) -> list[tuple[bytes, bytes]]:
    """(dictionary, raw data) of every XMP metadata stream and object stream (the
    places metadata can hide compressed)."""
    found = []
    for m in re.finditer(rb"\bstream(\r\n|\n|\r)", data):
        dict_start = data.rfind(b"obj", 0, m.start())
        dictionary = data[dict_start : m.start()] if dict_start >= 0 else b""
        if not re.search(rb"/Type\s*/(Metadata|ObjStm)\b", dictionary):
            continue
        end = data.find(b"endstream", m.end())
        if end < 0:
            raise Unreadable("a stream is not terminated")
        found.append((dictionary, data[m.end() : end]))
    return found


def _inflate(raw: bytes) -> bytes:
    inflater = zlib.decompressobj()
    content = inflater.decompress(raw, MAX_UNPACKED)
    if inflater.unconsumed_tail:
        raise Unreadable("a compressed stream is too large")
    return content
