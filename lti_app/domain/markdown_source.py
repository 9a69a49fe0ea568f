"""Sanitised rich-text HTML back to the Markdown a person would have typed.

Every rich-text field stores the sanitised HTML of what was typed (see
``peer_activities.rich_text``); an edit box shows Markdown again, so nobody sees
``<p>`` or has to type tags. Only the small tag set of the sanitiser is known
(p, br, strong, em, ul, ol, li, a, blockquote); any other tag keeps its text.
Text that Markdown would read as syntax is escaped with a backslash, so saving
the edit box unchanged gives the same HTML back.

Pure Python (the standard library's HTML parser); no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "ul", "ol", "li", "blockquote"})
#: What Markdown would read as syntax inside a line (and only that, so an edit
#: box shows as few backslashes as possible): a backslash before punctuation, a
#: ``*`` or ``_`` that could open or close emphasis, ``](`` of a link, ``<`` of a
#: tag or autolink, ``&`` of an entity.
_INLINE = re.compile(
    r"\\(?=[!-/:-@\[-`{-~]|$)"
    r"|(?<!\s)\*|\*(?!\s)"
    r"|(?<![A-Za-z0-9])_(?!\s)|(?<!\s)_(?![A-Za-z0-9])"
    r"|\](?=[(\[])"
    r"|<(?=[A-Za-z/!?])"
    r"|&(?=#?[A-Za-z0-9]+;)"
)
_IN_LINK = re.compile(_INLINE.pattern + r"|[\[\]]")
#: What Markdown reads at the start of a line: a quote or a list item.
_LINE_START = re.compile(r"^(?:(>)|([-+*])(?=\s|$)|(\d{1,9})(?=[.)](?:\s|$)))")


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag != "br":
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def escape_text(text: str, *, in_link: bool = False) -> str:
    """Plain text as Markdown that renders to exactly that text (one line); in a
    link's text every bracket is escaped too."""
    return (_IN_LINK if in_link else _INLINE).sub(lambda m: "\\" + m.group(), text)


def _escape_line_starts(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        line = line.lstrip(" \t")
        lines.append(_LINE_START.sub(_escape_start, line))
    return "\n".join(lines)


def _escape_start(m: re.Match[str]) -> str:
    """``\\>``, ``\\-``; a number keeps its digits: ``1\\.`` (the mark is escaped)."""
    if m.group(3):
        return m.group(3) + "\\"
    return "\\" + (m.group(1) or m.group(2))


def _inline(node: _Node, in_link: bool = False) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(escape_text(re.sub(r"\r?\n", " ", child), in_link=in_link))
        elif child.tag == "br":
            # A line break right after another is a Markdown hard break ("\\"
            # alone on its line); a plain second newline would end the paragraph.
            parts.append("\\\n" if parts and parts[-1] in ("\n", "\\\n") else "\n")
        elif child.tag == "strong":
            parts.append(_wrap("**", _inline(child, in_link)))
        elif child.tag == "em":
            parts.append(_wrap("*", _inline(child, in_link)))
        elif child.tag == "a":
            parts.append(_link(child))
        elif child.tag in _BLOCKS:
            parts.append("\n" + _blocks(child) + "\n")
        else:
            parts.append(_inline(child, in_link))
    return "".join(parts)


def _wrap(mark: str, inner: str) -> str:
    """``**inner**`` with the spaces moved outside (Markdown needs the marks to
    touch the text)."""
    stripped = inner.strip(" ")
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip(" "))]
    trail = inner[len(inner.rstrip(" ")) :]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _link(node: _Node) -> str:
    text = _inline(node, in_link=True).strip()
    href = node.attrs.get("href", "")
    if not href:
        return text
    if re.search(r"[\s()<>]", href):
        href = "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
    return f"[{text or href}]({href})"


def _list(node: _Node, alternate: bool = False) -> str:
    """A list; ``alternate`` marks (``*``, ``1)``) keep it apart from a list of
    the same kind just before it."""
    items = [c for c in node.children if isinstance(c, _Node) and c.tag == "li"]
    lines: list[str] = []
    for number, item in enumerate(items, start=1):
        if node.tag == "ol":
            marker = f"{number}) " if alternate else f"{number}. "
        else:
            marker = "* " if alternate else "- "
        tight = not any(isinstance(c, _Node) and c.tag == "p" for c in item.children)
        body = _blocks(item, "\n" if tight else "\n\n").strip("\n")
        indent = " " * len(marker)
        text = body.replace("\n", "\n" + indent)
        lines.append(marker + re.sub(r"\n +\n", "\n\n", text))
    return "\n".join(lines)


def _blocks(node: _Node, sep: str = "\n\n") -> str:
    """The Markdown of a node's children, blocks separated by blank lines."""
    out: list[str] = []
    run = _Node("run")
    previous = ""
    alternate = False

    def flush_run() -> None:
        nonlocal previous
        if run.children:
            text = _escape_line_starts(_inline(run).strip())
            if text:
                out.append(text)
                previous = "run"
            run.children.clear()

    for child in node.children:
        if isinstance(child, _Node) and child.tag in _BLOCKS:
            flush_run()
            if child.tag == "p" or child.tag == "li":
                text = _escape_line_starts(_inline(child).strip())
            elif child.tag == "blockquote":
                inner = _blocks(child)
                text = "\n".join(("> " + line).rstrip() for line in inner.split("\n"))
            else:
                alternate = previous == child.tag and not alternate
                text = _list(child, alternate)
            if text.strip("> \n"):
                out.append(text)
                previous = child.tag
        else:
            run.children.append(child)
    flush_run()
    return sep.join(out)


def html_to_markdown(cleaned: str) -> str:
    """The Markdown of sanitised HTML: ``<p>A <strong>b</strong></p>`` → ``A **b**``."""
    builder = _TreeBuilder()
    builder.feed(cleaned or "")
    builder.close()
    return _blocks(builder.root).strip()
