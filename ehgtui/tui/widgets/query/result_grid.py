"""The pad's results grid: the detail tabs' line-rendered grid, with a cell cursor and rows
that arrive in batches.

`DetailGrid` renders only the rows on screen and keeps its header on top, scrolling sideways
with the body; this adds the column the cursor is on (shown reversed in the cursor row) and
`append_rows`, which measures only the new rows, so a result that streams in costs the same
as one shown at once. Values are cut to one short line here; the record view shows them whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip

from ehgtui.tui.widgets.detail.grid import CELL_PADDING, HEADER_HEIGHT, Cell, DetailGrid

NULL_CELL = Text("NULL", style="dim italic")
"""How a NULL looks (dimmed, so it is not mistaken for the text 'NULL')."""

CELL_WIDTH = 40
"""Characters a cell shows at most; the record view (x) shows the whole value."""

CURSOR_CELL_STYLE = "reverse"


def result_cell(value: str | None) -> Cell:
    """One value as a grid cell: at most CELL_WIDTH characters, or NULL. The grid shows it on
    one line, newlines as spaces and control characters as tokens (`DetailGrid`)."""
    if value is None:
        return NULL_CELL
    return value if len(value) <= CELL_WIDTH else value[: CELL_WIDTH - 1] + "…"


class ResultGrid(DetailGrid):
    """A DetailGrid with a cell cursor; rows can be appended while a result streams in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,l", "cursor_column(1)", "Next column", show=False, id="result.right"),
        Binding("left,h", "cursor_column(-1)", "Prev column", show=False, id="result.left"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | right, l / left, h | Move the cell cursor one column (the view follows). |
    """

    SHOWS_RECORDS = False
    """The pad's x shows a row with its columns' types: the grid's own view stays out."""

    cursor_column: reactive[int] = reactive(0, init=False)
    """Index of the column the cell cursor is on."""

    def __init__(
        self,
        columns: Sequence[str],
        *,
        id: str | None = None,  # noqa: A002 (Textual's own name)
        classes: str | None = None,
    ) -> None:
        super().__init__(list(columns), id=id)
        if classes:
            self.add_class(*classes.split())
        self._cursor_strip: tuple[tuple[object, ...], Strip] | None = None
        """The cursor row as drawn, and what it was drawn for (row, column, style, width)."""

    def append_rows(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Add rows at the end, keeping the cursor and the scroll position."""
        count = len(self._labels)
        new = [tuple(_fit(row, count)) for row in rows]
        if not new:
            return
        widths = [tuple(_width(cell) for cell in row) for row in new]
        self._rows.extend(new)
        self._cell_widths.extend(widths)
        grown = [
            max(old, *column)
            for old, column in zip(self._column_widths, zip(*widths, strict=True), strict=True)
        ]
        if grown != self._column_widths:
            self._column_widths = grown
            self._line_width = sum(w + 2 * CELL_PADDING for w in grown)
            self._strips.clear()
            self._header_strip = None
        self.virtual_size = Size(self._line_width, len(self._rows) + HEADER_HEIGHT)
        self.refresh()

    def validate_cursor_column(self, column: int) -> int:
        return max(0, min(column, len(self._labels) - 1))

    def watch_cursor_column(self) -> None:
        self._scroll_column_into_view()
        self.refresh()

    def action_cursor_column(self, step: int) -> None:
        """Move the cell cursor sideways."""
        self.cursor_column += step

    def _scroll_column_into_view(self) -> None:
        start = sum(w + 2 * CELL_PADDING for w in self._column_widths[: self.cursor_column])
        end = start + self._column_widths[self.cursor_column] + 2 * CELL_PADDING
        width = self.scrollable_content_region.width
        x = round(self.scroll_x)
        if start < x:
            self.scroll_to(x=start, animate=False, force=True)
        elif width and end > x + width:
            self.scroll_to(x=min(start, end - width), animate=False, force=True)

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y - HEADER_HEIGHT
        if y < HEADER_HEIGHT or index != self.cursor_row or index >= len(self._rows):
            return super().render_line(y)
        _base, _header, _even, _odd, cursor = self._styles_key
        key = (index, self.cursor_column, cursor, tuple(self._column_widths), id(self._rows[index]))
        if self._cursor_strip is not None and self._cursor_strip[0] == key:
            strip = self._cursor_strip[1]
        else:
            cells = list(self._rows[index])
            column = self.cursor_column
            if 0 <= column < len(cells):
                shown = cells[column]
                marked = shown.copy() if isinstance(shown, Text) else Text(shown)
                marked.stylize(CURSOR_CELL_STYLE)
                cells[column] = marked
            strip = self._line(cells, self._cell_widths[index], cursor)
            self._cursor_strip = (key, strip)
        width = self.scrollable_content_region.width
        scroll_x = round(self.scroll_x)
        return strip.crop_extend(scroll_x, scroll_x + width, cursor)


def _fit(row: Sequence[Cell], count: int) -> list[Cell]:
    cells = list(row[:count])
    return cells + [""] * (count - len(cells))


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)
