"""Database text made safe for the terminal: no control character reaches it raw.

A value may hold anything: escape sequences, carriage returns, bidi overrides. Every
character that is not printable is shown as its escape (`\\x1b`, `\\u202e`), so the user
sees that it is there and the terminal never acts on it. The text is returned as plain
`str`, to be put in a `rich.text.Text` or a grid cell, never parsed as markup.
"""

from __future__ import annotations


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escaped(value: str, *, keep_newlines: bool = False) -> str:
    """value with every non-printable character escaped (newlines kept when asked, tabs as
    spaces)."""
    if value.isprintable():
        return value
    out = []
    for char in value:
        if char.isprintable() or char == " ":
            out.append(char)
        elif char == "\n" and keep_newlines:
            out.append(char)
        elif char == "\t":
            out.append("    ")
        else:
            out.append(_escape(char))
    return "".join(out)


def one_line(value: str, width: int) -> str:
    """value as one safe line of at most `width` characters: newlines as `↵`, cut with `…`."""
    flat = value.replace("\r\n", "↵").replace("\n", "↵")
    flat = escaped(flat)
    return flat if len(flat) <= width else flat[: width - 1] + "…"
