"""The pad's SQL editor: Textual's TextArea with SQL highlighting and a completion menu.

The suggestions come from `ehgtui.query.complete` (the loaded catalog, no round trip); this
widget only asks for them as the user types, shows them under the cursor and inserts the
chosen one. While the menu is open, up/down move in it, tab or enter insert, escape closes
it; ctrl+space opens it where nothing was typed yet.
"""

from __future__ import annotations

from typing import ClassVar, cast

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Document

from ehgtui.query.complete import Completion, CompletionIndex, Suggestion
from ehgtui.safe_text import visible

MENU_KEYS = ("up", "down", "tab", "enter", "escape", "pageup", "pagedown")
"""Keys the open menu takes from the editor."""


class CompletionMenu(OptionList):
    """The suggestions under the editor's cursor (it never takes the focus)."""

    can_focus = False

    DEFAULT_CSS = """
    CompletionMenu {
        position: absolute;
        overlay: screen;
        constrain: inside inflect;
        display: none;
        width: auto; min-width: 24; max-width: 70;
        height: auto; max-height: 10;
        border: round $primary;
        background: $surface;
        padding: 0;
        &.-open { display: block; }
    }
    """


def suggestion_prompt(item: Suggestion) -> Text:
    """One menu line: what is inserted, then what it is (dimmed), as plain text."""
    prompt = Text(visible(item.label))
    detail = item.detail if item.text else ""
    prompt.append(f"  {item.kind}", style="dim")
    if detail:
        prompt.append(f" {visible(detail)}", style="dim italic")
    return prompt


class SqlEditor(TextArea):
    """A SQL TextArea that completes from the catalog."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+space", "complete", "Complete", show=False, id="pad.complete"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+space | Show the completions at the cursor. |
    | up, down, tab/enter, escape | In the open menu: move, insert the suggestion, close it. |
    """

    def __init__(self, text: str = "", *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(
            text,
            language="sql",
            theme="css",
            soft_wrap=False,
            tab_behavior="focus",
            show_line_numbers=True,
            id=id,
        )
        self.index: CompletionIndex | None = None
        """Set by the pad from the explorer's catalog; no completion until it is."""
        self.completion: Completion | None = None
        """The suggestions the menu shows, None while it is closed."""
        self._menu: CompletionMenu | None = None
        self._typed = False

    def attach_menu(self, menu: CompletionMenu) -> None:
        """Use this menu (mounted by the screen, so it can float over everything)."""
        self._menu = menu

    def offset_of(self, location: tuple[int, int]) -> int:
        """A (row, column) location as a character offset into the text."""
        return cast(Document, self.document).get_index_from_location(location)

    def location_of(self, offset: int) -> tuple[int, int]:
        """A character offset of the text as a (row, column) location."""
        offset = max(0, min(offset, len(self.text)))
        return cast(Document, self.document).get_location_from_index(offset)

    @property
    def cursor_offset(self) -> int:
        """The cursor as a character offset into the text."""
        return self.offset_of(self.cursor_location)

    def move_cursor_to_offset(self, offset: int) -> None:
        """Put the cursor at a character offset of the text."""
        self.move_cursor(self.location_of(offset), center=True)

    # -- completion ----------------------------------------------------------------------

    def action_complete(self) -> None:
        """Show every suggestion at the cursor, even with nothing typed."""
        self.show_completion(explicit=True)

    def show_completion(self, *, explicit: bool = False) -> Completion | None:
        """Ask the core for suggestions at the cursor and show them (or close the menu)."""
        if self.index is None or self._menu is None:
            return None
        found = self.index.complete(self.text, self.cursor_offset)
        wanted = explicit or bool(found.prefix) or self._after_dot() or _hint(found)
        if not found.items or not wanted:
            self.close_completion()
            return found
        self.completion = found
        menu = self._menu
        menu.clear_options()
        menu.add_options([Option(suggestion_prompt(item)) for item in found.items])
        menu.highlighted = 0
        x, y = self.cursor_screen_offset
        menu.styles.offset = (max(0, x - len(found.prefix) - 1), y + 1)
        menu.add_class("-open")
        return found

    def _after_dot(self) -> bool:
        offset = self.cursor_offset
        return offset > 0 and self.text[offset - 1] == "."

    def close_completion(self) -> None:
        self.completion = None
        if self._menu is not None:
            self._menu.remove_class("-open")

    def accept_completion(self) -> None:
        """Insert the highlighted suggestion in place of the word typed."""
        found, menu = self.completion, self._menu
        self.close_completion()
        if found is None or menu is None or menu.highlighted is None:
            return
        item = found.items[menu.highlighted]
        if not item.text:
            return  # a hint (a function's arguments): nothing to insert
        start, end = self.location_of(found.start), self.location_of(found.end)
        self.replace(item.text, start, end)

    async def _on_key(self, event: events.Key) -> None:
        menu = self._menu
        if self.completion is not None and menu is not None and event.key in MENU_KEYS:
            event.stop()
            event.prevent_default()
            if event.key in ("tab", "enter"):
                self.accept_completion()
            elif event.key == "escape":
                self.close_completion()
            else:
                {
                    "up": menu.action_cursor_up,
                    "down": menu.action_cursor_down,
                    "pageup": menu.action_page_up,
                    "pagedown": menu.action_page_down,
                }[event.key]()
            return
        self._typed = event.is_printable or event.key == "backspace"
        await super()._on_key(event)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # typed text completes; text set by the pad (history, a snippet) does not
        if self._typed:
            self._typed = False
            self.show_completion()
        else:
            self.close_completion()

    def on_blur(self) -> None:
        self.close_completion()


def _hint(found: Completion) -> bool:
    return bool(found.items) and found.items[0].kind in ("arguments", "enum")
