"""A character grid where lines join by themselves: draw segments, get box-drawing text.

Each cell remembers which directions a line leaves it by; rendering picks the glyph for the
set (`─`, `├`, `┼`, ...). So an arrow that meets a box border or a bus needs no special
case: the junction comes out right whatever the drawing order.
"""

from __future__ import annotations

UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8

GLYPHS: dict[int, str] = {
    UP: "│",
    DOWN: "│",
    UP | DOWN: "│",
    LEFT: "─",
    RIGHT: "─",
    LEFT | RIGHT: "─",
    DOWN | RIGHT: "┌",
    DOWN | LEFT: "┐",
    UP | RIGHT: "└",
    UP | LEFT: "┘",
    UP | DOWN | RIGHT: "├",
    UP | DOWN | LEFT: "┤",
    LEFT | RIGHT | DOWN: "┬",
    LEFT | RIGHT | UP: "┴",
    UP | DOWN | LEFT | RIGHT: "┼",
}
"""Directions a line leaves a cell by -> the light box-drawing glyph."""


class Canvas:
    """An unbounded grid of line cells and text cells; text wins over lines."""

    def __init__(self) -> None:
        self._lines: dict[tuple[int, int], int] = {}
        self._text: dict[tuple[int, int], str] = {}
        self.height = 0

    def _grow(self, row: int) -> None:
        self.height = max(self.height, row + 1)

    def hline(self, row: int, col1: int, col2: int) -> None:
        """A horizontal line from col1 to col2 inclusive."""
        left, right = min(col1, col2), max(col1, col2)
        for col in range(left, right + 1):
            mask = (LEFT if col > left else 0) | (RIGHT if col < right else 0)
            self._lines[(row, col)] = self._lines.get((row, col), 0) | (mask or LEFT | RIGHT)
        self._grow(row)

    def vline(self, col: int, row1: int, row2: int) -> None:
        """A vertical line from row1 to row2 inclusive."""
        top, bottom = min(row1, row2), max(row1, row2)
        for row in range(top, bottom + 1):
            mask = (UP if row > top else 0) | (DOWN if row < bottom else 0)
            self._lines[(row, col)] = self._lines.get((row, col), 0) | (mask or UP | DOWN)
        self._grow(bottom)

    def box(self, row: int, col: int, width: int, height: int) -> None:
        """The four sides of a box whose top-left corner is (row, col)."""
        right, bottom = col + width - 1, row + height - 1
        self.hline(row, col, right)
        self.hline(bottom, col, right)
        self.vline(col, row, bottom)
        self.vline(right, row, bottom)

    def text(self, row: int, col: int, text: str) -> None:
        """Write text from (row, col) on, over any line."""
        for offset, char in enumerate(text):
            self._text[(row, col + offset)] = char
        self._grow(row)

    def lines(self) -> list[str]:
        """The grid as text lines, trailing blanks removed."""
        width = 1 + max((c for _, c in (*self._lines, *self._text)), default=-1)
        grid = [[" "] * width for _ in range(self.height)]
        for (row, col), mask in self._lines.items():
            grid[row][col] = GLYPHS[mask]
        for (row, col), char in self._text.items():
            grid[row][col] = char
        return ["".join(cells).rstrip() for cells in grid]
