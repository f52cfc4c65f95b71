"""The Constraints tab: every constraint with FK actions, then the foreign keys pointing here."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from ehgtui.catalog.model import Catalog, Constraint, Table
from ehgtui.catalog.presentation import constraints_in_display_order, referenced_by_heading
from ehgtui.tui.formatting import one_line
from ehgtui.tui.widgets.detail.grid import DetailGrid

CONSTRAINTS_HEADER = ("Name", "Kind", "Columns", "Definition", "On delete", "On update", "Notes")
"""The constraints grid's column labels."""

REFERENCED_BY_HEADER = ("Table", "Constraint", "Columns", "→ Columns", "On delete", "On update")
"""The "referenced by" grid's column labels."""


def constraint_notes(constraint: Constraint) -> str:
    """Deferrable / not valid / inherited flags, as words."""
    notes: list[str] = []
    if constraint.deferrable:
        notes.append("deferrable" + (" initially deferred" if constraint.deferred else ""))
    if not constraint.validated:
        notes.append("NOT VALID")
    if not constraint.is_local:
        notes.append("inherited")
    return ", ".join(notes)


class ConstraintsView(Vertical):
    """Two grids: the table's own constraints, and "Referenced by"."""

    DEFAULT_CSS = """
    ConstraintsView {
        & > Label { margin-top: 1; text-style: bold; }
    }
    """
    # the two grids' heights are in app.tcss: its `TableDetail DetailGrid` rule outranks this

    def compose(self) -> ComposeResult:
        yield DetailGrid(CONSTRAINTS_HEADER, id="constraints-grid")
        yield Label("Referenced by", id="referenced-by-label")
        yield DetailGrid(REFERENCED_BY_HEADER, id="referenced-by-grid")

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Show the constraints of `table` and the foreign keys of other tables that target it.

        Args:
            table: The table to show.
            catalog: The whole catalog (unused: "referenced by" is already on the table).
        """
        constraints = constraints_in_display_order(table.constraints)
        whole = [
            (
                c.name,
                c.kind,
                ", ".join(c.columns),
                c.definition,
                c.on_delete or "" if c.kind == "FOREIGN KEY" else "",
                c.on_update or "" if c.kind == "FOREIGN KEY" else "",
                constraint_notes(c),
            )
            for c in constraints
        ]
        self.query_one("#constraints-grid", DetailGrid).show_rows(
            ((*row[:3], one_line(row[3], 120), *row[4:]) for row in whole), whole
        )
        refs = sorted(table.referenced_by, key=lambda r: (r.schema, r.table, r.constraint_name))
        self.query_one("#referenced-by-label", Label).update(referenced_by_heading(table))
        self.query_one("#referenced-by-grid", DetailGrid).show_rows(
            (
                r.table if r.schema == table.schema else f"{r.schema}.{r.table}",
                r.constraint_name,
                ", ".join(r.columns),
                ", ".join(r.ref_columns),
                r.on_delete,
                r.on_update,
            )
            for r in refs
        )
