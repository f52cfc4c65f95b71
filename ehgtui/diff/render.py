"""A `CatalogDiff` as text for people: grouped by domain, one line per change.

Colour is the caller's business: it passes a `style(text, kind)` function (the CLI wraps
click.style, and only when stdout is a terminal); the default leaves text plain.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from ehgtui.diff.model import (
    CHANGE_KINDS,
    CatalogDiff,
    FieldChange,
    ObjectChange,
    SchemaObjectDiff,
    TableDiff,
)
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


def _list_change(before: tuple[Any, ...] | list[Any], after: tuple[Any, ...] | list[Any]) -> str:
    """A list field's change as what was added and removed, or as reordered."""
    added = [v for v in after if v not in before]
    removed = [v for v in before if v not in after]
    parts = []
    if added:
        parts.append(f"added {_value(added)}")
    if removed:
        parts.append(f"removed {_value(removed)}")
    return "; ".join(parts) if parts else f"reordered {_value(before)} -> {_value(after)}"


def _object_field_lines(fields: tuple[FieldChange, ...], indent: str) -> list[str]:
    lines = []
    for f in fields:
        if isinstance(f.before, tuple | list) and isinstance(f.after, tuple | list):
            lines.append(visible(f"{indent}{f.field}: {_list_change(f.before, f.after)}"))
        elif f.field == "body":
            lines.append(visible(f"{indent}body changed: {_value(f.after)}"))
        else:
            lines += _field_lines((f,), indent)
    return lines


def object_lines(change: SchemaObjectDiff, style: Style = plain) -> list[str]:
    """The lines describing one function, type, sequence, ... that differs."""
    head = f"  {MARKS[change.kind]} {change.object_kind} {change.name} {change.kind}"
    if change.summary:
        head += f"  {_value(change.summary)}"
    return [style(visible(head), change.kind), *_object_field_lines(change.fields, "      ")]


def summary_line(diff: CatalogDiff) -> str:
    """One line counting what differs, e.g. `2 tables differ: 1 added, 1 changed`, and
    `; 1 other object differs: 1 changed` when functions, types, ... do."""
    if diff.is_empty:
        return "no differences"
    parts_text = []
    for total, counts, one, many in (
        (len(diff.tables), diff.counts(), "table differs", "tables differ"),
        (len(diff.objects), diff.object_counts(), "other object differs", "other objects differ"),
    ):
        if total:
            parts = ", ".join(f"{counts[k]} {k}" for k in CHANGE_KINDS if counts[k])
            parts_text.append(f"{total} {one if total == 1 else many}: {parts}")
    return "; ".join(parts_text)


def render_text(diff: CatalogDiff, style: Style = plain) -> str:
    """The whole diff as text: domain headings, then each table's changes, then a summary."""
    lines: list[str] = []
    for domain, tables in diff.by_domain().items():
        lines.append(style(visible(f"{domain}"), "heading"))
        for table in tables:
            lines += table_lines(table, style)
        lines.append("")
    kinds = list(dict.fromkeys(o.object_kind for o in diff.objects))
    for kind in kinds:
        lines.append(style(visible(f"{kind}s"), "heading"))
        for change in diff.objects:
            if change.object_kind == kind:
                lines += object_lines(change, style)
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
