"""The insights library promises "Entries do not name who said what": a post
captured with "@Bruno" and names in it shows in the library without any course
member's name (also for entries stored before the promise was enforced), a
search for a name finds nothing, and the group's own summary and the post keep
the words as written."""

from __future__ import annotations

import html
import re

from tests.grouping.support import ASHA, BRUNO, CARLA, DEV

GROUP = (ASHA, BRUNO, CARLA, DEV)
WRITTEN = (
    "Agree with @Bruno. Bruno's idea fits Asha’s budget; ASHA and carla "
    "should write to dev@acme.test. Benefit: fewer meetings."
)


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _library(cd, who, **args) -> str:
    resp = cd.client.get("/cd/library", query_string={"t": cd.visit(who).token, **args})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _publish_captured(cd) -> tuple[str, str, object]:
    staff = cd.setup(GROUP)
    group = cd.group_of(ASHA)
    thread = cd.new_thread(DEV, "Where to cut", "We could pause hiring.")
    assert cd.reply(CARLA, thread, WRITTEN).status_code == 303
    post = cd.post_ids(thread)[1]
    assert cd.post(staff, f"posts/{post}/capture", section="ideas").status_code == 303
    assert (
        cd.post(
            staff,
            f"groups/{group}/summary/items",
            section="resources",
            body='<a href="mailto:bruno@acme.test">Write to Bruno</a>',
        ).status_code
        == 303
    )
    assert cd.post(staff, f"groups/{group}/summary/publish").status_code == 303
    return group, thread, staff


def test_a_captured_post_shows_in_the_library_without_names_or_mentions(cd) -> None:
    group, thread, staff = _publish_captured(cd)
    for who in (DEV, staff):
        page = _library(cd, who)
        words = _text(page)
        assert "Agree with a peer." in words
        assert (
            "[name]'s idea fits [name]’s budget; [name] and [name] should write to [name]." in words
        )
        assert "Benefit: fewer meetings." in words  # a word containing a name is kept
        for name in ("bruno", "asha", "carla", "dev@", "silva", "patel"):
            assert name not in words.lower(), name
        assert "@" not in words
        assert "mailto:" not in page  # a link naming a member loses its address
        assert "Entries do not name who said what" in words
    # The group's own summary and the post itself keep the words as written.
    summary = _text(cd.get(cd.visit(BRUNO), f"groups/{group}/summary").get_data(as_text=True))
    assert "Agree with @Bruno. Bruno's idea" in summary
    post = _text(cd.thread_page(BRUNO, thread).get_data(as_text=True))
    assert "Agree with @Bruno" in post
    # The facilitator's editor says what the library will do.
    editor = _text(cd.get(staff, f"groups/{group}/summary").get_data(as_text=True))
    assert "insights library shows it without names" in editor


def test_searching_the_library_for_a_name_finds_nothing(cd) -> None:
    _publish_captured(cd)
    miss = _text(_library(cd, DEV, q="Bruno"))
    assert "Nothing matches" in miss and "fewer meetings" not in miss
    hit = _text(_library(cd, DEV, q="fewer meetings"))
    assert "Agree with a peer." in hit
