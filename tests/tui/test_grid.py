"""The detail grid on its own: rows in, keys and clicks move the cursor, the view scrolls.

A tiny app hosts one grid at a fixed size, so what is on screen is known line by line.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.message import Message

from ehgtui.tui.screens.record_view import RecordScreen
from ehgtui.tui.widgets.detail.grid import DetailGrid

HEADER = ("Name", "Kind", "Definition")
"""Three columns; the last one is wide enough to need horizontal scrolling."""

GRID_HEIGHT = 10
"""Lines the grid gets: the header, eight rows and the horizontal scrollbar."""


def wide_rows(count: int) -> list[tuple[str, str, str]]:
    """Rows whose Definition cell is far wider than the 40-column test screen."""
    return [
        (f"row_{i:03}", "index", f"CREATE INDEX row_{i:03} ON t USING btree ({'x' * 60})")
        for i in range(count)
    ]


class GridApp(App[None]):
    """One grid, focused, in a 40x12 screen."""

    CSS: ClassVar[str] = f"DetailGrid {{ height: {GRID_HEIGHT}; }}"

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield DetailGrid(HEADER, id="grid")

    def on_mount(self) -> None:
        grid = self.query_one(DetailGrid)
        grid.show_rows(self.rows)
        grid.focus()

    def on_detail_grid_row_highlighted(self, message: DetailGrid.RowHighlighted) -> None:
        self.messages.append(message)

    def on_detail_grid_row_selected(self, message: DetailGrid.RowSelected) -> None:
        self.messages.append(message)


def screen_lines(grid: DetailGrid) -> list[str]:
    """The grid's visible lines as text (the scrollbars are widgets of their own)."""
    region = grid.scrollable_content_region
    return [strip.text for strip in grid.render_lines(Region(0, 0, region.width, region.height))]


async def test_cells_are_one_line_plain_text() -> None:
    rows: list[tuple[str | Text, ...]] = [
        ("a", Text.assemble("enum", (" {x|y}", "dim")), "two\nlines\tand a tab"),
        ("short row",),
    ]
    app = GridApp([])
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(DetailGrid)
        grid.show_rows(rows)
        await pilot.pause()
        assert grid.row_count == 2
        assert grid.cell_texts() == [
            ["a", "enum {x|y}", "two lines and a tab"],
            ["short row", "", ""],
        ]
        assert isinstance(grid.get_row_at(0)[1], Text)  # styled cells keep their style
        assert grid.column_widths == (9, 10, 19)
        lines = screen_lines(grid)
        width = len(lines[0])  # the 44-cell table is cut at the screen's edge

        def line(*cells: str) -> str:
            return "".join(f" {c:{w}} " for c, w in zip(cells, grid.column_widths, strict=True))[
                :width
            ]

        assert lines[0] == line(*HEADER)
        assert lines[1] == line("a", "enum {x|y}", "two lines and a tab")
        assert lines[2] == line("short row", "", "")
        assert lines[3].strip() == ""  # nothing under the last row


async def test_keys_move_the_cursor_and_post_messages() -> None:
    app = GridApp(wide_rows(30))
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(DetailGrid)
        await pilot.press("down", "j", "j", "k")
        await pilot.pause()
        assert grid.cursor_row == 2
        highlighted = [
            m.cursor_row for m in app.messages if isinstance(m, DetailGrid.RowHighlighted)
        ]
        assert highlighted == [1, 2, 3, 2]
        await pilot.press("enter")
        await pilot.pause()
        selected = app.messages[-1]
        assert isinstance(selected, DetailGrid.RowSelected)
        assert (selected.cursor_row, selected.grid) == (2, grid)
        assert isinstance(app.screen, RecordScreen)  # enter shows the row whole, too
        assert app.screen.body.plain.startswith("Name       │ row_002")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("end")
        assert grid.cursor_row == 29
        await pilot.press("down")  # already on the last row: stays, posts nothing new
        assert grid.cursor_row == 29
        await pilot.press("home")
        assert grid.cursor_row == 0
        await pilot.press("up")
        assert grid.cursor_row == 0


async def test_a_long_list_scrolls_under_a_fixed_header() -> None:
    app = GridApp(wide_rows(30))
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(DetailGrid)
        body = len(screen_lines(grid)) - 1
        await pilot.press("pagedown")
        await pilot.pause()
        assert grid.cursor_row == body
        assert grid.scroll_y == body  # the cursor keeps its place on screen
        await pilot.press("end")
        await pilot.pause()
        lines = screen_lines(grid)
        assert lines[0].startswith(" Name")  # the header stays on top
        assert lines[-1].startswith(" row_029")
        assert lines[1].startswith(f" row_{30 - body:03}")
        await pilot.press("home")
        await pilot.pause()
        assert grid.scroll_y == 0
        assert screen_lines(grid)[1].startswith(" row_000")


async def test_right_and_left_scroll_by_whole_columns() -> None:
    app = GridApp(wide_rows(3))
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(DetailGrid)
        assert "Definition" in screen_lines(grid)[0]
        assert "btree" not in screen_lines(grid)[1]  # the end of the long cell is off screen
        fixed = grid.column_widths[0] + 2
        await pilot.press("right")
        await pilot.pause()
        assert grid.scroll_x == grid.column_widths[1] + 2  # Kind scrolled away
        lines = screen_lines(grid)
        # the first column stays; Definition now starts right after it, in the header too
        assert lines[0].startswith(" Name     Definition ")
        assert lines[1].startswith(" row_000  CREATE ")
        await pilot.press("l", "l", "l")  # past the last column: stops at the far end
        await pilot.pause()
        assert grid.scroll_x == grid.max_scroll_x
        assert screen_lines(grid)[1].rstrip().endswith("x)")
        assert screen_lines(grid)[1].startswith(" row_000 ")
        await pilot.press("h")
        await pilot.pause()
        assert screen_lines(grid)[0][fixed:].startswith(" Definition")
        await pilot.press("left", "left")
        await pilot.pause()
        assert grid.scroll_x == 0
        assert screen_lines(grid)[0].startswith(" Name")


async def test_click_moves_the_cursor_and_a_second_click_selects() -> None:
    app = GridApp(wide_rows(5))
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(DetailGrid)
        await pilot.click(DetailGrid, offset=(2, 0))  # the header: nothing happens
        assert grid.cursor_row == 0
        await pilot.click(DetailGrid, offset=(2, 3))
        await pilot.pause()
        assert grid.cursor_row == 2
        await pilot.click(DetailGrid, offset=(2, 3))
        await pilot.pause()
        assert isinstance(app.messages[-1], DetailGrid.RowSelected)
        assert app.messages[-1].cursor_row == 2


async def test_cursor_row_is_drawn_in_the_cursor_style() -> None:
    app = GridApp(wide_rows(4))
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(DetailGrid)
        await pilot.press("j")
        await pilot.pause()
        strips = grid.render_lines(Region(0, 0, 10, 5))
        styles = [next(iter(strip)).style for strip in strips]
        backgrounds = [style.bgcolor if style else None for style in styles]
        cursor = grid.get_component_rich_style("detail-grid--cursor").bgcolor
        even = grid.get_component_rich_style("detail-grid--even-row").bgcolor
        odd = grid.get_component_rich_style("detail-grid--odd-row").bgcolor
        assert backgrounds[1:5] == [even, cursor, even, odd]  # rows 0..3, row 1 has the cursor
        assert len({cursor, even, odd}) == 3


async def test_show_rows_starts_again_at_the_top_left() -> None:
    app = GridApp(wide_rows(30))
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(DetailGrid)
        await pilot.press("end", "right")
        await pilot.pause()
        assert grid.scroll_y > 0 and grid.scroll_x > 0
        app.messages.clear()
        grid.show_rows([("only", "table", "CREATE TABLE only ()")])
        await pilot.pause()
        assert (grid.cursor_row, grid.scroll_x, grid.scroll_y) == (0, 0, 0)
        assert grid.column_widths == (4, 5, 20)  # widths follow the new rows, not the old
        assert screen_lines(grid)[1].startswith(" only  table  CREATE TABLE only ()")
        assert app.messages == []  # replacing rows is not a cursor move
        grid.show_rows([])
        await pilot.press("enter", "down")
        assert grid.row_count == 0 and grid.cursor_row == 0 and app.messages == []
