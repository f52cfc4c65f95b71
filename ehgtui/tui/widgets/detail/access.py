"""The Access tab: the RLS matrix of the selected table, one row per role.

Each cell says, for one role and one command, whether the role holds the privilege, whether
it bypasses RLS, which policies apply (permissive `+name`, restrictive `&name`) and, for
SELECT, how many rows the role sees. Built by `access_matrix` in a worker when the tab is
shown; the panel under the grid spells out the highlighted role's four cells in full, and `e`
explains the highlighted role's access to a sampled row (`RowAccessScreen`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import asyncpg
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ehgtui.catalog.model import Catalog, Table
from ehgtui.rows.access import COMMANDS, AccessCell, AccessMatrix, AccessRow, access_matrix
from ehgtui.rows.access import format_count as access_count
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.row_access import sample_key
from ehgtui.rows.settings import RowSettings
from ehgtui.tui.connection_state import DISCONNECTED_HINT, is_connection_loss, no_pool_words
from ehgtui.tui.messages import ConnectionLost
from ehgtui.tui.safe import safe_content
from ehgtui.tui.screens.row_access import RowAccessScreen
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.rows import one_line_error

ACCESS_HEADER = ("Role", *COMMANDS)
"""The grid's column labels: the role, then one column per command."""

PRIVILEGE_MARKS = {True: "✓", False: "✗"}
"""Privilege held or not, as a symbol (never colour alone)."""


def cell_text(cell: AccessCell, cap: int) -> str:
    """One matrix cell in a grid line: privilege mark, bypass, policies and (SELECT) count.

    Args:
        cell: The cell.
        cap: The count cap of the matrix (`10,000+` past it).

    Returns:
        e.g. `✓ 12 rows · +orgs_read &not_archived`, `✓ 60 rows · bypasses RLS` (a role
        that bypasses RLS: no policy applies, so none is listed), `✗ no privilege`.
    """
    if not cell.has_privilege:
        return f"{PRIVILEGE_MARKS[False]} {cell.verdict}"
    parts = [PRIVILEGE_MARKS[True]]
    if cell.command == "SELECT" and (cell.visible_rows is not None or cell.count_error):
        if cell.count_error:
            parts.append("count failed")
        else:
            parts.append(f"{access_count(cell.visible_rows, cap)} rows")
    if cell.bypasses_rls:  # no policy applies to it: listing them would say they did
        parts.append("bypasses RLS")
        return " ".join(parts[:2]) + (" · " + " · ".join(parts[2:]) if parts[2:] else "")
    policies = [f"+{n}" for n in cell.permissive] + [f"&{n}" for n in cell.restrictive]
    parts.append(" ".join(policies) if policies else "no policy")
    return " ".join(parts[:2]) + (" · " + " · ".join(parts[2:]) if parts[2:] else "")


def role_text(row: AccessRow) -> str:
    """The role column: name, `(you)` for the connection's role, `(missing)` when absent."""
    note = " (you)" if row.is_connection_role else ""
    if not row.facts.exists:
        note += " (missing)"
    return row.role + note


def matrix_rows(matrix: AccessMatrix) -> list[tuple[str, ...]]:
    """The grid's rows for a matrix: what the Access tab shows, cell by cell."""
    return [
        (role_text(row), *(cell_text(row.cell(c), matrix.count_cap) for c in COMMANDS))
        for row in matrix.rows
    ]


def matrix_banner(matrix: AccessMatrix) -> str:
    """One line over the grid: RLS state in words, owner, and how counts were made."""
    if not matrix.rls_enabled:
        rls = "✗ RLS disabled: every role with the privilege sees every row"
    else:
        rls = "● RLS enabled" + (", forced" if matrix.rls_forced else "")
    counts = (
        f"SELECT counts capped at {matrix.count_cap:,}"
        if matrix.counted
        else "no counts (row access is off)"
    )
    return f"{rls} · owner {matrix.owner} · {counts} · + permissive, & restrictive"


def row_detail(row: AccessRow, cap: int) -> str:
    """The highlighted role's four cells in full: verdict and every policy by kind."""
    lines = [f"{role_text(row)}" + (f" · counted as {row.seen_as}" if row.seen_as else "")]
    for cell in row.cells:
        line = f"{cell.command}: {cell.verdict}"
        if cell.command == "SELECT" and cell.visible_rows is not None:
            line += f" · sees {access_count(cell.visible_rows, cap)} rows"
        if cell.count_error:
            line += f" · count failed: {cell.count_error}"
        if cell.bypasses_rls and cell.has_privilege:
            line += " · bypasses RLS: no policy applies"
        elif cell.permissive:
            line += f" · permissive: {', '.join(cell.permissive)}"
        if cell.restrictive and not (cell.bypasses_rls and cell.has_privilege):
            line += f" · restrictive: {', '.join(cell.restrictive)}"
        lines.append(line)
    return "\n".join(lines)


class AccessView(Vertical):
    """The banner, the role × command grid, and the highlighted role in full."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e",
            "explain_access",
            "Why? (access)",
            tooltip="Explain the highlighted role's access to the table's first row",
            id="access.explain_access",
        ),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | e | Explain the highlighted role's access to a sampled row (the table's first row in |
    |   | key order), policy by policy. |
    """

    DEFAULT_CSS = """
    AccessView {
        & > #access-banner { height: auto; padding: 0 1; background: $boost; }
        & > DetailGrid { height: 1fr; }
        & > #access-detail-scroll {
            height: auto; max-height: 7; border-top: solid $panel-lighten-2; padding: 0 1;
        }
    }
    """

    @dataclass
    class MatrixLoaded(Message):
        """The worker built the matrix of one table."""

        matrix: AccessMatrix

    @dataclass
    class SampleFound(Message):
        """The row to explain for `role`: its key, or None when the table has no rows."""

        table: Table
        key: dict[str, str] | None
        role: str | None

    @dataclass
    class SampleFailed(Message):
        """No row could be sampled; `reason` is one line."""

        reason: str

    @dataclass
    class MatrixFailed(Message):
        """The matrix of `table` could not be built; `reason` is one line."""

        table: str
        reason: str

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self.pool: asyncpg.Pool | None = None
        """Set by the explorer screen once connected."""
        self.settings = RowSettings()
        """Set by the explorer screen; with row access off the matrix has no counts."""
        self.table: Table | None = None
        self.matrix: AccessMatrix | None = None
        """The matrix on screen, or None while it is being built."""

    def compose(self) -> ComposeResult:
        yield Static("", id="access-banner", markup=False)
        yield DetailGrid(ACCESS_HEADER, id="access-grid")
        with VerticalScroll(id="access-detail-scroll"):
            yield Static("", id="access-detail", markup=False)

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Build the matrix of `table` in a worker.

        Args:
            table: The table.
            catalog: The whole catalog (unused).
        """
        self.table = table
        self.matrix = None
        self.query_one("#access-grid", DetailGrid).show_rows([])
        self.query_one("#access-detail", Static).update("")
        self._start()

    def set_pool(self, pool: asyncpg.Pool | None) -> None:
        """Use this pool from now on; a table waiting for the connection is read now.

        Args:
            pool: The explorer screen's pool.
        """
        waiting = self.pool is None and self.table is not None and self.matrix is None
        self.pool = pool
        if pool is None and self.table is not None:
            self.query_one("#access-banner", Static).update(no_pool_words(self.screen))
        elif waiting:
            self._start()

    def _start(self) -> None:
        banner = self.query_one("#access-banner", Static)
        if self.table is None:
            return
        if self.pool is None:
            banner.update(no_pool_words(self.screen))
            return
        banner.update("building the access matrix…")
        self._build(self.pool, self.table)

    @work(
        exclusive=True,
        exit_on_error=False,
        group="access",
        name="access-matrix",
        description="Build the RLS access matrix (counts under each role)",
    )
    async def _build(self, pool: asyncpg.Pool, table: Table) -> None:
        try:
            matrix = await access_matrix(pool, table, self.settings)
        except Exception as exc:  # typed, the server's, a dropped connection, or a bug
            if is_connection_loss(exc):
                self.post_message(ConnectionLost(pool))
            else:
                self.post_message(self.MatrixFailed(table.qualified_name, one_line_error(exc)))
            return
        self.post_message(self.MatrixLoaded(matrix))

    @on(MatrixLoaded)
    def _matrix_loaded(self, message: MatrixLoaded) -> None:
        message.stop()
        if self.table is None or message.matrix.table != self.table.qualified_name:
            return
        self.matrix = message.matrix
        self.query_one("#access-banner", Static).update(safe_content(matrix_banner(message.matrix)))
        self.query_one("#access-grid", DetailGrid).show_rows(matrix_rows(message.matrix))
        self._show_detail(0)

    @on(MatrixFailed)
    def _matrix_failed(self, message: MatrixFailed) -> None:
        message.stop()
        if self.table is not None and message.table == self.table.qualified_name:
            self.query_one("#access-banner", Static).update(
                safe_content(f"no matrix: {message.reason}")
            )

    @on(ConnectionLost)
    def _connection_lost(self, message: ConnectionLost) -> None:
        # not stopped: the explorer screen decides whether the pool is its own and lost
        if message.pool is self.pool and self.table is not None:
            self.query_one("#access-banner", Static).update(DISCONNECTED_HINT)

    def _show_detail(self, index: int) -> None:
        matrix = self.matrix
        detail = self.query_one("#access-detail", Static)
        if matrix is not None and 0 <= index < len(matrix.rows):
            detail.update(
                safe_content(row_detail(matrix.rows[index], matrix.count_cap), multiline=True)
            )

    @on(DetailGrid.RowHighlighted, "#access-grid")
    def _follow_cursor(self, event: DetailGrid.RowHighlighted) -> None:
        event.stop()
        self._show_detail(event.cursor_row)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Explaining needs a matrix (a role to explain for) and a connection."""
        if action == "explain_access":
            return self.matrix is not None and self.pool is not None
        return True

    def action_explain_access(self) -> None:
        """Sample a row in a worker, then explain the highlighted role's access to it."""
        matrix, table, pool = self.matrix, self.table, self.pool
        if matrix is None or table is None or pool is None or not matrix.rows:
            return
        index = self.query_one("#access-grid", DetailGrid).cursor_row
        row = matrix.rows[min(max(index, 0), len(matrix.rows) - 1)]
        self._sample(pool, table, None if row.is_connection_role else row.role)

    @work(
        exclusive=True,
        exit_on_error=False,
        group="access-sample",
        name="sample-row",
        description="Read the key of the table's first row, read-only",
    )
    async def _sample(self, pool: asyncpg.Pool, table: Table, role: str | None) -> None:
        try:
            key = await sample_key(pool, table, self.settings)
        except Exception as exc:  # typed, the server's, a dropped connection, or a bug
            if is_connection_loss(exc):
                self.post_message(ConnectionLost(pool))
            else:
                self.post_message(self.SampleFailed(one_line_error(exc)))
            return
        self.post_message(self.SampleFound(table, key, role))

    @on(SampleFound)
    def _sample_found(self, message: SampleFound) -> None:
        message.stop()
        if self.pool is None or message.table is not self.table:
            return
        if message.key is None:
            self.app.notify(f"{message.table.qualified_name} has no rows to explain")
            return
        self.app.push_screen(
            RowAccessScreen(
                self.pool, message.table, self.settings, message.key, ViewAs(message.role)
            )
        )

    @on(SampleFailed)
    def _sample_failed(self, message: SampleFailed) -> None:
        message.stop()
        self.app.notify(message.reason, title="No row to explain", severity="error")
