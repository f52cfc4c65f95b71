"""Palette providers, called directly (Textual logs provider errors instead of raising) and
once through ctrl+p with Pilot."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import CommandPalette

from ehgtui.tui.app import EhgApp
from ehgtui.tui.commands import FindColumnProvider, GoToTableProvider, column_hits, table_hits
from ehgtui.tui.widgets.detail.columns import ColumnsGrid
from ehgtui.tui.widgets.detail.table_detail import TableDetail
from ehgtui.tui.widgets.tree.domain_tree import DomainTree
from tests.tui.conftest import loaded, settle

SD_TABLE = "public.strategic_directives_v2"


async def test_table_and_column_hits(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        catalog = screen.catalog
        assert catalog is not None
        assert table_hits(catalog, "strategic_directives_v2")[0][1] == SD_TABLE
        hits = column_hits(catalog, "sd_id", limit=10_000)
        having = {t.qualified_name for t in catalog.tables if t.column("sd_id") is not None}
        assert {table for _, column, table in hits if column == "sd_id"} == having
        assert hits[0][1] == "sd_id"  # exact name first

        provider = GoToTableProvider(screen)
        found = [hit.text async for hit in provider.search("strategic_dir")]
        assert found[0] == f"Go to table: {SD_TABLE}"
        discovered = [hit.text async for hit in provider.discover()]
        assert discovered == ["Go to table…"]
        columns = [hit.text async for hit in FindColumnProvider(screen).search("sd_id")]
        assert columns and all(text.startswith("Find column: ") for text in columns)


async def test_go_to_table_through_the_palette(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"strategic_directives_v2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.selected == SD_TABLE)
        assert not isinstance(app.screen, CommandPalette)
        assert screen.query_one(DomainTree).highlighted_table == SD_TABLE
        assert screen.query_one(TableDetail).table is screen.catalog.table(SD_TABLE)  # type: ignore[union-attr]


async def test_find_column_opens_the_columns_tab_at_it(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        first = screen.selected
        await pilot.press("ctrl+p", *"current_phase")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.selected != first)
        table = screen.catalog.table(screen.selected)  # type: ignore[union-attr,arg-type]
        assert table is not None and table.column("current_phase") is not None
        detail = screen.query_one(TableDetail)
        assert detail.tabs.active == "columns"
        grid = screen.query_one(ColumnsGrid)
        assert grid.get_row_at(grid.cursor_row)[0] == "current_phase"
