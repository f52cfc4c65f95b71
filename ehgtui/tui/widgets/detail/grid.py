"""The grid every detail tab uses: a read-only DataTable with vi keys and whole-row cursor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

Cell = str | Text
"""A grid cell: plain text, or Rich Text when part of it is styled."""


class DetailGrid(DataTable[Cell]):
    """A DataTable with fixed columns whose rows are replaced wholesale per table.

    Replacing rows (not columns) keeps the header stable while switching tables, which is
    what makes switching cheap: one `clear` and one `add_rows` per visible tab.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="grid.down"),
        Binding("k", "cursor_up", "Up", show=False, id="grid.up"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | j, down | Next row. |
    | k, up | Previous row. |
    """

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._column_labels = tuple(columns)

    def on_mount(self) -> None:
        self.add_columns(*self._column_labels)

    def show_rows(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Replace every row.

        Args:
            rows: One sequence of cells per row, in column order.
        """
        self.clear(columns=False)
        self.add_rows([tuple(row) for row in rows])

    def cell_texts(self) -> list[list[str]]:
        """Every row as plain strings: what tests and the clipboard read."""
        return [
            [str(cell.plain if isinstance(cell, Text) else cell) for cell in self.get_row_at(i)]
            for i in range(self.row_count)
        ]
