"""The Rows tab: a page of the selected table's rows, read-only, through someone's eyes.

Nothing is read until the tab is shown (`show_table` is called lazily by `TableDetail`); then a
worker calls `fetch_page` and posts the page back, and the handlers here own the request, the
page and the viewer. The header always says whose eyes the rows are seen through and how the
pages are cut (keyset on the primary key, or OFFSET). Long values are cut in the grid; enter
reads the whole value with `fetch_value` and shows it (pretty JSON) in a modal.

A condition that calls VOLATILE functions is refused by the core; the tab then asks, naming
them (`ConfirmScreen`, "no" unless the user presses y), and runs it only when allowed, for
that condition's pages: a new condition, table or viewer asks again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import asyncpg
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from ehgtui.catalog.model import Catalog, Table
from ehgtui.rows.errors import ConditionRefusedError, RowsError
from ehgtui.rows.export import page_csv, row_json
from ehgtui.rows.query import KEYSET, RowKey, RowPage, RowRequest, fetch_page, fetch_value
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.settings import RowSettings
from ehgtui.tui.clipboard import copy_text
from ehgtui.tui.connection_state import DISCONNECTED_HINT, is_connection_loss, no_pool_words
from ehgtui.tui.messages import ConnectionLost
from ehgtui.tui.safe import safe_content, safe_text
from ehgtui.tui.screens.confirm import ConfirmScreen, volatile_question
from ehgtui.tui.screens.row_access import RowAccessScreen
from ehgtui.tui.screens.value_view import ValueScreen
from ehgtui.tui.screens.view_as import ViewAsScreen, view_as_words

CELL_WIDTH = 40
"""Grid cells show at most this many characters; enter shows the whole value."""

ROWS_OFF = "row access is off (--no-rows, or [rows] enabled = false in the config)"
"""What the tab says instead of rows when row reads are switched off."""

WHERE_PLACEHOLDER = "SQL condition, e.g. status = 'active'  (enter applies, esc closes)"
"""What the where box says while empty."""

NULL_TEXT = "NULL"
"""How a NULL looks in the grid (dimmed, so it is not mistaken for the text 'NULL')."""


def cut(value: str, width: int = CELL_WIDTH) -> str:
    """One line of at most `width` characters: newlines shown as `↵`, the rest cut with `…`."""
    flat = value.replace("\r\n", "↵").replace("\n", "↵").replace("\t", " ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def grid_cell(value: str | None) -> str | Text:
    """A grid cell for one value: cut text, or a dimmed NULL.

    Text, never a str: DataTable parses a str cell as markup, and a value such as `[/]` is
    data. Control and bidi characters show as tokens (`\\x1b`, `<U+202E>`).
    """
    if value is None:
        return Text(NULL_TEXT, style="dim italic")
    return safe_text(cut(value))


def paging_words(page: RowPage) -> str:
    """How this table is paged, for the header: keyset on its key, or OFFSET."""
    if page.paging == KEYSET:
        return f"keyset paging on {', '.join(page.order_by)}"
    order = "ctid order" if page.order_by else "server order"
    return f"OFFSET paging ({order}: no primary key)"


def page_header(page: RowPage, start: int) -> str:
    """The line over the grid: whose eyes, which rows, how paged, what keys page."""
    if page.rows:
        span = f"rows {start + 1}–{start + len(page.rows)}"
    else:
        span = "no rows" if start == 0 else f"no rows after row {start}"
    keys = [k for k, ok in (("n next", page.has_next), ("p prev", page.has_previous)) if ok]
    parts = [f"viewer: {page.viewer.label}", span, paging_words(page)]
    if page.where:
        parts.append(f"where {cut(page.where, 60)}")
    if keys:
        parts.append(" · ".join(keys))
    return " · ".join(parts)


def row_key_text(page: RowPage, table: Table, row: int) -> dict[str, str] | None:
    """The primary key of the page's `row` as text, as `--row col=value` takes it: the value
    as the page shows it, or the key as read when the column is masked or not on the page.
    None when the table has no primary key (the page is cut by OFFSET)."""
    pk = table.primary_key
    key = page.keys[row]
    if pk is None or page.paging != KEYSET or key is None or len(key) != len(pk.columns):
        return None
    names = [c.name for c in page.columns]
    found: dict[str, str] = {}
    for column, value in zip(pk.columns, key, strict=True):
        index = names.index(column) if column in names else -1
        shown = page.rows[row][index] if index >= 0 and not page.columns[index].masked else None
        found[column] = shown if shown is not None else str(value)
    return found


def one_line_error(exc: BaseException) -> str:
    """Our typed row errors are already one line; anything else gets its type and first line."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if isinstance(exc, RowsError) and first:
        return first
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class RowsGrid(DataTable[str | Text]):
    """The page's grid: a cell cursor, the first column fixed while scrolling sideways, and
    the same movement keys as the other grids (`h`/`l` sideways, `j`/`k` up and down)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="rows_grid.down"),
        Binding("k", "cursor_up", "Up", show=False, id="rows_grid.up"),
        Binding("l", "cursor_right", "Right", show=False, id="rows_grid.right"),
        Binding("h", "cursor_left", "Left", show=False, id="rows_grid.left"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | down, j / up, k | Next / previous row. |
    | right, l / left, h | Next / previous cell (the grid scrolls sideways; the first column |
    |   | stays). |
    """


class RowsView(Vertical):
    """The header line, an optional where box, and the grid of one page of rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_page", "Next page", id="rows.next_page"),
        Binding("p", "previous_page", "Prev page", id="rows.previous_page"),
        Binding(
            "w", "where", "Where…", tooltip="Filter rows with an SQL condition", id="rows.where"
        ),
        Binding(
            "a",
            "view_as",
            "View as…",
            tooltip="See rows as another role or user",
            id="rows.view_as",
        ),
        Binding(
            "e",
            "explain_access",
            "Why? (access)",
            tooltip="Explain who may read or write this row, policy by policy",
            id="rows.explain_access",
        ),
        Binding(
            "c", "copy_row", "Copy row", tooltip="Copy the current row as JSON", id="rows.copy_row"
        ),
        Binding("C", "copy_page", "Copy page", tooltip="Copy the page as CSV", id="rows.copy_page"),
        Binding(
            "enter",
            "show_value",
            "Value",
            show=False,
            tooltip="Show the whole value",
            id="rows.value",
        ),
        Binding("escape", "close_where", "Close where box", show=False, id="rows.close_where"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | n, p | Next / previous page. |
    | w | Filter with an SQL condition (one line; enter applies, escape closes). |
    | a | View rows as another role or user. |
    | e | Explain this row's access for the viewer: each command's verdict, each policy's |
    |   | result on the row, the failing branch and the values it read. |
    | c | Copy the current row as JSON. |
    | C | Copy the page as CSV. |
    | enter | Show the current cell's whole value (JSON pretty-printed). |
    | escape | Close the where box (elsewhere escape goes back to the tree). |
    """

    DEFAULT_CSS = """
    RowsView {
        & > #rows-header {
            height: 1; padding: 0 1; background: $boost;
            text-wrap: nowrap; text-overflow: ellipsis;
        }
        & > #rows-error { height: auto; padding: 0 1; color: $text-error; display: none; }
        & > #rows-where { display: none; border: tall $primary; height: 3; }
        &.-where > #rows-where { display: block; }
        &.-error > #rows-error { display: block; }
        & > DataTable { height: 1fr; }
    }
    """

    @dataclass
    class PageLoaded(Message):
        """A worker read a page for `request`; `start` is the index of its first row."""

        page: RowPage
        request: RowRequest
        start: int

    @dataclass
    class PageFailed(Message):
        """The page for `request` could not be read; `reason` is one line."""

        reason: str
        request: RowRequest

    @dataclass
    class VolatileRefused(Message):
        """The condition of `request` calls VOLATILE functions (`volatile`): ask the user."""

        reason: str
        volatile: tuple[str, ...]
        request: RowRequest
        start: int

    @dataclass
    class ValueLoaded(Message):
        """The whole value of one cell, read by `fetch_value`."""

        title: str
        value: str | None
        data_type: str

    @dataclass
    class ValueFailed(Message):
        """One cell's whole value could not be read (row gone, timeout); `reason` is one line.

        The page on screen stays: only that one value is missing.
        """

        reason: str

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self.pool: asyncpg.Pool | None = None
        """Set by the explorer screen once connected; nothing is read before."""
        self.settings = RowSettings()
        """Set by the explorer screen from the config and `--no-rows`."""
        self.view_as = ViewAs()
        """Whose eyes the rows are seen through; kept when another table is shown."""
        self.table: Table | None = None
        self.page: RowPage | None = None
        """The page on screen, or None before the first one arrives."""
        self.start = 0
        """Index of the first row of the page on screen (for `rows 101–200`)."""
        self._request = RowRequest()
        self._waiting_for_pool = False

    def compose(self) -> ComposeResult:
        yield Static("", id="rows-header", markup=False)
        yield Static("", id="rows-error", markup=False)
        yield Input(placeholder=WHERE_PLACEHOLDER, id="rows-where")
        yield RowsGrid(id="rows-grid", cursor_type="cell", zebra_stripes=True, fixed_columns=1)

    @property
    def grid(self) -> RowsGrid:
        """The grid of rows."""
        return self.query_one("#rows-grid", RowsGrid)

    # -- public API (method calls down) ----------------------------------------------------

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Read the first page of `table` (the viewer stays, the condition is dropped).

        Args:
            table: The table to read.
            catalog: The whole catalog (unused).
        """
        self.table = table
        self.query_one("#rows-where", Input).value = ""
        self.remove_class("-where")
        self.load(RowRequest(view_as=self.view_as, limit=self.settings.limit), 0)

    def set_pool(self, pool: asyncpg.Pool | None) -> None:
        """Use this pool from now on; a table waiting for the connection is read now.

        Args:
            pool: The explorer screen's pool.
        """
        self.pool = pool
        if pool is None and self.table is not None and self.settings.enabled:
            # the connection was lost: say so instead of showing a page that can't be refreshed
            self._waiting_for_pool = True
            self.query_one("#rows-header", Static).update(
                safe_content(
                    f"viewer: {view_as_words(self._request.view_as)} · {no_pool_words(self.screen)}"
                )
            )
        elif pool is not None and self._waiting_for_pool:
            self.load(self._request, self.start)

    def load(self, request: RowRequest, start: int) -> None:
        """Read one page in a worker; the header says what is being read meanwhile.

        Args:
            request: The page to read.
            start: Index of its first row, for the header.
        """
        self._request = request
        self.start = start
        self._waiting_for_pool = False
        header = self.query_one("#rows-header", Static)
        if self.table is None:
            return
        if not self.settings.enabled:
            self._show_error("")
            self.page = None
            self.grid.clear(columns=True)
            header.update(ROWS_OFF)
            return
        if self.pool is None:
            self._waiting_for_pool = True
            header.update(
                safe_content(
                    f"viewer: {view_as_words(request.view_as)} · {no_pool_words(self.screen)}"
                )
            )
            return
        header.update(safe_content(f"viewer: {view_as_words(request.view_as)} · reading rows…"))
        self._fetch(self.pool, self.table, request, start)

    def choose_viewer(self) -> None:
        """Open the view-as picker; the choice re-reads the first page through its eyes."""
        if self.pool is None:
            self.app.notify("not connected yet", severity="warning", timeout=3)
            return
        self.app.push_screen(ViewAsScreen(self.pool, self.view_as), self._viewer_chosen)

    def _viewer_chosen(self, view_as: ViewAs | None) -> None:
        if view_as is None:
            return
        self.view_as = view_as
        self.load(
            replace(
                self._request,
                view_as=view_as,
                after=None,
                before=None,
                offset=0,
                allow_volatile=False,  # another role: the functions may do something else
            ),
            0,
        )

    # -- workers: I/O only -----------------------------------------------------------------

    @work(
        exclusive=True,
        exit_on_error=False,
        group="rows",
        name="fetch-rows",
        description="Read one page of rows, read-only",
    )
    async def _fetch(
        self, pool: asyncpg.Pool, table: Table, request: RowRequest, start: int
    ) -> None:
        try:
            page = await fetch_page(pool, table, request, self.settings)
        except ConditionRefusedError as exc:
            if exc.volatile and not request.allow_volatile:
                self.post_message(self.VolatileRefused(str(exc), exc.volatile, request, start))
            else:
                self.post_message(self.PageFailed(one_line_error(exc), request))
            return
        except Exception as exc:  # typed, the server's, a dropped connection, or a bug
            if is_connection_loss(exc):
                self.post_message(ConnectionLost(pool))
            else:
                self.post_message(self.PageFailed(one_line_error(exc), request))
            return
        self.post_message(self.PageLoaded(page, request, start))

    @work(
        exclusive=True,
        exit_on_error=False,
        group="rows-value",
        name="fetch-value",
        description="Read one whole cell value",
    )
    async def _fetch_value(
        self, pool: asyncpg.Pool, table: Table, key: RowKey, column: str, view_as: ViewAs
    ) -> None:
        data_type = next((c.data_type for c in table.columns if c.name == column), "")
        try:
            value = await fetch_value(pool, table, key, column, self.settings, view_as)
        except Exception as exc:  # typed, the server's, a dropped connection, or a bug
            if is_connection_loss(exc):
                self.post_message(ConnectionLost(pool))
            else:
                self.post_message(self.ValueFailed(one_line_error(exc)))
            return
        title = f"{table.name}.{column}"
        self.post_message(self.ValueLoaded(title, value, data_type))

    # -- handlers: own the state -----------------------------------------------------------

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.request != self._request or self.table is None:
            return  # an answer to a request that was replaced meanwhile
        if message.page.table != self.table.qualified_name:
            return
        self.page = message.page
        self._show_error("")
        self.remove_class("-where")  # the condition worked: give the rows the room
        self.query_one("#rows-header", Static).update(
            safe_content(page_header(message.page, message.start))
        )
        grid = self.grid
        grid.clear(columns=True)
        for column in message.page.columns:
            name = safe_text(column.name)
            grid.add_column(name + " (masked)" if column.masked else name)
        grid.add_rows([grid_cell(v) for v in row] for row in message.page.rows)
        self.screen.refresh_bindings()  # n / p depend on the page

    @on(PageFailed)
    def _page_failed(self, message: PageFailed) -> None:
        message.stop()
        if message.request != self._request:
            return
        words = view_as_words(message.request.view_as)
        self.query_one("#rows-header", Static).update(
            safe_content(f"viewer: {words} · not read (the reason is below)")
        )
        self.page = None  # rows of another viewer or condition would read as these ones
        self.grid.clear(columns=True)
        self._show_error(message.reason)

    @on(VolatileRefused)
    def _volatile_refused(self, message: VolatileRefused) -> None:
        message.stop()
        if message.request != self._request:
            return
        title, body = volatile_question(message.volatile, "condition", "for this condition's pages")
        self.query_one("#rows-header", Static).update(
            f"viewer: {view_as_words(message.request.view_as)} · not run yet: asking first"
        )

        def answered(run: bool | None) -> None:
            if message.request != self._request:
                return  # another table, condition or viewer was chosen meanwhile
            if run:
                self.load(replace(message.request, allow_volatile=True), message.start)
            else:
                self.post_message(self.PageFailed(f"{message.reason}; not run", message.request))

        self.app.push_screen(ConfirmScreen(title, body, yes_label="Run"), answered)

    @on(ConnectionLost)
    def _connection_lost(self, message: ConnectionLost) -> None:
        # not stopped: the explorer screen decides whether the pool is its own and lost
        if message.pool is not self.pool:
            return
        self._waiting_for_pool = True  # the screen's next pool re-reads this request
        self.query_one("#rows-header", Static).update(
            safe_content(f"viewer: {view_as_words(self._request.view_as)} · {DISCONNECTED_HINT}")
        )

    @on(ValueLoaded)
    def _value_loaded(self, message: ValueLoaded) -> None:
        message.stop()
        self.app.push_screen(ValueScreen(message.title, message.value, message.data_type))

    @on(ValueFailed)
    def _value_failed(self, message: ValueFailed) -> None:
        message.stop()
        self.app.notify(message.reason, title="Value not read", severity="error")

    @on(Input.Submitted, "#rows-where")
    def _where_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        where = event.value.strip() or None
        request = replace(
            self._request, where=where, after=None, before=None, offset=0, allow_volatile=False
        )
        self.grid.focus()
        self.load(request, 0)

    def _show_error(self, reason: str) -> None:
        self.query_one("#rows-error", Static).update(safe_content(reason, multiline=True))
        self.set_class(bool(reason), "-error")

    # -- actions (bindings) ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Page keys only when there is a page to turn; copy keys only with rows."""
        page = self.page
        if action == "next_page":
            return page is not None and page.has_next
        if action == "previous_page":
            return page is not None and page.has_previous
        if action in ("copy_row", "copy_page", "show_value", "explain_access"):
            return page is not None and bool(page.rows)
        if action == "close_where":
            return self.has_class("-where")
        return True

    def action_next_page(self) -> None:
        """Read the next page."""
        self.turn_page(1)

    def action_previous_page(self) -> None:
        """Read the previous page."""
        self.turn_page(-1)

    def turn_page(self, step: int) -> None:
        """Read the page after (1) or before (-1) the one on screen.

        Args:
            step: 1 for the next page, -1 for the previous one.
        """
        page = self.page
        if page is None:
            return
        if step > 0:
            request = page.next_request(self._request)
            start = self.start + len(page.rows)
        else:
            request = page.previous_request(self._request)
            start = max(0, self.start - page.limit)
        if request is not None:
            self.load(request, start)

    def action_where(self) -> None:
        """Open the where box (one line of SQL)."""
        self.add_class("-where")
        box = self.query_one("#rows-where", Input)
        box.value = self._request.where or ""
        box.focus()

    def action_close_where(self) -> None:
        """Close the where box without changing the rows."""
        self.remove_class("-where")
        self.grid.focus()

    def action_view_as(self) -> None:
        """Open the view-as picker."""
        self.choose_viewer()

    def action_copy_row(self) -> None:
        """Copy the current row as JSON."""
        page = self.page
        row = self.grid.cursor_coordinate.row
        if page is not None and 0 <= row < len(page.rows):
            self._copy(row_json(page, row), ".json")

    def action_copy_page(self) -> None:
        """Copy the page as CSV."""
        if self.page is not None:
            self._copy(page_csv(self.page), ".csv")

    def action_show_value(self) -> None:
        """Read the current cell's whole value and show it."""
        page, table = self.page, self.table
        if page is None or table is None or self.pool is None or not page.rows:
            return
        row, column = self.grid.cursor_coordinate
        if not (0 <= row < len(page.rows) and 0 <= column < len(page.columns)):
            return
        key = page.keys[row]
        name = page.columns[column].name
        if key is None:  # no key to find the row again: what was read is all there is
            value = page.rows[row][column]
            self.app.push_screen(
                ValueScreen(f"{table.name}.{name}", value, page.columns[column].data_type)
            )
            return
        self._fetch_value(self.pool, table, key, name, self._request.view_as)

    def action_explain_access(self) -> None:
        """Open the access explanation of the row under the cursor, as the tab's viewer."""
        page, table = self.page, self.table
        row = self.grid.cursor_coordinate.row
        if page is None or table is None or self.pool is None or not 0 <= row < len(page.rows):
            return
        key = row_key_text(page, table, row)
        if key is None:
            self.app.notify(
                f"{table.qualified_name} has no primary key: its rows cannot be named",
                severity="warning",
            )
            return
        self.app.push_screen(
            RowAccessScreen(self.pool, table, self.settings, key, self._request.view_as)
        )

    @on(DataTable.CellSelected, "#rows-grid")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_show_value()

    def _copy(self, text: str, suffix: str) -> None:
        copy_text(self.app, text, self.table.name if self.table else "rows", suffix)
