"""The detail pane mounts only the Columns tab with the screen; the other nine bodies come once
the first tree is drawn, or when a tab is opened first, and work the same either way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog, Table
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import EhgApp
from ehgtui.tui.commands import RowsAndSnapshotProvider
from ehgtui.tui.screens.view_as import ViewAsScreen
from ehgtui.tui.widgets.detail.columns import ColumnsGrid
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.policies import PoliciesView
from ehgtui.tui.widgets.detail.rows import RowsView
from ehgtui.tui.widgets.detail.table_detail import TAB_IDS, TableDetail
from tests.tui.conftest import loaded, settle

SD = "public.strategic_directives_v2"


class DetailOnly(App[None]):
    """Just the detail pane: nothing mounts its hidden bodies unless a tab asks."""

    def compose(self) -> ComposeResult:
        yield TableDetail(id="table-detail")


async def _sd(dsn: str) -> tuple[Table, Catalog]:
    """The wide demo table (22 policies) and its catalog."""
    pool = await create_pool(ConnectionTarget(dsn, "test"))
    try:
        catalog = await load_catalog(pool)
    finally:
        await pool.close()
    table = catalog.table(SD)
    assert table is not None
    return table, catalog


@asynccontextmanager
async def _detail_showing_sd(
    demo_dsn: str,
) -> AsyncIterator[tuple[Pilot[None], TableDetail, Table]]:
    """A detail pane alone, showing the wide demo table, its hidden bodies not mounted."""
    table, catalog = await _sd(demo_dsn)
    app = DetailOnly()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = app.query_one(TableDetail)
        assert len(app.query(ColumnsGrid)) == 1
        assert len(app.query(PoliciesView)) == 0  # made, not mounted
        detail.show_table(table, catalog, "Strategic Directives")
        yield pilot, detail, table


async def test_a_tab_opened_before_its_body_is_mounted_is_mounted_and_filled(
    demo_dsn: str,
) -> None:
    async with _detail_showing_sd(demo_dsn) as (pilot, detail, table):
        app = pilot.app
        detail.show_tab("policies")
        await settle(pilot, lambda: len(app.query(PoliciesView)) == 1)
        await pilot.pause()
        view = app.query_one(PoliciesView)
        assert view is detail.body(PoliciesView)
        grid = view.query_one(DetailGrid)
        assert grid.row_count == len(table.policies) == 22
        for tab_id in TAB_IDS:  # the one mount brought every body into its own pane
            assert detail.tabs.get_pane(tab_id).query_children().first() is not None


async def test_a_tab_opened_while_the_bodies_are_being_mounted_is_filled(
    demo_dsn: str,
) -> None:
    async with _detail_showing_sd(demo_dsn) as (pilot, detail, table):
        mounting = asyncio.ensure_future(detail.mount_bodies())
        await asyncio.sleep(0)  # the mount is under way: no body is left to mount
        assert not detail._unmounted and not detail.body(PoliciesView).is_mounted
        detail.show_tab("policies")
        await mounting
        await settle(pilot)
        await pilot.pause()
        grid = detail.body(PoliciesView).query_one(DetailGrid)
        assert grid.row_count == len(table.policies) == 22


async def test_after_the_first_tree_every_tab_has_its_body(
    make_app: Callable[..., EhgApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await settle(pilot)
        detail = screen.query_one(TableDetail)
        for tab_id in TAB_IDS:
            body = detail.tabs.get_pane(tab_id).query_children().first()
            assert body is detail._bodies[tab_id], tab_id
        assert screen.query_one(RowsView) is detail.body(RowsView)
        assert detail.body(RowsView).pool is screen.pool is not None  # set before it mounted


async def test_view_rows_as_from_the_palette_opens_the_picker(
    make_app: Callable[..., EhgApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        commands = {
            title: command for title, command, _ in RowsAndSnapshotProvider(screen)._commands()
        }
        app.call_later(commands["Rows: View rows as…"])  # as the palette runs a command
        await settle(pilot, lambda: isinstance(app.screen, ViewAsScreen))
        assert screen.query_one(TableDetail).tabs.active == "rows"


async def test_bodies_are_not_mounted_into_a_pane_that_is_going_away() -> None:
    """A quit (or a signal) right after the first tree can close the pane while its hidden
    bodies wait to be mounted: nothing is mounted and nothing is raised."""
    app = DetailOnly()
    async with app.run_test(size=(120, 36)):
        detail = app.query_one(TableDetail)
        await detail.remove()
        await detail.mount_bodies()
        assert not detail.body(PoliciesView).is_mounted
    assert app.return_code in (None, 0)  # 1 when a handler or callback raised
