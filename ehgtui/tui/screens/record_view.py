"""The expanded record view (psql's `\\x`): one result row, one column per line, whole values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ehgtui.safe_text import visible
from ehgtui.tui.screens.value_view import pretty_value


def record_text(names: Sequence[str], types: Sequence[str], row: Sequence[str | None]) -> Text:
    """The row as `name │ value` lines (JSON pretty-printed), as plain text, never markup."""
    width = max((len(n) for n in names), default=0)
    text = Text()
    for name, data_type, value in zip(names, types, row, strict=True):
        shown = visible(pretty_value(value, data_type), multiline=True)
        lines = shown.split("\n")
        text.append(visible(name).ljust(width), style="bold")
        text.append(" │ ", style="dim")
        text.append(lines[0], style="dim italic" if value is None else "")
        for line in lines[1:]:
            text.append("\n" + " " * width + " │ ", style="dim")
            text.append(line)
        text.append("\n")
    return text


class RecordScreen(ModalScreen[None]):
    """One row of a result, expanded."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,x", "dismiss", "Close", id="record.close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape, q, x | Close. |
    """

    DEFAULT_CSS = """
    RecordScreen {
        align: center middle;
        & > Vertical {
            width: 90%; height: 90%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #record-title { text-style: bold; }
    }
    """

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        """What the view shows (tests read its plain text)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.title_text}  ·  esc closes"), id="record-title")
            with VerticalScroll():
                yield Static(self.body, id="record-body")
