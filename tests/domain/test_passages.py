"""Comments anchored to passages: offsets over the plain text of sanitised HTML,
hostile anchors refused with a clear message, passages marked without trusting
anything but the stored text."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_app.domain import passages as ps
from lti_app.peer_activities.rich_text import rich_text

BODY = "<p>Hello <strong>big</strong> world &amp; more</p><p>Second<br>line</p>"


def test_the_plain_text_is_the_text_nodes_in_document_order_with_references_decoded() -> None:
    assert ps.plain_text(BODY) == "Hello big world & moreSecondline"
    assert ps.plain_text("") == ""


def test_a_passage_across_an_element_is_marked_in_each_text_node_it_crosses() -> None:
    text = ps.plain_text(BODY)
    anchors = ps.validate(text, [("6", "13", "Nice word.")])
    assert anchors[0].quote == "big wor"
    marked = ps.mark(BODY, anchors)
    assert marked.count('data-anchor="1"') == 2
    assert (
        '<strong><mark class="pr-anchor pr-anchor-start" data-anchor="1">big</mark></strong>'
        in (marked)
    )
    assert "&amp; more" in marked  # text escaped again, tags kept


def test_passages_are_numbered_by_position_whatever_order_they_came_in() -> None:
    text = ps.plain_text(BODY)
    second = text.index("Second")
    anchors = ps.validate(text, [(second, second + 6, "b"), (0, 5, "a")])
    assert [a.comment for a in anchors] == ["a", "b"]
    marked = ps.mark(BODY, anchors)
    assert marked.index('data-anchor="1"') < marked.index('data-anchor="2"')


@pytest.mark.parametrize(
    ("anchor", "message"),
    [
        (("-1", "3", "x"), "not in the submission's text"),
        (("0", "999", "x"), "not in the submission's text"),
        (("5", "5", "x"), "not in the submission's text"),
        (("7", "2", "x"), "not in the submission's text"),
        (("a", "3", "x"), "not in the submission's text"),
        (("1.5", "3", "x"), "not in the submission's text"),
        (("²", "3", "x"), "not in the submission's text"),
        (("0", "5", "   "), "Write your comment on the passage “Hello”"),
        (("0", "5", "x" * (ps.MAX_COMMENT + 1)), "longer than 2000 characters"),
    ],
)
def test_hostile_anchors_are_refused_with_a_clear_message(
    anchor: tuple[str, str, str], message: str
) -> None:
    with pytest.raises(ps.AnchorError, match=re.escape(message)):
        ps.validate(ps.plain_text(BODY), [anchor])


def test_a_passage_of_nothing_but_spaces_is_refused() -> None:
    with pytest.raises(ps.AnchorError, match="empty"):
        ps.validate("a   b", [(1, 4, "x")])


def test_overlapping_passages_are_refused_naming_both() -> None:
    text = ps.plain_text(BODY)
    with pytest.raises(ps.AnchorError, match="“Hello big” and “big world” overlap"):
        ps.validate(text, [(0, 9, "a"), (6, 15, "b")])


def test_too_many_passages_are_refused() -> None:
    text = "x" * 100
    with pytest.raises(ps.AnchorError, match="at most 30"):
        ps.validate(text, [(i, i + 1, "c") for i in range(31)])


def test_markup_in_a_comment_stays_text_and_never_reaches_the_marked_work() -> None:
    text = ps.plain_text(BODY)
    anchors = ps.validate(text, [(0, 5, "<script>alert(1)</script>")])
    assert anchors[0].comment == "<script>alert(1)</script>"  # plain text, escaped when shown
    assert "<script" not in ps.mark(BODY, anchors)


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1)


@given(st.lists(words, min_size=1, max_size=6), st.data())
def test_marking_valid_passages_keeps_the_text_and_marks_exactly_the_passages(
    paragraphs: list[str], data: st.DataObject
) -> None:
    body = rich_text("\n\n".join(paragraphs))
    text = ps.plain_text(body)
    if not text.strip():
        return
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(text)), max_size=8))))
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if text[a:b].strip()]
    anchors = ps.validate(text, [(a, b, "note") for a, b in pairs])
    marked = ps.mark(body, anchors)
    # Dropping the marks and their numbers gives back the same text.
    bare = re.sub(r'<sup class="pr-anchor-n">\d+</sup>', "", marked)
    assert ps.plain_text(bare) == text
    # Each passage's marked pieces, joined, are exactly the passage.
    for n, a in enumerate(anchors, start=1):
        pieces = re.findall(
            rf'<mark class="pr-anchor[^"]*" data-anchor="{n}">(.*?)(?:<sup|</mark>)', marked
        )
        assert html.unescape("".join(pieces)) == a.quote


@given(
    st.text(max_size=40), st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60)), max_size=5)
)
def test_whatever_offsets_arrive_the_result_is_sorted_disjoint_and_inside_the_text_or_refused(
    text: str, pairs: list[tuple[int, int]]
) -> None:
    try:
        anchors = ps.validate(text, [(a, b, "c") for a, b in pairs])
    except ps.AnchorError as exc:
        assert str(exc)[0].isupper() and str(exc).endswith((".", "”"))
        return
    for a in anchors:
        assert 0 <= a.start < a.end <= len(text) and a.quote == text[a.start : a.end]
    for before, after in zip(anchors, anchors[1:], strict=False):
        assert before.end <= after.start


def test_a_quoted_passage_is_found_once_whatever_the_spaces() -> None:
    text = "Weekly demos &\n written updates beat daily meetings."
    assert ps.find(text, "demos & written") == (7, 23)
    with pytest.raises(ps.AnchorError, match="appears 2 times"):
        ps.find("to be or not to be", "to be")
    with pytest.raises(ps.AnchorError, match="not in the work"):
        ps.find(text, "monthly")
    with pytest.raises(ps.AnchorError, match="Quote the words"):
        ps.find(text, "   ")
