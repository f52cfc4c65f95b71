"""The Diff tab: what changed in the selected table since a snapshot ("Compare with snapshot…").

The explorer screen hands the whole `CatalogDiff` down (`show_diff`); the tab shows the lines
of the selected table only, as `ehgtui diff` prints them (`+` added, `-` removed, `~` changed,
`>` renamed), so nothing here depends on colour.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ehgtui.catalog.model import Catalog, Table
from ehgtui.diff.model import CatalogDiff
from ehgtui.diff.render import summary_line, table_lines
from ehgtui.tui.safe import safe_content

NO_SNAPSHOT = "no snapshot compared yet: ctrl+p → Compare with snapshot…"
"""What the tab says before any comparison."""


def diff_text(diff: CatalogDiff, qualified_name: str, snapshot: Path | None) -> str:
    """The Diff tab's text for one table: a heading, then its change lines or `unchanged`.

    Args:
        diff: The comparison of the snapshot (A) with the live catalog (B).
        qualified_name: `schema.table` shown.
        snapshot: The snapshot file, for the heading.

    Returns:
        Plain text, one change per line.
    """
    source = f"snapshot {snapshot}" if snapshot else "the snapshot"
    heading = f"compared with {source} · {summary_line(diff)}"
    table = diff.table(qualified_name)
    if table is None:
        return f"{heading}\n\n{qualified_name}: unchanged since the snapshot"
    return heading + "\n\n" + "\n".join(line.removeprefix("  ") for line in table_lines(table))


class DiffView(VerticalScroll):
    """The selected table's changes since the compared snapshot."""

    DEFAULT_CSS = """
    DiffView { height: 1fr; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self.diff: CatalogDiff | None = None
        """The comparison in force, or None before any."""
        self.snapshot: Path | None = None
        self._table: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(NO_SNAPSHOT, id="diff-text", markup=False)

    def show_diff(self, diff: CatalogDiff | None, snapshot: Path | None) -> None:
        """Use a new comparison (None forgets it) and redraw the current table.

        Args:
            diff: The comparison, snapshot (A) to live catalog (B).
            snapshot: The snapshot file compared.
        """
        self.diff, self.snapshot = diff, snapshot
        self._render_table()

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Show the changes of `table`.

        Args:
            table: The table shown.
            catalog: The whole catalog (unused).
        """
        self._table = table.qualified_name
        self._render_table()

    @property
    def text(self) -> str:
        """What the tab shows, as plain text (for tests)."""
        if self.diff is None or self._table is None:
            return NO_SNAPSHOT
        return diff_text(self.diff, self._table, self.snapshot)

    def _render_table(self) -> None:
        self.query_one("#diff-text", Static).update(safe_content(self.text, multiline=True))
