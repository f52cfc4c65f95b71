"""A `CatalogDiff` as text for people: grouped by domain, one line per change.

Colour is the caller's business: it passes a `style(text, kind)` function (the CLI wraps
click.style, and only when stdout is a terminal); the default leaves text plain.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from ehgtui.diff.model import CHANGE_KINDS, CatalogDiff, FieldChange, ObjectChange, TableDiff
from ehgtui.safe_text import visible

Style = Callable[[str, str], str]
"""`style(text, kind)`: decorate text for a change kind (`added`, `removed`, `changed`,
`renamed`, `heading`); must not change the text itself."""

MARKS = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}
"""The first character of each change line: like a unified diff, plus `>` for renames."""

_MAX_VALUE = 120
"""Longer values (view definitions, policy expressions) are cut in the text output."""


def plain(text: str, _kind: str) -> str:
    """The default style: no decoration."""
    return text


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple | list):
        text = "[" + ", ".join(str(v) for v in value) + "]"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _field_lines(fields: tuple[FieldChange, ...], indent: str) -> list[str]:
    return [visible(f"{indent}{f.field}: {_value(f.before)} -> {_value(f.after)}") for f in fields]


def _object_lines(change: ObjectChange, style: Style) -> list[str]:
    mark = MARKS[change.kind]
    if change.kind == "renamed":
        head = f"    {mark} {change.object_type} {change.old_name} renamed to {change.name}"
    else:
        head = f"    {mark} {change.object_type} {change.name}"
    if change.summary:
        head += f"  {_value(change.summary)}"
    lines = [style(visible(head), change.kind)]
    lines += _field_lines(change.fields, "        ")
    return lines


def table_lines(table: TableDiff, style: Style = plain) -> list[str]:
    """The lines describing one table's changes."""
    mark = MARKS[table.kind]
    if table.kind == "renamed":
        head = f"  {mark} {table.table_kind} {table.old_name} renamed to {table.qualified_name}"
    else:
        head = f"  {mark} {table.table_kind} {table.qualified_name} {table.kind}"
    lines = [style(visible(head), table.kind)]
    lines += _field_lines(table.fields, "      ")
    for change in table.objects:
        lines += _object_lines(change, style)
    return lines


def summary_line(diff: CatalogDiff) -> str:
    """One line counting the changed tables, e.g. `2 tables differ: 1 added, 1 changed`."""
    if diff.is_empty:
        return "no differences"
    counts = diff.counts()
    parts = [f"{counts[k]} {k}" for k in CHANGE_KINDS if counts[k]]
    noun = "table differs" if len(diff.tables) == 1 else "tables differ"
    return f"{len(diff.tables)} {noun}: " + ", ".join(parts)


def render_text(diff: CatalogDiff, style: Style = plain) -> str:
    """The whole diff as text: domain headings, then each table's changes, then a summary."""
    lines: list[str] = []
    for domain, tables in diff.by_domain().items():
        lines.append(style(visible(f"{domain}"), "heading"))
        for table in tables:
            lines += table_lines(table, style)
        lines.append("")
    lines.append(summary_line(diff))
    return "\n".join(lines) + "\n"


def unified_ddl_diff(table: TableDiff, ddl_a: str | None, ddl_b: str | None) -> str:
    """A unified diff of one table's DDL on both sides (a missing side counts as empty)."""
    before = [line + "\n" for line in (ddl_a or "").splitlines()]
    after = [line + "\n" for line in (ddl_b or "").splitlines()]
    name_a = table.old_name or table.qualified_name
    lines = difflib.unified_diff(before, after, f"a/{name_a}.sql", f"b/{table.qualified_name}.sql")
    return "".join(lines)
