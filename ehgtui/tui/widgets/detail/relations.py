"""The Relations tab: the selected table's foreign-key neighbourhood, drawn and walkable.

The picture is `ehgtui.relations.picture.render_picture` at the tab's width; this widget only
keeps the walking state (highlighted box, path taken, depth, expanded groups) and styles the
highlighted box. Opening a table posts `OpenTable`, so the screen moves the tree and the
detail follows, the same way the palette does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.geometry import Region
from textual.reactive import reactive
from textual.widgets import Static

from ehgtui.catalog.domains import DomainMap, classify
from ehgtui.catalog.model import Catalog, Table
from ehgtui.relations.diagram import diagram_for_tables
from ehgtui.relations.mermaid import to_mermaid
from ehgtui.relations.neighbourhood import neighbourhood
from ehgtui.relations.picture import GROUP, Box, Picture, render_picture
from ehgtui.tui.messages import OpenTable
from ehgtui.tui.safe import safe_content

TAB_ID = "relations"
"""The tab's id in the table detail."""

HIGHLIGHT_STYLE = "reverse bold"
"""The highlighted box: reverse video and bold, so it shows without colour too."""

MIN_PICTURE_WIDTH = 40
"""Never draw narrower than this, even before the tab has been laid out."""


def mermaid_text(
    catalog: Catalog, name: str, depth: int = 1, domains: DomainMap | None = None
) -> str:
    """The Mermaid `erDiagram` of a table's neighbourhood, as the Relations tab shows it.

    Args:
        catalog: The loaded catalog.
        name: `schema.table`.
        depth: 1 or 2 rings.
        domains: The domain map (grouping does not change what the diagram holds).

    Returns:
        Mermaid text ending with a newline.
    """
    return to_mermaid(diagram_for_tables(catalog, [name], depth, domains))


@dataclass(frozen=True)
class _Step:
    """One step of the path taken: the table left, and the box to highlight on return."""

    table: str
    box: str


class RelationsView(ScrollableContainer, can_focus=True):
    """The FK picture of the selected table, with a highlighted box to walk from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move('up')", "Box above", show=False, id="relations.up"),
        Binding("down", "move('down')", "Box below", show=False, id="relations.down"),
        Binding("left", "move('left')", "Box left", show=False, id="relations.left"),
        Binding("right", "move('right')", "Box right", show=False, id="relations.right"),
        Binding(
            "enter",
            "open",
            "Open",
            tooltip="Open the highlighted table, or expand/collapse the highlighted group",
            id="relations.open",
        ),
        Binding(
            "backspace",
            "back",
            "Back",
            tooltip="Go back along the path walked in the Relations tab",
            id="relations.back",
        ),
        Binding("plus", "depth(2)", "Depth 2", tooltip="Show two rings", id="relations.depth2"),
        Binding(
            "minus",
            "depth(1)",
            "Depth 1",
            tooltip="Show one ring",
            show=False,
            id="relations.depth1",
        ),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, down, left, right | Move the highlight to the nearest box that way. |
    | enter | Open the highlighted table (the tree follows); expand or collapse a group. |
    | backspace | Go back along the path walked. |
    | +, - | Show two rings / one ring. |
    """

    DEFAULT_CSS = """
    RelationsView {
        height: 1fr;
        scrollbar-size-vertical: 1;
        & #relations-header { dock: top; width: 1fr; height: 1; background: $boost; }
        & #relations-picture { width: auto; height: auto; }
    }
    """

    depth: reactive[int] = reactive(1, init=False)
    """How many rings are drawn: 1 (direct neighbours) or 2."""

    highlighted: reactive[str | None] = reactive(None, init=False)
    """The name of the highlighted box (`schema.table`, or a domain for a group)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self.table_name: str | None = None
        """`schema.table` of the table drawn."""
        self.path: list[str] = []
        """Tables walked from, oldest first; backspace goes back to the last one."""
        self.expanded_groups: set[str] = set()
        """Domains whose group of referencing tables is drawn table by table."""
        self.picture: Picture | None = None
        """The current drawing and where its boxes are."""
        self._catalog: Catalog | None = None
        self._domains: DomainMap | None = None
        self._steps: list[_Step] = []
        self._walking_to: str | None = None
        self._return_box: str | None = None
        self._drawn_width = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="relations-header", markup=False)
        yield Static("", id="relations-picture")

    # -- public API (method calls down) ------------------------------------------------------

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Draw a table's neighbourhood; keep the path when the table is the next step of a walk.

        Args:
            table: The table to draw.
            catalog: The catalog it belongs to.
        """
        name = table.qualified_name
        same = name == self.table_name  # a reload redraws the same table, keeping its state
        if catalog is not self._catalog:
            self._domains = None
        self._catalog = catalog
        if name == self._walking_to:
            pass  # the step was recorded when the walk started
        elif name != self.table_name:
            self._steps.clear()
        self._walking_to = None
        self.path = [s.table for s in self._steps]
        if not same:
            self.expanded_groups.clear()
        self.table_name = name
        keep = self._return_box or (self.highlighted if same else None)
        self._return_box = None
        self._draw(keep)

    def move(self, direction: str) -> bool:
        """Highlight the nearest box in a direction.

        Args:
            direction: `up`, `down`, `left` or `right`.

        Returns:
            False when there is no box that way.
        """
        box = self._highlighted_box()
        if box is None or self.picture is None:
            return False
        found = self.picture.neighbour(box, direction)
        if found is None:
            return False
        self.highlighted = found.name
        return True

    def open_highlighted(self) -> None:
        """Open the highlighted table (posting OpenTable), or expand/collapse a group box."""
        box = self._highlighted_box()
        if box is None or self.table_name is None:
            return
        if box.kind == GROUP:
            self.expanded_groups ^= {box.name}
            self._draw(box.name)
            return
        if box.name == self.table_name:
            return
        if self._catalog is None or self._catalog.table(box.name) is None:
            self.notify(f"{box.name} is not loaded (another schema)", severity="warning")
            return
        self._steps.append(_Step(self.table_name, box.name))
        self._walking_to = box.name
        self.post_message(OpenTable(box.name, tab=TAB_ID))

    def go_back(self) -> bool:
        """Open the table walked from last, highlighting the box the walk left by.

        Returns:
            False when the path is empty.
        """
        if not self._steps:
            return False
        step = self._steps.pop()
        self._walking_to = step.table
        self._return_box = step.box
        self.post_message(OpenTable(step.table, tab=TAB_ID))
        return True

    def mermaid(self) -> str | None:
        """The Mermaid text of the current picture (its table and depth), or None if none."""
        if self._catalog is None or self.table_name is None:
            return None
        return mermaid_text(self._catalog, self.table_name, self.depth, self._domain_map())

    # -- actions (bindings) ------------------------------------------------------------------

    def action_move(self, direction: str) -> None:
        """Move the highlight (arrow keys)."""
        self.move(direction)

    def action_open(self) -> None:
        """Open the highlighted table or expand its group (enter)."""
        self.open_highlighted()

    def action_back(self) -> None:
        """Walk back one step (backspace)."""
        if not self.go_back():
            self.notify("nothing to go back to", timeout=2)

    def action_depth(self, depth: int) -> None:
        """Show one or two rings (+ / -)."""
        self.depth = depth

    # -- drawing -----------------------------------------------------------------------------

    def watch_depth(self) -> None:
        self._draw(self.highlighted)

    def watch_highlighted(self) -> None:
        self._paint()
        box = self._highlighted_box()
        if box is not None:
            # the header is docked over the first row: keep the box clear of it
            region = Region(box.col, box.row, box.width, box.height + 1)
            self.scroll_to_region(region, animate=False, force=True)

    def on_resize(self, event: events.Resize) -> None:
        if self.table_name is not None and self._width() != self._drawn_width:
            self._draw(self.highlighted)

    def _width(self) -> int:
        width = self.scrollable_content_region.width or self.size.width
        return max(MIN_PICTURE_WIDTH, width - 1)

    def _domain_map(self) -> DomainMap:
        """The explorer's domain map (the user's rules) when there is one, else classified once."""
        found = getattr(self.screen, "domain_map", None)
        if isinstance(found, DomainMap):
            return found
        if self._domains is None and self._catalog is not None:
            self._domains = classify(self._catalog)
        assert self._domains is not None
        return self._domains

    def _draw(self, keep: str | None) -> None:
        """Redraw the picture; highlight `keep` when it is still drawn, else the table itself."""
        if self._catalog is None or self.table_name is None:
            return
        nb = neighbourhood(
            self._catalog,
            self.table_name,
            self.depth,
            domains=self._domain_map(),
            expanded_groups=self.expanded_groups,
        )
        self._drawn_width = self._width()
        self.picture = render_picture(nb, width=self._drawn_width)
        self._header()
        name = keep if keep and self.picture.box_named(keep) else self.table_name
        if name == self.highlighted:
            self.watch_highlighted()
        else:
            self.highlighted = name

    def _header(self) -> None:
        table = (self.table_name or "").partition(".")[2]
        walked = " ← ".join(t.partition(".")[2] for t in reversed(self.path))
        trail = f" · back: {walked}" if walked else ""
        rings = "1 ring" if self.depth == 1 else "2 rings"
        self.query_one("#relations-header", Static).update(
            safe_content(f"{table} · {rings}{trail}")
        )

    def _highlighted_box(self) -> Box | None:
        if self.picture is None or self.highlighted is None:
            return None
        return self.picture.box_named(self.highlighted)

    def _paint(self) -> None:
        """Render the picture's text with the highlighted box in HIGHLIGHT_STYLE."""
        if self.picture is None:
            return
        lines = self.picture.lines
        content = Content("\n".join(lines))
        box = self._highlighted_box()
        if box is not None:
            offset = sum(len(line) + 1 for line in lines[: box.row])
            for row in range(box.row, min(box.row + box.height, len(lines))):
                line = lines[row]
                end = min(box.col + box.width, len(line))
                if end > box.col:
                    content = content.stylize(HIGHLIGHT_STYLE, offset + box.col, offset + end)
                offset += len(line) + 1
        self.query_one("#relations-picture", Static).update(content)
