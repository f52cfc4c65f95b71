"""What got in a new user's way in the explorer (issue 23, "Friction"): each test failed before
its change."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Tabs

from ehgtui.tui.app import EhgApp
from ehgtui.tui.messages import OpenTable
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.screens.view_as import ViewAsScreen
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.rows import RowsGrid, RowsView
from ehgtui.tui.widgets.detail.table_detail import TableDetail
from ehgtui.tui.widgets.tree.domain_tree import DomainTree
from tests.tui.conftest import loaded, settle

SD_TABLE = "public.strategic_directives_v2"


async def _open(pilot: Pilot[None], screen: ExplorerScreen, name: str = SD_TABLE) -> TableDetail:
    screen.post_message(OpenTable(name))
    await settle(pilot, lambda: screen.selected == name)
    return screen.query_one(TableDetail)


def _footer_keys(screen: ExplorerScreen) -> set[str]:
    """The keys the footer shows (the active bindings marked to be shown)."""
    return {key for key, active in screen.active_bindings.items() if active.binding.show}


# -- focus --------------------------------------------------------------------------------


async def test_rows_keys_work_from_the_tree(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        detail = await _open(pilot, screen)
        screen.query_one(DomainTree).focus()
        await pilot.press("8")
        await settle(pilot, lambda: screen.query_one(RowsView).page is not None)
        assert detail.tabs.active == "rows"
        assert isinstance(screen.focused, DomainTree)
        assert {"w", "a", "c", "C"} <= _footer_keys(screen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ViewAsScreen)
        await pilot.press("escape")
        await settle(pilot)
        screen.query_one(DomainTree).focus()
        await pilot.press("w")
        await settle(pilot)
        rows = screen.query_one(RowsView)
        assert rows.has_class("-where")
        assert isinstance(screen.focused, Input) and screen.focused.id == "rows-where"
        # in a text box the letters are text, not keys
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen and screen.focused.value == "a"


async def test_tree_keys_stay_the_trees(make_app: Callable[..., EhgApp]) -> None:
    """The lifted keys come after the focused widget's: j in the tree still moves the tree."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await _open(pilot, screen)
        tree = screen.query_one(DomainTree)
        tree.focus()
        await pilot.press("8")
        await settle(pilot)
        line = tree.cursor_line
        await pilot.press("j")
        await settle(pilot)
        assert tree.cursor_line == line + 1
        assert "Columns" not in _footer_keys(screen)  # and on another tab, no Rows keys
        await pilot.press("1")
        await settle(pilot)
        assert not {"w", "a"} & _footer_keys(screen)


async def test_h_and_l_scroll_the_rows_grid(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await _open(pilot, screen)
        await pilot.press("8")
        await settle(pilot, lambda: screen.query_one(RowsView).page is not None)
        grid = screen.query_one(RowsGrid)
        grid.focus()
        await pilot.press("l", "l")
        await settle(pilot)
        assert grid.cursor_coordinate.column == 2
        await pilot.press("h")
        await settle(pilot)
        assert grid.cursor_coordinate.column == 1
        assert grid.fixed_columns == 1


@pytest.mark.parametrize("object_shown", [False, True])
async def test_tab_never_stops_on_the_tab_bar(
    make_app: Callable[..., EhgApp], object_shown: bool
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        if object_shown:
            await pilot.press("slash", *"sd_status", "enter")
            await settle(pilot)
            assert screen.showing_object
        screen.query_one(DomainTree).focus()
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            await settle(pilot)
            seen.append(screen.focused)
        assert not any(isinstance(w, Tabs) for w in seen), seen
        if not object_shown:
            assert isinstance(seen[0], DetailGrid)


# -- 80x24 ---------------------------------------------------------------------------------


async def test_footer_keeps_help_and_quit_at_80_columns(make_app: Callable[..., EhgApp]) -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await _open(pilot, screen)
        screen.query_one(DomainTree).focus()
        await pilot.press("8")  # the Rows tab adds its seven keys to the footer
        await settle(pilot, lambda: screen.query_one(RowsView).page is not None)
        footer = screen.query_one(Footer)
        on_screen = {
            key.description
            for key in footer.query(FooterKey)
            if key.region.width and key.region.right <= 80
        }
        assert {"Help", "Quit", "Where…"} <= on_screen, on_screen
