"""The explorer screen: connection bar, domain tree, table detail and footer.

It owns the explorer's state (target, pool, catalog, selection). Workers do the I/O and post
app-wide messages (`tui/messages.py`); the handlers here change the state and call the panes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

import asyncpg
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer, Static

from ehgtui.catalog.cache import CachedCatalog
from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.catalog.domains import DomainMap, first_table
from ehgtui.catalog.model import Catalog
from ehgtui.catalog.objects import ObjectRef, object_by_ref
from ehgtui.db.pool import DEFAULT_COMMAND_TIMEOUT_SECONDS, close_quietly
from ehgtui.db.settings import ConnectionTarget
from ehgtui.rows.settings import RowSettings
from ehgtui.tui.catalog_source import EarlyStart, cached_label
from ehgtui.tui.connection_state import (
    reason_without_target,
)
from ehgtui.tui.frame_callbacks import FrameCallbacks
from ehgtui.tui.heap import IdleCollector, freeze_after_first_switch, freeze_long_lived_objects
from ehgtui.tui.messages import (
    CacheChecked,
    CacheIgnored,
    CatalogLoaded,
    ConnectionLost,
    LoadFailed,
    OpenObject,
    OpenTable,
    PoolOpened,
    TargetResolved,
)
from ehgtui.tui.screens.explorer_actions import COPY_ACTIONS, TableActions
from ehgtui.tui.screens.explorer_workers import CatalogWorkers
from ehgtui.tui.screens.shown_tab_keys import ShownTabKeys
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from ehgtui.tui.widgets.detail.access import AccessView
from ehgtui.tui.widgets.detail.object_detail import ObjectDetail
from ehgtui.tui.widgets.detail.rows import RowsView
from ehgtui.tui.widgets.detail.table_detail import TAB_IDS, TAB_NAMES, TableDetail
from ehgtui.tui.widgets.status_panel import StatusPanel
from ehgtui.tui.widgets.tree.domain_tree import DomainTree
from ehgtui.tui.widgets.tree.pane import TreePane

WAIT_SHOWN_AFTER_SECONDS = 2.0
"""A first load waiting longer than this says how long it has waited, and how to give up."""

MIN_SIZE = (60, 16)
"""The smallest terminal (columns, lines) the explorer lays out its panes in: below it, a
tree and a detail pane would each be too narrow to read, so a notice says so instead (and
the panes come back when the terminal grows). 80x24 is the size the layout is made for."""

CACHE_READ_WAIT_S = 0.3
"""How long the first frame may wait for a cache file being decoded (the demo's takes about
40 ms); a bigger catalog shows the loading panel until its worker has it."""


def too_small_words(width: int, height: int) -> str:
    """The notice shown instead of the panes in a terminal smaller than MIN_SIZE."""
    return (
        f"terminal too small: {width}x{height}; ehgtui needs at least "
        f"{MIN_SIZE[0]}x{MIN_SIZE[1]} (made for 80x24). Enlarge the window; q quits."
    )


class ExplorerScreen(ShownTabKeys, TableActions, CatalogWorkers, Screen[None]):
    """The screen people live in: browse domains on the left, read a table on the right."""

    AUTO_FOCUS = "DomainTree"
    """The tree, even while the catalog loads: the first focusable widget is the (hidden)
    filter box, which took q and ctrl+c as text, so neither quit during a slow load."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="explorer.filter"),
        Binding("ctrl+c", "app.quit", "Quit", show=False, id="explorer.quit"),
        Binding(
            "r",
            "reload",
            "Reload",
            tooltip="Reload the catalog (or retry; reconnect when disconnected)",
            id="explorer.reload",
        ),
        Binding("escape", "back", "Back to tree", show=False, id="explorer.back"),
        Binding("right_square_bracket", "step_tab(1)", "Next tab", id="explorer.next_tab"),
        Binding("left_square_bracket", "step_tab(-1)", "Prev tab", id="explorer.prev_tab"),
        *(
            Binding(
                str(n),
                f"show_tab('{tab}')",
                f"{TAB_NAMES[tab][0]} tab",
                show=False,
                id=f"explorer.tab_{tab}",
            )
            for n, tab in zip((*range(1, 10), 0), TAB_IDS, strict=True)
        ),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="explorer.next_pane"),
        Binding(
            "shift+tab", "app.focus_previous", "Prev pane", show=False, id="explorer.prev_pane"
        ),
        Binding(
            "z",
            "zoom",
            "Zoom",
            tooltip="Hide the tree so the detail takes the whole width (z again shows it)",
            id="explorer.zoom",
        ),
        Binding(
            "y",
            "copy",
            "Copy",
            tooltip="Copy the DDL of the table, function, type, … (on the Relations tab: the "
            "Mermaid) to the clipboard",
            id="explorer.copy",
        ),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | / | Filter the tree as you type. |
    | ctrl+c | Quit, as q does (in the filter box and the pad it copies or cancels instead). |
    | r | Reload the catalog in the background, keeping the selection (retry after a failure; |
    |   | when disconnected: drop the lost pool, open a new one and reload). |
    | escape | Close the filter, or go back to the tree. |
    | ], [ | Next / previous tab of the table (or function, type, …) detail. |
    | 1 … 9, 0 | Jump to a tab: columns, constraints, indexes, policies, triggers, DDL, |
    |   | relations, rows, access, diff (of a function: body, overview, access, used |
    |   | by, DDL). |
    | tab, shift+tab | Move between the panes. |
    | z | Hide the tree so the detail takes the whole width (again: show it). |
    | y | Copy the DDL (of a table, function, type, …), or on the Relations tab the Mermaid. |
    """

    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (100, "-wide"),
    ]
    """Below 100 columns the tree narrows (see app.tcss)."""

    disconnected: reactive[bool] = reactive(False, init=False)
    """A connection of the pool was lost, until `r` opens a new pool: querying tabs watch it."""

    def __init__(
        self,
        open_target: Callable[[], ConnectionTarget],
        schemas: tuple[str, ...],
        domain_settings: DomainSettings,
        stable: bool = False,
        *,
        use_cache: bool = True,
        row_settings: RowSettings | None = None,
        early_start: EarlyStart | None = None,
    ) -> None:
        super().__init__()
        self._open_target = open_target
        self._early_start = early_start
        """The first start's target and cache read, begun before this screen was built."""
        self._connect_when_ready = False
        self._wait_started: float | None = None
        self._wait_timer: Timer | None = None
        """Ticks while the first load waits (`_say_how_long`)."""
        self.after_next_frame = FrameCallbacks(self)
        """What waits for the frame that draws a loaded catalog (see tui/frame_callbacks.py)."""
        self._add_breakpoint_class()
        self._check_size(self.app.size.width, self.app.size.height)
        self._resumed = False
        self.use_cache = use_cache
        """Show the cached catalog at start and save every full load (`--no-cache`: False)."""
        self.row_settings = row_settings or RowSettings()
        """How the Rows and Access tabs read rows (off with `--no-rows`)."""
        self.schemas = schemas
        """The schemas to load, first one primary."""
        self.domain_settings = domain_settings
        self.stable = stable
        """Hide values that vary between runs (snapshots, screenshots)."""
        self.target: ConnectionTarget | None = None
        self.pool: asyncpg.Pool | None = None
        self.catalog: Catalog | None = None
        self.domain_map: DomainMap | None = None
        self.selected: str | None = None
        """`schema.table` shown in the detail pane, kept across reloads."""
        self.selected_object: ObjectRef | None = None
        """The function, type, … shown in the detail pane instead of a table, if any."""
        self.idle_collector = IdleCollector(self)
        """The full garbage collections, run after the table switches (see tui/heap.py)."""

    def _add_breakpoint_class(self) -> None:
        """Give the screen its width class (`-narrow`, `-wide`) before anything is styled.

        Textual adds it on the first Resize, after every widget was styled without it, and
        restyles them all again: about a tenth of a second of each start.
        """
        width = self.app.size.width
        for edge, name in sorted(self.HORIZONTAL_BREAKPOINTS, reverse=True):
            if width >= edge:
                self.add_class(name)
                return

    def _check_size(self, width: int, height: int) -> None:
        """Show the "too small" notice below MIN_SIZE, the panes again above it."""
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(small, "-too-small")
        if small and self.is_mounted:
            self.query_one("#too-small", Static).update(too_small_words(width, height))

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def compose(self) -> ComposeResult:
        size = self.app.size
        yield Static(too_small_words(size.width, size.height), id="too-small", markup=False)
        yield ConnectionBar(id="connection-bar")
        with ContentSwitcher(initial="status", id="body"):
            yield StatusPanel(id="status")
            with Horizontal(id="explorer"):
                yield TreePane(id="tree-pane")
                with ContentSwitcher(initial="table-detail", id="detail"):
                    detail = TableDetail(id="table-detail")
                    detail.stable = self.stable
                    yield detail
                    yield ObjectDetail(id="object-detail")
        yield Footer()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            # the first resume follows the mount at once: every widget was just styled, and
            # Textual's restyle of the whole screen would cost a tenth of a second of the start
            self._resumed = True
            event.refresh_styles = False

    def on_mount(self) -> None:
        detail = self.query_one(TableDetail)
        detail.body(RowsView).settings = self.row_settings
        detail.body(AccessView).settings = self.row_settings
        self.after_next_frame.attach()
        early = self._early_start
        ready = early.ready() if early is not None else None
        starting = not getattr(self.app, "started", True)  # only EhgApp says (see app_ready)
        cached = ready is not None and ready[1].cached is not None
        if starting and (cached or (early is not None and early.reading_cache)):
            # the cache was read (or is being read) while the screen was built. Textual shows
            # no frame until the app's start is over (this mount is part of it), so the cached
            # tree is filled once it is (`app_ready`): filled now, it would wait for that frame
            # all the same, along with the hidden tabs and the pool opening that follow it
            self._connect_when_ready = True
        else:
            self.connect()

    def app_ready(self) -> None:
        """The app has finished starting: show the catalog the early start read (on_mount)."""
        if self._connect_when_ready:
            self._connect_when_ready = False
            if self._early_start is not None:
                # a read still decoding is waited for, briefly: then the first frame has the
                # tree, not the loading panel that a worker would show until it is there
                self._early_start.wait_for_cache(CACHE_READ_WAIT_S)
            self.connect()

    async def on_unmount(self) -> None:
        await self.close_pool()

    # -- state transitions (method calls from bindings and handlers) ------------------------

    def connect(self) -> None:
        """Start (or restart) getting a target, a pool and a catalog, in workers."""
        status = self.query_one(StatusPanel)
        status.failed = False
        if self.target is None:
            status.message = "connecting…"
            self.query_one(ConnectionBar).status = "connecting…"
            ready = self._early_start.ready() if self._early_start is not None else None
            if ready is not None:  # read while Textual built this screen: no worker needed
                self._early_start = None
                self._target_resolved(TargetResolved(*ready))
                return
            self._resolve_target()
        else:
            self.reload()

    def reload(self, cached: CachedCatalog | None = None) -> None:
        """Reload the catalog in the background; the current view stays until it arrives.

        Args:
            cached: The cached catalog on screen: only check that it is current (one query).
        """
        if not self.is_attached:  # called after a frame, and the app quit meanwhile
            return
        if self.target is None:
            self.connect()
            return
        loading = "refreshing…" if self.catalog is not None else "loading catalog…"
        if self.disconnected:
            loading = "reconnecting…"  # the lost pool is gone: _load opens a new one
        if cached is None:
            self.query_one(ConnectionBar).status = loading
        self.query_one(StatusPanel).message = loading
        self._load(self.target, self.pool, cached)
        if self.catalog is None and cached is None:
            self._wait_started = time.monotonic()
            if self._wait_timer is None:
                self._wait_timer = self.set_interval(1.0, self._say_how_long)

    def _say_how_long(self) -> None:
        """While the first load waits on the server, say for how long, how long it may take
        at most (the command timeout bounds each statement), and how to give up."""
        status = self.query_one(StatusPanel)
        if self.catalog is not None or status.failed or self._wait_started is None:
            if self._wait_timer is not None:
                self._wait_timer.stop()
                self._wait_timer = None
            return
        waited = time.monotonic() - self._wait_started
        if waited >= WAIT_SHOWN_AFTER_SECONDS:
            status.message = (
                f"loading catalog… waiting for the server: {waited:.0f} s (each statement "
                f"may take {DEFAULT_COMMAND_TIMEOUT_SECONDS:g} s before the load gives up "
                "and offers Retry) · q quits"
            )

    async def close_pool(self) -> None:
        """Close the pool (terminating it if a clean close takes too long)."""
        pool, self.pool = self.pool, None
        if pool is not None:
            await close_quietly(pool)

    def show_table(self, qualified_name: str) -> bool:
        """Show a table in the detail pane (does not move the tree's cursor).

        Args:
            qualified_name: `schema.table`.

        Returns:
            False when the catalog has no such table.
        """
        if self.catalog is None or self.domain_map is None:
            return False
        table = self.catalog.table(qualified_name)
        if table is None:
            return False
        freeze_after_first_switch()
        self.idle_collector.poke()
        self.selected = table.qualified_name
        self.selected_object = None
        domain = self.domain_map.domain_of(table)
        reason = self.domain_map.reason_of(table)
        self.query_one("#detail", ContentSwitcher).current = "table-detail"
        self.query_one(TableDetail).show_table(table, self.catalog, domain, reason)
        return True

    def show_object(self, ref: ObjectRef, tab: str | None = None) -> bool:
        """Show a function, type, sequence, extension or publication in the detail pane.

        Args:
            ref: The object.
            tab: A tab of its kind to open (`body`, `used_by`); None keeps the current one.

        Returns:
            False when the catalog has no such object.
        """
        if self.catalog is None:
            return False
        obj = object_by_ref(self.catalog, ref)
        if obj is None:
            return False
        self.idle_collector.poke()
        self.selected_object = ref
        self.query_one("#detail", ContentSwitcher).current = "object-detail"
        self.query_one(ObjectDetail).show_object(obj, self.catalog, tab)
        return True

    @property
    def showing_object(self) -> bool:
        """True when the detail pane shows an object other than a table."""
        return self.selected_object is not None

    # -- handlers: own the state -------------------------------------------------------------

    @on(TargetResolved)
    def _target_resolved(self, message: TargetResolved) -> None:
        self.target = message.target
        self.query_one(
            ConnectionBar
        ).target_label = f"{message.target.masked} ({message.target.source})"
        start = message.start
        cached = start.cached if start is not None else None
        if start is not None and start.read.warning:
            self.post_message(CacheIgnored(start.read.warning))
        if start is not None and cached is not None and start.domains is not None:
            label = cached_label(cached, self.stable)
            # checked once drawn: opening the pool takes the event loop for a while
            self.post_message(
                CatalogLoaded(cached.catalog, start.domains, 0.0, cached=label, to_check=cached)
            )
            return
        self.reload(cached)

    @on(PoolOpened)
    def _pool_opened(self, message: PoolOpened) -> None:
        old, self.pool = self.pool, message.pool
        self.disconnected = False
        detail = self.query_one(TableDetail)
        detail.body(RowsView).set_pool(message.pool)
        detail.body(AccessView).set_pool(message.pool)
        if old is not None and old is not message.pool:
            # a retry raced a slow first connect: keep the newest pool, close the other
            self.run_worker(
                close_quietly(old),
                group="pool",
                name="close-stale-pool",
                description="Close a pool replaced by a newer one",
                exit_on_error=False,
            )

    @on(CatalogLoaded)
    def _catalog_loaded(self, message: CatalogLoaded) -> None:
        first_load = self.catalog is None
        self.catalog = message.catalog
        self.domain_map = message.domain_map
        bar = self.query_one(ConnectionBar)
        bar.server_version = f"PostgreSQL {message.catalog.server.version}"
        views = sum(t.is_view for t in message.catalog.tables)
        bar.view_count = views
        bar.table_count = len(message.catalog.tables) - views
        bar.status = f"{message.cached} · checking…" if message.cached else ""
        self.query_one("#body", ContentSwitcher).current = "explorer"
        self.refresh_bindings()
        pane = self.query_one(TreePane)
        pane.domain_tree.key_tables = tuple(
            table.qualified_name
            for rule in self.domain_settings.rules
            for name in rule.key_tables
            if (table := message.catalog.table(name)) is not None
        )
        ref = self.selected_object
        if ref is not None and object_by_ref(message.catalog, ref) is not None:
            pane.show_domains(message.domain_map, ref)
            self.show_object(ref)
        else:
            keep = self.selected if self.selected and message.catalog.table(self.selected) else None
            if keep is None:
                keep = first_table(message.catalog, self.domain_settings, message.domain_map)
            pane.show_domains(message.domain_map, keep)
            if keep:
                self.show_table(keep)
        # the rest waits for the frame that draws this catalog
        if first_load:  # the hidden tabs' bodies
            self.after_next_frame.add(self.query_one(TableDetail).mount_bodies)
        self.after_next_frame.add(freeze_long_lived_objects, not first_load)  # tui/heap.py
        if message.fresh is not None and self.target is not None:
            self.after_next_frame.add(self._save, self.target, message.fresh)
        if message.to_check is not None:
            self.after_next_frame.add(self.reload, message.to_check)
        if first_load:
            pane.domain_tree.focus()
        elif message.cached is None:
            self.notify(f"catalog reloaded in {message.seconds:.1f}s", timeout=2)

    @on(CacheChecked)
    def _cache_checked(self, message: CacheChecked) -> None:
        self.query_one(ConnectionBar).status = f"{message.label}, current"

    @on(CacheIgnored)
    def _cache_ignored(self, message: CacheIgnored) -> None:
        self.notify(message.reason, title="Catalog cache", severity="warning", timeout=6)

    @on(ConnectionLost)
    def _connection_lost(self, message: ConnectionLost) -> None:
        if message.pool is not self.pool or self.disconnected:
            return  # a pool we closed ourselves, or a loss already shown
        self.disconnected = True
        self._drop_lost_pool()
        self.query_one(ConnectionBar).status = "press r to reconnect"
        self.notify(
            "connection lost: the catalog stays browsable; press r to reconnect",
            title="Disconnected",
            severity="warning",
            timeout=6,
        )

    def watch_disconnected(self, disconnected: bool) -> None:
        self.query_one(ConnectionBar).disconnected = disconnected

    def _drop_lost_pool(self) -> None:
        """Forget the pool at once (nothing may query it) and terminate its connections.

        Terminate, not close: a clean close waits on a server that may be gone. The querying
        tabs lose their pool too, and get the new one when `r` opens it.
        """
        pool, self.pool = self.pool, None
        detail = self.query_one(TableDetail)
        detail.body(RowsView).set_pool(None)
        detail.body(AccessView).set_pool(None)
        if pool is not None:
            pool.terminate()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        bar = self.query_one(ConnectionBar)
        bar.status = "failed"
        if self.disconnected and self.catalog is not None:
            # the catalog stays; the header keeps "disconnected" and says why, in one line
            reason = reason_without_target(message.reason, self.target)
            bar.status = f"r to reconnect · {reason}"
            self.notify(message.reason, title="Reconnect failed", severity="error", timeout=8)
            return
        if self.catalog is not None:
            # a failed refresh keeps the catalog on screen; the user can press r again
            self.notify(message.reason, title="Reload failed", severity="error", timeout=8)
            bar.status = "reload failed"
            return
        status = self.query_one(StatusPanel)
        status.message = message.reason
        status.failed = True
        self.query_one("#body", ContentSwitcher).current = "status"
        self.query_one("#retry").focus()

    @on(StatusPanel.RetryPressed)
    def _retry(self) -> None:
        self.connect()

    @on(DomainTree.TableHighlighted)
    def _table_highlighted(self, message: DomainTree.TableHighlighted) -> None:
        if message.qualified_name:
            self.show_table(message.qualified_name)
        elif message.missing_name:
            domain = ""
            if self.domain_map is not None:
                domain = next(
                    (
                        d.name
                        for d in self.domain_map.domains
                        if message.missing_name in d.missing_key_tables
                    ),
                    "",
                )
            self.selected = None
            self.selected_object = None
            self.query_one("#detail", ContentSwitcher).current = "table-detail"
            self.query_one(TableDetail).show_missing(message.missing_name, domain)

    @on(DomainTree.TableChosen)
    def _table_chosen(self, message: DomainTree.TableChosen) -> None:
        if self.show_table(message.qualified_name):
            self._focus_detail()

    @on(DomainTree.ObjectHighlighted)
    def _object_highlighted(self, message: DomainTree.ObjectHighlighted) -> None:
        self.show_object(message.ref)

    @on(DomainTree.ObjectChosen)
    def _object_chosen(self, message: DomainTree.ObjectChosen) -> None:
        if self.show_object(message.ref):
            self._focus_detail()

    @on(OpenObject)
    def _open_object(self, message: OpenObject) -> None:
        pane = self.query_one(TreePane)
        if pane.has_class("-filtering"):
            pane.close_filter()
        pane.domain_tree.select_table(message.ref, post=False)
        if not self.show_object(message.ref, message.tab):
            self.notify(f"no {message.ref.kind} {message.ref.key}", severity="warning")
            return
        self._focus_detail()

    @on(OpenTable)
    def _open_table(self, message: OpenTable) -> None:
        pane = self.query_one(TreePane)
        if pane.has_class("-filtering"):
            pane.close_filter()
        pane.domain_tree.select_table(message.qualified_name, post=False)
        if not self.show_table(message.qualified_name):
            self.notify(f"no table {message.qualified_name}", severity="warning")
            return
        detail = self.query_one(TableDetail)
        if message.tab:
            detail.show_tab(message.tab)
        if message.column:
            detail.show_column(message.column)
        self._focus_detail()

    def _focus_detail(self) -> None:
        if self.showing_object:
            self.query_one(ObjectDetail).focus_tab()
        else:
            self.query_one(TableDetail).focus_tab()

    # -- actions (bindings) ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the explorer's keys (filter, tabs) until there is a catalog to explore."""
        if action in COPY_ACTIONS and self.catalog is None:
            return False
        if action in ("filter", "step_tab", "show_tab", "zoom") and self.catalog is None:
            return False
        return True

    def action_filter(self) -> None:
        """Open the tree filter (showing the tree if it was zoomed away)."""
        if self.catalog is not None:
            self.remove_class("-zoomed")
            self.query_one(TreePane).open_filter()

    def action_zoom(self) -> None:
        """Hide the tree (the detail takes the whole width), or show it again."""
        zoomed = not self.has_class("-zoomed")
        self.set_class(zoomed, "-zoomed")
        pane = self.query_one(TreePane)
        if zoomed and self.focused is not None and pane in self.focused.ancestors:
            self._focus_detail()
        elif not zoomed:
            pane.domain_tree.focus()

    def action_reload(self) -> None:
        """Reload the catalog, or retry after a failure."""
        if self.target is None or self.catalog is None and self.query_one(StatusPanel).failed:
            self.connect()
        else:
            self.reload()

    def action_step_tab(self, step: int) -> None:
        """Show the next (1) or previous (-1) tab of the detail."""
        if self.showing_object:
            self.query_one(ObjectDetail).step_tab(step)
        else:
            self.query_one(TableDetail).step_tab(step)

    def action_show_tab(self, tab_id: str) -> None:
        """Show one tab of the table detail by id (of an object's: the one at its number)."""
        if self.showing_object:
            self.query_one(ObjectDetail).show_tab_number(TAB_IDS.index(tab_id))
        else:
            self.query_one(TableDetail).show_tab(tab_id)

    def action_back(self) -> None:
        """Close the filter if it is open, else move focus to the tree."""
        pane = self.query_one(TreePane)
        if pane.has_class("-filtering"):
            pane.close_filter()
        elif self.catalog is not None:
            self.remove_class("-zoomed")
            pane.domain_tree.focus()
