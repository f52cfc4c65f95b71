"""The Triggers tab: timing, events, for-each, function, WHEN and enabled state.

Enter on a trigger opens its function (what the trigger does is in there); x shows the row
whole, its WHEN uncut.
"""

from __future__ import annotations

from textual import on

from ehgtui.catalog.model import Catalog, Table, Trigger
from ehgtui.catalog.objects import ref_of, trigger_function
from ehgtui.tui.formatting import one_line
from ehgtui.tui.messages import OpenObject
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
    """One row per user trigger of the selected table; x shows a trigger whole (its WHEN)."""

    ENTER_SHOWS_RECORD = False
    """Enter opens the trigger's function."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(TRIGGERS_HEADER, id=id)
        self._triggers: tuple[Trigger, ...] = ()
        self._catalog: Catalog | None = None

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Show the triggers of `table`.

        Args:
            table: The table to show.
            catalog: The whole catalog, where enter finds a trigger's function.
        """
        self._triggers = tuple(sorted(table.triggers, key=lambda t: t.name))
        self._catalog = catalog
        whole = [
            (
                t.name,
                t.timing,
                events_text(t),
                t.for_each,
                f"{t.function}({', '.join(t.arguments)})",
                t.when or "",
                t.enabled + (" (inherited)" if t.is_inherited else ""),
            )
            for t in self._triggers
        ]
        self.show_rows(((*row[:5], one_line(row[5], 80), row[6]) for row in whole), whole)

    @on(DetailGrid.RowSelected)
    def _open_function(self, event: DetailGrid.RowSelected) -> None:
        event.stop()
        if self._catalog is None or not 0 <= event.cursor_row < len(self._triggers):
            return
        trigger = self._triggers[event.cursor_row]
        function = trigger_function(self._catalog, trigger.function)
        if function is None:  # e.g. a function of a schema that was not loaded
            self.notify(f"{trigger.function} is not in the loaded schemas", severity="warning")
            return
        self.post_message(OpenObject(ref_of(function), tab="body"))
