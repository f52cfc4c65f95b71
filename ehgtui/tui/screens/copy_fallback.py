"""The modal shown when a copy reached no clipboard: where the file is, and the text itself.

Headless sessions, terminals without OSC 52 and machines without a local clipboard still get
the text: it is in a file (path shown) and in a read-only text area to select from.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ehgtui.safe_text import visible
from ehgtui.tui.safe import safe_content


class CopyFallbackScreen(ModalScreen[None]):
    """The copied text, read-only and scrollable, under the path of the file that holds it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="copy_fallback.close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape | Close the modal. |
    """

    DEFAULT_CSS = """
    CopyFallbackScreen {
        align: center middle;
        & > Vertical {
            width: 90%; max-width: 110; height: 80%;
            border: round $warning; background: $surface; padding: 0 1;
        }
        & #copy-fallback-title { text-style: bold; }
        & #copy-fallback-path { color: $text-muted; padding-bottom: 1; }
        & TextArea { height: 1fr; }
    }
    """

    def __init__(self, path: Path, text: str) -> None:
        super().__init__()
        self.path = path
        """The fallback file holding the text."""
        self.text = text
        """The text that was copied."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("No clipboard was reachable  (esc closes)", id="copy-fallback-title")
            yield Static(safe_content(f"Saved to {self.path}"), id="copy-fallback-path")
            yield TextArea(
                visible(self.text, multiline=True),  # the file holds the text exact
                read_only=True,
                soft_wrap=False,
                show_line_numbers=False,
                tab_behavior="focus",
                id="copy-fallback-text",
            )

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
