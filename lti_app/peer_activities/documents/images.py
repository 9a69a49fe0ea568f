"""Metadata removal from JPEG and PNG images (see ``metadata`` for what is kept).

Used for uploaded images and for pictures embedded in office documents."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

from lti_app.peer_activities.documents.common import Unreadable

#: JPEG markers kept before the image data: APP0 (JFIF), APP2 (ICC profile only),
#: APP14 (Adobe colour transform); everything else (APP1 Exif/XMP, APP13 IPTC,
#: COM, …) with a name in it is dropped. Non-APP segments (tables, frame) are kept.
_APP0, _APP1, _APP2, _APP14, _APP15, _COM, _SOS = 0xE0, 0xE1, 0xE2, 0xEE, 0xEF, 0xFE, 0xDA


def clean_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise Unreadable("it is not a JPEG image")
    out = bytearray(b"\xff\xd8")
    orientation = None
    i = 2
    while True:
        if i >= len(data) or data[i] != 0xFF:
            raise Unreadable("its segments are malformed")
        while i < len(data) and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= len(data):
            raise Unreadable("it ends before the image data")
        marker = data[i]
        i += 1
        if marker in (0x01, *range(0xD0, 0xD8)):  # standalone markers
            out += bytes((0xFF, marker))
            continue
        if marker == 0xD9:
            raise Unreadable("it has no image data")
        (length,) = struct.unpack(">H", data[i : i + 2])
        if length < 2 or i + length > len(data):
            raise Unreadable("a segment is truncated")
        payload = data[i + 2 : i + length]
        segment = bytes((0xFF, marker)) + data[i : i + length]
        i += length
        if marker == _SOS:
            # The image data runs to the first EOI (0xFFD9 cannot occur inside it:
            # a 0xFF there is always followed by 0x00 or a restart marker). Bytes
            # after it (a phone's second "multi-picture" image, with its own Exif)
            # are dropped; a file cut short keeps what it has.
            eoi = data.find(b"\xff\xd9", i)
            out += segment + (data[i : eoi + 2] if eoi >= 0 else data[i:])
            break
        if marker == _APP1 and payload.startswith(b"Exif\x00\x00"):
            orientation = _exif_orientation(payload[6:]) or orientation
        keep = (
            marker < _APP0
            or marker > _APP15
            or marker in (_APP0, _APP14)
            or (marker == _APP2 and payload.startswith(b"ICC_PROFILE\x00"))
        )
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
        (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
        for n in range(count):
            entry = tiff[ifd + 2 + 12 * n : ifd + 14 + 12 * n]
            tag, kind = struct.unpack(order + "HH", entry[:4])
            if tag == 0x0112 and kind == 3:
                (value,) = struct.unpack(order + "H", entry[8:10])
                return int(value) if 2 <= value <= 8 else None
    except (KeyError, struct.error):
        return None
    return None


def _minimal_exif(orientation: int) -> bytes:
    tiff = (
        b"MM\x00\x2a"
        + struct.pack(">I", 8)
        + struct.pack(">H", 1)
        + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
        + struct.pack(">I", 0)
    )
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
        (length,) = struct.unpack(">H", data[i : i + 2])
        payload = data[i + 2 : i + length]
        if marker == _COM or (
            _APP0 <= marker <= _APP15
            and marker not in (_APP0, _APP2, _APP14)
            and not (marker == _APP1 and payload in _ORIENTATIONS)
        ):
            raise Unreadable("its metadata could not be removed")
        if marker == _SOS:
            return
        i += length


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Ancillary chunks that carry text, Exif or a timestamp.
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def clean_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise Unreadable("it is not a PNG image")
    out = bytearray(_PNG_SIGNATURE)
    i = len(_PNG_SIGNATURE)
    seen_header = False
    while True:
        if i + 12 > len(data):
            raise Unreadable("it is truncated")
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data) or not kind.isalpha():
            raise Unreadable("a chunk is truncated")
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[i + 4 : end - 4]) != crc:
            raise Unreadable("a chunk is damaged")
        if not seen_header and kind != b"IHDR":
            raise Unreadable("it does not start with its header")
        seen_header = True
        if kind not in _PNG_DROP:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            return bytes(out)


IMAGE_CLEANERS: dict[str, Callable[[bytes], bytes]] = {
    "jpg": clean_jpeg,
    "jpeg": clean_jpeg,
    "png": clean_png,
}
