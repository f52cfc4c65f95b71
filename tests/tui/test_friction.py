"""What got in a new user's way in the explorer (issue 23, "Friction"): each test failed before
its change."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Tab, Tabs

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


# -- wide grids ---------------------------------------------------------------------------


async def test_first_column_stays_when_scrolling_sideways(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        detail = await _open(pilot, screen)
        grid = screen.query_one("#columns-grid", DetailGrid)
        grid.focus()
        first = grid.get_row_at(0)[0]
        await pilot.press("l", "l")
        await settle(pilot)
        assert grid.scroll_x > 0
        line = grid.render_line(1).text  # row 0 (line 0 is the header)
        header = grid.render_line(0).text
        assert line.startswith(f" {first} "), line
        assert header.startswith(" Column "), header
        assert "Type" not in header  # the column scrolled past is gone, the first one stays
        await pilot.press("h", "h")
        await settle(pilot)
        assert grid.scroll_x == 0 and "Type" in grid.render_line(0).text
        assert detail.tabs.active == "columns"


def _record(app: EhgApp) -> str:
    from ehgtui.tui.screens.record_view import RecordScreen

    assert isinstance(app.screen, RecordScreen), app.screen
    return app.screen.body.plain


@pytest.mark.parametrize(
    ("tab", "grid_id", "key"),
    [
        ("constraints", "#constraints-grid", "enter"),
        ("indexes", "#indexes-grid", "enter"),
        ("triggers", "#triggers-grid", "x"),
        ("columns", "#columns-grid", "enter"),
    ],
)
async def test_a_cut_value_is_shown_whole(
    make_app: Callable[..., EhgApp], tab: str, grid_id: str, key: str
) -> None:
    """A value cut in the grid (`…`) is shown uncut, control characters as tokens."""
    from msgspec.structs import replace

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert screen.catalog is not None
        table = screen.catalog.table(SD_TABLE)
        assert table is not None
        long = "status = ANY (ARRAY[" + ", ".join(f"'s{n}'" for n in range(60)) + "]) \x1b"
        detail = screen.query_one(TableDetail)
        # a long text in the grid's cut column, put on the catalog's table as a load would
        if tab == "constraints":
            table = replace(
                table, constraints=(replace(table.constraints[0], definition=long + "\x1b"),)
            )
        elif tab == "indexes":
            table = replace(table, indexes=(replace(table.indexes[0], predicate=long),))
        elif tab == "triggers":
            table = replace(table, triggers=(replace(table.triggers[0], when=long),))
        else:
            table = replace(table, columns=(replace(table.columns[0], comment=long),))
        detail.show_tab(tab)
        detail.show_table(table, screen.catalog, "Strategic Directives")
        await settle(pilot)
        grid = screen.query_one(grid_id, DetailGrid)
        assert any("…" in cell for cell in grid.cell_texts()[0])
        grid.focus()
        await pilot.press(key)
        await settle(pilot)
        whole = _record(app)
        assert "'s59'" in whole and "…" not in whole
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_enter_on_a_trigger_still_opens_its_function(
    make_app: Callable[..., EhgApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        detail = await _open(pilot, screen)
        detail.show_tab("triggers")
        await settle(pilot)
        screen.query_one("#triggers-grid", DetailGrid).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.showing_object


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


async def test_80x24_keeps_names_and_tabs_readable(make_app: Callable[..., EhgApp]) -> None:
    from textual.widgets import Tabs

    from ehgtui.tui.widgets.tree.pane import TreePane

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        detail = await _open(pilot, screen)
        tree = screen.query_one(DomainTree)
        line = tree.cursor_line
        row = tree.render_line(line - round(tree.scroll_y)).text
        assert "strategic_directives_v2 " in row, row  # the whole name, in the narrow tree
        bar = detail.tabs.query_one(Tabs)
        assert bar.virtual_size.width <= bar.size.width  # every tab title on screen
        assert {t.label.plain for t in bar.query(Tab)} >= {"Rows", "Diff"}
        width_before = detail.size.width
        await pilot.press("z")  # the tree goes, the detail takes the width
        await settle(pilot)
        assert not screen.query_one(TreePane).display or screen.query_one(TreePane).size.width == 0
        assert detail.size.width == 80 > width_before
        await pilot.press("z")
        await settle(pilot)
        assert detail.size.width == width_before and isinstance(screen.focused, DomainTree)
        assert bar.virtual_size.width <= bar.size.width  # the titles fit again


async def test_a_too_small_terminal_shows_a_notice(make_app: Callable[..., EhgApp]) -> None:
    from textual.widgets import Static

    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        screen = await loaded(pilot)
        notice = screen.query_one("#too-small", Static)
        assert notice.display and notice.size.height > 0
        assert "terminal too small: 40x12" in str(notice.render())
        assert screen.query_one(TableDetail).size.width == 0  # no 11-column detail pane
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert notice.size.height == 0
        assert screen.query_one(TableDetail).size.width > 40
        await pilot.resize_terminal(50, 24)
        await settle(pilot)
        assert "50x24" in str(notice.render()) and notice.size.height > 0


# -- the tree's first screen -------------------------------------------------------------------


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
async def test_the_tree_opens_at_its_top(
    make_app: Callable[..., EhgApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await loaded(pilot)
        await settle(pilot)
        tree = screen.query_one(DomainTree)
        assert screen.selected == SD_TABLE
        assert tree.scroll_y == 0
        assert tree.render_line(0).text.lstrip().startswith("▼ Strategic Directives")
        # the table opened sits right under its heading: the README's key tables come first
        assert "strategic_directives_v2" in tree.render_line(1).text
        assert tree.cursor_line == 1


# -- the / filter --------------------------------------------------------------------------


async def test_filter_finds_tables_by_a_column_after_name_matches(
    make_app: Callable[..., EhgApp],
) -> None:
    from ehgtui.tui.widgets.tree.domain_tree import TableEntry

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash", *"created")
        await settle(pilot)
        tree = screen.query_one(DomainTree)
        entries = [
            n.data for d in tree.root.children for n in d.children if isinstance(n.data, TableEntry)
        ]
        by_column = [e for e in entries if e.matched_column]
        assert len(by_column) > 10  # many demo tables have created_at / created_by
        assert all("created" in (e.matched_column or "") for e in by_column)
        assert SD_TABLE in {e.table.qualified_name for e in by_column}
        # the first line shows the column the table was found by
        first = tree.render_line(1).text
        assert ".created" in first, first
        # a name match comes first: a table named *created* if the demo has one
        named = [e for e in entries if not e.matched_column]
        if named:
            assert entries[0] in named


# -- small gaps ----------------------------------------------------------------------------------


async def test_access_says_bypasses_rls_instead_of_listing_policies(
    make_app: Callable[..., EhgApp],
) -> None:
    from ehgtui.tui.widgets.detail.access import AccessView

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await _open(pilot, screen)
        await pilot.press("9")
        await settle(pilot)
        grid = screen.query_one(AccessView).query_one(DetailGrid)
        rows = {row[0].split(" ")[0]: row for row in grid.cell_texts()}
        for role in ("service_role", "postgres"):
            cells = rows[role][1:]
            assert all("bypasses RLS" in c for c in cells if c.startswith("✓")), cells
            assert not any("+" in c or "&" in c for c in cells), cells
        # a role under RLS still lists the policies that apply to it
        assert any("+" in c for c in rows["authenticated"][1:])


def test_the_help_legend_names_every_tree_mark() -> None:
    from ehgtui.tui.screens.help import LEGEND

    for mark in ("~ changed", "+ added", "> renamed", ".column"):
        assert mark in LEGEND
