"""The Triggers tab: timing, events, for-each, function, WHEN and enabled state."""

from __future__ import annotations

from ehgtui.catalog.model import Catalog, Table, Trigger
from ehgtui.tui.formatting import one_line
from ehgtui.tui.widgets.detail.grid import DetailGrid

TRIGGERS_HEADER = ("Name", "Timing", "Events", "For each", "Function", "When", "Enabled")
"""The grid's column labels."""


def events_text(trigger: Trigger) -> str:
    """`INSERT OR UPDATE OF a, b`: the events as CREATE TRIGGER spells them."""
    parts = []
    for event in trigger.events:
        if event == "UPDATE" and trigger.update_columns:
            parts.append(f"UPDATE OF {', '.join(trigger.update_columns)}")
        else:
            parts.append(event)
    return " OR ".join(parts)


class TriggersGrid(DetailGrid):
    """One row per user trigger of the selected table."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(TRIGGERS_HEADER, id=id)

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Show the triggers of `table`.

        Args:
            table: The table to show.
            catalog: The whole catalog (unused).
        """
        self.show_rows(
            (
                t.name,
                t.timing,
                events_text(t),
                t.for_each,
                f"{t.function}({', '.join(t.arguments)})",
                one_line(t.when, 80),
                t.enabled + (" (inherited)" if t.is_inherited else ""),
            )
            for t in sorted(table.triggers, key=lambda t: t.name)
        )
