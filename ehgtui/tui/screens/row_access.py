"""Access for one row: the verdict of each command for a viewer, and why.

Opened from the Rows tab (the row under the cursor, as the tab's viewer) and from the Access
tab (the first row of the table, as the highlighted role). `explain_row` answers all four
commands in one read-only transaction; the screen shows the verdicts in a line and one
command's explanation below it: every policy that applies with its result (✓ pass, ✗ fail,
∅ NULL), the branches of a failing policy with the values they read, the proposed row. The
viewer is changed with the view-as picker, the proposed row (for INSERT and UPDATE) with a
line of `col=value` words. Every text from the database is shown as plain text with its
control characters made visible, never as markup.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import ClassVar

import asyncpg
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ehgtui.catalog.model import Table
from ehgtui.rows.errors import RowsError
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.row_access import COMMANDS, RowAccess, explain_row
from ehgtui.rows.row_access_text import ERROR, FAIL, NULL, PASS, READ, RESULT_MARK, command_parts
from ehgtui.rows.row_key import RowKeyError, key_text, parse_assignments
from ehgtui.rows.settings import RowSettings
from ehgtui.safe_text import visible
from ehgtui.tui.connection_state import DISCONNECTED_HINT, is_connection_loss
from ehgtui.tui.screens.view_as import ViewAsScreen, view_as_words

TONE_STYLES = {
    PASS: "green",
    FAIL: "bold red",
    NULL: "bold yellow",
    ERROR: "bold red",
    READ: "cyan",
}
"""How each line tone looks; the marks (✓ ✗ ∅ !) say the same without colour."""

VALUES_PLACEHOLDER = "proposed values: col=value col2='two words' col3=NULL  (enter applies)"


def verdict_line(access: RowAccess, command: str) -> Text:
    """`SELECT ✓ allow · INSERT ✗ deny · …`, the command shown below in reverse."""
    line = Text()
    for index, answer in enumerate(access.commands):
        if index:
            line.append(" · ")
        allowed = answer.verdict == "allow"
        style = "green" if allowed else "red"
        if answer.command == command:
            style += " reverse"
        line.append(f" {answer.command} {RESULT_MARK[allowed]} {answer.verdict} ", style=style)
    return line


def explanation_text(access: RowAccess, command: str) -> Text:
    """One command's explanation, a line per fact, coloured by what it says."""
    body = Text()
    answer = next((a for a in access.commands if a.command == command), None)
    if answer is None:
        return body
    for line in command_parts(answer):
        body.append(visible(line.text), style=TONE_STYLES.get(line.tone, ""))
        body.append("\n")
    for note in access.notes:
        body.append(f"note: {visible(note)}\n", style="dim")
    return body


def parse_values(table: Table, typed: str) -> dict[str, str | None]:
    """The proposed values typed on one line, shell-quoted: `title='a b' created_by=NULL`."""
    try:
        words = shlex.split(typed)
    except ValueError as exc:
        raise RowKeyError(f"cannot read the values: {exc}") from None
    return parse_assignments(table, words)


class RowAccessScreen(ModalScreen[None]):
    """Why a viewer may or may not read or write one row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="row_access.close"),
        Binding("s", "command('SELECT')", "SELECT", id="row_access.select"),
        Binding("i", "command('INSERT')", "INSERT", id="row_access.insert"),
        Binding("u", "command('UPDATE')", "UPDATE", id="row_access.update"),
        Binding("d", "command('DELETE')", "DELETE", id="row_access.delete"),
        Binding(
            "a",
            "viewer",
            "Viewer…",
            tooltip="Explain for another role or user",
            id="row_access.viewer",
        ),
        Binding(
            "v",
            "values",
            "Proposed values…",
            tooltip="Edit the proposed row of INSERT and UPDATE (col=value …)",
            id="row_access.values",
        ),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape | Close the values box, or the screen. |
    | s, i, u, d | Explain SELECT, INSERT, UPDATE or DELETE. |
    | a | Explain for another role or user. |
    | v | Edit the proposed row's values (enter applies). |
    """

    DEFAULT_CSS = """
    RowAccessScreen {
        align: center middle;
        & > Vertical {
            width: 95%; height: 90%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #row-access-title { text-style: bold; }
        & #row-access-keys { color: $text-muted; }
        & #row-access-values { display: none; }
        &.-values #row-access-values { display: block; }
        & VerticalScroll { height: 1fr; }
    }
    """

    @dataclass
    class Explained(Message):
        """The worker's answer for `request` (viewer and values)."""

        access: RowAccess
        request: tuple[ViewAs, tuple[tuple[str, str | None], ...]]

    @dataclass
    class Failed(Message):
        """The explanation could not be made; `reason` is one line."""

        reason: str
        request: tuple[ViewAs, tuple[tuple[str, str | None], ...]]

    def __init__(
        self,
        pool: asyncpg.Pool,
        table: Table,
        settings: RowSettings,
        key: dict[str, str],
        view_as: ViewAs,
        command: str = "SELECT",
    ) -> None:
        super().__init__()
        self._pool = pool
        self.table = table
        self._settings = settings
        self.key = key
        self.view_as = view_as
        """Whose access is explained."""
        self.command = command
        """The command whose explanation is shown."""
        self.values: dict[str, str | None] = {}
        """The proposed row's values (INSERT's row, UPDATE's changes)."""
        self.access: RowAccess | None = None
        """The explanation on screen, or None while it is being made."""
        self._request = self._request_now()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._title(), id="row-access-title")
            yield Static(
                "s i u d command · a viewer · v proposed values · esc closes",
                id="row-access-keys",
            )
            yield Static(Text(""), id="row-access-verdicts")
            yield Input(placeholder=VALUES_PLACEHOLDER, id="row-access-values")
            with VerticalScroll(id="row-access-scroll"):
                yield Static(Text("explaining…"), id="row-access-body")

    def on_mount(self) -> None:
        self.query_one("#row-access-scroll").focus()
        self._start()

    def _title(self) -> Text:
        who = self.access.viewer if self.access is not None else view_as_words(self.view_as)
        return Text(
            visible(f"Access to {self.table.qualified_name}  {key_text(self.key)}  as {who}")
        )

    def _request_now(self) -> tuple[ViewAs, tuple[tuple[str, str | None], ...]]:
        return (self.view_as, tuple(self.values.items()))

    def _start(self) -> None:
        self._request = self._request_now()
        self.access = None
        self.query_one("#row-access-title", Static).update(self._title())
        self.query_one("#row-access-body", Static).update(Text("explaining…"))
        self._explain(self._request)

    @work(
        exclusive=True,
        exit_on_error=False,
        group="row-access",
        name="explain-row",
        description="Explain one row's access, read-only",
    )
    async def _explain(self, request: tuple[ViewAs, tuple[tuple[str, str | None], ...]]) -> None:
        view_as, values = request
        try:
            access = await explain_row(
                self._pool, self.table, view_as, self._settings, self.key, COMMANDS, dict(values)
            )
        except Exception as exc:  # typed, the server's, a dropped connection, or a bug
            if is_connection_loss(exc):
                reason = DISCONNECTED_HINT
            elif isinstance(exc, RowsError):
                reason = str(exc).strip().splitlines()[0]
            else:
                reason = f"{type(exc).__name__}: {str(exc).strip()[:200]}"
            self.post_message(self.Failed(reason, request))
            return
        self.post_message(self.Explained(access, request))

    @on(Explained)
    def _explained(self, message: Explained) -> None:
        message.stop()
        if message.request != self._request:
            return  # the viewer or the values changed meanwhile
        self.access = message.access
        self.query_one("#row-access-title", Static).update(self._title())
        self._show()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        message.stop()
        if message.request != self._request:
            return
        self.query_one("#row-access-verdicts", Static).update(Text(""))
        self.query_one("#row-access-body", Static).update(
            Text(visible(f"not explained: {message.reason}"), style="bold red")
        )

    def _show(self) -> None:
        if self.access is None:
            return
        self.query_one("#row-access-verdicts", Static).update(
            verdict_line(self.access, self.command)
        )
        self.query_one("#row-access-body", Static).update(
            explanation_text(self.access, self.command)
        )

    # -- actions ----------------------------------------------------------------------------

    def action_command(self, command: str) -> None:
        """Show the explanation of `command`."""
        self.command = command
        self._show()

    def action_viewer(self) -> None:
        """Pick another viewer; the explanation is made again for them."""
        self.app.push_screen(ViewAsScreen(self._pool, self.view_as), self._viewer_chosen)

    def _viewer_chosen(self, view_as: ViewAs | None) -> None:
        if view_as is not None and view_as != self.view_as:
            self.view_as = view_as
            self._start()

    def action_values(self) -> None:
        """Open the proposed values box."""
        self.add_class("-values")
        box = self.query_one("#row-access-values", Input)
        box.value = " ".join(
            f"{c}={shlex.quote('NULL' if v is None else v)}" for c, v in self.values.items()
        )
        box.focus()

    def action_close(self) -> None:
        """Close the values box, or else the screen."""
        if self.has_class("-values"):
            self.remove_class("-values")
            self.query_one("#row-access-scroll").focus()
            return
        self.dismiss(None)

    @on(Input.Submitted, "#row-access-values")
    def _values_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            values = parse_values(self.table, event.value)
        except RowKeyError as exc:
            self.app.notify(str(exc), title="Values not read", severity="error")
            return
        self.values = values
        self.remove_class("-values")
        self.query_one("#row-access-scroll").focus()
        if self.command not in ("INSERT", "UPDATE"):
            self.command = "UPDATE"  # the values change what UPDATE and INSERT would write
        self._start()
