"""The Indexes tab: name, definition, unique/primary, partial predicate and size."""

from __future__ import annotations

from ehgtui.catalog.model import Catalog, Index, Table
from ehgtui.catalog.presentation import human_bytes
from ehgtui.tui.formatting import VOLATILE_PLACEHOLDER, one_line
from ehgtui.tui.widgets.detail.grid import DetailGrid

INDEXES_HEADER = ("Name", "Kind", "Method", "Columns", "Predicate", "Size", "Definition")
"""The grid's column labels."""


def index_kind(index: Index) -> str:
    """`primary`, `unique` or `index`, plus `invalid` when a build failed."""
    kind = "primary" if index.is_primary else "unique" if index.is_unique else "index"
    return kind if index.is_valid else f"{kind} (invalid)"


class IndexesGrid(DetailGrid):
    """One row per index of the selected table."""

    stable: bool = False
    """Hide sizes (they differ between runs) for snapshots and screenshots."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(INDEXES_HEADER, id=id)

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Show the indexes of `table`.

        Args:
            table: The table to show.
            catalog: The whole catalog (unused).
        """
        whole = [
            (
                index.name,
                index_kind(index),
                index.method,
                ", ".join(index.columns),
                index.predicate or "",
                VOLATILE_PLACEHOLDER if self.stable else human_bytes(index.size_bytes),
                index.definition,
            )
            for index in sorted(table.indexes, key=lambda i: (not i.is_primary, i.name))
        ]
        self.show_rows(
            ((*row[:4], one_line(row[4], 60), row[5], one_line(row[6], 200)) for row in whole),
            whole,
        )
