"""The only module that writes to stdout and stderr: CLI output is an API.

Text from the database (names, comments, values, server messages) can hold control
characters that a terminal obeys (OSC 52 writes the clipboard, OSC 0 the window title, CSI 2J
clears the screen). Whatever goes to a terminal is made visible first (`safe_text.visible`:
ESC reads `\\x1b`, U+202E reads `<U+202E>`); stderr always, stdout when it is a terminal.
Output redirected to a file or a pipe stays byte-exact (a `ddl` of a table whose name holds an
ESC must re-create that name), and JSON escapes every control character anyway.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

from ehgtui.safe_text import visible


def colour_wanted() -> bool:
    """Whether to colour stdout: a terminal, and NO_COLOR unset or empty (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def emit_json(data: Any) -> None:
    """Write data as indented, key-sorted JSON."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def _for_stdout(text: str, *, multiline: bool) -> str:
    return visible(text, multiline=multiline) if sys.stdout.isatty() else text


def emit_text(text: str) -> None:
    """Write text, ending with one newline (made visible on a terminal: see above)."""
    emit_styled(_for_stdout(text, multiline=True))


def emit_styled(text: str) -> None:
    """Write text holding our own colour codes, whose database text the caller made visible
    already (`diff`'s coloured report); ends with one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def emit_rows(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    first_column_colours: Mapping[str, str] | None = None,
) -> None:
    """Write rows as aligned columns (no box: easy to grep and cut).

    Args:
        headers: The column labels.
        rows: The rows.
        first_column_colours: A colour (click's names) for a first cell's value, e.g. a
            finding's level; used only when `colour_wanted()` (a terminal, no NO_COLOR).
    """
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    cells = [[_for_stdout(cell, multiline=False) for cell in row] for row in cells]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    colours = first_column_colours if first_column_colours and colour_wanted() else {}
    for index, row in enumerate(cells):
        padded = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        colour = colours.get(row[0]) if index else None
        if colour and padded:  # padded first, so the colour codes take no width
            padded[0] = click.style(padded[0], fg=colour, bold=row[0] == "error")
        sys.stdout.write("  ".join(padded).rstrip() + "\n")


def error(message: str) -> None:
    """Write one line to stderr: the whole of what a failure says."""
    first = message.strip().splitlines()[0] if message.strip() else "error"
    sys.stderr.write(f"ehgtui: {visible(first)}\n")


def status(message: str) -> None:
    """A progress note on stderr (never on stdout, which may be piped to a file)."""
    sys.stderr.write(visible(message, multiline=True) + "\n")
    sys.stderr.flush()
