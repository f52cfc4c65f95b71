"""The pad's recall list: the config's saved snippets, then this server's history."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ehgtui.tui.formatting import one_line


class RecallScreen(ModalScreen[str | None]):
    """Pick a snippet or an earlier statement; the choice comes back as its text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="recall.close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape | Close without choosing. |
    """

    DEFAULT_CSS = """
    RecallScreen {
        align: center middle;
        & > Vertical { width: 90%; height: 80%; border: round $primary; background: $surface; }
        & OptionList { height: 1fr; }
    }
    """

    def __init__(self, snippets: dict[str, str], history: list[str]) -> None:
        super().__init__()
        self.choices = [*snippets.values(), *history]
        self._labels = [f"snippet {name}: {sql}" for name, sql in snippets.items()]
        self._labels += history

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("snippets and history  ·  enter puts it in the editor"))
            options = [Option(Text(one_line(label, 200))) for label in self._labels]
            yield OptionList(*options, id="recall-list")

    def on_mount(self) -> None:
        if not self.choices:
            self.query_one(Static).update(Text("no snippets ([query.snippets]) and no history yet"))
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index])
