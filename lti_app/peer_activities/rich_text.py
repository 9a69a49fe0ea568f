"""User-written rich text, for every activity: a small tag set through nh3 (the
binding of Rust's ammonia). Only what :func:`rich_text` returns may be rendered
with ``|safe``; everything else is escaped by Jinja."""

from __future__ import annotations

import html
import re

import nh3

TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Elements whose content goes too (not just the tags): scripts and styles.
DROP_CONTENT = frozenset({"script", "style"})
_BLOCK = re.compile(r"<(p|ul|ol|br|blockquote)\b")
_ONLY_PARAGRAPHS = re.compile(r"^(?:[^<]|<p>|</p>|<br>)*$")


def rich_text(raw: str, *, limit: int = 50000) -> str:
    """Sanitised HTML from what a person typed. Plain text (no block tags) keeps
    its paragraphs (blank lines) and line breaks."""
    cleaned = _clean((raw or "").strip()[:limit])
    if cleaned and not _BLOCK.search(cleaned):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", cleaned) if p.strip()]
        cleaned = _clean("".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs))
    return cleaned


def _clean(text: str) -> str:
    cleaned: str = nh3.clean(
        text,
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        clean_content_tags=set(DROP_CONTENT),
    )
    return cleaned.strip()


def plain(cleaned: str) -> str:
    """The text of sanitised HTML (for CSV exports and plain-text comments)."""
    text = re.sub(r"<br\s*/?>|</p>|</li>", "\n", cleaned)
    return html.unescape(nh3.clean(text, tags=set())).strip()


def editable(cleaned: str) -> str:
    """What an edit box shows for sanitised HTML: the text as typed when it is plain
    paragraphs (no markup to see, and ``rich_text`` turns it back into the same
    HTML), else the sanitised HTML itself. Jinja escapes it into the textarea
    either way, and saving sanitises it again."""
    if not _ONLY_PARAGRAPHS.match(cleaned or ""):
        return cleaned
    text = cleaned.replace("</p><p>", "\n\n").replace("<br>", "\n")
    return html.unescape(text.replace("<p>", "").replace("</p>", ""))
