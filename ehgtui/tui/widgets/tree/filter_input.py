"""The tree's filter box: shown by `/`, filters as you type, enter opens the best match."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class TableFilter(Input):
    """A one-line input for the fuzzy table filter.

    It only reports: `Input.Changed` and `Input.Submitted` come from Textual, and escape posts
    `TableFilter.Cancelled`; the tree pane decides what each means.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Open best match", id="filter.submit"),
        Binding("escape", "cancel", "Close filter", id="filter.cancel"),
        Binding("down", "to_tree", "To results", show=False, id="filter.to_tree"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Open the best match. |
    | escape | Clear the filter and return to the whole tree. |
    | down | Move into the filtered results. |
    """

    class Cancelled(Message):
        """The user gave up on filtering (escape)."""

    class LeaveDown(Message):
        """The user pressed down: move focus into the results, keeping the filter."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        # the placeholder stays short enough for the narrow tree (80 columns); what enter and
        # escape do is in the footer
        super().__init__(placeholder="filter tables…", id=id)

    def action_cancel(self) -> None:
        """Ask the pane to close the filter."""
        self.post_message(self.Cancelled())

    def action_to_tree(self) -> None:
        """Ask the pane to move focus to the results."""
        self.post_message(self.LeaveDown())
