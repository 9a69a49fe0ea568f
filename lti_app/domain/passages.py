"""Comments anchored to passages of a text submission: where a passage is, which
anchors are acceptable, and the submission with its passages marked.

A submission's text is sanitised HTML (``lti_app.peer_activities.rich_text``). Its
*plain text* is the concatenation of its text nodes in document order, character
references decoded (``&amp;`` is one character, ``&``), tags contributing nothing
(not even ``<br>``). A passage is a half-open range ``[start, end)`` of character
offsets (Python ``str`` indices, i.e. code points) into that plain text. The
review page's script counts the same way (the text nodes of the rendered work),
and the server checks every anchor against the text it stored, so the offsets
hold however often the work is re-rendered, and no HTML from the browser is ever
trusted: :func:`mark` wraps passages in ``<mark>`` elements it writes itself.

Pure: standard library only.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

#: At most this many anchored comments in one review.
MAX_ANCHORS = 30
#: A comment on a passage: at most this many characters.
MAX_COMMENT = 2000
#: A passage: at most this many characters.
MAX_PASSAGE = 5000
#: Void elements: no end tag follows their start tag.
_VOID = frozenset({"br", "img", "hr", "wbr", "input", "meta", "link", "col", "area", "source"})


class AnchorError(ValueError):
    """An anchor that cannot be kept; the message says why, for the reviewer."""


@dataclass(frozen=True)
class Anchor:
    """A comment on the passage ``text[start:end]``; ``quote`` is that passage."""

    start: int
    end: int
    comment: str
    quote: str = ""


class _Walker(HTMLParser):
    """Rebuilds sanitised HTML token by token, counting the plain text; with
    ``ranges`` it wraps each range's characters in ``<mark>`` (one element per text
    node a range crosses, so the markup stays well nested)."""

    def __init__(self, ranges: list[tuple[int, int, int]] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.ranges = sorted(ranges or [])
        self.pos = 0
        self.text: list[str] = []
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        start = self.pos
        self.pos += len(data)
        self.text.append(data)
        cut = start
        for lo, hi, number in self.ranges:
            a, b = max(lo, start), min(hi, self.pos)
            if a >= b:
                continue
            self.out.append(html.escape(data[cut - start : a - start], quote=False))
            first = " pr-anchor-start" if a == lo else ""
            self.out.append(
                f'<mark class="pr-anchor{first}" data-anchor="{number}">'
                + html.escape(data[a - start : b - start], quote=False)
                + (f'<sup class="pr-anchor-n">{number}</sup>' if b == hi else "")
                + "</mark>"
            )
            cut = b
        self.out.append(html.escape(data[cut - start :], quote=False))


def plain_text(cleaned: str) -> str:
    """The plain text of sanitised HTML, as anchors count it (see the module)."""
    walker = _Walker()
    walker.feed(cleaned or "")
    walker.close()
    return "".join(walker.text)


def mark(cleaned: str, anchors: list[Anchor]) -> str:
    """The sanitised HTML with each anchor's passage in ``<mark data-anchor="n">``
    (n = 1, 2, … in order of position), its number in a ``<sup>`` at its end. The
    anchors must be valid (:func:`validate`); tags and attributes are those of
    ``cleaned``, text is escaped again."""
    ordered = sorted(anchors, key=lambda a: (a.start, a.end))
    walker = _Walker([(a.start, a.end, n) for n, a in enumerate(ordered, start=1)])
    walker.feed(cleaned or "")
    walker.close()
    return "".join(walker.out)


def validate(text: str, anchors: list[tuple[object, object, str]]) -> list[Anchor]:
    """The anchors a reviewer sent, as ``(start, end, comment)`` (offsets as typed,
    any type), checked against the plain text ``text``; returned sorted by position,
    each comment stripped and its passage quoted. Raises :class:`AnchorError` with
    a message for the reviewer: offsets that are not whole numbers or fall outside
    the text, an empty or whitespace-only passage, a passage or comment too long, an
    empty comment, overlapping passages, too many anchors."""
    if len(anchors) > MAX_ANCHORS:
        raise AnchorError(f"A review can comment on at most {MAX_ANCHORS} passages.")
    found: list[Anchor] = []
    for raw_start, raw_end, raw_comment in anchors:
        start, end = _offset(raw_start), _offset(raw_end)
        if not 0 <= start < end <= len(text):
            raise AnchorError(
                "A commented passage is not in the submission's text. Select it again."
            )
        quote = text[start:end]
        if not quote.strip():
            raise AnchorError("A commented passage is empty. Select some words of the text.")
        if end - start > MAX_PASSAGE:
            raise AnchorError(
                f"A commented passage is longer than {MAX_PASSAGE} characters. "
                "Select a shorter passage."
            )
        comment = (raw_comment or "").strip()
        if not comment:
            raise AnchorError(f"Write your comment on the passage “{_short(quote)}”.")
        if len(comment) > MAX_COMMENT:
            raise AnchorError(
                f"Your comment on “{_short(quote)}” is longer than {MAX_COMMENT} characters."
            )
        found.append(Anchor(start, end, comment, quote))
    found.sort(key=lambda a: (a.start, a.end))
    for before, after in zip(found, found[1:], strict=False):
        if after.start < before.end:
            raise AnchorError(
                f"The passages “{_short(before.quote)}” and “{_short(after.quote)}” overlap. "
                "Comment on each part of the text once."
            )
    return found


def find(text: str, words: str) -> tuple[int, int]:
    """Where the quoted ``words`` are in the plain text (the keyboard's and the
    no-script way to pick a passage): spaces match any run of white space; the
    words must occur exactly once. Raises :class:`AnchorError` with the reason."""
    tokens = (words or "").split()
    if not tokens:
        raise AnchorError("Quote the words of the passage your comment is about.")
    if len(words) > MAX_PASSAGE:
        raise AnchorError(f"Quote at most {MAX_PASSAGE} characters of the work.")
    pattern = re.compile(r"\s+".join(re.escape(t) for t in tokens))
    hits = [m.span() for m in pattern.finditer(text)]
    if not hits:
        raise AnchorError(
            f"“{_short(words)}” is not in the work's text: copy the words exactly, "
            "from one paragraph."
        )
    if len(hits) > 1:
        raise AnchorError(
            f"“{_short(words)}” appears {len(hits)} times in the work: quote more words, "
            "so that it is found once."
        )
    return hits[0]


def _offset(value: object) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise AnchorError("A commented passage is not in the submission's text. Select it again.")
    return int(text)


def _short(quote: str, limit: int = 40) -> str:
    one_line = " ".join(quote.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
