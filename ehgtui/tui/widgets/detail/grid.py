"""The grid every detail tab uses: a read-only, line-rendered table with a whole-row cursor.

Textual's DataTable measures and renders every cell of every row through Rich each time its
rows are replaced, which made switching tables slow on wide tables. This grid is built on the
Line API instead (`ScrollView.render_line`, as Textual's `Log` is): `show_rows` only measures
cell widths, and a row is turned into a `Strip` when it first becomes visible, then cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ehgtui.safe_text import has_unsafe, visible
from ehgtui.tui.safe import safe_rich_text, safe_text
from ehgtui.tui.screens.record_view import RecordScreen, record_text

_NO_STYLE = Style()
"""A component's style before its styles are set."""

Cell = str | Text
"""A grid cell: plain text, or Rich Text when part of it is styled."""

CELL_PADDING = 1
"""Blank cells on each side of every cell, so columns never touch."""

HEADER_HEIGHT = 1
"""Lines taken by the fixed header row."""

MIN_WIDTH_FOR_FIXED = 20
"""A grid narrower than this scrolls its first column away with the rest."""

STRIP_CACHE_SIZE = 1024
"""Rendered rows kept per grid (a row with and without the cursor count as two)."""

_LINE_BREAKS = str.maketrans("\n\t", "  ")
"""Newline and tab in a cell are laid out as spaces: the row stays one line, nothing is hidden."""


def _one_line_cell(cell: object) -> Cell:
    """A cell as grid text on one line: newlines and tabs as spaces, every other control or
    bidi character as a visible token (`\\x1b`, `<U+202E>`: ehgtui/safe_text.py), never raw."""
    if isinstance(cell, Text):
        if not has_unsafe(cell.plain):
            return cell
        flat = cell.copy()
        flat.plain = cell.plain.translate(_LINE_BREAKS)  # same length: spans are kept
        return safe_rich_text(flat)
    text = cell if isinstance(cell, str) else str(cell)
    if not has_unsafe(text):
        return text
    return safe_text(text.translate(_LINE_BREAKS))


def _fit_row(row: Sequence[object], count: int) -> tuple[Cell, ...]:
    """A row as exactly `count` one-line cells: missing cells blank, extra cells dropped."""
    cells = [_one_line_cell(cell) for cell in row[:count]]
    return (*cells, *("",) * (count - len(cells)))


def _cell_width(cell: Cell) -> int:
    """Terminal cells a cell's text takes (wide characters count twice)."""
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


class DetailGrid(ScrollView, can_focus=True):
    """A read-only grid whose rows are replaced wholesale per table.

    The header row stays on top and scrolls sideways with the body. Cells never wrap: every
    row is one line, and columns are as wide as their widest cell. Rows are rendered only
    when visible and cached as strips, so replacing rows costs little more than measuring
    the new cells, and moving the cursor re-renders two rows.
    """

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="grid.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="grid.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="grid.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="grid.page_up"),
        Binding("home", "first_row", "First row", show=False, id="grid.first"),
        Binding("end", "last_row", "Last row", show=False, id="grid.last"),
        Binding("right,l", "scroll_columns(1)", "Scroll right", show=False, id="grid.right"),
        Binding("left,h", "scroll_columns(-1)", "Scroll left", show=False, id="grid.left"),
        Binding("enter", "select_row", "Select row", show=False, id="grid.select"),
        Binding("x", "show_record", "Whole row", show=False, id="grid.record"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | down, j | Next row. |
    | up, k | Previous row. |
    | pagedown, pageup | One screen of rows down / up. |
    | home, end | First / last row. |
    | right, l | Scroll right by one column (the first column stays in place). |
    | left, h | Scroll left by one column. |
    | enter | Show the whole row, every value uncut (Triggers: open the trigger's |
    |   | function; a function's, type's, … grid: open the object named). |
    | x | Show the whole row, every value uncut, in any grid. |
    """

    SHOWS_RECORDS: ClassVar[bool] = True
    """False: this grid has no whole-row view of its own (x and enter go to its screen, as
    the query pad's result grid, whose screen shows typed values, needs)."""

    ENTER_SHOWS_RECORD: ClassVar[bool] = True
    """Enter (and a click on the highlighted row) shows the whole row; a grid whose enter
    opens something else (the Triggers tab opens the function) sets this False."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail-grid--header",
        "detail-grid--cursor",
        "detail-grid--even-row",
        "detail-grid--odd-row",
    }
    """
    | Class | Description |
    | :- | :- |
    | `detail-grid--header` | The header row. |
    | `detail-grid--cursor` | The row under the cursor. |
    | `detail-grid--even-row` | Rows 0, 2, 4, … (zebra stripes). |
    | `detail-grid--odd-row` | Rows 1, 3, 5, …. |
    """

    DEFAULT_CSS = """
    DetailGrid {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;

        & > .detail-grid--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .detail-grid--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .detail-grid--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .detail-grid--even-row {
            background: $surface-darken-1 40%;
        }
        & > .detail-grid--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .detail-grid--header {
                background-tint: $foreground 5%;
            }
            & > .detail-grid--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, init=False)
    """Index of the highlighted row (0 when the grid is empty)."""

    @dataclass
    class RowHighlighted(Message):
        """The cursor moved to row `cursor_row` of `grid`."""

        grid: DetailGrid
        cursor_row: int

        @property
        def control(self) -> DetailGrid:
            """The grid, so `@on(DetailGrid.RowHighlighted, "#id")` can match it."""
            return self.grid

    @dataclass
    class RowSelected(Message):
        """Row `cursor_row` of `grid` was chosen (enter, or a click on the highlighted row)."""

        grid: DetailGrid
        cursor_row: int

        @property
        def control(self) -> DetailGrid:
            """The grid, so `@on(DetailGrid.RowSelected, "#id")` can match it."""
            return self.grid

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self._labels: tuple[str, ...] = tuple(
            visible(label.translate(_LINE_BREAKS)) for label in columns
        )
        self._rows: list[tuple[Cell, ...]] = []
        self._whole: list[tuple[str, ...]] | None = None
        """Each row's values uncut, where the grid's cells are cut (see `show_rows`)."""
        self._cell_widths: list[tuple[int, ...]] = []
        self._column_widths: list[int] = [cell_len(label) for label in self._labels]
        self._line_width = 0
        self._strips: LRUCache[tuple[int, bool], Strip] = LRUCache(STRIP_CACHE_SIZE)
        self._header_strip: Strip | None = None
        self._styles_key: tuple[Style, ...] = ()
        self._measure()

    # -- data ----------------------------------------------------------------------------

    def set_header(self, columns: Sequence[str]) -> None:
        """Replace the column labels (a grid reused for several kinds of rows); the rows go.

        Args:
            columns: The new labels.
        """
        labels = tuple(visible(label.translate(_LINE_BREAKS)) for label in columns)
        if labels == self._labels:
            return
        self._labels = labels
        self._rows = []
        self._cell_widths = []
        self._measure()
        self.refresh()

    def show_rows(
        self, rows: Iterable[Sequence[Cell]], whole: Iterable[Sequence[str]] | None = None
    ) -> None:
        """Replace every row; the cursor and both scroll positions go back to the start.

        The cursor moves back quietly: no `RowHighlighted` (the tabs show row 0 themselves).

        Args:
            rows: One sequence of cells per row, in column order (missing cells are blank).
            whole: The same rows with every value uncut, for the whole-row view, when some
                cells are cut (`one_line`); None: the cells are the whole values.
        """
        count = len(self._labels)
        self._rows = [_fit_row(row, count) for row in rows]
        self._whole = [tuple(row) for row in whole] if whole is not None else None
        self._cell_widths = [tuple(_cell_width(cell) for cell in row) for row in self._rows]
        self._measure()
        self.set_reactive(DetailGrid.cursor_row, 0)
        self.scroll_to(0, 0, animate=False, force=True)
        self.refresh()

    def _measure(self) -> None:
        """Column widths from the header and the cells; forget every rendered row."""
        label_widths = [cell_len(label) for label in self._labels]
        widths = [max(column) for column in zip(label_widths, *self._cell_widths, strict=True)]
        self._column_widths = widths
        self._line_width = sum(width + 2 * CELL_PADDING for width in widths)
        self._strips.clear()
        self._header_strip = None
        self.virtual_size = Size(self._line_width, len(self._rows) + HEADER_HEIGHT)

    @property
    def row_count(self) -> int:
        """Number of rows shown."""
        return len(self._rows)

    @property
    def column_widths(self) -> tuple[int, ...]:
        """Width of each column's content, without the padding."""
        return tuple(self._column_widths)

    def get_row_at(self, index: int) -> tuple[Cell, ...]:
        """The cells of one row.

        Args:
            index: Row index, from 0.

        Returns:
            The row's cells, in column order.
        """
        return self._rows[index]

    def cell_texts(self) -> list[list[str]]:
        """Every row as plain strings: what tests and the clipboard read."""
        return [
            [cell.plain if isinstance(cell, Text) else cell for cell in row] for row in self._rows
        ]

    # -- cursor --------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1))

    def watch_cursor_row(self, row: int) -> None:
        self._scroll_cursor_into_view()
        if self._rows:
            self.post_message(self.RowHighlighted(self, row))

    def move_cursor(self, *, row: int) -> None:
        """Highlight a row, scrolling it into view.

        Args:
            row: Row index; clamped to the rows there are.
        """
        self.cursor_row = row

    @property
    def _body_height(self) -> int:
        """Rows that fit under the header."""
        return max(0, self.scrollable_content_region.height - HEADER_HEIGHT)

    def _scroll_cursor_into_view(self) -> None:
        body = self._body_height
        if body <= 0:
            return  # not laid out yet (a hidden tab): `on_resize` does it later
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, force=True)
        elif self.cursor_row >= top + body:
            self.scroll_to(y=self.cursor_row - body + 1, animate=False, force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def action_cursor_down(self) -> None:
        """Move the cursor to the next row."""
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        """Move the cursor to the previous row."""
        self.move_cursor(row=self.cursor_row - 1)

    def action_page_down(self) -> None:
        """Move the cursor and the view one screen of rows down."""
        self.page(1)

    def action_page_up(self) -> None:
        """Move the cursor and the view one screen of rows up."""
        self.page(-1)

    def action_first_row(self) -> None:
        """Move the cursor to the first row."""
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        """Move the cursor to the last row."""
        self.move_cursor(row=self.row_count - 1)

    def action_scroll_columns(self, step: int) -> None:
        """Scroll sideways by whole columns."""
        self.scroll_columns(step)

    def action_select_row(self) -> None:
        """Select the row under the cursor."""
        self.select_row()

    def page(self, direction: int) -> None:
        """Scroll one screen of rows and move the cursor as far, keeping its place on screen.

        Args:
            direction: 1 for down, -1 for up.
        """
        step = max(1, self._body_height) * direction
        self.scroll_to(y=round(self.scroll_y) + step, animate=False, force=True)
        self.move_cursor(row=self.cursor_row + step)

    def scroll_columns(self, step: int) -> None:
        """Scroll so that the column `step` places right (negative: left) starts at the edge.

        Args:
            step: Columns to move by; the view stops at either end.
        """
        starts: list[int] = []
        offset = 0
        for width in self._column_widths:
            starts.append(offset)
            offset += width + 2 * CELL_PADDING
        fixed = self.fixed_width
        if fixed:  # a column scrolled to starts right after the fixed one
            starts = [0, *(start - fixed for start in starts[1:] if start > fixed)]
        x = round(self.scroll_x)
        if step > 0:
            later = [start for start in starts if start > x]
            target = later[min(step, len(later)) - 1] if later else self.max_scroll_x
            target = min(target, self.max_scroll_x)
        else:
            earlier = [start for start in starts if start < x]
            target = earlier[max(len(earlier) + step, 0)] if earlier else 0
        self.scroll_to(x=target, animate=False, force=True)

    def select_row(self) -> None:
        """Post `RowSelected` for the row under the cursor, if there is one (and show it whole,
        unless enter opens something else here)."""
        if self._rows:
            self.post_message(self.RowSelected(self, self.cursor_row))
            if self.ENTER_SHOWS_RECORD and self.SHOWS_RECORDS:
                self.show_record()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_record":
            return self.SHOWS_RECORDS  # False: the key goes on to the screen
        return True

    def action_show_record(self) -> None:
        """Show the whole row under the cursor."""
        self.show_record()

    def whole_row(self, index: int) -> tuple[str, ...]:
        """Row `index` with every value uncut, as plain text."""
        if self._whole is not None and index < len(self._whole):
            row = self._whole[index]
            return (*row[: len(self._labels)], *("",) * (len(self._labels) - len(row)))
        return tuple(cell.plain if isinstance(cell, Text) else cell for cell in self._rows[index])

    def show_record(self) -> None:
        """Open the whole row under the cursor, one column per line (control characters
        shown as tokens: `record_text`)."""
        if not self._rows:
            return
        row = self.whole_row(self.cursor_row)
        body = record_text(self._labels, ("",) * len(self._labels), row)
        self.app.push_screen(RecordScreen(visible(row[0]) if row else "", body))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < HEADER_HEIGHT:
            return
        row = round(self.scroll_y) + offset.y - HEADER_HEIGHT
        if row >= len(self._rows):
            return
        event.stop()
        if row == self.cursor_row:
            self.select_row()
        else:
            self.move_cursor(row=row)

    # -- rendering -----------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # styles are read once per frame; when they changed (theme, focus) every strip goes.
        # A grid mounted while another leaves can be drawn once before its component styles
        # are set: it is drawn plain then (a default is not cached), and redrawn with them.
        def get_style(name: str) -> Style:
            return self.get_component_rich_style(name, default=_NO_STYLE)

        styles_key = (
            self.rich_style,
            get_style("detail-grid--header"),
            get_style("detail-grid--even-row"),
            get_style("detail-grid--odd-row"),
            get_style("detail-grid--cursor"),
        )
        if styles_key != self._styles_key:
            self._styles_key = styles_key
            self._strips.clear()
            self._header_strip = None
        return super().render_lines(crop)

    @property
    def fixed_width(self) -> int:
        """Columns of the first grid column (with its padding), which stays in place while
        the rest scrolls sideways: at most half the view (a longer name is cut there); 0 in
        a view too narrow to share."""
        view = self.scrollable_content_region.width
        if len(self._column_widths) < 2 or view < MIN_WIDTH_FOR_FIXED:
            return 0
        return min(self._column_widths[0] + 2 * CELL_PADDING, view // 2)

    def _crop(self, strip: Strip, scroll_x: int, width: int, style: Style) -> Strip:
        """The part of a whole row on screen: the fixed first column, then the scrolled rest."""
        fixed = self.fixed_width if scroll_x else 0
        if not fixed:
            return strip.crop_extend(scroll_x, scroll_x + width, style)
        return Strip.join(
            [
                strip.crop_extend(0, fixed, style),
                strip.crop_extend(scroll_x + fixed, scroll_x + width, style),
            ]
        )

    def render_line(self, y: int) -> Strip:
        base, header, even, odd, cursor = self._styles_key
        width = self.scrollable_content_region.width
        scroll_x = round(self.scroll_x)
        if y < HEADER_HEIGHT:
            if self._header_strip is None:
                self._header_strip = self._line(self._labels, None, header)
            return self._crop(self._header_strip, scroll_x, width, header)
        index = round(self.scroll_y) + y - HEADER_HEIGHT
        if index >= len(self._rows):
            return Strip.blank(width, base)
        on_cursor = index == self.cursor_row
        style = cursor if on_cursor else odd if index % 2 else even
        strip = self._strips.get((index, on_cursor))
        if strip is None:
            strip = self._line(self._rows[index], self._cell_widths[index], style)
            self._strips[(index, on_cursor)] = strip
        return self._crop(strip, scroll_x, width, style)

    def _line(self, cells: Sequence[Cell], widths: Sequence[int] | None, style: Style) -> Strip:
        """One whole row (uncropped) in `style`; runs of plain cells become one segment."""
        console = self.app.console
        pad = " " * CELL_PADDING
        segments: list[Segment] = []
        plain: list[str] = []
        for column, cell in enumerate(cells):
            width = self._column_widths[column]
            used = widths[column] if widths is not None else cell_len(str(cell))
            if isinstance(cell, Text):
                plain.append(pad)
                segments.append(Segment("".join(plain), style))
                segments.extend(Segment.apply_style(cell.render(console), style))
                plain = [" " * (width - used), pad]
            else:
                plain.extend((pad, cell, " " * (width - used), pad))
        if plain:
            segments.append(Segment("".join(plain), style))
        return Strip(segments, self._line_width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._header_strip = None
