"""One Markdown page per table: columns, constraints, indexes, policies, triggers, references."""

from __future__ import annotations

from ehgtui.catalog.model import Column, Table
from ehgtui.docs.markdown import cell, code, table


def column_type(column: Column) -> str:
    """The full type, with an array's element type and an enum's labels spelled out."""
    text = code(column.data_type)
    notes: list[str] = []
    if column.element_type:
        notes.append(f"array of {code(column.element_type)}")
    if column.type_kind == "enum" and column.enum_values:
        notes.append("enum: " + ", ".join(code(v) for v in column.enum_values))
    elif column.type_kind in ("domain", "composite", "range", "multirange"):
        notes.append(column.type_kind)
    return f"{text} ({'; '.join(notes)})" if notes else text


def _default(column: Column) -> str:
    if column.identity:
        return f"generated {column.identity.lower()} as identity"
    if column.generated:
        return (
            f"generated always as {code(column.generated)} {(column.generated_kind or '').lower()}"
        )
    return code(column.default)


def _keys(table_: Table, column: Column) -> str:
    marks: list[str] = []
    pk = table_.primary_key
    if pk and column.name in pk.columns:
        marks.append("PK")
    for fk in table_.foreign_keys:
        if column.name in fk.columns:
            ref = fk.ref_columns[fk.columns.index(column.name)] if fk.ref_columns else "?"
            marks.append(f"FK → {cell(f'{fk.ref_schema}.{fk.ref_table}.{ref}')}")
    for constraint in table_.constraints:
        if constraint.kind == "UNIQUE" and constraint.columns == (column.name,):
            marks.append("UNIQUE")
    return ", ".join(marks)


def _columns(table_: Table) -> str:
    rows = [
        [
            str(i),
            code(c.name),
            column_type(c),
            "NO" if c.not_null else "YES",
            _default(c),
            _keys(table_, c),
            cell(c.comment),
        ]
        for i, c in enumerate(table_.columns, start=1)
    ]
    return table(["#", "Column", "Type", "Nullable", "Default", "Keys", "Comment"], rows, [0])


def _constraints(table_: Table) -> str:
    rows = [
        [
            code(c.name),
            c.kind,
            code(c.definition),
            c.on_update or "",
            c.on_delete or "",
            "" if c.validated else "NOT VALID",
        ]
        for c in sorted(table_.constraints, key=lambda c: (c.kind, c.name))
    ]
    return table(["Name", "Type", "Definition", "On update", "On delete", "Note"], rows)


def _indexes(table_: Table) -> str:
    rows = [
        [
            code(i.name),
            ", ".join(code(c) for c in i.columns),
            i.method,
            "PK" if i.is_primary else ("yes" if i.is_unique else ""),
            code(i.predicate),
            code(i.definition),
        ]
        for i in sorted(table_.indexes, key=lambda i: i.name)
    ]
    return table(["Name", "Columns", "Method", "Unique", "Where", "Definition"], rows)


def _policies(table_: Table) -> str:
    rows = [
        [
            cell(p.name),
            p.command,
            ", ".join(p.roles),
            "permissive" if p.permissive else "restrictive",
            code(p.using),
            code(p.with_check),
        ]
        for p in sorted(table_.policies, key=lambda p: p.name)
    ]
    return table(["Name", "Command", "Roles", "Type", "USING", "WITH CHECK"], rows)


def _triggers(table_: Table) -> str:
    rows = [
        [
            code(t.name),
            t.timing,
            " OR ".join(
                f"UPDATE OF {', '.join(t.update_columns)}"
                if e == "UPDATE" and t.update_columns
                else e
                for e in t.events
            ),
            t.for_each,
            code(f"{t.function}({', '.join(repr(a) for a in t.arguments)})"),
            code(t.when),
            t.enabled.lower(),
        ]
        for t in sorted(table_.triggers, key=lambda t: t.name)
    ]
    return table(["Name", "Timing", "Events", "For each", "Function", "When", "State"], rows)


def _referenced_by(table_: Table) -> str:
    rows = [
        [
            code(f"{r.schema}.{r.table}"),
            ", ".join(code(c) for c in r.columns),
            ", ".join(code(c) for c in r.ref_columns),
            code(r.constraint_name),
            r.on_update,
            r.on_delete,
        ]
        for r in table_.referenced_by
    ]
    headers = ["Table", "Columns", "→ Columns", "Constraint", "On update", "On delete"]
    return table(headers, rows)


def render_table_page(table_: Table, domain: str, index_link: str) -> str:
    """The page of one table or view; `index_link` is the relative link back to README.md."""
    rls = "enabled" if table_.rls_enabled else "disabled"
    if table_.rls_forced:
        rls += " (forced)"
    lines = [
        f"# {table_.name}",
        "",
        f"[← all tables]({index_link})",
        "",
        f"- **Schema**: `{table_.schema}`",
        f"- **Kind**: {table_.kind}",
        f"- **Domain**: {domain}",
        f"- **Owner**: `{table_.owner}`",
    ]
    if not table_.is_view:
        lines.append(f"- **Row level security**: {rls}")
    if table_.partition_of:
        lines.append(f"- **Partition of**: `{table_.partition_of}` {table_.partition_bound or ''}")
    if table_.partition_key:
        lines.append(f"- **Partitioned by**: `{table_.partition_key}`")
    if table_.comment:
        lines += ["", *(f"> {line}" for line in table_.comment.splitlines())]
    lines += ["", f"## Columns ({len(table_.columns)})", "", _columns(table_)]
    if table_.view_definition:
        lines += ["", "## Definition", "", "```sql", table_.view_definition.strip(), "```"]
    sections = [
        ("Constraints", table_.constraints, _constraints),
        ("Indexes", table_.indexes, _indexes),
        ("Policies", table_.policies, _policies),
        ("Triggers", table_.triggers, _triggers),
        ("Referenced by", table_.referenced_by, _referenced_by),
    ]
    for title, items, render in sections:
        if items:
            lines += ["", f"## {title} ({len(items)})", "", render(table_)]
    return "\n".join(lines) + "\n"
