"""Rich text for scenario cards and feedback: a small tag set, through nh3
(the binding of Rust's ammonia). Only what comes out of ``rich_text`` may be
rendered with ``|safe``."""

from __future__ import annotations

import re

import nh3

TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a"})
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Elements whose content goes too (not just the tags): scripts and styles.
DROP_CONTENT = frozenset({"script", "style"})


def rich_text(raw: str, *, limit: int = 20000) -> str:
    """Sanitised HTML from what a person typed. Plain text (no tags) becomes
    paragraphs: blank lines split them, single newlines become <br>."""
    text = (raw or "").strip()[:limit]
    cleaned = _clean(text)
    if cleaned and not _BLOCK.search(cleaned):
        # Typed as plain text: keep its paragraphs and line breaks.
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", cleaned) if p.strip()]
        cleaned = _clean("".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs))
    return cleaned


_BLOCK = re.compile(r"<(p|ul|ol|br)\b")


def _clean(text: str) -> str:
    cleaned: str = nh3.clean(text, tags=set(TAGS), attributes=ATTRIBUTES,
                             url_schemes=set(URL_SCHEMES), link_rel="noopener",
                             clean_content_tags=set(DROP_CONTENT))
    return cleaned.strip()


