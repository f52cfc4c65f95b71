"""Command palette providers: "Go to table…", "Find column…" and the selected table's actions.

All read the catalog of the explorer screen and do nothing until it is loaded. Titles read
`group: action` (Textual's palette shows them in one list with the built-in commands).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from ehgtui.catalog.model import Catalog
from ehgtui.find.score import fuzzy_score
from ehgtui.find.search import find
from ehgtui.safe_text import visible
from ehgtui.tui.messages import OpenTable
from ehgtui.tui.safe import safe_content, safe_help, safe_highlight

if TYPE_CHECKING:
    from ehgtui.tui.screens.main import ExplorerScreen
    from ehgtui.tui.screens.snapshot_compare import SnapshotComparison

HIT_LIMIT = 60
"""At most this many hits per provider: the palette shows a screenful anyway."""


def _explorer_catalog(provider: Provider) -> Catalog | None:
    from ehgtui.tui.screens.main import ExplorerScreen

    for screen in provider.app.screen_stack:
        if isinstance(screen, ExplorerScreen):
            return screen.catalog
    return None


def _post_open(provider: Provider, message: Message) -> None:
    from ehgtui.tui.screens.main import ExplorerScreen

    for screen in provider.app.screen_stack:
        if isinstance(screen, ExplorerScreen):
            screen.post_message(message)
            return


def command_query(query: str, command: str) -> str:
    """What to search for when the user typed (part of) a command's own title.

    The palette fills its input with a hit's title when one is highlighted and typed on, and
    users type the titles they saw: `Go to table: public.sd_queue`, `Find col`, `Go to`.

    Args:
        query: What the user typed.
        command: The command's title without its colon, lower case (`go to table`).

    Returns:
        The query without the title: empty when the user typed (a start of) the title alone.
    """
    q = query.strip()
    low = q.lower()
    if low.startswith(command + ":"):
        return q[len(command) + 1 :].strip()
    if len(low) >= 3 and command.startswith(low.rstrip(":…. ")):
        return ""
    return q


def table_hits(catalog: Catalog, query: str, limit: int = HIT_LIMIT) -> list[tuple[float, str]]:
    """Tables matching `query`, best first, as (score, `schema.table`).

    A query with a dot (`public.sd_queue`) is matched against the qualified name.

    Args:
        catalog: The loaded catalog.
        query: What the user typed (a name; further words narrow, see ehgtui/find).
        limit: Keep at most this many.

    Returns:
        The hits.
    """
    if "." in query.strip() and " " not in query.strip():
        scored = [(fuzzy_score(query, t.qualified_name), t.qualified_name) for t in catalog.tables]
        return sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:limit]
    return [(hit.score, hit.table.qualified_name) for hit in find(catalog, query).tables[:limit]]


def column_hits(
    catalog: Catalog, query: str, limit: int = HIT_LIMIT
) -> list[tuple[float, str, str]]:
    """Columns whose name matches `query`, best first, as (score, column, `schema.table`).

    Args:
        catalog: The loaded catalog.
        query: A column name or part of one, then optional words the table name must match
            (`created_by strategic`), or a hit's own words (`blocked_statuses in public.t`).
        limit: Keep at most this many.

    Returns:
        The hits: one per table having such a column.
    """
    column, sep, table = query.strip().partition(" in ")
    if sep and "." in table.strip():  # a hit's title typed back: that very column
        found = catalog.table(table.strip())
        if found is not None and found.column(column.strip()) is not None:
            return [(200.0, column.strip(), found.qualified_name)]
    return [(h.score, h.column, h.table.qualified_name) for h in find(catalog, query).columns][
        :limit
    ]


class GoToTableProvider(Provider):
    """`Go to table: strategic_directives_v2`: jump to any table by (fuzzy) name."""

    async def discover(self) -> Hits:
        catalog = _explorer_catalog(self)
        if catalog is None:
            return
        yield DiscoveryHit(
            "Go to table…",
            partial(self._noop),
            help="type a table name to jump to it",
        )

    async def search(self, query: str) -> Hits:
        catalog = _explorer_catalog(self)
        if catalog is None or not query.strip():
            return
        query = command_query(query, "go to table")
        matcher = self.matcher(query)
        if not query:
            yield Hit(1.0, "Go to table…", partial(self._noop), help="type a table name")
            return
        for score, name in table_hits(catalog, query):
            title = f"Go to table: {name}"
            yield Hit(
                score / 200,
                safe_highlight(matcher, title),
                partial(_post_open, self, OpenTable(name)),
                text=visible(title),
            )

    def _noop(self) -> None:
        """Discovery only tells the user the command exists; typing a name runs it."""
        self.app.notify("type part of a table name in the palette", timeout=3)


class FindColumnProvider(Provider):
    """`Find column: sd_id in sd_phase_handoffs`: tables having a column named like X."""

    async def discover(self) -> Hits:
        catalog = _explorer_catalog(self)
        if catalog is None:
            return
        yield DiscoveryHit(
            "Find column…",
            partial(self._noop),
            help="type a column name (then words of a table name) to list the tables with it",
        )

    async def search(self, query: str) -> Hits:
        catalog = _explorer_catalog(self)
        if catalog is None or not query.strip():
            return
        query = command_query(query, "find column")
        if not query:
            yield Hit(1.0, "Find column…", partial(self._noop), help="type a column name")
            return
        matcher = self.matcher(query.split()[0])
        hits = column_hits(catalog, query, limit=len(catalog.tables) * 4)
        count = len({table for _, _, table in hits})
        narrow = "" if len(query.split()) > 1 else "; add words of a table name to narrow"
        help_text = f"{count} table{'' if count == 1 else 's'} with such a column{narrow}"
        for score, column, table in hits[:HIT_LIMIT]:
            title = f"Find column: {column} in {table}"
            yield Hit(
                score / 200 * 0.9,  # a table name match ranks above a column of the same name
                safe_highlight(matcher, title),
                partial(_post_open, self, OpenTable(table, tab="columns", column=column)),
                text=visible(title),
                help=help_text,
            )

    def _noop(self) -> None:
        """Discovery only tells the user the command exists; typing a name runs it."""
        self.app.notify("type part of a column name in the palette", timeout=3)


def _explorer_selected(provider: Provider) -> str | None:
    """`schema.table` shown in the explorer's detail, or None before a table is selected."""
    from ehgtui.tui.screens.main import ExplorerScreen

    for screen in provider.app.screen_stack:
        if isinstance(screen, ExplorerScreen):
            return screen.selected if screen.catalog is not None else None
    return None


def _run_on_explorer(provider: Provider, action: str) -> None:
    """Run one of the explorer screen's actions (`copy_ddl`, `new_migration`, ...)."""
    from ehgtui.tui.screens.main import ExplorerScreen

    for screen in provider.app.screen_stack:
        if isinstance(screen, ExplorerScreen):
            screen.call_next(screen.run_action, action)  # run_action is async
            return


TABLE_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Copy: DDL of {table}", "copy_ddl", "the table's complete DDL to the clipboard"),
    ("Copy: Mermaid of {table}", "copy_mermaid", "its FK neighbourhood as a Mermaid erDiagram"),
    ("New migration from {table}…", "new_migration", "a new table with the README's elements"),
)
"""(title, explorer action, help) of the commands on the selected table."""


class TableActionsProvider(Provider):
    """`Copy: DDL of sd_phase_handoffs`, `Copy: Mermaid of …`, `New migration from …`."""

    def _hits(self) -> list[tuple[str, str, str]]:
        selected = _explorer_selected(self)
        if selected is None:
            return []
        table = selected.partition(".")[2] or selected
        return [(title.format(table=table), action, text) for title, action, text in TABLE_ACTIONS]

    async def discover(self) -> Hits:
        for title, action, help_text in self._hits():
            yield DiscoveryHit(
                safe_content(title),
                partial(_run_on_explorer, self, action),
                text=visible(title),
                help=safe_help(help_text),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._hits():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    safe_highlight(matcher, title),
                    partial(_run_on_explorer, self, action),
                    text=visible(title),
                    help=safe_help(help_text),
                )


def _explorer_screen(provider: Provider) -> ExplorerScreen | None:
    """The explorer screen once it has a catalog, else None."""
    from ehgtui.tui.screens.main import ExplorerScreen

    for screen in provider.app.screen_stack:
        if isinstance(screen, ExplorerScreen) and screen.catalog is not None:
            return screen
    return None


async def _view_rows_as(screen: ExplorerScreen) -> None:
    """Show the Rows tab and open its view-as picker."""
    from ehgtui.tui.widgets.detail.rows import RowsView
    from ehgtui.tui.widgets.detail.table_detail import TableDetail

    detail = screen.query_one(TableDetail)
    await detail.mount_bodies()
    detail.show_tab("rows")
    detail.body(RowsView).choose_viewer()


def _compare_with_snapshot(screen: ExplorerScreen) -> None:
    """Ask for a snapshot file; the explorer marks the differences it finds."""
    from ehgtui.tui.screens.snapshot_compare import SnapshotCompareScreen

    if screen.catalog is not None:
        compare = SnapshotCompareScreen(screen.catalog, screen.domain_settings)
        screen.app.push_screen(compare, partial(_show_comparison, screen))


async def _show_comparison(screen: ExplorerScreen, comparison: SnapshotComparison | None) -> None:
    """Mark the tables that differ from a snapshot in the tree and fill the Diff tab.

    Args:
        screen: The explorer.
        comparison: The snapshot compared with the live catalog; None (cancelled) does nothing.
    """
    from ehgtui.tui.screens.snapshot_compare import change_marks, comparison_summary
    from ehgtui.tui.widgets.detail.diff import DiffView
    from ehgtui.tui.widgets.detail.table_detail import TableDetail
    from ehgtui.tui.widgets.tree.pane import TreePane

    if comparison is None:
        return
    screen.query_one(TreePane).domain_tree.set_change_marks(change_marks(comparison.diff))
    detail = screen.query_one(TableDetail)
    await detail.mount_bodies()
    detail.body(DiffView).show_diff(comparison.diff, comparison.snapshot)
    screen.notify(comparison_summary(comparison), title="Compared with snapshot", timeout=8)


async def _write_migration(screen: ExplorerScreen) -> None:
    """Show the SQL from the compared snapshot to the live catalog (`diff --sql` in the app)."""
    from ehgtui.tui.screens.migration_sql import MigrationSqlScreen
    from ehgtui.tui.tasks_commands import project_dir_of
    from ehgtui.tui.widgets.detail.diff import DiffView
    from ehgtui.tui.widgets.detail.table_detail import TableDetail

    detail = screen.query_one(TableDetail)
    await detail.mount_bodies()
    view = detail.body(DiffView)
    if view.diff is None or view.snapshot is None or screen.catalog is None:
        screen.notify("compare with a snapshot first: Catalog: Compare with snapshot…")
        return
    cwd = project_dir_of(screen.app)
    screen.app.push_screen(MigrationSqlScreen(view.snapshot, view.diff, screen.catalog, cwd))


class RowsAndSnapshotProvider(Provider):
    """`Rows: View rows as…` (the Rows tab's picker), `Catalog: Compare with snapshot…` and,
    after it, `Catalog: Write migration…`."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        screen = _explorer_screen(self)
        if screen is None:
            return []
        return [
            (
                "Rows: View rows as…",
                partial(_view_rows_as, screen),
                "see rows as anon, a signed-in user, service_role or another role",
            ),
            (
                "Catalog: Compare with snapshot…",
                partial(_compare_with_snapshot, screen),
                "mark tables changed since a snapshot file; the Diff tab lists the changes",
            ),
            (
                "Catalog: Write migration…",
                partial(_write_migration, screen),
                "the SQL from the compared snapshot to the live schema, hazards marked",
            ),
        ]

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(
                safe_content(title), callback, text=visible(title), help=safe_help(help_text)
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    safe_highlight(matcher, title),
                    callback,
                    text=visible(title),
                    help=safe_help(help_text),
                )


class QueryPadProvider(Provider):
    """`Query: Open the SQL pad`: the read-only query editor (also on `s`)."""

    TITLE = "Query: Open the SQL pad"
    HELP = "run SELECT and EXPLAIN read-only, with completion from the catalog"

    async def discover(self) -> Hits:
        yield DiscoveryHit(self.TITLE, self._open, help=self.HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title in (self.TITLE, "Query: SQL editor"):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._open, text=title, help=self.HELP)
                return

    async def _open(self) -> None:
        await self.app.run_action("query_pad")
