"""The Columns tab: name, full type, nullability, default, PK/FK markers and comment."""

from __future__ import annotations

from rich.text import Text

from ehgtui.catalog.model import Catalog, Column, Table
from ehgtui.tui.formatting import one_line
from ehgtui.tui.widgets.detail.grid import Cell, DetailGrid

COLUMNS_HEADER = ("Column", "Type", "Null", "Key", "Default", "Comment")
"""The grid's column labels: Key before Default, because defaults can be long."""


TYPE_CELL_WIDTH = 28
"""Enum labels after a type are cut to about this width, so Null/Default/Key stay on screen."""


def key_marker(table: Table, column: Column) -> str:
    """PK / FK → target / UQ markers of one column.

    Args:
        table: The table the column belongs to.
        column: The column.

    Returns:
        e.g. `PK`, `FK → strategic_directives_v2(id)`, `PK, FK → …`, or "".
    """
    marks: list[str] = []
    pk = table.primary_key
    if pk is not None and column.name in pk.columns:
        marks.append("PK")
    for fk in table.foreign_keys:
        if column.name in fk.columns and fk.ref_table:
            ref = fk.ref_columns[fk.columns.index(column.name)] if fk.ref_columns else ""
            target = (
                fk.ref_table if fk.ref_schema == table.schema else f"{fk.ref_schema}.{fk.ref_table}"
            )
            marks.append(f"FK → {target}({ref})")
    for constraint in table.constraints:
        if constraint.kind == "UNIQUE" and constraint.columns == (column.name,):
            marks.append("UQ")
    return ", ".join(marks)


def default_text(column: Column, limit: int | None = 60) -> str:
    """What the Default cell shows: the default (cut to `limit`; None: whole), or how an
    identity/generated value is made."""
    if column.identity:
        return f"GENERATED {column.identity} AS IDENTITY"
    if column.generated:
        return f"GENERATED ALWAYS AS ({column.generated}) {column.generated_kind or 'STORED'}"
    if limit is None:
        return column.default or ""
    return one_line(column.default, limit)


def whole_type_text(column: Column) -> str:
    """The full type and, for an enum, all its labels: what the whole-row view shows."""
    if not column.enum_values:
        return column.data_type
    return f"{column.data_type} {{{'|'.join(column.enum_values)}}}"


def type_text(column: Column) -> Cell:
    """The full type; enum types (and arrays of them) list their labels after it, dimmed."""
    if not column.enum_values:
        return column.data_type
    labels = one_line("|".join(column.enum_values), max(8, TYPE_CELL_WIDTH - len(column.data_type)))
    return Text.assemble(column.data_type, (f" {{{labels}}}", "dim"))


class ColumnsGrid(DetailGrid):
    """One row per column of the selected table, in attnum order."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(COLUMNS_HEADER, id=id)

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Show the columns of `table`.

        Args:
            table: The table to show.
            catalog: The whole catalog (unused here; every tab takes the same arguments).
        """
        whole = [
            (
                column.name,
                whole_type_text(column),
                "NOT NULL" if column.not_null else "null",
                key_marker(table, column),
                default_text(column, None),
                column.comment or "",
            )
            for column in table.columns
        ]
        self.show_rows(
            (
                (row[0], type_text(column), *row[2:4], default_text(column), one_line(row[5], 80))
                for row, column in zip(whole, table.columns, strict=True)
            ),
            whole,
        )

    def move_to_column(self, name: str) -> None:
        """Put the cursor on the row of column `name`, if there is one.

        Args:
            name: A column name of the table shown.
        """
        for index in range(self.row_count):
            if self.get_row_at(index)[0] == name:
                self.move_cursor(row=index)
                return
