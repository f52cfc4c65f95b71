"""Small modal questions: "run this?" (yes/no) and "where to?" (one line of text).

Both dismiss with the answer, so callers use `push_screen(screen, callback)` and never wait
inside a handler.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ehgtui.tui.safe import safe_content


def volatile_question(volatile: tuple[str, ...], what: str, scope: str) -> tuple[str, str]:
    """The title and body of the question asked before running user-typed SQL (`what`: a
    condition, a statement) that calls the VOLATILE functions `volatile`, allowed `scope`."""
    names = ", ".join(volatile)
    plural = len(volatile) > 1
    title = f"Run a {what} that calls {'VOLATILE functions' if plural else 'a VOLATILE function'}?"
    body = (
        f"The {what} calls {names}, which {'are' if plural else 'is'} VOLATILE: "
        f"{'they' if plural else 'it'} may act outside the read-only transaction (write "
        "through dblink, write files, take locks, end other sessions). ehgtui clears the "
        "session afterwards, but cannot undo what a function did.\n\n"
        f"Run it this once, {scope}? (y runs, n or escape cancels)"
    )
    return title, body


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that cannot be undone; dismisses True only on "yes".

    The safe answer has the focus, so a stray enter declines.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes, run it", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No, cancel", id="confirm.no"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | y | Confirm. |
    | n, escape | Decline (the default). |
    """

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
        & > Vertical {
            width: 80%; max-width: 90; height: auto;
            border: thick $warning; background: $surface; padding: 1 2;
        }
        & #confirm-title { text-style: bold; }
        & #confirm-body { padding: 1 0; }
        & Horizontal { height: auto; align-horizontal: right; }
        & Button { margin-left: 2; }
    }
    """

    def __init__(self, title: str, body: str, yes_label: str = "Run") -> None:
        super().__init__()
        self.question_title = title
        """One line saying what would happen."""
        self.body = body
        """The details: what runs, where, against which database."""
        self._yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_content(self.question_title), id="confirm-title")
            yield Static(safe_content(self.body, multiline=True), id="confirm-body")
            with Horizontal():
                yield Button(f"{self._yes_label} (y)", variant="warning", id="confirm-yes")
                yield Button("Cancel (n)", variant="primary", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.answer(event.button.id == "confirm-yes")

    def answer(self, yes: bool) -> None:
        """Close the question with the answer.

        Args:
            yes: True to go ahead.
        """
        self.dismiss(yes)

    def action_answer(self, yes: bool) -> None:
        """Answer from a key."""
        self.answer(yes)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text (a directory); dismisses with it, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Accept the text. |
    | escape | Cancel. |
    """

    DEFAULT_CSS = """
    PromptScreen {
        align: center middle;
        & > Vertical {
            width: 80%; max-width: 90; height: auto;
            border: thick $primary; background: $surface; padding: 1 2;
        }
        & #prompt-title { text-style: bold; padding-bottom: 1; }
        & #prompt-hint { color: $text-muted; }
    }
    """

    def __init__(self, title: str, value: str, hint: str = "") -> None:
        super().__init__()
        self.prompt_title = title
        self._value = value
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt_title, id="prompt-title", markup=False)
            yield Input(self._value, id="prompt-input")
            yield Static(self._hint or "enter accepts, escape cancels", id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)
