"""The picture: one box per visible table or group, labels for every FK, within the width."""

from __future__ import annotations

import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.relations.neighbourhood import neighbourhood
from ehgtui.relations.picture import GROUP, Picture, render_picture

SD = "public.strategic_directives_v2"


def box_text(picture: Picture, name: str) -> str:
    """The text on the title row inside a box."""
    box = picture.box_named(name)
    assert box is not None, name
    return picture.lines[box.row + 1][box.col + 1 : box.col + box.width - 1].strip()


@pytest.mark.parametrize("width", [80, 120])
def test_boxes_are_the_model_and_fit_the_width(catalog: Catalog, width: int) -> None:
    nb = neighbourhood(catalog, SD)
    picture = render_picture(nb, width)
    assert picture.width <= width
    assert all(len(line) <= width for line in picture.lines)
    assert sorted(b.name for b in picture.boxes) == sorted(n.name for n in nb.nodes)
    assert picture.boxes[0].kind == "selected"
    assert {b.name: b.kind for b in picture.boxes[1:]} == {n.name: n.side for n in nb.nodes[1:]}
    # every box is drawn where it says: corners on its rectangle, its name inside
    for box in picture.boxes:
        assert picture.lines[box.row][box.col] == "┌"
        assert picture.lines[box.row + box.height - 1][box.col + box.width - 1] == "┘"
    assert box_text(picture, "public.sd_charter") == "sd_charter"
    assert box_text(picture, SD).startswith("strategic_directives_v2")


def test_every_edge_label_appears(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, SD)
    text = "\n".join(render_picture(nb, 200).lines)
    for edge in nb.edges:
        assert edge.label in text, edge.label
    # the two self-references are drawn separately, inside the selected table's box
    assert text.count("↻ ") == 2


def test_wide_layout_puts_sides_left_and_right(catalog: Catalog) -> None:
    picture = render_picture(neighbourhood(catalog, SD), 120)
    assert picture.layout == "wide"
    centre = picture.boxes[0]
    for box in picture.boxes[1:]:
        if box.kind == "referenced_by":
            assert box.col + box.width <= centre.col
        else:
            assert box.col >= centre.col + centre.width
    left = picture.box_named("public.sd_charter")
    assert left is not None and picture.neighbour(left, "right") == centre
    assert picture.neighbour(centre, "right") == picture.box_named("public.users")
    assert picture.box_at(centre.row + 1, centre.col + 2) == centre


def test_narrow_width_stacks(catalog: Catalog) -> None:
    picture = render_picture(neighbourhood(catalog, SD), 60)
    assert picture.layout == "stacked"
    assert all(len(line) <= 60 for line in picture.lines)
    rows = [b.row for b in picture.boxes]
    assert rows == sorted(rows)
    second = picture.boxes[1]
    assert picture.neighbour(picture.boxes[0], "down") == second


def test_grouped_fan_in_draws_one_box_per_group(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, "ventures")
    picture = render_picture(nb, 80)
    groups = [b for b in picture.boxes if b.kind == GROUP]
    assert [b.name for b in groups] == ["Ventures", "Agent System", "Compliance"]
    assert len(picture.boxes) == 4
    text = "\n".join(picture.lines)
    assert "Ventures (18)" in text and "18 FKs" in text
    expanded = render_picture(
        neighbourhood(catalog, "ventures", expanded_groups=["Compliance"]), 80
    )
    names = [b.name for b in expanded.boxes]
    assert names[-4:] == [f"public.compliance_x{i}" for i in range(4)]
    assert "▾ Compliance (4)" in "\n".join(expanded.lines)


def test_ungrouped_fan_in_draws_every_table(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, "ventures", group_threshold=1000)
    picture = render_picture(nb, 120)
    assert len(picture.boxes) == 31 and picture.width <= 120


def test_second_ring_is_listed_below(catalog: Catalog) -> None:
    picture = render_picture(neighbourhood(catalog, SD, depth=2), 120)
    ring = [b for b in picture.boxes if b.kind == "second_ring"]
    assert [b.name for b in ring] == ["public.end", "public.handoff_notes", "public.orgs"]
    assert "via users" in picture.lines[ring[-1].row + 1]


def test_a_table_without_fks_says_so(catalog: Catalog) -> None:
    picture = render_picture(neighbourhood(catalog, "lonely"), 80)
    assert [b.name for b in picture.boxes] == ["public.lonely"]
    assert any("No foreign keys" in line for line in picture.lines)
