"""The summary line over the tabs: kind, domain, rows, size, RLS enabled/forced, comment."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ehgtui.catalog.model import Table
from ehgtui.catalog.presentation import rows_text, size_text
from ehgtui.safe_text import visible
from ehgtui.tui.formatting import (
    RLS_MARKS,
    RLS_WORDS,
    VOLATILE_PLACEHOLDER,
    one_line,
    rls_state,
)

RLS_STYLES: dict[str, str] = {
    "on": "$success",
    "no-policies": "$warning",
    "off": "$error",
    "view": "$accent",
}
"""Theme variable per RLS state (the marker and words carry the meaning, colour adds to it)."""


def summary_content(table: Table, domain: str, stable: bool = False, reason: str = "") -> Content:
    """Build the summary of one table.

    Args:
        table: The table.
        domain: The domain the tree puts it in.
        stable: Hide the row estimate and size (they vary between runs).
        reason: Why the table sits in that domain (`FK → ventures`), shown after it.

    Returns:
        Three lines: name, kind, domain and why; RLS, rows and size; the comment (or
        "no comment").
    """
    state = rls_state(table)
    rows = VOLATILE_PLACEHOLDER if stable else rows_text(table)
    size = VOLATILE_PLACEHOLDER if stable else size_text(table)
    rls = RLS_WORDS[state]
    if table.rls_enabled:
        rls += ", forced" if table.rls_forced else ", not forced"
    style = RLS_STYLES[state]  # a theme variable of ours, never user text: safe in the markup
    return Content.from_markup(
        "[b]$name[/b]  $kind · $domain[dim]$reason[/dim]\n"
        f"[{style} b]$mark $rls[/] · $rows · $size\n[dim]$comment[/]",
        name=visible(table.qualified_name),
        kind=table.kind,
        domain=visible(domain),
        reason=f" ({visible(reason)})" if reason else "",
        rows=rows,
        size=size,
        mark=RLS_MARKS[state],
        rls=rls,
        comment=visible(one_line(table.comment, 500)) or "no comment",
    )


def missing_content(name: str, domain: str) -> Content:
    """What the summary says for a key table the README names but the database lacks."""
    return Content.from_markup(
        "[b]$name[/b]  [dim]missing[/dim]\n[dim]The README lists it as a key table of $domain, "
        "but this database has no such table.[/dim]",
        name=visible(name),
        domain=visible(domain),
    )


class TableSummary(Static):
    """Two lines about the selected table, above its tabs."""

    DEFAULT_CSS = """
    TableSummary { height: 3; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """
