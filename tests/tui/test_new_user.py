"""What a new user tripped over in the explorer (issue 23): each test failed before its fix."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.command import CommandPalette

from ehgtui.tui.app import EhgApp
from ehgtui.tui.commands import FindColumnProvider, GoToTableProvider
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.detail.columns import ColumnsGrid
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.table_detail import TableDetail
from ehgtui.tui.widgets.tree.filter_input import TableFilter
from tests.tui.conftest import loaded, settle

SD_TABLE = "public.strategic_directives_v2"
SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]


async def _open(pilot: object, screen: ExplorerScreen, name: str = SD_TABLE) -> TableDetail:
    from ehgtui.tui.messages import OpenTable

    screen.post_message(OpenTable(name))
    await settle(pilot, lambda: screen.selected == name)  # type: ignore[arg-type]
    return screen.query_one(TableDetail)


@pytest.mark.parametrize("size", SIZES)
async def test_referenced_by_is_on_screen(
    make_app: Callable[..., EhgApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await loaded(pilot)
        detail = await _open(pilot, screen)
        await pilot.press("2")
        await settle(pilot)
        refs = screen.query_one("#referenced-by-grid", DetailGrid)
        own = screen.query_one("#constraints-grid", DetailGrid)
        table = screen.catalog.table(SD_TABLE)  # type: ignore[union-attr]
        assert table is not None and refs.row_count == len(table.referenced_by) > 10
        # the grid has a header and rows on screen, under the constraints, inside the pane
        assert refs.region.height >= 3
        assert refs.region.bottom <= detail.region.bottom
        assert own.region.height >= 2
        label = str(screen.query_one("#referenced-by-label").render())
        assert f"{len(table.referenced_by)} foreign keys" in label and "itself" in label


@pytest.mark.parametrize("tab", ["constraints", "policies"])
async def test_digit_keys_work_with_focus_in_a_two_grid_tab(
    make_app: Callable[..., EhgApp], tab: str
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        detail = await _open(pilot, screen)
        detail.show_tab(tab)
        await settle(pilot)
        grid = detail.tabs.get_pane(tab).query(DetailGrid).first()
        grid.focus()
        await pilot.press("j", "6")
        await settle(pilot)
        assert detail.tabs.active == "ddl"
        detail.show_tab(tab)
        await settle(pilot)
        detail.tabs.get_pane(tab).query(DetailGrid).first().focus()
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert detail.tabs.active != tab


async def test_zero_opens_the_diff_tab(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("0")
        await settle(pilot)
        assert screen.query_one(TableDetail).tabs.active == "diff"


@pytest.mark.parametrize("from_tab", ["access", "policies"])
async def test_find_column_from_another_tab_lands_on_it(
    make_app: Callable[..., EhgApp], from_tab: str
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        detail = await _open(pilot, screen, "public.sd_queue")
        detail.show_tab(from_tab)
        await settle(pilot)
        await pilot.press("ctrl+p", *"blocked_stat")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.selected == SD_TABLE)
        assert detail.tabs.active == "columns"
        grid = screen.query_one(ColumnsGrid)
        assert grid.get_row_at(grid.cursor_row)[0] == "blocked_statuses"


async def test_filter_placeholder_fits_the_narrow_tree(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash")
        await settle(pilot)
        box = screen.query_one(TableFilter)
        assert len(box.placeholder) <= box.content_region.width
        # what enter and escape do is in the footer instead
        keys = {b.binding.key for b in app.active_bindings.values() if b.binding.show}
        assert {"enter", "escape"} <= keys


@pytest.mark.parametrize(
    ("provider", "typed", "expected"),
    [
        (GoToTableProvider, f"Go to table: {SD_TABLE}", f"Go to table: {SD_TABLE}"),
        (GoToTableProvider, "Go to", "Go to table…"),
        (FindColumnProvider, "Find col", "Find column…"),
        (
            FindColumnProvider,
            f"Find column: blocked_statuses in {SD_TABLE}",
            f"Find column: blocked_statuses in {SD_TABLE}",
        ),
    ],
)
async def test_the_palette_finds_its_own_titles(
    make_app: Callable[..., EhgApp], provider: type, typed: str, expected: str
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        found = [str(hit.text) async for hit in provider(screen).search(typed)]
        assert found and found[0] == expected


async def test_find_column_narrowed_by_table_words(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        hits = [hit async for hit in FindColumnProvider(screen).search("created_by strategic")]
        titles = [str(hit.text) for hit in hits]
        assert titles and all(" in public.strategic" in t for t in titles)
        assert all(t.startswith("Find column: created_by in ") for t in titles)
        assert hits[0].help and "table" in hits[0].help
