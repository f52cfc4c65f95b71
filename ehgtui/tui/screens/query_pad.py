"""The query pad: an SQL editor, and the result of the statement under the cursor.

Everything that runs goes through `ehgtui.query.run.run_query`: one read, in `BEGIN READ
ONLY` … `ROLLBACK`, through the Rows tab's session and "view as". A worker runs it and
posts the rows as they arrive (the first batch is on screen while the rest are fetched);
cancelling the worker (ctrl+c) cancels the statement on the server. An EXPLAIN is asked
for in JSON and drawn as a tree. The screen is kept by the app, so the text stays between
visits; the explorer screen owns the pool and the catalog, read here when needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import asyncpg
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static, Tree
from textual.worker import Worker

from ehgtui.query.complete import CompletionIndex
from ehgtui.query.export import result_csv, result_markdown, rows_json
from ehgtui.query.history import QueryHistory, history_path
from ehgtui.query.plan import JsonExplain, Plan, PlanNode, json_explain, plan_nodes
from ehgtui.query.run import QueryRequest, QueryResult, run_query
from ehgtui.query.settings import QuerySettings
from ehgtui.rows.roles import ViewAs
from ehgtui.safe_text import visible
from ehgtui.tui.clipboard import copy_text
from ehgtui.tui.connection_state import is_connection_loss
from ehgtui.tui.messages import ConnectionLost
from ehgtui.tui.screens.pad_recall import RecallScreen
from ehgtui.tui.screens.record_view import RecordScreen, record_text
from ehgtui.tui.screens.view_as import ViewAsScreen, view_as_words
from ehgtui.tui.widgets.detail.rows import one_line_error
from ehgtui.tui.widgets.query.editor import CompletionMenu, SqlEditor
from ehgtui.tui.widgets.query.result_grid import ResultGrid, result_cell

if TYPE_CHECKING:
    from ehgtui.tui.screens.main import ExplorerScreen

PAD_OFF = "the query pad is off: row access is switched off (--no-rows, or [rows] enabled = false)"

PLACEHOLDER = "-- one SELECT or EXPLAIN per statement; ctrl+enter (or ctrl+j) runs the one here"


@dataclass
class Rows(Message):
    """More rows of the running result (the same growing result each time)."""

    result: QueryResult
    count: int
    run: int


@dataclass
class Done(Message):
    result: QueryResult
    run: int
    explain: JsonExplain | None


@dataclass
class Failed(Message):
    reason: str
    position: int | None
    """Character offset of the error in the editor's text, when the server said where."""
    run: int


class QueryScreen(Screen[None]):
    """The pad: the editor on top, the result (grid, plan or message) below."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+enter,ctrl+j", "run", "Run", priority=True, id="pad.run"),
        Binding("ctrl+c", "cancel", "Cancel query", priority=True, id="pad.cancel"),
        Binding("escape", "back", "Back", id="pad.back"),
        Binding("f2", "view_as", "View as…", id="pad.view_as"),
        Binding("f3", "more", "More rows", id="pad.more"),
        Binding("f4", "recall", "Snippets/history", id="pad.recall"),
        Binding("x", "record", "Record", tooltip="The row expanded (\\x)", id="pad.record"),
        Binding("y", "copy_cell", "Copy cell", id="pad.copy_cell"),
        Binding("c", "copy_row", "Copy row", tooltip="The row as JSON", id="pad.copy_row"),
        Binding("C", "copy_result('csv')", "Copy CSV", id="pad.copy_csv"),
        Binding("J", "copy_result('json')", "Copy JSON", show=False, id="pad.copy_json"),
        Binding("M", "copy_result('markdown')", "Copy Markdown", show=False, id="pad.copy_md"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="pad.next_pane"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+enter, ctrl+j | Run the statement under the cursor (or the selection). |
    | ctrl+c | Cancel the running query on the server (else: copy the selection). |
    | escape | Back to the explorer (the text stays). |
    | f2 | Run as another role or user ("view as"). |
    | f3 | Fetch more rows than the cap let through. |
    | f4 | Put a saved snippet or an earlier statement in the editor. |
    | x | The current row expanded, one column per line. |
    | y, c | Copy the current cell / the row as JSON. |
    | C, J, M | Copy the whole result as CSV / JSON / Markdown. |
    """

    DEFAULT_CSS = """
    QueryScreen {
        layers: base menu;
        & #pad-status { height: 1; padding: 0 1; background: $boost; }
        & #pad-editor { height: 40%; min-height: 4; }
        & #pad-error { height: auto; padding: 0 1; color: $text-error; display: none; }
        & #pad-error.-shown { display: block; }
        & #pad-results { height: 1fr; }
        & #pad-grid { height: 1fr; max-height: 100%; }
        & #pad-message { padding: 0 1; color: $text-muted; }
    }
    """

    def __init__(self, settings: QuerySettings) -> None:
        super().__init__()
        self.settings = settings
        self.view_as = ViewAs()
        self.result: QueryResult | None = None
        """The result on screen (the grid's rows, as text), None before one."""
        self.plan: Plan | None = None
        self.history: QueryHistory | None = None
        self._run = 0
        self._worker: Worker[None] | None = None
        self._shown = 0
        self._last: tuple[str, int, JsonExplain | None] | None = None
        self._index_of: object = None

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text(self._status_words("")), id="pad-status")
        editor = SqlEditor(id="pad-editor")
        editor.placeholder = PLACEHOLDER
        yield editor
        yield Static("", id="pad-error", markup=False)
        with ContentSwitcher(initial="pad-message", id="pad-results"):
            yield Static(Text(self._idle_words()), id="pad-message")
            yield Vertical(id="pad-grid-box")
            yield Tree("plan", id="pad-plan")
        yield Footer()
        yield CompletionMenu(id="pad-menu")

    def on_mount(self) -> None:
        editor = self.editor
        editor.attach_menu(self.query_one(CompletionMenu))
        self.refresh_catalog()
        editor.focus()

    def on_screen_resume(self) -> None:
        self.refresh_catalog()

    @property
    def editor(self) -> SqlEditor:
        return self.query_one(SqlEditor)

    @property
    def grid(self) -> ResultGrid | None:
        found = self.query(ResultGrid)
        return found.first() if found else None

    def _explorer(self) -> ExplorerScreen | None:
        from ehgtui.tui.screens.main import ExplorerScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, ExplorerScreen):
                return screen
        return None

    def refresh_catalog(self) -> None:
        """Complete from the explorer's catalog (rebuilt only when it was reloaded)."""
        explorer = self._explorer()
        catalog = explorer.catalog if explorer is not None else None
        if catalog is not None and catalog is not self._index_of:
            self._index_of = catalog
            self.editor.index = CompletionIndex(catalog)
        if self.history is None and explorer is not None and explorer.target is not None:
            target = explorer.target
            self.history = QueryHistory(
                history_path(target.identity), target.identity, target.password
            )
            problem = self.history.load()
            if problem:
                self.notify(problem, severity="warning", timeout=5)

    def _idle_words(self) -> str:
        if not self.settings.enabled:
            return PAD_OFF
        return "ctrl+enter (or ctrl+j) runs the statement under the cursor · ? lists every key"

    def _status_words(self, what: str) -> str:
        viewer = view_as_words(self.view_as)
        timeout = f"timeout {self.settings.statement_timeout:g}s"
        return " · ".join(p for p in (f"viewer: {viewer}", what, timeout) if p)

    def _status(self, what: str) -> None:
        self.query_one("#pad-status", Static).update(Text(self._status_words(what)))

    def _error(self, reason: str) -> None:
        box = self.query_one("#pad-error", Static)
        box.update(Text(visible(reason, multiline=True)))
        box.set_class(bool(reason), "-shown")

    # -- running -----------------------------------------------------------------------------

    def statement_here(self) -> tuple[str, int] | None:
        """The selection, or the statement under the cursor, and its offset in the text."""
        from ehgtui.usersql.statement import statement_at

        editor = self.editor
        if editor.selected_text.strip():
            start, end = sorted((editor.selection.start, editor.selection.end))
            return editor.selected_text, editor.offset_of(start)
        span = statement_at(editor.text, editor.cursor_offset)
        if span is None:
            return None
        return editor.text[span[0] : span[1]], span[0]

    def action_run(self) -> None:
        """Run the statement under the cursor (or the selection)."""
        self.editor.close_completion()
        if not self.settings.enabled:
            self._error(PAD_OFF)
            return
        here = self.statement_here()
        if here is None:
            self._error("there is no statement here to run")
            return
        text, base = here
        self.start_run(text, base, self.settings.max_rows)

    def start_run(self, text: str, base: int, max_rows: int) -> None:
        """Run text (found at offset base of the editor) with a row cap."""
        explorer = self._explorer()
        pool = explorer.pool if explorer is not None else None
        if pool is None:
            self._error("not connected yet (or the connection was lost: r in the explorer)")
            return
        explain = json_explain(text)
        sql = explain.sql if explain is not None else text
        self._last = (text, base, explain)
        self._run += 1
        self._shown = 0
        self._error("")
        self._status("running… (ctrl+c cancels)")
        request = QueryRequest(sql, view_as=self.view_as, max_rows=max_rows)
        self._worker = self._execute(pool, request, base, explain, self._run)
        if self.history is not None:
            try:
                self.history.add(text)
            except OSError as exc:
                self.notify(f"history not saved: {exc}", severity="warning", timeout=4)

    @work(
        exclusive=True,
        exit_on_error=False,
        group="pad",
        name="pad-query",
        description="Run one read-only statement of the query pad",
    )
    async def _execute(
        self,
        pool: asyncpg.Pool,
        request: QueryRequest,
        base: int,
        explain: JsonExplain | None,
        run: int,
    ) -> None:
        def arrived(result: QueryResult) -> None:
            self.post_message(Rows(result, len(result.rows), run))

        try:
            result = await run_query(pool, request, self.settings, arrived)
        except Exception as exc:  # typed, the server's, a lost connection, or a bug
            if is_connection_loss(exc):
                self.app.post_message(ConnectionLost(pool))
                explorer = self._explorer()
                if explorer is not None:
                    explorer.post_message(ConnectionLost(pool))
            position = getattr(exc, "position", None)
            if explain is not None:
                position = explain.typed_position(position)
            at = base + position - 1 if isinstance(position, int) else None
            self.post_message(Failed(one_line_error(exc), at, run))
            return
        self.post_message(Done(result, run, explain))

    def action_cancel(self) -> None:
        """Cancel the running query: the worker's cancellation cancels it on the server."""
        worker = self._worker
        if worker is not None and worker.is_running:
            worker.cancel()
            self._run += 1  # whatever the worker still posts is for a run that is over
            self._status("cancelled")
            self._error("query cancelled (the server stopped it)")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            worker = self._worker
            return worker is not None and worker.is_running  # else ctrl+c copies the selection
        if action in ("record", "copy_cell", "copy_row", "copy_result"):
            grid = self.grid
            return (
                self.result is not None
                and bool(self.result.rows)
                and grid is not None
                and self.focused is grid
            )
        if action == "more":
            return self.result is not None and self.result.truncated
        return True

    # -- results -------------------------------------------------------------------------------

    def _new_grid(self, result: QueryResult) -> ResultGrid:
        box = self.query_one("#pad-grid-box", Vertical)
        box.remove_children()
        names = [f"{c.name} (masked)" if c.masked else c.name for c in result.columns]
        grid = ResultGrid(names, id="pad-grid")
        box.mount(grid)
        self.query_one(ContentSwitcher).current = "pad-grid-box"
        return grid

    @on(Rows)
    def _rows(self, message: Rows) -> None:
        message.stop()
        if message.run != self._run or message.result.statement.explain:
            return
        if self.result is not message.result:
            self.result = message.result
            self._new_grid(message.result)
        self._append(message.result, message.count)
        self._status(f"{message.count:,} rows so far… (ctrl+c cancels)")

    def _append(self, result: QueryResult, upto: int) -> None:
        grid = self.grid
        if grid is None:
            return
        grid.append_rows([result_cell(v) for v in row] for row in result.rows[self._shown : upto])
        self._shown = upto

    @on(Done)
    def _done(self, message: Done) -> None:
        message.stop()
        if message.run != self._run:
            return
        result = message.result
        self.result = result
        took = f"{result.elapsed * 1000:,.0f} ms"
        if getattr(self.app, "stable", False):  # snapshots: the time varies between runs
            took = "… ms"
        if result.statement.explain:
            self._show_plan(result, message.explain)
            self._status(f"{result.statement.kind} · {took} · rolled back")
            return
        if self.grid is None or self._shown == 0:
            self._new_grid(result)
            self._shown = 0
        self._append(result, len(result.rows))
        more = f" · capped at {result.max_rows:,}: f3 fetches more" if result.truncated else ""
        count = len(result.rows)
        self._status(f"{count:,} row{'' if count == 1 else 's'} · {took}{more}")
        grid = self.grid
        if grid is not None and count:
            grid.focus()

    def _show_plan(self, result: QueryResult, explain: JsonExplain | None) -> None:
        tree: Tree[None] = self.query_one("#pad-plan", Tree)
        tree.clear()
        self.plan = None
        if explain is None:  # EXPLAIN with its own FORMAT: its text, one node per line
            tree.root.set_label(Text(result.statement.kind))
            for line in result.plan or []:
                tree.root.add_leaf(Text(visible(line)))
        else:
            try:
                self.plan = plan_nodes(result.rows[0][0] or "")
            except (ValueError, IndexError) as exc:
                self._error(f"the plan could not be read: {exc}")
                return
            tree.root.set_label(Text(f"{result.statement.kind}: {self.plan.root.label}"))
            _add_plan(tree.root, self.plan.root, top=True)
            for line in self.plan.summary:
                tree.root.add_leaf(Text(line, style="dim"))
        tree.root.expand_all()
        self.query_one(ContentSwitcher).current = "pad-plan"
        tree.focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        message.stop()
        if message.run != self._run:
            return
        self._status("not run" if message.position is None else "failed")
        where = ""
        if message.position is not None:
            editor = self.editor
            editor.move_cursor_to_offset(message.position)
            row, column = editor.cursor_location
            where = f" (line {row + 1}, column {column + 1}: the cursor is there)"
            editor.focus()
        self._error(message.reason + where)

    def action_more(self) -> None:
        """Run the last statement again with ten times the cap."""
        if self._last is None or self.result is None:
            return
        text, base, _explain = self._last
        from ehgtui.query.settings import HARD_MAX_ROWS

        self.start_run(text, base, min(self.result.max_rows * 10, HARD_MAX_ROWS))

    # -- the current row -------------------------------------------------------------------

    def _current(self) -> tuple[QueryResult, int, int] | None:
        grid, result = self.grid, self.result
        if grid is None or result is None or not result.rows:
            return None
        row = min(grid.cursor_row, len(result.rows) - 1)
        return result, row, grid.cursor_column

    def action_record(self) -> None:
        """Show the current row expanded (psql's \\x)."""
        current = self._current()
        if current is None:
            return
        result, row, _ = current
        body = record_text(
            [c.name for c in result.columns],
            [c.data_type for c in result.columns],
            result.rows[row],
        )
        self.app.push_screen(RecordScreen(f"row {row + 1} of {len(result.rows):,}", body))

    def action_copy_cell(self) -> None:
        """Copy the value under the cursor."""
        current = self._current()
        if current is not None:
            result, row, column = current
            value = result.rows[row][column]
            copy_text(self.app, "" if value is None else value, "query-cell", ".txt")

    def action_copy_row(self) -> None:
        """Copy the current row as JSON."""
        current = self._current()
        if current is not None:
            result, row, _ = current
            copy_text(
                self.app, rows_json(result.column_names, [result.rows[row]]), "query-row", ".json"
            )

    def action_copy_result(self, form: str) -> None:
        """Copy every row of the result as CSV, JSON or Markdown."""
        result = self.result
        if result is None:
            return
        make: Callable[..., str] = {
            "csv": result_csv,
            "json": rows_json,
            "markdown": result_markdown,
        }[form]
        suffix = {"csv": ".csv", "json": ".json", "markdown": ".md"}[form]
        copy_text(self.app, make(result.column_names, result.rows), "query-result", suffix)

    # -- around ----------------------------------------------------------------------------

    def action_view_as(self) -> None:
        """Choose whose eyes the next runs see the data through."""
        explorer = self._explorer()
        if explorer is None or explorer.pool is None:
            self.notify("not connected yet", severity="warning", timeout=3)
            return
        self.app.push_screen(ViewAsScreen(explorer.pool, self.view_as), self._viewer_chosen)

    def _viewer_chosen(self, view_as: ViewAs | None) -> None:
        if view_as is not None:
            self.view_as = view_as
            self._status("")

    def action_back(self) -> None:
        """Back to the explorer; the text stays for the next visit."""
        self.app.pop_screen()

    def set_text(self, text: str) -> None:
        """Replace the editor's text (a snippet, a history entry)."""
        self.editor.text = text
        self.editor.move_cursor_to_offset(len(text))

    def action_recall(self) -> None:
        """Choose a snippet ([query.snippets]) or an earlier statement for the editor."""
        history = self.history.newest_first() if self.history is not None else []
        recall = RecallScreen(dict(self.settings.snippets), history)
        self.app.push_screen(recall, self._recalled)

    def _recalled(self, text: str | None) -> None:
        if text is not None:
            self.set_text(text)
            self.editor.focus()


def _add_plan(parent: object, node: PlanNode, *, top: bool = False) -> None:
    """Add node (the root's children when top) under a Textual tree node."""
    from textual.widgets.tree import TreeNode

    assert isinstance(parent, TreeNode)
    here = parent
    if not top:
        label = Text(node.label, style="bold")
        label.append(f"  {node.figures}", style="dim")
        here = parent.add(label, expand=True)
    else:
        parent.add_leaf(Text(node.figures, style="dim"))
    for line in node.details:
        here.add_leaf(Text(visible(line)))
    for child in node.children:
        _add_plan(here, child)
