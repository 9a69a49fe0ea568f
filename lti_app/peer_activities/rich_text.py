"""User-written rich text, for every activity: people type Markdown (a toolbar
helps: ``forms.rich_field``), it is rendered (CommonMark, markdown-it-py) and
cleaned to a small tag set through nh3 (the binding of Rust's ammonia) when
saved. Only what :func:`rich_text` returns may be rendered with ``|safe``;
everything else is escaped by Jinja. Edit boxes show Markdown again
(:func:`editable`), never tags."""

from __future__ import annotations

import html
import re

import nh3
from flask import g, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from lti_app.domain.markdown_source import html_to_markdown

TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Elements whose content goes too (not just the tags): scripts and styles.
DROP_CONTENT = frozenset({"script", "style"})
#: CommonMark with a typed line break kept as a line break (as people expect in a
#: text box); HTML typed or pasted in passes to nh3, which keeps only ``TAGS``.
#: Only what the tag set can show is on: paragraphs, emphasis, lists, links,
#: quotes. Headings, code, rules and images stay off (their tags would be dropped,
#: so "# 1" or an indented line stays the text it was).
_MARKDOWN = MarkdownIt("commonmark", {"breaks": True, "html": True}).disable(
    ["heading", "lheading", "code", "fence", "hr", "image", "backticks", "reference"]
)
#: The line ends markdown-it puts after tags and before block tags (stored HTML
#: has none; a typed line break is a ``<br>``).
_BETWEEN_TAGS = re.compile(r">\n+|\n+(?=</?(?:p|ul|ol|li|blockquote)\b)")
#: Elements with nothing in them (a lone ">" or "-", a link without text): they
#: show nothing, and an edit box would have nothing to show for them.
_EMPTY = re.compile(
    r"<(p|li|ul|ol|blockquote|strong|em)>(?:\s|<br>)*</\1>|<a\b[^>]*>(?:\s|<br>)*</a>"
)
#: A link that goes nowhere (no address, or one the sanitiser removed): its text.
_DEAD_LINK = re.compile(r'<a(?![^>]*\bhref="[^"]+")[^>]*>(.*?)</a>', re.S)
#: A line break at the edge of a link, bold or italic text (Markdown cannot say it).
_INLINE_EDGE_BREAK = re.compile(
    r"(<a\b[^>]*>|<strong>|<em>)\s*(?:<br>\s*)+|\s*(?:<br>\s*)+(</a>|</strong>|</em>)"
)
#: Spaces at the edge of a link, bold or italic text: moved outside it, as
#: Markdown has them (``**bold** text``).
_INLINE_EDGE_SPACE = re.compile(r"(<a\b[^>]*>|<strong>|<em>)(\s+)|(\s+)(</a>|</strong>|</em>)")
#: A list item that is one paragraph (a "loose" list item): the paragraph's text.
_ONE_PARAGRAPH_ITEM = re.compile(r"<li><p>((?:(?!</?p>|</?li>).)*)</p></li>", re.S)
#: Spaces and line breaks that show nothing: at the start or end of a paragraph
#: or list item (or of the whole text), and spaces around a line break.
_EDGE_SPACE = re.compile(
    r"(?<=<p>)(?:\s|<br>)+|(?<=<li>)(?:\s|<br>)+|(?:\s|<br>)+(?=</(?:p|li)>)"
    r"|\s+(?=<br>)|(?<=<br>)\s+|^(?:\s|<br>)+|(?:\s|<br>)+$"
)


def rich_text(raw: str, *, limit: int = 50000) -> str:
    """Sanitised HTML from what a person typed (Markdown; HTML is accepted too).
    Plain text keeps its paragraphs (blank lines) and line breaks."""
    source = (raw or "").strip()[:limit]
    if not source:
        return ""
    rendered = _BETWEEN_TAGS.sub(
        lambda m: ">" if m.group().startswith(">") else "", _MARKDOWN.render(source)
    )
    cleaned = _DEAD_LINK.sub(r"\1", _clean(rendered))
    while True:
        before = cleaned
        cleaned = _INLINE_EDGE_BREAK.sub(r"\1\2", cleaned)
        cleaned = _INLINE_EDGE_SPACE.sub(_outside, cleaned)
        cleaned = _EDGE_SPACE.sub("", _EMPTY.sub("", cleaned))
        cleaned = _ONE_PARAGRAPH_ITEM.sub(r"<li>\1</li>", cleaned)
        if cleaned == before:
            return cleaned


def _outside(m: re.Match[str]) -> str:
    """An inline element's edge spaces, moved outside it (one space)."""
    return " " + m.group(1) if m.group(1) else m.group(4) + " "


def shown(cleaned: str | None) -> Markup:
    """Stored rich text for a page (the Jinja filter ``rich``): sanitised again on
    the way out, so a template never marks unchecked text safe."""
    return Markup(_clean(cleaned or ""))  # noqa: S704 - nh3 just sanitised it


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


def editable(cleaned: str | None) -> str:
    """What an edit box shows for stored rich text: Markdown, as it would have
    been typed (``<p>A <strong>b</strong></p>`` → ``A **b**``), so an edit shows
    no tags and saving it unchanged stores the same HTML. Jinja escapes it into
    the textarea."""
    return html_to_markdown(cleaned or "")


def assets() -> Markup:
    """The toolbar's stylesheet and script, once a page (``forms.rich_field``)."""
    if g.get("rich_text_assets"):
        return Markup("")
    g.rich_text_assets = True
    css = url_for("static", filename="editors.css")
    js = url_for("static", filename="rich_text.js")
    return Markup(  # noqa: S704 - our own static URLs and the request's nonce
        f'<link rel="stylesheet" href="{css}">'
        f'<script nonce="{g.get("csp_nonce", "")}" src="{js}" defer></script>'
    )
