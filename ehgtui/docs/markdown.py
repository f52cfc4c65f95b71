"""Small Markdown helpers: escaping table cells and code spans, building pipe tables."""

from __future__ import annotations

import re
from collections.abc import Sequence


def cell(text: str | None) -> str:
    """Text safe inside a pipe-table cell: pipes escaped, line breaks as <br>."""
    if not text:
        return ""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(line.strip() for line in escaped.splitlines() if line.strip())


def code(text: str | None) -> str:
    """Text as an inline code span that survives a table cell (newlines folded, pipes escaped)."""
    if not text:
        return ""
    flat = re.sub(r"\s+", " ", text).strip().replace("|", "\\|")
    fence = "``" if "`" in flat else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A GitHub pipe table; columns whose index is in `right` are right-aligned."""
    rules = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join(rules) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def anchor(title: str) -> str:
    """GitHub's heading anchor for a title: lower case, punctuation dropped, spaces to dashes."""
    slug = re.sub(r"[^\w\- ]", "", title.lower())
    return slug.replace(" ", "-")


def first_line(text: str | None) -> str:
    """The first non-empty line of a comment, for one-line summaries."""
    if not text:
        return ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
