"""The Relations tab on the demo database: drawing, walking two hops and back, groups, depth.

Pilot tests press the keys a user presses and assert the selected table, the tree's cursor and
the picture's text; snapshots pin the look at 120x36 and 80x24.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from ehgtui.relations.neighbourhood import neighbourhood
from ehgtui.relations.picture import GROUP
from ehgtui.tui.app import EhgApp
from ehgtui.tui.messages import OpenTable
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.detail.relations import RelationsView
from ehgtui.tui.widgets.detail.table_detail import TableDetail
from ehgtui.tui.widgets.tree.domain_tree import DomainTree
from tests.tui.conftest import explorer, loaded, settle

SD_TABLE = "public.strategic_directives_v2"
"""About a hundred tables reference it: the referencing side is grouped by domain."""

NO_FK_TABLE = "public.access_rules"
"""A demo table with no foreign key either way."""

FIRST_HOP = "public.ventures"
"""strategic_directives_v2 references it."""

SECOND_HOP = "public.organizations"
"""ventures references it."""

SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]


async def _open_relations(pilot: Pilot[None], table: str) -> tuple[ExplorerScreen, RelationsView]:
    """Open a table on the Relations tab the way the palette does, and wait until it is drawn."""
    screen = await loaded(pilot)
    screen.post_message(OpenTable(table, tab="relations"))
    view = screen.query_one(RelationsView)
    await settle(pilot, lambda: view.table_name == table and view.picture is not None)
    return screen, view


async def _highlight(pilot: Pilot[None], view: RelationsView, name: str) -> None:
    """Press down (then up) until the named box is highlighted, as a user would."""
    assert view.picture is not None and view.picture.box_named(name) is not None
    for key in ("down", "up"):
        for _ in range(len(view.picture.boxes)):
            if view.highlighted == name:
                return
            await pilot.press(key)
    assert view.highlighted == name


def _picture_text(view: RelationsView) -> str:
    assert view.picture is not None
    return "\n".join(view.picture.lines)


async def test_walk_two_hops_and_back(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen, view = await _open_relations(pilot, SD_TABLE)
        tree = screen.query_one(DomainTree)
        assert app.focused is view
        assert view.highlighted == SD_TABLE  # the selected table's box first

        # hop 1: to a table strategic_directives_v2 references
        await _highlight(pilot, view, FIRST_HOP)
        await pilot.press("enter")
        await settle(pilot, lambda: view.table_name == FIRST_HOP)
        assert screen.selected == FIRST_HOP
        assert tree.highlighted_table == FIRST_HOP  # the tree follows
        assert screen.query_one(TableDetail).tabs.active == "relations"
        assert view.path == [SD_TABLE]
        assert view.highlighted == FIRST_HOP and app.focused is view

        # hop 2: on from there
        await _highlight(pilot, view, SECOND_HOP)
        await pilot.press("enter")
        await settle(pilot, lambda: view.table_name == SECOND_HOP)
        assert screen.selected == SECOND_HOP and tree.highlighted_table == SECOND_HOP
        assert view.path == [SD_TABLE, FIRST_HOP]
        header = str(view.query_one("#relations-header").render())
        assert "back: ventures ← strategic_directives_v2" in header

        # back along the path, each time highlighting the box the walk left by
        await pilot.press("backspace")
        await settle(pilot, lambda: view.table_name == FIRST_HOP)
        assert screen.selected == FIRST_HOP and tree.highlighted_table == FIRST_HOP
        assert view.highlighted == SECOND_HOP and view.path == [SD_TABLE]
        await pilot.press("backspace")
        await settle(pilot, lambda: view.table_name == SD_TABLE)
        assert screen.selected == SD_TABLE and tree.highlighted_table == SD_TABLE
        assert view.highlighted == FIRST_HOP and view.path == []


async def test_group_expands_and_depth_switches(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen, view = await _open_relations(pilot, SD_TABLE)
        assert view.picture is not None
        groups = [b for b in view.picture.boxes if b.kind == GROUP]
        assert groups and "Referenced by (125 other tables" in _picture_text(view)
        group = groups[0].name
        await _highlight(pilot, view, group)
        await pilot.press("enter")
        await settle(pilot)
        assert group in view.expanded_groups
        assert screen.selected == SD_TABLE  # a group opens in place
        assert f"▾ {group}" in _picture_text(view)
        assert screen.catalog is not None and view.picture is not None
        nb = neighbourhood(screen.catalog, SD_TABLE, 1, domains=screen.domain_map)
        members = next(g.members for g in nb.groups if g.domain == group)
        assert set(members) <= {b.name for b in view.picture.boxes}  # drawn one by one
        await pilot.press("enter")  # again: collapses
        await settle(pilot)
        assert group not in view.expanded_groups and f"▸ {group}" in _picture_text(view)

        await pilot.press("plus")
        await settle(pilot)
        assert view.depth == 2 and "Second ring" in _picture_text(view)
        assert "2 rings" in str(view.query_one("#relations-header").render())
        await pilot.press("minus")
        await settle(pilot)
        assert view.depth == 1 and "Second ring" not in _picture_text(view)


async def test_table_without_foreign_keys(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        _, view = await _open_relations(pilot, NO_FK_TABLE)
        assert "No foreign keys" in _picture_text(view)
        assert view.picture is not None and len(view.picture.boxes) == 1
        await pilot.press("down", "enter", "backspace")  # nothing to move to, open or go back
        await settle(pilot)
        assert view.table_name == NO_FK_TABLE and explorer(app).selected == NO_FK_TABLE


async def test_picture_fits_the_tab(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        _, view = await _open_relations(pilot, SD_TABLE)
        assert view.picture is not None
        assert view.picture.width <= view.scrollable_content_region.width
        await _highlight(pilot, view, view.picture.boxes[-1].name)
        await settle(pilot)
        box = view.picture.boxes[-1]
        assert view.scroll_y > 0  # scrolled down to keep the highlighted box in view
        assert view.scroll_y <= box.row <= view.scroll_y + view.scrollable_content_region.height


def _relations_of(table: str) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        await _open_relations(pilot, table)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("table", [SD_TABLE, NO_FK_TABLE], ids=["sd", "no_fk"])
def test_relations_snapshot(
    snap_compare: Any, make_app: Callable[..., EhgApp], size: tuple[int, int], table: str
) -> None:
    assert snap_compare(make_app(stable=True), terminal_size=size, run_before=_relations_of(table))
