"""split_html: limits, line boundaries, tags kept balanced, entities never cut."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.broadcast.outbox import Payload, layout
from bot.common.splitting import _tokenize, split_html, visible_length, visible_text

_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def balanced(part: str) -> bool:
    stack: list[str] = []
    for closing, name in _TAG.findall(part):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def test_short_text_is_one_part_unchanged() -> None:
    assert split_html("你好 <b>世界</b>") == ["你好 <b>世界</b>"]


def test_cuts_at_line_boundaries() -> None:
    lines = [f"line {i} " + "x" * 90 for i in range(100)]
    parts = split_html("\n".join(lines), 1000)
    assert all(visible_length(part) <= 1000 for part in parts)
    assert [line for part in parts for line in part.split("\n")] == lines


def test_open_tags_are_closed_and_reopened_with_attributes() -> None:
    text = '<b>bold <a href="https://x.cn/?a=1&amp;b=2">' + "\n".join(["link"] * 30) + "</a></b>"
    parts = split_html(text, 50)
    assert len(parts) > 1
    for part in parts:
        assert balanced(part), part
    assert parts[1].startswith('<b><a href="https://x.cn/?a=1&amp;b=2">')
    assert all(part.endswith("</a></b>") for part in parts)


def test_entities_count_as_one_and_are_never_cut() -> None:
    text = "&lt;" * 30
    parts = split_html(text, 7)
    assert all(re.fullmatch(r"(&lt;)+", part) for part in parts)
    assert sum(visible_length(part) for part in parts) == 30


def test_long_line_cut_at_spaces_then_anywhere() -> None:
    words = split_html("word " * 50, 22)
    assert all(not part.startswith(" ") and visible_length(part) <= 22 for part in words)
    assert " ".join(words).split() == ["word"] * 50
    solid = split_html("字" * 25, 10)
    assert solid == ["字" * 10, "字" * 10, "字" * 5]


def test_emoji_counts_two_utf16_units() -> None:
    assert visible_length("😀") == 2
    assert split_html("😀" * 5, 4) == ["😀😀", "😀😀", "😀"]


def test_caption_limit_for_the_first_part() -> None:
    text = "\n".join("y" * 30 for _ in range(10))
    parts = split_html(text, 100, first_limit=40)
    assert visible_length(parts[0]) <= 40 and all(visible_length(p) <= 100 for p in parts)
    assert "\n".join(parts) == text


def test_blank_parts_are_dropped() -> None:
    assert split_html("\n\n\n", 2) == []
    assert split_html("a\n\n\n\nb", 2) == ["a", "b"]


def test_layout_of_payloads() -> None:
    photo = layout(Payload("photo", "c" * 1500, ("F",)))
    assert [p.kind for p in photo] == ["photo", "text"]
    album = layout(Payload("album", "cap", ("A", "B"), ((("go", "x:1"),),)))
    assert [(p.kind, p.text, p.size) for p in album] == [("album", "", 2), ("text", "cap", 1)]
    assert album[-1].keyboard == ((("go", "x:1"),),)
    long_text = layout(Payload("text", "\n".join("z" * 100 for _ in range(90))))
    assert len(long_text) == 3


words = st.sampled_from(["甲", "乙", "word", "&amp;", "&lt;", "😀", " ", "\n", "x" * 7])
tags = st.sampled_from(["b", "i", "u", "s", "code"])


@st.composite
def html_texts(draw: st.DrawFn) -> str:
    pieces: list[str] = []
    for _ in range(draw(st.integers(0, 60))):
        if draw(st.booleans()):
            tag = draw(tags)
            inner = "".join(draw(st.lists(words, max_size=8)))
            pieces.append(f"<{tag}>{inner}</{tag}>")
        else:
            pieces.append(draw(words))
    return "".join(pieces)


@settings(max_examples=300, deadline=None)
@given(html_texts(), st.integers(3, 40))
def test_every_part_fits_is_balanced_and_nothing_is_lost(text: str, limit: int) -> None:
    parts = split_html(text, limit)
    for part in parts:
        assert visible_length(part) <= limit
        assert balanced(part)
        assert visible_text(part).strip()
    joined = "".join(visible_text(part) for part in parts)
    assert "".join(joined.split()) == "".join(visible_text(text).split())


markup_soup = st.lists(
    st.sampled_from(["<", ">", "/", "&", ";", "#", "x", "1", "b", "amp", "lt", " ", "甲", "😀"]),
    max_size=30,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(html_texts(), markup_soup))
def test_the_whole_string_measures_agree_with_the_atoms_split_html_cuts_by(text: str) -> None:
    """visible_length / visible_text work on the whole string at once (list pages measure
    thousands of items); they must count exactly what the tokenizer behind split_html counts,
    malformed markup included."""
    atoms = _tokenize(text)
    assert visible_length(text) == sum(atom.width for atom in atoms)
    assert visible_text(text) == "".join(html.unescape(a.raw) for a in atoms if a.tag is None)
