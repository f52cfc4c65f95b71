"""The only module that writes to stdout and stderr: CLI output is an API."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any


def colour_wanted() -> bool:
    """Whether to colour stdout: a terminal, and NO_COLOR unset or empty (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def emit_json(data: Any) -> None:
    """Write data as indented, key-sorted JSON."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def emit_text(text: str) -> None:
    """Write text as it is, ending with one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def emit_rows(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write rows as plain aligned columns (no colour, no box: easy to grep and cut)."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        sys.stdout.write(line.rstrip() + "\n")


def error(message: str) -> None:
    """Write one line to stderr: the whole of what a failure says."""
    first = message.strip().splitlines()[0] if message.strip() else "error"
    sys.stderr.write(f"ehgtui: {first}\n")


def status(message: str) -> None:
    """A progress note on stderr (never on stdout, which may be piped to a file)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
