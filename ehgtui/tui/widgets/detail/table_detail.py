"""The right pane: the selected table's summary over its tabs.

Only the active tab is filled when the table changes; the others are filled when they are
activated. Switching tables therefore costs one summary update, the tab titles and one tab.
"""

from __future__ import annotations

import asyncio
from typing import Literal, Protocol, TypeVar

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Tab, TabbedContent, TabPane, Tabs

from ehgtui.catalog.model import Catalog, Table
from ehgtui.tui.formatting import RLS_MARKS, rls_state
from ehgtui.tui.widgets.detail.access import AccessView
from ehgtui.tui.widgets.detail.columns import ColumnsGrid
from ehgtui.tui.widgets.detail.constraints import ConstraintsView
from ehgtui.tui.widgets.detail.ddl import DdlView
from ehgtui.tui.widgets.detail.diff import DiffView
from ehgtui.tui.widgets.detail.indexes import IndexesGrid
from ehgtui.tui.widgets.detail.policies import PoliciesView
from ehgtui.tui.widgets.detail.relations import RelationsView
from ehgtui.tui.widgets.detail.rows import RowsView
from ehgtui.tui.widgets.detail.summary import TableSummary, missing_content, summary_content
from ehgtui.tui.widgets.detail.triggers import TriggersGrid

TAB_IDS: tuple[str, ...] = (
    "columns",
    "constraints",
    "indexes",
    "policies",
    "triggers",
    "ddl",
    "relations",
    "rows",
    "access",
    "diff",
)
"""The tabs, in order."""


class TabBody(Protocol):
    """What every tab's widget offers: fill yourself from one table."""

    def show_table(self, table: Table, catalog: Catalog) -> None: ...


BodyT = TypeVar("BodyT", bound=Widget)


TAB_NAMES: dict[str, tuple[str, str]] = {
    "columns": ("Columns", "Cols"),
    "constraints": ("Constraints", "Cons"),
    "indexes": ("Indexes", "Idx"),
    "policies": ("Policies", "Pol"),
    "triggers": ("Triggers", "Trg"),
    "ddl": ("DDL", "DDL"),
    "rows": ("Rows", "Rows"),
    "access": ("Access", "Acc"),
    "diff": ("Diff", "Diff"),
    "relations": ("Relations", "Rel"),
}
"""Full and short name of each tab."""

TitleLevel = Literal["full", "compact", "tiny"]
"""How much the tab titles say: full names and counts; short names and counts; short names,
with only the Policies tab keeping its count and RLS marker (the tabs then sit closer)."""

TITLE_LEVELS: tuple[TitleLevel, ...] = ("full", "compact", "tiny")
"""From the widest to the narrowest: the tab bar takes the first that fits."""

COMPACT_WIDTH = 82
"""Below this many columns the detail pane starts from the compact tab titles."""

TAB_PADDING: dict[TitleLevel, int] = {"full": 2, "compact": 2, "tiny": 1}
"""Columns of padding around each tab's label: Textual's `padding: 0 1`, or one column on the
left only for the tiny titles."""


def tab_titles(table: Table | None, level: TitleLevel = "full") -> dict[str, str]:
    """Tab titles with counts; the Policies title carries the RLS marker (and state in words).

    Args:
        table: The table shown, or None.
        level: `full`; `compact` (short names, no RLS words: the marker stays); `tiny` (short
            names, counts only on Policies).

    Returns:
        Tab id to title.
    """
    names = {tab: pair[0 if level == "full" else 1] for tab, pair in TAB_NAMES.items()}
    if table is None:
        return names
    state = rls_state(table)
    rls = {"on": "RLS on", "no-policies": "RLS on", "off": "RLS off", "view": "view"}[state]
    policies = f"{names['policies']} {len(table.policies)} {RLS_MARKS[state]}"
    titles = dict(names, policies=policies if level != "full" else f"{policies} {rls}")
    if level != "tiny":
        for tab, count in (
            ("columns", len(table.columns)),
            ("constraints", len(table.constraints)),
            ("indexes", len(table.indexes)),
            ("triggers", len(table.triggers)),
        ):
            titles[tab] = f"{names[tab]} {count}"
    return titles


def titles_width(titles: dict[str, str], level: TitleLevel = "full") -> int:
    """Columns the tab bar needs for these titles, with the padding of their level."""
    return sum(cell_len(title) + TAB_PADDING[level] for title in titles.values())


def fitting_titles(
    table: Table | None, width: int, narrow: bool
) -> tuple[TitleLevel, dict[str, str]]:
    """The widest titles whose tab bar fits `width` (the tiny ones when none does).

    Args:
        table: The table shown, or None.
        width: Columns the tab bar has.
        narrow: Start from the compact titles (a small terminal).
    """
    levels = TITLE_LEVELS[1:] if narrow else TITLE_LEVELS
    for level in levels:
        titles = tab_titles(table, level)
        if titles_width(titles, level) <= width:
            break
    return level, titles


class TableDetail(Vertical):
    """The summary line and the tabs of the selected table."""

    table: reactive[Table | None] = reactive(None, init=False, always_update=True)
    """The table shown; set through `show_table` so the catalog comes with it."""

    compact: reactive[bool] = reactive(False, init=False)
    """Short tab titles, set from the pane's width (below COMPACT_WIDTH columns)."""

    stable: bool = False
    """Hide values that vary between runs (sizes, row estimates) for snapshots."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self._catalog: Catalog | None = None
        self._domain = ""
        self._domain_reason = ""
        self._filled: set[str] = set()
        self._title_level: TitleLevel = "full"
        self._bodies: dict[str, Widget] = {
            "columns": ColumnsGrid(id="columns-grid"),
            "constraints": ConstraintsView(id="constraints-view"),
            "indexes": IndexesGrid(id="indexes-grid"),
            "policies": PoliciesView(id="policies-view"),
            "triggers": TriggersGrid(id="triggers-grid"),
            "ddl": DdlView(id="ddl-view"),
            "relations": RelationsView(id="relations-view"),
            "rows": RowsView(id="rows-view"),
            "access": AccessView(id="access-view"),
            "diff": DiffView(id="diff-view"),
        }
        """Each tab's body, made at once; all but the first are mounted later."""
        self._unmounted = {tab: body for tab, body in self._bodies.items() if tab != "columns"}
        """Bodies not in their pane yet: see `mount_bodies`."""
        self._mounting = asyncio.Lock()
        self._focus_pending: str | None = None
        """A tab to focus once its body is mounted (the focus was in the tab left)."""
        self._pending_column: str | None = None
        """A column for the Columns grid's cursor once that grid holds the table shown."""
        self._underlined_span: tuple[int, int] | None = None
        """The active tab's columns when the tab bar was last asked to underline it."""

    def compose(self) -> ComposeResult:
        yield TableSummary("select a table on the left", id="table-summary")
        with TabbedContent(id="detail-tabs", initial="columns"):
            for tab_id in TAB_IDS:
                with TabPane(TAB_NAMES[tab_id][0], id=tab_id):
                    if tab_id not in self._unmounted:
                        yield self._bodies[tab_id]

    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self._follow_active_tab)
        # tab moves focus between the tree and the grids; the tab bar is for the mouse, and
        # digits and [ ] switch tabs from anywhere
        self.tabs.query_one(Tabs).can_focus = False

    def active_body(self) -> Widget | None:
        """The body of the active tab, once mounted (None before)."""
        body = self._bodies.get(self.tabs.active)
        return body if body is not None and body.is_mounted else None

    def body(self, kind: type[BodyT]) -> BodyT:
        """The tab body of class `kind`, mounted or not yet (its attributes can be set).

        Args:
            kind: ColumnsGrid, RowsView, DiffView, …
        """
        for body in self._bodies.values():
            if isinstance(body, kind):
                return body
        raise LookupError(f"no {kind.__name__} tab")

    async def mount_bodies(self) -> None:
        """Put the hidden tabs' bodies into their panes (once; later calls wait for it).

        Only the Columns tab is mounted with the pane: styling and mounting the nine others
        took a quarter of the time to the first tree on a start from the cache, so the explorer
        mounts them once the tree is up, or when a tab is opened first.
        """
        async with self._mounting:
            pending, self._unmounted = self._unmounted, {}
            for tab_id, body in pending.items():
                if not self.is_attached:  # the app is closing (e.g. a signal): nowhere to put it
                    return
                pane = self.tabs.get_pane(tab_id)
                if not pane.is_attached:
                    return
                await pane.mount(body)

    @property
    def tabs(self) -> TabbedContent:
        """The tabbed content."""
        return self.query_one("#detail-tabs", TabbedContent)

    def show_table(self, table: Table, catalog: Catalog, domain: str, reason: str = "") -> None:
        """Show a table: summary, tab titles, and the active tab's content.

        Args:
            table: The table to show.
            catalog: The catalog it belongs to.
            domain: The name of its domain, for the summary.
            reason: Why it sits in that domain, for the summary.
        """
        self._catalog = catalog
        self._domain = domain
        self._domain_reason = reason
        self.table = table

    def show_missing(self, name: str, domain: str) -> None:
        """Say that a key table the README names does not exist here.

        Args:
            name: The missing table's name.
            domain: The domain that names it.
        """
        self._catalog = None
        self.set_reactive(TableDetail.table, None)
        self._filled.clear()
        self.query_one(TableSummary).update(missing_content(name, domain))
        self._set_titles(None)

    def show_tab(self, tab_id: str) -> None:
        """Activate a tab by id (`columns`, `policies`, …); focus in the old tab follows it.

        With focus in a tab of two grids (Constraints, Policies), hiding the pane handed the
        focus to the other grid of the same pane, and the tabbed content then switched back
        to the pane holding the focus: the key did nothing. So the focus leaves first.

        Args:
            tab_id: One of TAB_IDS.
        """
        tabs = self.tabs
        focused = self.screen.focused
        in_pane = focused is not None and any(
            isinstance(node, TabPane) for node in focused.ancestors if node is not tabs
        )
        in_pane = in_pane and focused is not None and tabs in focused.ancestors
        if in_pane and tab_id != tabs.active:
            self.screen.set_focus(None)
        tabs.active = tab_id
        if in_pane:
            self._focus_tab_later(tab_id)

    def focus_tab(self, tab_id: str | None = None) -> bool:
        """Focus the first focusable widget of a tab (the active one by default).

        Returns:
            False when the tab has nothing to focus (yet).
        """
        pane = self.tabs.get_pane(tab_id or self.tabs.active)
        for widget in pane.query("*"):
            if widget.focusable:
                widget.focus()
                return True
        return False

    def _focus_tab_later(self, tab_id: str) -> None:
        """Focus the tab once its body is mounted and shown (it may be mounted on demand)."""
        self._focus_pending = tab_id
        self.call_after_refresh(self._focus_pending_tab)

    def _focus_pending_tab(self) -> None:
        tab_id, self._focus_pending = self._focus_pending, None
        if tab_id is None or self.tabs.active != tab_id:
            return
        if not self._bodies[tab_id].is_mounted:
            self._focus_pending = tab_id  # `_mount_and_fill` calls again once it is
            return
        self.focus_tab(tab_id)  # a tab with nothing to focus leaves the keys to the screen

    def show_column(self, name: str) -> None:
        """Put the Columns grid's cursor on column `name` of the table shown.

        The grid is filled when its tab is activated, which may come after this call (the tab
        was just switched to): the column then waits for that fill.
        """
        if "columns" in self._filled:
            self.body(ColumnsGrid).move_to_column(name)
        else:
            self._pending_column = name

    def watch_table(self, table: Table | None) -> None:
        self._filled.clear()
        self._pending_column = None
        if table is None:
            self.query_one(TableSummary).update("select a table on the left")
            self._set_titles(None)
            return
        summary = summary_content(table, self._domain, self.stable, self._domain_reason)
        self.query_one(TableSummary).update(summary)
        self._set_titles(table)
        self._fill(self.tabs.active)

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_WIDTH
        self._set_titles(self.table)  # whether the full titles fit depends on the width too

    def watch_compact(self) -> None:
        self._set_titles(self.table)

    def _set_titles(self, table: Table | None) -> None:
        """Relabel the tabs whose title changed.

        Every relabel would make the tab bar move its underline (an animated query per tab),
        so relabels stay quiet: the layout they cause moves it, once (`_follow_active_tab`).
        """
        tabs = self.tabs
        if self.size.width:
            level, titles = fitting_titles(table, self.size.width, self.compact)
        else:  # not laid out yet: the resize that follows picks the level
            level = self._title_level
            titles = tab_titles(table, level)
        if TAB_PADDING[level] != TAB_PADDING[self._title_level]:
            # inline styles on the ten tabs: a class on this widget would restyle all it holds
            padding = (0, 0, 0, 1) if TAB_PADDING[level] == 1 else (0, 1)
            for tab_id in TAB_IDS:
                tabs.get_tab(tab_id).styles.padding = padding
        self._title_level = level
        for tab_id, title in titles.items():
            tab = tabs.get_tab(tab_id)
            if tab.label.plain == title:
                continue
            with self.prevent(Tab.Relabelled):
                tab.label = title

    def _follow_active_tab(self, _screen: Screen[object]) -> None:
        """After each layout, have the tab bar move its underline if the active tab moved or
        changed width.

        The tab bar measures the active tab once, after the refresh that follows a relabel, but
        the tab's new size reaches the screen in a message of its own that can come later: the
        underline then kept the old title's width (at 120 columns, where the titles change from
        full to compact after the first layout). After a layout the size is known.
        """
        bar = self.tabs.query_one(Tabs)
        active = bar.active_tab
        if active is None:
            return
        span = active.virtual_region.shrink(active.styles.gutter).column_span
        if span != self._underlined_span:
            self._underlined_span = span
            active.post_message(Tab.Relabelled(active))

    def _fill(self, tab_id: str) -> None:
        """Fill one tab from the current table, once per table (mounting its body first)."""
        table, catalog = self.table, self._catalog
        if table is None or catalog is None or tab_id in self._filled or not tab_id:
            return
        body = self._bodies[tab_id]
        if not body.is_mounted:  # not in its pane yet, or being put there
            self.call_later(self._mount_and_fill, tab_id)
            return
        if isinstance(body, IndexesGrid):
            body.stable = self.stable
        fill: TabBody | None = body if hasattr(body, "show_table") else None
        if fill is not None:
            fill.show_table(table, catalog)
        self._filled.add(tab_id)
        if isinstance(body, ColumnsGrid) and self._pending_column is not None:
            body.move_to_column(self._pending_column)
            self._pending_column = None

    async def _mount_and_fill(self, tab_id: str) -> None:
        await self.mount_bodies()  # waits for a mount already under way, too
        if self._bodies[tab_id].is_mounted:
            self._fill(tab_id)
            self.call_after_refresh(self._focus_pending_tab)
        else:  # mounted with the pane, which is still being built: try after the next frame
            self.call_after_refresh(self._fill, tab_id)

    @on(TabbedContent.TabActivated, "#detail-tabs")
    def _fill_on_activate(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        if event.pane.id:
            self._fill(event.pane.id)
        self.screen.refresh_bindings()  # the footer shows the new tab's keys (see ExplorerScreen)

    def step_tab(self, step: int) -> None:
        """Show the tab `step` places to the right (negative: left), wrapping around.

        Args:
            step: How many tabs to move.
        """
        ids = [pane.id for pane in self.tabs.query(TabPane) if pane.id]
        if not ids:
            return
        current = ids.index(self.tabs.active) if self.tabs.active in ids else 0
        self.show_tab(ids[(current + step) % len(ids)])
