"""The help screen: every key binding, grouped by where it applies."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

HelpSection = tuple[str, list[BindingType]]
"""An area of the UI and its bindings."""


LEGEND = (
    "Tree markers: ● RLS on with policies · ○ RLS on, no policies · ✗ RLS off · ◇ view · "
    "? key table missing.  After a domain: its table count, ✗n tables with RLS off, "
    "?n missing key tables.  After a table's marker: ! a check found errors or warnings, "
    "i only info (Check: … in the palette).  After Catalog: Compare with snapshot: + added, "
    "~ changed, > renamed since the snapshot.  While filtering (/): a table .column was found "
    "by that column's name.  Other objects: ƒ function · τ type · # sequence · "
    "⊕ extension · ⇢ publication (ƒn after a domain: the functions its rules claim by name); "
    "enter on a trigger opens its function, on a use opens its table."
)
"""What the tree's symbols mean (they never rely on colour alone)."""


class HelpScreen(ModalScreen[None]):
    """A modal table of every binding: key, what it does, where it applies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape, q, ? | Close the help screen. |
    """

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > Vertical {
            width: 90%; max-width: 100; height: 90%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #help-title { text-style: bold; }
        & #help-legend { color: $text-muted; padding-bottom: 1; }
        & DataTable { height: 1fr; }
    }
    """

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self._sections = sections

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("ehgtui keys  (esc closes)", id="help-title")
            yield Static(LEGEND, id="help-legend")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Action")
        for area, bindings in self._sections:
            for binding in bindings:
                if not isinstance(binding, Binding):
                    continue
                key = ", ".join(
                    self.app.get_key_display(Binding(k.strip(), binding.action))
                    for k in binding.key.split(",")
                )
                table.add_row(area, key, binding.tooltip or binding.description)
        table.focus()
