"""Access for one row in the TUI: opened with `e` from the Rows tab and from the Access tab,
showing what `explain_row` answers on the same demo database, for a viewer picked on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList

from ehgtui.catalog.loader import load_catalog
from ehgtui.demo.schema_rows import USER_A_ID, USER_B_EMAIL, USER_B_ID, demo_uuid
from ehgtui.rows.roles import ANON, AUTHENTICATED, ViewAs
from ehgtui.rows.row_access import explain_row
from ehgtui.rows.row_access_text import command_lines
from ehgtui.rows.settings import RowSettings
from ehgtui.tui.app import EhgApp
from ehgtui.tui.screens.help import HelpScreen
from ehgtui.tui.screens.row_access import RowAccessScreen, parse_values
from ehgtui.tui.screens.view_as import ViewAsScreen
from ehgtui.tui.widgets.detail.access import AccessView
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.rows import RowsView
from tests.tui.conftest import loaded, settle
from tests.tui.test_rows_tab import SIZES, rows_app

PRD = "public.product_requirements_v2"
PRD_1 = demo_uuid("rows-prd-1")  # user A's


def body(screen: RowAccessScreen) -> str:
    return str(screen.query_one("#row-access-body").render())


def verdicts(screen: RowAccessScreen) -> str:
    return str(screen.query_one("#row-access-verdicts").render())


async def open_prd_1(pilot: Pilot[None]) -> RowAccessScreen:
    """The Rows tab on A's first PRD (found with the where box), then `e` on it."""
    screen = await loaded(pilot)
    assert screen.show_table(PRD)
    await pilot.press("8")  # the Rows tab
    view = screen.query_one(RowsView)
    await settle(pilot, lambda: view.page is not None)
    view.grid.focus()
    await pilot.press("w")
    view.query_one("#rows-where", Input).value = f"id = '{PRD_1}'"
    await pilot.press("enter")
    await settle(pilot, lambda: view.page is not None and view.page.where is not None)
    assert view.page is not None and len(view.page.rows) == 1
    await pilot.press("e")
    await settle(pilot, lambda: isinstance(pilot.app.screen, RowAccessScreen))
    opened = pilot.app.screen
    assert isinstance(opened, RowAccessScreen)
    await settle(pilot, lambda: opened.access is not None)
    return opened


async def pick_viewer(pilot: Pilot[None], search: str) -> None:
    await pilot.press("a")
    await settle(pilot, lambda: isinstance(pilot.app.screen, ViewAsScreen))
    picker = pilot.app.screen
    assert isinstance(picker, ViewAsScreen)
    await settle(pilot, lambda: len(picker.choices) > 4)
    picker.query_one(Input).value = search
    await pilot.pause()
    assert picker.query_one(OptionList).option_count > 0
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(pilot.app.screen, RowAccessScreen))


async def core_lines(dsn: str, view_as: ViewAs, command: str, values: dict[str, Any]) -> str:
    """What the core explains for PRD 1, as the screen should show it."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        table = (await load_catalog(pool, ("public", "auth"))).table(PRD)
        assert table is not None
        access = await explain_row(
            pool, table, view_as, RowSettings(), {"id": PRD_1}, [command], values
        )
    finally:
        await pool.close()
    return "\n".join(command_lines(access.commands[0]))


async def test_from_the_rows_tab_a_viewer_and_a_proposed_row(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_prd_1(pilot)
        # the tab's viewer (the connection's role, a superuser): RLS does not apply
        assert screen.key == {"id": PRD_1} and screen.view_as == ViewAs()
        assert "SELECT ✓ allow" in verdicts(screen) and "DELETE ✓ allow" in verdicts(screen)
        assert "RLS does not apply (superuser)" in body(screen)

        # user B, picked on the screen: denied by user_owned, created_by is A's
        await pick_viewer(pilot, USER_B_EMAIL)
        await settle(pilot, lambda: screen.access is not None)
        assert screen.view_as == ViewAs(AUTHENTICATED, USER_B_ID)
        assert USER_B_EMAIL in str(screen.query_one("#row-access-title").render())
        shown = body(screen)
        assert "SELECT: DENY — SELECT on the existing row: no permissive policy passes" in shown
        assert '✗ permissive "user_owned" (ALL) for SELECT: USING on the existing row' in shown
        assert f"created_by = {USER_A_ID}" in shown
        assert "SELECT ✗ deny" in verdicts(screen) and "UPDATE ✗ deny" in verdicts(screen)
        expected = await core_lines(demo_dsn, ViewAs(AUTHENTICATED, USER_B_ID), "SELECT", {})
        assert shown.rstrip("\n").startswith(expected)

        # as A, UPDATE handing the row to B: the new row's WITH CHECK fails
        await pick_viewer(pilot, USER_A_ID)
        await settle(pilot, lambda: screen.access is not None)
        await pilot.press("v")
        box = screen.query_one("#row-access-values", Input)
        assert box.has_focus
        box.value = f"created_by={USER_B_ID} title='Rows demo: handed over'"
        await pilot.press("enter")
        await settle(pilot, lambda: screen.access is not None)
        assert screen.command == "UPDATE" and screen.values["title"] == "Rows demo: handed over"
        shown = body(screen)
        assert "UPDATE: DENY — UPDATE (the new row) on the proposed row" in shown
        assert "WITH CHECK on the proposed row → false" in shown
        assert f"created_by = {USER_B_ID}" in shown
        values = {"created_by": USER_B_ID, "title": "Rows demo: handed over"}
        expected = await core_lines(demo_dsn, ViewAs(AUTHENTICATED, USER_A_ID), "UPDATE", values)
        assert shown.rstrip("\n").startswith(expected)

        # d shows DELETE (allowed for A, the owner); escape closes back to the Rows tab
        await pilot.press("d")
        assert body(screen).startswith("DELETE: ALLOW")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, RowAccessScreen)


async def test_from_the_access_tab_the_highlighted_role_on_the_first_row(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await loaded(pilot)
        assert screen.show_table(PRD)
        await pilot.press("9")  # the Access tab
        view = screen.query_one(AccessView)
        await settle(pilot, lambda: view.matrix is not None)
        grid = view.query_one("#access-grid", DetailGrid)
        grid.focus()
        assert grid.cell_texts()[0][0] == ANON  # the first row: anon
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, RowAccessScreen))
        opened = app.screen
        assert isinstance(opened, RowAccessScreen)
        await settle(pilot, lambda: opened.access is not None)
        first = await _first_id(demo_dsn)
        assert opened.key == {"id": first} and opened.view_as == ViewAs(ANON)
        assert "as anon" in str(opened.query_one("#row-access-title").render())
        assert body(opened).startswith("SELECT: DENY")
        for command in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            assert f"{command} ✗ deny" in verdicts(opened)


async def _first_id(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        return str(await conn.fetchval(f"SELECT id::text FROM {PRD} ORDER BY id LIMIT 1"))
    finally:
        await conn.close()


async def test_help_lists_the_key(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 44)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["Rows", "e", "Explain who may read or write this row, policy by policy"] in rows
        assert [
            "Access",
            "e",
            "Explain the highlighted role's access to the table's first row",
        ] in rows
        assert ["Row access", "v", "Edit the proposed row of INSERT and UPDATE (col=value …)"] in (
            rows
        )


async def test_typed_values_are_read_against_the_columns(demo_dsn: str) -> None:
    pool = await asyncpg.create_pool(demo_dsn, min_size=1, max_size=1)
    try:
        table = (await load_catalog(pool, ("public",))).table(PRD)
    finally:
        await pool.close()
    assert table is not None
    assert parse_values(table, "title='a b' progress=NULL") == {"title": "a b", "progress": None}
    with pytest.raises(Exception, match="no column 'nope'"):
        parse_values(table, "nope=1")
    with pytest.raises(Exception, match="cannot read the values"):
        parse_values(table, "title='open")


async def _as_user_b(pilot: Pilot[None]) -> None:
    await open_prd_1(pilot)
    await pick_viewer(pilot, USER_B_ID)
    screen = pilot.app.screen
    assert isinstance(screen, RowAccessScreen)
    await settle(pilot, lambda: screen.access is not None)


@pytest.mark.parametrize("size", SIZES)
def test_row_access_snapshot(snap_compare: Any, demo_dsn: str, size: tuple[int, int]) -> None:
    make: Callable[[], EhgApp] = lambda: rows_app(demo_dsn, page=10, stable=True)  # noqa: E731
    assert snap_compare(make(), terminal_size=size, run_before=_as_user_b)
