"""The App: bindings, palette providers, theme persistence and screen wiring — nothing more.

`build_app` is the one factory the CLI and the tests use.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.theme import Theme

from ehgtui.config import Config, remember_theme
from ehgtui.db.settings import ConnectionTarget
from ehgtui.query.settings import QuerySettings, QuerySettingsError, query_settings_from_config
from ehgtui.rows.settings import RowSettings, RowSettingsError, settings_from_config
from ehgtui.safe_text import visible
from ehgtui.tui.catalog_source import EarlyStart
from ehgtui.tui.commands import (
    FindColumnProvider,
    GoToTableProvider,
    QueryPadProvider,
    RowsAndSnapshotProvider,
    TableActionsProvider,
)
from ehgtui.tui.heap import defer_full_collections
from ehgtui.tui.object_commands import GoToObjectProvider
from ehgtui.tui.screens.confirm import ConfirmScreen
from ehgtui.tui.screens.copy_fallback import CopyFallbackScreen
from ehgtui.tui.screens.findings import FindingsScreen
from ehgtui.tui.screens.help import HelpScreen
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.screens.migration_sql import MigrationSqlScreen
from ehgtui.tui.screens.new_migration import NewMigrationScreen
from ehgtui.tui.screens.pad_recall import RecallScreen
from ehgtui.tui.screens.query_pad import QueryScreen
from ehgtui.tui.screens.record_view import RecordScreen
from ehgtui.tui.screens.row_access import RowAccessScreen
from ehgtui.tui.screens.snapshot_compare import SnapshotCompareScreen
from ehgtui.tui.screens.task_history import TaskHistory
from ehgtui.tui.screens.task_run import TaskRunScreen
from ehgtui.tui.screens.value_view import ValueScreen
from ehgtui.tui.screens.view_as import ViewAsScreen
from ehgtui.tui.style_cache import CachedStylesheet, StyleCache, style_cache_path
from ehgtui.tui.tasks_commands import ChecksProvider, TasksProvider, default_project_dir
from ehgtui.tui.widgets.detail.access import AccessView
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.relations import RelationsView
from ehgtui.tui.widgets.detail.rows import RowsGrid, RowsView
from ehgtui.tui.widgets.query.editor import SqlEditor
from ehgtui.tui.widgets.query.result_grid import ResultGrid
from ehgtui.tui.widgets.tree.domain_tree import DomainTree
from ehgtui.tui.widgets.tree.filter_input import TableFilter

PALETTE_HELP = Binding(
    "ctrl+p", "command_palette", "Command palette: go to table, find column, change theme"
)
"""Textual binds ctrl+p itself (and the footer shows it); listed so the help screen is complete."""


class EhgApp(App[None]):
    """ehgtui's terminal UI: one explorer screen, a help screen and the command palette."""

    CSS_PATH = "app.tcss"
    TITLE = "ehgtui"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("s", "query_pad", "SQL pad", tooltip="Open the read-only query pad", id="app.pad"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | q | Quit. |
    | ? | Show every key binding. |
    | s | Open the read-only SQL query pad. |

    ctrl+p (the command palette: go to table, find column, themes) is Textual's own binding.
    """

    COMMANDS = App.COMMANDS | {GoToTableProvider, FindColumnProvider}
    COMMANDS |= {RowsAndSnapshotProvider}
    COMMANDS |= {TableActionsProvider}
    COMMANDS |= {TasksProvider, ChecksProvider}
    COMMANDS |= {GoToObjectProvider}
    COMMANDS |= {QueryPadProvider}

    def __init__(
        self,
        open_target: Callable[[], ConnectionTarget],
        schemas: tuple[str, ...],
        config: Config,
        *,
        stable: bool = False,
        rows_enabled: bool = True,
        use_cache: bool = True,
        project_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.style_cache = StyleCache(style_cache_path())
        """Textual's parsed CSS from earlier runs (see style_cache.py); written back at exit."""
        self.style_cache.read()
        self.stylesheet = CachedStylesheet(
            variables=self.get_css_variables(), store=self.style_cache
        )
        self.config = config
        """The loaded configuration; the task palette reads its `[[tasks]]`."""
        self.project_dir = project_dir
        """Where the README's tasks run (npm and supabase look for their files there)."""
        self.task_history = TaskHistory()
        """Every task run of this session, so earlier output stays readable."""
        self._open_target = open_target
        self._schemas = schemas
        self._config = config
        self.stable = stable
        """Hide sizes and row estimates (snapshots, screenshots); never persist the theme."""
        if stable:
            # an animation's frame depends on timing: Textual's tab underline, for one, starts
            # sliding after a 20 ms timer, so a snapshot could catch it before it moved
            self.animation_level = "none"
        self.use_cache = use_cache
        """Read the catalog cache at start and save every load (`--no-cache` turns it off)."""
        self._row_settings_problem: str | None = None
        try:
            self.row_settings = settings_from_config(config.raw)
        except RowSettingsError as exc:  # a bad [rows] table must not keep the explorer shut
            self.row_settings, self._row_settings_problem = RowSettings(), str(exc)
        if not rows_enabled:
            self.row_settings = self.row_settings.with_overrides(enabled=False)
        if config.theme and config.theme in self.available_themes:
            self.theme = config.theme
        self._remembered_theme = self.theme
        self._early_start = EarlyStart(open_target, schemas, config.domains, use_cache)
        self._gc_thresholds: tuple[int, int, int] | None = None
        self._query_screen: QueryScreen | None = None
        """The pad, kept once opened so that its text stays between visits."""
        self.started = False
        """True once Textual has finished starting the app (its Ready event)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification: always as plain text, with control characters made visible.

        Notifications carry names and server messages (`no table …`, a lost connection's
        reason): parsed as markup, a table named `[/]` crashed the app from a notification.
        `markup` is accepted for Textual's callers and ignored.
        """
        super().notify(
            visible(message, multiline=True),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_load(self) -> None:
        # the app runs: resolve the target and read the cache while Textual builds the screen
        self._early_start.begin()
        self._gc_thresholds = defer_full_collections()  # the explorer collects when idle

    def on_ready(self) -> None:
        self.started = True
        for screen in self.screen_stack:
            if isinstance(screen, ExplorerScreen):
                screen.app_ready()

    def on_unmount(self) -> None:
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
        try:
            self.style_cache.write()
        except OSError as exc:  # only the next start is slower; say so in the dev log
            self.log.warning(f"could not write {self.style_cache.path}: {exc}")

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.push_screen(
            ExplorerScreen(
                self._open_target,
                self._schemas,
                self._config.domains,
                self.stable,
                use_cache=self.use_cache,
                row_settings=self.row_settings,
                early_start=self._early_start,
            )
        )
        if self._row_settings_problem:
            self.notify(self._row_settings_problem, title="Config", severity="warning")

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self._remembered_theme and not self.stable:
            self._remembered_theme = theme.name
            self._remember_theme(theme.name)

    @work(
        thread=True,
        exit_on_error=False,
        group="config",
        name="remember-theme",
        description="Write the chosen theme to the user config file",
    )
    def _remember_theme(self, name: str) -> None:
        try:
            remember_theme(name)
        except OSError as exc:
            self.call_from_thread(
                self.notify, f"could not save the theme: {exc}", severity="warning"
            )

    def action_query_pad(self) -> None:
        """Open the query pad (the same one each time: its text and result stay)."""
        if isinstance(self.screen, QueryScreen):
            return
        if self._query_screen is None:
            try:
                settings = query_settings_from_config(self._config.raw)
            except QuerySettingsError as exc:
                self.notify(str(exc), title="Config", severity="warning")
                settings = QuerySettings()
            self._query_screen = QueryScreen(replace(settings, rows=self.row_settings))
        self.push_screen(self._query_screen)

    def action_help(self) -> None:
        """Show the help screen listing every binding."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(
                [
                    ("App", [*self.BINDINGS, PALETTE_HELP]),
                    ("Explorer", list(ExplorerScreen.BINDINGS)),
                    ("Tree", list(DomainTree.BINDINGS)),
                    ("Filter", list(TableFilter.BINDINGS)),
                    ("Grids", list(DetailGrid.BINDINGS)),
                    ("Relations", list(RelationsView.BINDINGS)),
                    ("New migration", list(NewMigrationScreen.BINDINGS)),
                    ("Copy fallback", list(CopyFallbackScreen.BINDINGS)),
                    ("Task", list(TaskRunScreen.BINDINGS)),
                    ("Check results", list(FindingsScreen.BINDINGS)),
                    ("Confirm", list(ConfirmScreen.BINDINGS)),
                    ("Rows", list(RowsView.BINDINGS)),
                    ("Rows grid", list(RowsGrid.BINDINGS)),
                    ("Access", list(AccessView.BINDINGS)),
                    ("Row access", list(RowAccessScreen.BINDINGS)),
                    ("Query pad", list(QueryScreen.BINDINGS)),
                    ("Pad editor", list(SqlEditor.BINDINGS)),
                    ("Pad results", list(ResultGrid.BINDINGS)),
                    ("Record", list(RecordScreen.BINDINGS)),
                    ("Recall", list(RecallScreen.BINDINGS)),
                    ("View as", list(ViewAsScreen.BINDINGS)),
                    ("Value", list(ValueScreen.BINDINGS)),
                    ("Compare", list(SnapshotCompareScreen.BINDINGS)),
                    ("Write migration", list(MigrationSqlScreen.BINDINGS)),
                    ("Help", list(HelpScreen.BINDINGS)),
                ]
            )
        )


def build_app(
    open_target: Callable[[], ConnectionTarget],
    schemas: tuple[str, ...],
    config: Config,
    *,
    stable: bool = False,
    rows_enabled: bool = True,
    use_cache: bool = True,
    project_dir: Path | None = None,
) -> EhgApp:
    """Build the app; nothing connects until it runs (the target is opened in a worker).

    Args:
        open_target: Blocking callable returning where to connect (may start the demo server).
        schemas: The schemas to load, the first one primary.
        config: The loaded configuration (domains, theme).
        stable: Hide values that vary between runs, for snapshots and screenshots.
        rows_enabled: False (`--no-rows`) switches the Rows tab off, whatever the config says.
        use_cache: False (`--no-cache`) neither reads nor writes the catalog cache.
        project_dir: Where tasks run; None: the nearest ancestor of the current directory
            holding `package.json` or `supabase/` (or none).

    Returns:
        The app, ready for `run()` or `run_test()`.
    """
    app = EhgApp(
        open_target, schemas, config, stable=stable, rows_enabled=rows_enabled, use_cache=use_cache
    )
    app.project_dir = project_dir if project_dir is not None else default_project_dir()
    return app
