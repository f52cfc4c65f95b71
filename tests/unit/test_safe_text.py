"""The one function that makes database text safe to show: nothing unsafe out, nothing lost."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ehgtui.safe_text import has_unsafe, visible, visible_parts

UNSAFE_ANYWHERE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""What must never be written, whatever the context (newline, tab and CR aside)."""

SAFE_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs"),
    blacklist_characters="\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)


@given(st.text())
def test_no_unsafe_character_survives_on_one_line(text: str) -> None:
    shown = visible(text)
    assert not UNSAFE_ANYWHERE.search(shown)
    assert not re.search("[\n\t\r\ud800-\udfff]", shown)
    assert not has_unsafe(shown)


@given(st.text())
def test_no_unsafe_character_survives_over_lines(text: str) -> None:
    shown = visible(text, multiline=True)
    assert not UNSAFE_ANYWHERE.search(shown)
    assert not re.search("\r(?!\n)", shown)
    assert "".join(piece for piece, _ in visible_parts(text, multiline=True)) == shown


@given(st.text(alphabet=SAFE_CHARS))
def test_printable_text_is_unchanged(text: str) -> None:
    assert visible(text) == text
    assert visible(text, multiline=True) == text
    assert list(visible_parts(text)) == ([(text, False)] if text else [])


@given(st.text(alphabet=SAFE_CHARS), st.text(alphabet=SAFE_CHARS))
def test_each_unsafe_character_becomes_a_token(before: str, after: str) -> None:
    for char, shown in [("\x1b", "\\x1b"), ("\x9b", "\\x9b"), ("\x00", "\\x00"),
                        ("\x7f", "\\x7f"), ("\u202e", "<U+202E>"), ("\n", "\\n")]:  # fmt: skip
        assert visible(before + char + after) == before + shown + after


def test_the_attacks_read_as_written() -> None:
    assert visible("\x1b]52;c;aGVsbG8=\x07") == "\\x1b]52;c;aGVsbG8=\\x07"
    assert visible("clear\x1b[2J\x1b[Hscreen") == "clear\\x1b[2J\\x1b[Hscreen"
    assert visible("evil\u202etxt.exe") == "evil<U+202E>txt.exe"
    assert visible("a\nb\tc\r\nd\re", multiline=True) == "a\nb\tc\r\nd\\re"
    assert list(visible_parts("a\x1bb")) == [("a", False), ("\\x1b", True), ("b", False)]
