"""A diagram as Graphviz DOT: one HTML-like table label per table, one edge per FK.

Ports are numbered (`c0`, `c1`, ...) rather than named after columns, so no column name ever
has to be valid as a port; every name that is shown is escaped for where it appears.
"""

from __future__ import annotations

from html import escape

from ehgtui.catalog.model import Table
from ehgtui.relations.diagram import Diagram, cardinality


def quote_id(text: str) -> str:
    """A DOT double-quoted ID: backslashes and quotes escaped, newlines flattened."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _html(text: str) -> str:
    return escape(text, quote=True)


def _table_label(table: Table, title: str) -> str:
    pk = set(table.primary_key.columns) if table.primary_key else set()
    fk_cols = {c for fk in table.foreign_keys for c in fk.columns}
    rows = [
        f'<TR><TD BGCOLOR="lightgrey" COLSPAN="3"><B>{_html(title)}</B></TD></TR>',
    ]
    for index, col in enumerate(table.columns):
        keys = " ".join(k for k, on in (("PK", col.name in pk), ("FK", col.name in fk_cols)) if on)
        rows.append(
            f'<TR><TD ALIGN="LEFT">{_html(keys)}</TD>'
            f'<TD ALIGN="LEFT" PORT="c{index}">{_html(col.name)}</TD>'
            f'<TD ALIGN="LEFT">{_html(col.data_type)}</TD></TR>'
        )
    body = "".join(rows)
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">{body}</TABLE>>'


def _port(table: Table | None, column: str) -> str:
    if table is None:
        return ""
    index = next((i for i, c in enumerate(table.columns) if c.name == column), None)
    return "" if index is None else f":c{index}"


def to_dot(diagram: Diagram) -> str:
    """Render the diagram; FK edges run from the referencing column to the referenced one.

    A dashed edge is a nullable FK; a stub is a dashed box with just the name.
    """
    lines = [
        "digraph erd {",
        "    graph [rankdir=LR];",
        '    node [shape=plaintext, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    by_name = {t.qualified_name: t for t in diagram.tables}
    for table in diagram.tables:
        title = diagram.display_name(table.qualified_name)
        lines.append(f"    {quote_id(table.qualified_name)} [label={_table_label(table, title)}];")
    for stub in diagram.stubs:
        label = quote_id(diagram.display_name(stub))
        lines.append(f"    {quote_id(stub)} [shape=box, style=dashed, label={label}];")
    for edge in diagram.edges:
        source, target = by_name.get(edge.source), by_name.get(edge.target)
        card = cardinality(source, edge)
        tail = quote_id(edge.source) + _port(source, edge.columns[0])
        head = quote_id(edge.target) + _port(target, edge.ref_columns[0])
        style = ", style=dashed" if card.nullable else ""
        arrowtail = "tee" if card.unique else "crow"
        lines.append(
            f"    {tail} -> {head} [label={quote_id(edge.label)}, dir=both,"
            f" arrowtail={arrowtail}, arrowhead=tee{style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
