"""Removing people's names from text published under a no-names promise (the
insights library, anonymous review comments, anonymous exports). Pure Python.

Given the names of a course's members — display names, given and family names,
e-mail addresses and their local parts — :class:`Redactor` replaces every
mention (``@Eli``, ``@Eli Smith``) with "a peer" ("A peer" where a sentence
starts) and every bare name (``Eli``, ``Eli's``, ``ELI``, ``Élodie`` written
``Elodie``) with "[name]".

Rules and edge cases:

* Matching is on whole words: text is cut into runs of letters and digits, so
  "Benefit", "Elias" and "Eli2" are not "Ben" or "Eli". A name of several words
  ("Eli Smith", "eli.smith") matches those words joined by spaces, dots,
  hyphens, underscores or apostrophes ("Eli Smith", "eli.smith", "eli_smith").
  The longest name wins ("Eli Smith" before "Eli").
* Case and diacritics do not matter: both sides are case-folded and stripped of
  combining marks before comparing, and what is replaced is the original text.
* A possessive keeps its ending ("Eli's idea" → "[name]'s idea").
* A name that is also an ordinary English word ("Will", "May", "Grace",
  "Brown") is replaced only when written with a capital letter or as an
  @mention, so "I will try" stays as it is; "Will said" still loses the name.
* Parts of a multi-word name count on their own when they have three letters or
  more ("Fatima Zahra" → "Fatima", "Zahra"); a whole given or family name counts
  from two letters ("Al"; a lone initial does not).
* Text without any member's name comes back unchanged, character for character.
* Known limit: scripts written without spaces between words (Chinese, Japanese,
  Thai) are not cut into words, so a name inside a longer run is not found.

:meth:`Redactor.html` works on sanitised HTML: only the text between tags is
changed (escaped again where it changed), and a tag whose attributes name a
member (a ``mailto:`` link, say) loses its attributes.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

NAME = "[name]"
PEER = "a peer"

#: Names that are also everyday English words: replaced only when capitalised or
#: @mentioned, so ordinary sentences are not mangled.
COMMON_WORDS = frozenset(
    (
        "al",
        "april",
        "art",
        "autumn",
        "baker",
        "bell",
        "bill",
        "black",
        "bob",
        "bond",
        "brown",
        "bush",
        "carol",
        "chase",
        "cook",
        "crystal",
        "dale",
        "dawn",
        "dean",
        "dove",
        "drew",
        "faith",
        "fox",
        "frank",
        "gay",
        "gene",
        "glen",
        "golden",
        "grace",
        "grant",
        "green",
        "guy",
        "hall",
        "hill",
        "holly",
        "hope",
        "hunter",
        "iris",
        "ivy",
        "jack",
        "jade",
        "jay",
        "joy",
        "june",
        "king",
        "lane",
        "lee",
        "liberty",
        "long",
        "love",
        "major",
        "mark",
        "marsh",
        "may",
        "mercy",
        "miles",
        "moon",
        "north",
        "page",
        "park",
        "pat",
        "patience",
        "penny",
        "pierce",
        "price",
        "rich",
        "river",
        "robin",
        "rock",
        "rose",
        "ruby",
        "rush",
        "sage",
        "sandy",
        "short",
        "sky",
        "small",
        "stone",
        "summer",
        "sunny",
        "sweet",
        "temple",
        "wade",
        "walker",
        "ward",
        "west",
        "white",
        "will",
        "winter",
        "wood",
        "woods",
        "young",
    )
)

_TOKEN = re.compile(r"[^\W_]+")
#: Runs of ASCII, or one other character at a time (folded on its own).
_ASCII_OR_NOT = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")
#: What may stand between the words of one name ("Eli Smith", "eli.smith").
_JOIN = re.compile(r"[\s.\-_'’@]{1,3}")
_SENTENCE_END = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")
_TAG = re.compile(r"(<[^>]*>)")
#: Tags after which a new sentence starts (paragraphs, line breaks, list items).
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|br|li|ul|ol|blockquote)\b", re.IGNORECASE)
_ATTRIBUTE_VALUE = re.compile(r"=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` case-folded and without combining marks, and for each character
    of the result the index of the original character it came from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for run in _ASCII_OR_NOT.finditer(text):
        piece = run.group()
        if piece.isascii():
            out.append(piece.lower())
            where.extend(range(run.start(), run.end()))
            continue
        folded = "".join(
            c for c in unicodedata.normalize("NFD", piece) if not unicodedata.combining(c)
        ).casefold()
        out.append(folded)
        where.extend([run.start()] * len(folded))
    return "".join(out), where


def _folded(text: str) -> str:
    if text.isascii():
        return text.lower()
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    ).casefold()


def _words(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(_folded(text)))


def name_forms(
    *,
    display_name: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    email: str | None = None,
) -> set[str]:
    """Every way of writing one member's name that should be removed."""
    forms: set[str] = set()
    for value in (display_name, given_name, family_name):
        value = (value or "").strip()
        if len(value) < 2:  # blank, or an initial: a lone letter is no name to find
            continue
        forms.add(value)
        forms.update(p for p in re.split(r"[\s\-]+", value) if len(p) >= 3)
    address = (email or "").strip()
    if "@" in address:
        local = address.split("@", 1)[0]
        forms.add(address)
        if len(local) >= 2:
            forms.add(local)
        forms.update(p for p in re.split(r"[._\-+]+", local) if len(p) >= 3)
    return forms


@dataclass(frozen=True)
class Redactor:
    """Removes the given names from text. Build it once per course and page."""

    names: frozenset[tuple[str, ...]]
    longest: int
    _first: frozenset[str] = field(repr=False, default=frozenset())

    @classmethod
    def of(cls, names: Iterable[str]) -> Redactor:
        """A redactor for these names (any of :func:`name_forms`); blank ones and
        ones without a letter or digit are ignored."""
        found = frozenset(w for w in (_words(n) for n in names) if w)
        return cls(found, max((len(w) for w in found), default=0), frozenset(w[0] for w in found))

    def text(self, text: str, *, preceding: str = "") -> str:
        """``text`` with every member's name replaced (see the module docstring);
        ``preceding`` is the text before it (to tell whether a sentence starts)."""
        if not self.names or not text:
            return text
        folded, where = _fold(text)
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(folded)]
        spans: list[tuple[int, int, bool]] = []  # original start, end, is a mention
        i = 0
        while i < len(tokens):
            hit = self._match(folded, tokens, i, text, where)
            if hit == 0:
                i += 1
                continue
            start, end = where[tokens[i][0]], where[tokens[i + hit - 1][1] - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            mention = (
                start > 0
                and text[start - 1] in "@＠"
                and (start == 1 or not (text[start - 2].isalnum() or text[start - 2] == "_"))
            )
            spans.append((start - 1 if mention else start, end, mention))
            i += hit
        if not spans:
            return text
        out: list[str] = []
        cursor = 0
        for start, end, mention in spans:
            out.append(text[cursor:start])
            if mention:  # a sentence starts: judged on the few characters before it
                before = (preceding + text[:start])[-8:] if start < 8 else text[start - 8 : start]
                out.append("A peer" if _SENTENCE_END.search(before) else PEER)
            else:
                out.append(NAME)
            cursor = end
        out.append(text[cursor:])
        return "".join(out)

    def _match(
        self, folded: str, tokens: list[tuple[int, int]], i: int, text: str, where: list[int]
    ) -> int:
        """How many tokens from ``i`` on form a name (0: none), longest first."""
        first = folded[tokens[i][0] : tokens[i][1]]
        if first not in self._first:
            return 0
        for n in range(min(self.longest, len(tokens) - i), 0, -1):
            if any(
                not _JOIN.fullmatch(folded[tokens[k][1] : tokens[k + 1][0]])
                for k in range(i, i + n - 1)
            ):
                continue
            words = tuple(folded[a:b] for a, b in tokens[i : i + n])
            if words not in self.names:
                continue
            if n == 1 and words[0] in COMMON_WORDS:
                start = where[tokens[i][0]]
                mentioned = start > 0 and text[start - 1] in "@＠"
                if not (mentioned or text[start].isupper()):
                    continue
            return n
        return 0

    def _tag(self, tag: str) -> str:
        """A tag, without its attributes when one of their values names a member."""
        values = [html_lib.unescape("".join(v)) for v in _ATTRIBUTE_VALUE.findall(tag)]
        if not any(self.text(v) != v for v in values):
            return tag
        element = re.match(r"<\s*([A-Za-z][A-Za-z0-9]*)", tag)
        return f"<{element.group(1)}>" if element else ""

    def html(self, markup: str) -> str:
        """Sanitised HTML with the names removed from its text and attributes."""
        if not self.names or not markup:
            return markup
        parts = _TAG.split(markup)
        seen = ""
        for index, part in enumerate(parts):
            if not part:
                continue
            if index % 2:  # a tag
                parts[index] = self._tag(part)
                if _BLOCK_TAG.match(part):
                    seen = ""
                continue
            plain = html_lib.unescape(part)
            cleaned = self.text(plain, preceding=seen)
            seen += plain
            if cleaned != plain:
                parts[index] = html_lib.escape(cleaned, quote=False)
        return "".join(parts)


def redact(text: str, names: Iterable[str]) -> str:
    """``text`` without the given names (one-off use of :class:`Redactor`)."""
    return Redactor.of(names).text(text)
