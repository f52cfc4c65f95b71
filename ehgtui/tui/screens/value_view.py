"""A modal with one cell's whole value: JSON pretty-printed, anything else as it is."""

from __future__ import annotations

import json
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ehgtui.safe_text import visible
from ehgtui.tui.safe import safe_content

NULL_VALUE = "NULL"


def pretty_value(value: str | None, data_type: str = "") -> str:
    """The value to show: JSON (json, jsonb, or text that parses as an object or array)
    indented by two spaces with keys in server order; anything else unchanged."""
    if value is None:
        return NULL_VALUE
    looks_json = data_type in ("json", "jsonb") or value.lstrip()[:1] in ("{", "[")
    if looks_json:
        try:
            return json.dumps(json.loads(value), indent=2, ensure_ascii=False)
        except ValueError:
            return value
    return value


class ValueScreen(ModalScreen[None]):
    """The whole value of one cell, scrollable and selectable; `c` copies it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="value.close"),
        Binding("c", "copy", "Copy value", id="value.copy"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape, q | Close. |
    | c | Copy the (pretty-printed) value. |
    """

    DEFAULT_CSS = """
    ValueScreen {
        align: center middle;
        & > Vertical {
            width: 90%; height: 90%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #value-title { text-style: bold; }
        & TextArea { height: 1fr; }
    }
    """

    def __init__(self, title: str, value: str | None, data_type: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.data_type = data_type
        self.text = pretty_value(value, data_type)
        """What the modal shows (and `c` copies)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            kind = f" ({self.data_type})" if self.data_type else ""
            yield Static(
                safe_content(f"{self.title_text}{kind}  ·  esc closes · c copies"), id="value-title"
            )
            # shown with control characters as tokens; `c` copies the value itself
            shown = visible(self.text, multiline=True)
            yield TextArea(shown, read_only=True, soft_wrap=True, id="value-text")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_copy(self) -> None:
        """Copy the value shown."""
        try:
            from ehgtui.tui.clipboard import copy_text
        except ImportError:  # the clipboard module is another part's; until then OSC 52 only
            self.app.copy_to_clipboard(self.text)
            self.app.notify("copied (OSC 52)", timeout=3)
            return
        copy_text(self.app, self.text, self.title_text.replace(".", "-"), ".txt")
