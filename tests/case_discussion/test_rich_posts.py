"""A post typed with Markdown shows formatted (the issue-19 post whose
``**bold**`` showed its asterisks), and its author's edit box shows the
Markdown they typed, never tags."""

from __future__ import annotations

import html
import re

from tests.grouping.support import ASHA, BRUNO, CARLA, DEV

GROUP = (ASHA, BRUNO, CARLA, DEV)

TYPED = "We **must** act:\n\n- pause *hiring*\n- share staff [across teams](https://ex.org/a)"


def test_a_markdown_post_is_shown_formatted_and_edited_as_typed(cd) -> None:
    cd.setup(GROUP)
    thread = cd.new_thread(BRUNO, "Where to cut", TYPED)
    page = cd.thread_page(BRUNO, thread).get_data(as_text=True)
    assert "We <strong>must</strong> act:</p><ul><li>pause <em>hiring</em></li>" in page
    assert '<a href="https://ex.org/a" rel="noopener noreferrer">across teams</a>' in page
    shown = re.sub(r"<textarea.*?</textarea>|<code>.*?</code>", "", page, flags=re.S)
    assert "**" not in shown and "&lt;p&gt;" not in shown
    boxes = re.findall(r'<textarea id="edit-[^"]*"[^>]*>(.*?)</textarea>', page, re.S)
    assert [html.unescape(b) for b in boxes] == [TYPED]
