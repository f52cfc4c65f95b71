"""Make database text and task output safe to show on a terminal, without hiding anything.

Names, comments, policy expressions, defaults, row values and the output of tasks come from
people we do not control. A terminal obeys the control characters in what it is sent: ESC starts
sequences that set the window title (OSC 0), write the clipboard (OSC 52) or clear the screen
(CSI 2J); a C1 character such as U+009B is CSI on its own; bidi overrides (U+202E) reorder what
the eye reads. Such characters are never written raw and never dropped silently: each is replaced
by a visible token, so the user sees that the text holds it.

The notation (one for the whole program, the CLI, the TUI and Markdown alike):

- C0 controls, DEL and C1 controls (U+0000-U+001F, U+007F-U+009F) read `\\xNN`, as Python and
  PostgreSQL's E'' strings write them: ESC is `\\x1b`, CSI is `\\x9b`;
- bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), the Unicode line and
  paragraph separators (U+2028, U+2029) and lone surrogates read `<U+XXXX>`, e.g. `<U+202E>`;
- newline and tab (and the CR of a CRLF pair) are kept where the text is shown over several
  lines (`multiline=True`: DDL, comments, task output); where one line is meant (names, grid
  cells) they read `\\n`, `\\t` and `\\r`.

A backslash in the text is left alone, so printable text is never changed; the TUI shows the
tokens in their own style, which tells `\\x1b` typed by someone from an ESC character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_BIDI_AND_SEPARATORS = (
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI_AND_SEPARATORS}\\ud800-\\udfff]")
"""Every character replaced on a single line (newline and tab included)."""

_UNSAFE_MULTILINE = re.compile(
    f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_BIDI_AND_SEPARATORS}\\ud800-\\udfff]|\\r(?!\\n)"
)
"""The same, less newline, tab and the CR of a CRLF pair: harmless where text runs over lines."""


_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
"""Newline, tab and CR read as they are written in code, not as `\\x0a`."""


def token(char: str) -> str:
    """The visible token that stands for one unsafe character (`\\x1b`, `<U+202E>`)."""
    code = ord(char)
    if code <= 0x9F:
        return _SHORT.get(char) or f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def _pattern(multiline: bool) -> re.Pattern[str]:
    return _UNSAFE_MULTILINE if multiline else _UNSAFE


def has_unsafe(text: str, *, multiline: bool = False) -> bool:
    """Whether text holds a character that `visible` would replace."""
    return _pattern(multiline).search(text) is not None


def visible(text: str, *, multiline: bool = False) -> str:
    """Text with every control, bidi and separator character replaced by its visible token.

    Args:
        text: What came from the database, a file or a task.
        multiline: Keep newline and tab (the text is shown over several lines).

    Returns:
        The text itself when it holds nothing unsafe (the common case, found by one search).
    """
    pattern = _pattern(multiline)
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda match: token(match.group()), text)


def visible_parts(text: str, *, multiline: bool = False) -> Iterator[tuple[str, bool]]:
    """Text cut into (piece, is_token) pairs, for a display that styles the tokens.

    Joining the pieces gives `visible(text, multiline=multiline)`.
    """
    start = 0
    for match in _pattern(multiline).finditer(text):
        if match.start() > start:
            yield text[start : match.start()], False
        yield token(match.group()), True
        start = match.end()
    if start < len(text):
        yield text[start:], False
