"""Draw a neighbourhood with box-drawing characters, and say where every box landed.

Wide layout: the tables that reference the selected one on the left, joined by a bus to the
selected table in the middle, the tables it references on the right. When that does not fit
the width even with shortened names, the sides are stacked under the selected table. The
second ring, if any, is listed below. `Picture.boxes` lets a widget highlight a box and move
between boxes (`Picture.neighbour`) without knowing how the layout was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ehgtui.relations.canvas import Canvas
from ehgtui.relations.neighbourhood import REFERENCED_BY, Neighbourhood, Node

GROUP = "group"
"""Box kind of a domain group on the referencing side; its `name` is the domain."""

DEFAULT_WIDTH = 120
"""Width assumed when the caller does not know the terminal's."""

SHORTENINGS: tuple[tuple[int | None, int | None, bool], ...] = (
    (None, None, True),
    (30, 26, True),
    (22, 18, False),
    (18, 14, False),
)
"""(name cap, label cap, FK targets in the selected box) tried in turn before stacking.

The targets go first of all details: the boxes on the right already name them.
"""


@dataclass(frozen=True, slots=True)
class Box:
    """Where one table (or group) was drawn: its top-left corner and size, in cells."""

    name: str
    """`schema.table`, or the domain name for a `group` box."""
    row: int
    col: int
    width: int
    height: int
    kind: str
    """`selected`, `references`, `referenced_by`, `group` or `second_ring`."""

    def contains(self, row: int, col: int) -> bool:
        return self.row <= row < self.row + self.height and self.col <= col < self.col + self.width

    @property
    def centre(self) -> tuple[float, float]:
        return (self.row + (self.height - 1) / 2, self.col + (self.width - 1) / 2)


@dataclass(frozen=True)
class Picture:
    """The drawing as text lines, and the boxes in it (the selected table's first)."""

    lines: list[str]
    boxes: list[Box]
    layout: str
    """`wide` or `stacked`."""
    width: int = field(default=0)
    """The widest line, in characters."""

    def box_named(self, name: str) -> Box | None:
        return next((b for b in self.boxes if b.name == name), None)

    def box_at(self, row: int, col: int) -> Box | None:
        """The box under a cell, e.g. for a mouse click."""
        return next((b for b in self.boxes if b.contains(row, col)), None)

    def neighbour(self, box: Box, direction: str) -> Box | None:
        """The nearest box in `direction` (`up`, `down`, `left`, `right`), for arrow keys.

        Distance along the direction counts once and sideways distance twice, so moving
        down a column stays in the column before jumping across.
        """
        row, col = box.centre
        best: tuple[float, Box] | None = None
        for other in self.boxes:
            if other is box:
                continue
            orow, ocol = other.centre
            ahead, aside = {
                "up": (row - orow, abs(ocol - col)),
                "down": (orow - row, abs(ocol - col)),
                "left": (col - ocol, abs(orow - row)),
                "right": (ocol - col, abs(orow - row)),
            }[direction]
            if ahead <= 0:
                continue
            score = ahead + 2 * aside
            if best is None or score < best[0]:
                best = (score, other)
        return best[1] if best else None


@dataclass
class _Arrow:
    label: str
    inward: bool
    """True when the FK points at the selected table."""


@dataclass
class _Item:
    name: str
    title: str
    kind: str
    arrows: list[_Arrow]

    @property
    def height(self) -> int:
        return 2 + max(1, len(self.arrows))


def _cut(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: max(1, limit - 1)] + "…"


def _short(nb: Neighbourhood, name: str) -> str:
    """Drop the schema when it is the selected table's."""
    schema, _, table = name.partition(".")
    return table if schema == nb.selected.name.partition(".")[0] else name


def _node_item(nb: Neighbourhood, node: Node) -> _Item:
    title = _short(nb, node.name) + ("" if node.loaded else " (not loaded)")
    arrows = [
        _Arrow(e.label, e.target == nb.selected.name)
        for e in nb.edges_between(nb.selected.name, node.name)
    ]
    return _Item(node.name, title, node.side, arrows)


def _left_items(nb: Neighbourhood) -> list[_Item]:
    if not nb.is_grouped:
        return [_node_item(nb, n) for n in nb.referenced_by]
    items = []
    for group in nb.groups:
        marker = "▾" if group.expanded else "▸"
        fks = f"{group.edge_count} FK" + ("" if group.edge_count == 1 else "s")
        arrows = [] if group.expanded else [_Arrow(fks, True)]
        items.append(_Item(group.domain, f"{marker} {group.label}", GROUP, arrows))
        if group.expanded:
            items += [_node_item(nb, n) for n in map(nb.node, group.members) if n is not None]
    return items


def _centre_lines(nb: Neighbourhood, with_targets: bool = True) -> list[str]:
    lines = [_short(nb, nb.selected.name)]
    for key in nb.key_columns:
        marker = " ".join(
            m for m in ("PK" if key.primary_key else "", "FK" if key.references else "") if m
        )
        target = f" → {', '.join(key.references)}" if key.references and with_targets else ""
        lines.append(f"{marker:<5} {key.name}{target}")
    lines += [f"↻ {e.label}" for e in nb.self_references]
    return lines


def _shorten(items: list[_Item], name_cap: int | None, label_cap: int | None) -> list[_Item]:
    return [
        _Item(
            i.name,
            _cut(i.title, name_cap),
            i.kind,
            [_Arrow(_cut(a.label, label_cap), a.inward) for a in i.arrows],
        )
        for i in items
    ]


def _draw_centre(canvas: Canvas, row: int, col: int, lines: list[str], width: int) -> int:
    """Draw the selected table's box; return its height."""
    height = 2 + len(lines) + (1 if len(lines) > 1 else 0)
    canvas.box(row, col, width, height)
    canvas.text(row + 1, col + 2, _cut(lines[0], width - 4))
    if len(lines) > 1:
        canvas.hline(row + 2, col, col + width - 1)
        for offset, line in enumerate(lines[1:]):
            canvas.text(row + 3 + offset, col + 2, _cut(line, width - 4))
    return height


def _wide(
    nb: Neighbourhood, left: list[_Item], right: list[_Item], centre: list[str]
) -> tuple[Canvas, list[Box], int]:
    """Lay out three columns; return the canvas, the boxes and the width used."""
    canvas, boxes = Canvas(), []
    left_width = max((len(i.title) + 4 for i in left), default=0)
    left_label = max((len(a.label) for i in left for a in i.arrows), default=0)
    bus_left = left_width + left_label + 4
    centre_col = bus_left + 3 if left else 0
    centre_width = max(len(line) for line in centre) + 4
    centre_height = 2 + len(centre) + (1 if len(centre) > 1 else 0)
    bus_right = centre_col + centre_width + 1
    right_label = max((len(a.label) for i in right for a in i.arrows), default=0)
    right_col = bus_right + right_label + 6
    right_width = max((len(i.title) + 4 for i in right), default=0)
    total_width = right_col + right_width if right else centre_col + centre_width

    heights = [sum(i.height for i in left), centre_height, sum(i.height for i in right)]
    tall = max(heights)
    centre_row = (tall - centre_height) // 2
    mid = centre_row + 1
    _draw_centre(canvas, centre_row, centre_col, centre, centre_width)
    boxes.append(
        Box(nb.selected.name, centre_row, centre_col, centre_width, centre_height, "selected")
    )

    row, bus_rows = (tall - heights[0]) // 2, []
    for item in left:
        width = len(item.title) + 4
        col = left_width - width
        canvas.box(row, col, width, item.height)
        canvas.text(row + 1, col + 2, item.title)
        boxes.append(Box(item.name, row, col, width, item.height, item.kind))
        for offset, arrow in enumerate(item.arrows):
            canvas.hline(row + 1 + offset, left_width - 1, bus_left)
            canvas.text(row + 1 + offset, left_width + 1, f" {arrow.label} ")
            if not arrow.inward:
                canvas.text(row + 1 + offset, left_width, "◀")
            bus_rows.append(row + 1 + offset)
        row += item.height
    if bus_rows:
        canvas.vline(bus_left, min(*bus_rows, mid), max(*bus_rows, mid))
        canvas.hline(mid, bus_left, centre_col - 1)
        canvas.text(mid, centre_col - 1, "▶")

    row, bus_rows = (tall - heights[2]) // 2, []
    for item in right:
        canvas.box(row, right_col, len(item.title) + 4, item.height)
        canvas.text(row + 1, right_col + 2, item.title)
        boxes.append(Box(item.name, row, right_col, len(item.title) + 4, item.height, item.kind))
        for offset, arrow in enumerate(item.arrows):
            arrow_row = row + 1 + offset
            # a line leaving a box joins its border; a line arriving stops at the arrowhead
            canvas.hline(arrow_row, bus_right, right_col if arrow.inward else right_col - 1)
            canvas.text(arrow_row, bus_right + 2, f" {arrow.label} ")
            if arrow.inward:
                canvas.text(arrow_row, bus_right + 1, "◀")
            else:
                canvas.text(arrow_row, right_col - 1, "▶")
            bus_rows.append(arrow_row)
        row += item.height
    if bus_rows:
        canvas.vline(bus_right, min(*bus_rows, mid), max(*bus_rows, mid))
        canvas.hline(mid, centre_col + centre_width - 1, bus_right)
    return canvas, boxes, total_width


def _stacked(
    nb: Neighbourhood, left: list[_Item], right: list[_Item], centre: list[str], width: int
) -> tuple[Canvas, list[Box]]:
    """The selected table on top, then each side as a list of boxes with their labels."""
    canvas = Canvas()
    centre_width = min(max(len(line) for line in centre) + 4, width)
    height = _draw_centre(canvas, 0, 0, centre, centre_width)
    boxes = [Box(nb.selected.name, 0, 0, centre_width, height, "selected")]
    row = height + 1
    others = len(nb.referenced_by)
    tables = f"{others} other table" + ("" if others == 1 else "s")
    if nb.self_references:
        tables += " and itself"
    sections = (
        (f"Referenced by ({tables}):", left),
        (f"References ({len(nb.references)}):", right),
    )
    for heading, items in sections:
        if not items:
            continue
        canvas.text(row, 0, heading)
        row += 1
        for item in items:
            title = _cut(item.title, width - 6)
            box_width = len(title) + 4
            canvas.box(row, 2, box_width, item.height)
            canvas.text(row + 1, 4, title)
            boxes.append(Box(item.name, row, 2, box_width, item.height, item.kind))
            room = width - (2 + box_width) - 1
            for offset, arrow in enumerate(item.arrows):
                pointing_back = arrow.inward and item.kind not in (REFERENCED_BY, GROUP)
                text = ("◀ " if pointing_back else "─ ") + arrow.label
                if room >= 4:
                    canvas.text(row + 1 + offset, 2 + box_width + 1, _cut(text, room))
            row += item.height
        row += 1
    return canvas, boxes


def _tail(nb: Neighbourhood, canvas: Canvas, boxes: list[Box], width: int) -> None:
    """Below the picture: the second ring, or the note that there are no FKs at all."""
    row = canvas.height + 1
    if not nb.edges:
        name = _short(nb, nb.selected.name)
        note = f"No foreign keys: {name} references no table and no table references it."
        canvas.text(row, 0, _cut(note, width))
        return
    hidden = nb.hidden()
    visible = [n for n in nb.second_ring if not set(n.via) <= hidden]
    if not nb.second_ring:
        return
    canvas.text(row, 0, f"Second ring ({len(nb.second_ring)}):")
    row += 1
    for node in visible:
        title = _cut(_short(nb, node.name), width - 6)
        canvas.box(row, 2, len(title) + 4, 3)
        canvas.text(row + 1, 4, title)
        boxes.append(Box(node.name, row, 2, len(title) + 4, 3, node.side))
        room = width - (len(title) + 7)
        if room >= 8:
            via = ", ".join(_short(nb, v) for v in node.via)
            canvas.text(row + 1, len(title) + 7, _cut(f"via {via}", room))
        row += 3
    if len(visible) < len(nb.second_ring):
        canvas.text(
            row, 2, f"(+{len(nb.second_ring) - len(visible)} more through collapsed groups)"
        )


def render_picture(nb: Neighbourhood, width: int = DEFAULT_WIDTH) -> Picture:
    """Draw the neighbourhood within `width` columns when possible.

    The wide layout is tried with full names, then with shortened ones; the stacked layout
    is the fallback. Work is linear in the number of boxes, and a grouped fan-in keeps that
    number small.
    """
    left, right = _left_items(nb), [_node_item(nb, n) for n in nb.references]
    for name_cap, label_cap, with_targets in SHORTENINGS:
        short_left, short_right = (
            _shorten(left, name_cap, label_cap),
            _shorten(right, name_cap, label_cap),
        )
        centre = _centre_lines(nb, with_targets)
        short_centre = [_cut(line, (name_cap or 10_000) + 12) for line in centre]
        canvas, boxes, used = _wide(nb, short_left, short_right, short_centre)
        if used <= width:
            layout = "wide"
            break
    else:
        canvas, boxes = _stacked(nb, left, right, _centre_lines(nb), width)
        layout = "stacked"
    _tail(nb, canvas, boxes, width)
    lines = canvas.lines()
    return Picture(lines, boxes, layout, max((len(line) for line in lines), default=0))
