"""The Rows and Access tabs on the real demo database: pages, viewers, values, copies, matrix.

Every expectation is computed by the core (`fetch_page`, `access_matrix`) on the same
database with the same viewer, so the tests check that the tab shows what the core reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, TextArea

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Table
from ehgtui.config import Config
from ehgtui.demo.schema_rows import USER_A_EMAIL, USER_A_ID
from ehgtui.rows.access import access_matrix
from ehgtui.rows.query import RowPage, RowRequest, fetch_page
from ehgtui.rows.roles import ANON, AUTHENTICATED, ViewAs
from ehgtui.rows.settings import RowSettings
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.connection_state import DISCONNECTED_HINT
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.screens.value_view import ValueScreen, pretty_value
from ehgtui.tui.screens.view_as import ViewAsScreen, view_as_words
from ehgtui.tui.widgets.detail.access import AccessView, matrix_rows
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.rows import ROWS_OFF, RowsView, grid_cell, page_header
from tests.tui.conftest import STABLE_LABEL, StableLabelTarget, loaded, settle

SD = "public.strategic_directives_v2"
PAGE = 25
"""A page size below the 60 demo directives, so that paging has somewhere to go."""

SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]


def rows_app(dsn: str, *, page: int = PAGE, enabled: bool = True, stable: bool = False) -> EhgApp:
    """The app with `[rows] limit = page` in its config, as a user's config file would set."""
    target = StableLabelTarget(dsn, "test")
    config = Config(raw={"rows": {"limit": page}})
    assert STABLE_LABEL  # the header shows the fixed label, never the port
    return build_app(
        lambda: target,
        ("public",),
        config,
        stable=stable,
        rows_enabled=enabled,
        use_cache=False,
    )


async def core_page(dsn: str, request: RowRequest, limit: int = PAGE) -> tuple[Table, RowPage]:
    """What the core reads for `request`, on its own pool."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        catalog = await load_catalog(pool, ("public",))
        table = catalog.table(SD)
        assert table is not None
        return table, await fetch_page(pool, table, request, RowSettings(limit=limit))
    finally:
        await pool.close()


async def open_rows(pilot: Pilot[None], table: str = SD) -> RowsView:
    """Open `table` on the Rows tab and wait for its first page."""
    screen = await loaded(pilot)
    assert screen.show_table(table)
    screen.query_one("#detail-tabs").active = "rows"  # type: ignore[attr-defined]
    view = screen.query_one(RowsView)
    await settle(pilot, lambda: view.page is not None)
    view.grid.focus()
    await pilot.pause()
    return view


def grid_texts(grid: DataTable[Any]) -> list[list[str]]:
    """Every row of a grid as plain strings."""
    return [
        [getattr(cell, "plain", cell) for cell in grid.get_row_at(i)] for i in range(grid.row_count)
    ]


def expected_grid(page: RowPage) -> list[list[str]]:
    return [[getattr(c, "plain", c) for c in (grid_cell(v) for v in row)] for row in page.rows]


async def close_modals(pilot: Pilot[None]) -> None:
    """Close what a copy may have opened (headless, no clipboard takes the text: a modal)."""
    while not isinstance(pilot.app.screen, ExplorerScreen):
        pilot.app.pop_screen()
        await pilot.pause()


async def choose(pilot: Pilot[None], search: str) -> None:
    """Open the view-as picker with `a`, type `search`, take the first hit."""
    await pilot.press("a")
    await settle(pilot, lambda: isinstance(pilot.app.screen, ViewAsScreen))
    picker = pilot.app.screen
    assert isinstance(picker, ViewAsScreen)
    await settle(pilot, lambda: len(picker.choices) > 4)  # users and roles have arrived
    picker.query_one(Input).value = search
    await pilot.pause()
    assert picker.query_one(OptionList).option_count > 0
    await pilot.press("enter")
    await settle(pilot)


async def test_rows_tab_pages_views_values_and_copies(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await open_rows(pilot)
        table, first = await core_page(demo_dsn, RowRequest(limit=PAGE))
        assert view.page is not None and view.page.rows == first.rows
        assert grid_texts(view.grid) == expected_grid(first)
        header = str(view.query_one("#rows-header").render())
        assert header == page_header(first, 0)
        assert "the connection's role" in header and "keyset paging on id" in header
        assert "rows 1–25" in header

        # n: the next page is the core's next page; p comes back
        await pilot.press("n")
        await settle(pilot, lambda: view.start == PAGE and view.page is not None)
        _, second = await core_page(demo_dsn, first.next_request(RowRequest(limit=PAGE)))  # type: ignore[arg-type]
        assert view.page is not None and view.page.rows == second.rows
        assert "rows 26–50" in str(view.query_one("#rows-header").render())
        await pilot.press("p")
        await settle(pilot, lambda: view.start == 0)
        assert view.page is not None and view.page.rows == first.rows

        # c copies the current row as JSON, values as PostgreSQL prints them
        view.grid.move_cursor(row=2, column=0)
        await pilot.press("c")
        await settle(pilot)
        copied = json.loads(app.clipboard)
        assert copied == dict(zip(first.column_names, first.rows[2], strict=True))

        # enter on a jsonb cell shows the whole value, pretty-printed
        metadata = first.column_names.index("metadata")
        await close_modals(pilot)
        view.grid.focus()
        view.grid.move_cursor(row=0, column=metadata)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ValueScreen))
        modal = app.screen
        assert isinstance(modal, ValueScreen)
        raw = first.rows[0][metadata]
        assert modal.query_one(TextArea).text == json.dumps(json.loads(raw or ""), indent=2)
        assert modal.text == pretty_value(raw, "jsonb")
        await pilot.press("escape")
        await settle(pilot)

        # anon: the header says so and the rows are what fetch_page gives anon
        view.grid.focus()
        await choose(pilot, "anon")
        _, as_anon = await core_page(demo_dsn, RowRequest(view_as=ViewAs(ANON), limit=PAGE))
        assert view.view_as == ViewAs(ANON)
        assert view.page is not None and view.page.rows == as_anon.rows
        assert view.page.viewer.label == as_anon.viewer.label == ANON
        assert str(view.query_one("#rows-header").render()).startswith("viewer: anon · ")

        # a user picked by email: authenticated with A's claims
        view.grid.focus()
        await choose(pilot, USER_A_EMAIL)
        as_a = ViewAs(AUTHENTICATED, USER_A_ID)
        _, page_a = await core_page(demo_dsn, RowRequest(view_as=as_a, limit=PAGE))
        assert view.view_as == as_a
        assert view.page is not None and view.page.rows == page_a.rows
        assert USER_A_EMAIL in view.page.viewer.label
        assert str(view.query_one("#rows-header").render()).startswith(
            f"viewer: {page_a.viewer.label} · "
        )


async def test_where_box_and_server_error_in_one_line(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await open_rows(pilot)
        await pilot.press("w")
        box = view.query_one("#rows-where", Input)
        assert box.has_focus
        box.value = "sd_key = 'SD-2025-007'"
        await pilot.press("enter")
        await settle(pilot, lambda: view.page is not None and view.page.where is not None)
        assert view.page is not None and [r[1] for r in view.page.rows] == ["SD-2025-007"]
        await pilot.press("w")
        box.value = "no_such_column = 1"
        await pilot.press("enter")
        await settle(pilot)
        error = str(view.query_one("#rows-error").render())
        assert "no_such_column" in error and "\n" not in error.strip()


async def test_role_that_cannot_be_assumed_is_one_line(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await open_rows(pilot)
        view.load(RowRequest(view_as=ViewAs("no_such_role"), limit=PAGE), 0)
        await settle(pilot)
        error = str(view.query_one("#rows-error").render()).strip()
        assert error.startswith("cannot view as no_such_role") and "\n" not in error


async def test_rows_off_says_so(demo_dsn: str) -> None:
    app = rows_app(demo_dsn, enabled=False)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await loaded(pilot)
        screen.show_table(SD)
        screen.query_one("#detail-tabs").active = "rows"  # type: ignore[attr-defined]
        await settle(pilot)
        view = screen.query_one(RowsView)
        assert str(view.query_one("#rows-header").render()) == ROWS_OFF
        assert view.page is None and view.grid.row_count == 0


async def test_access_tab_equals_access_matrix(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await loaded(pilot)
        screen.show_table(SD)
        screen.query_one("#detail-tabs").active = "access"  # type: ignore[attr-defined]
        view = screen.query_one(AccessView)
        await settle(pilot, lambda: view.matrix is not None)
        pool = await asyncpg.create_pool(demo_dsn, min_size=1, max_size=4)
        try:
            table = (await load_catalog(pool, ("public",))).table(SD)
            assert table is not None
            expected = await access_matrix(pool, table, app.row_settings)
        finally:
            await pool.close()
        assert view.matrix == expected
        grid = view.query_one("#access-grid", DetailGrid)
        assert grid.cell_texts() == [list(r) for r in matrix_rows(expected)]
        roles = [r[0].split(" ")[0] for r in grid.cell_texts()]
        assert roles[:3] == ["anon", "authenticated", "service_role"]


async def _rows_snapshot(pilot: Pilot[None]) -> None:
    await open_rows(pilot)
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_rows_tab_snapshot(snap_compare: Any, demo_dsn: str, size: tuple[int, int]) -> None:
    make: Callable[[], EhgApp] = lambda: rows_app(demo_dsn, page=10, stable=True)  # noqa: E731
    assert snap_compare(make(), terminal_size=size, run_before=_rows_snapshot)


async def closed_unwatched_pool(screen: ExplorerScreen, dsn: str) -> asyncpg.Pool:
    """Make the screen's pool one that is closed but has no loss watch on it, as when the
    server dropped the connection and only the next query finds out; return the real pool."""
    real = screen.pool
    assert real is not None
    unwatched = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    await unwatched.close()
    screen.pool = unwatched
    screen.query_one(RowsView).set_pool(unwatched)
    screen.query_one(AccessView).set_pool(unwatched)
    return real


async def test_rows_read_on_a_dropped_connection_says_disconnected(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await open_rows(pilot)
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        real = await closed_unwatched_pool(screen, demo_dsn)
        view.turn_page(1)
        await settle(pilot)
        assert screen.disconnected and screen.pool is None
        header = str(view.query_one("#rows-header").render())
        assert header == f"viewer: {view_as_words(ViewAs())} · {DISCONNECTED_HINT}"
        assert "reading rows" not in header and not view.has_class("-error")
        await real.close()


async def test_access_matrix_on_a_dropped_connection_says_disconnected(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await loaded(pilot)
        real = await closed_unwatched_pool(screen, demo_dsn)
        screen.show_table(SD)
        screen.query_one("#detail-tabs").active = "access"  # type: ignore[attr-defined]
        view = screen.query_one(AccessView)
        await settle(pilot, lambda: screen.disconnected)
        assert screen.pool is None and view.matrix is None
        assert str(view.query_one("#access-banner").render()) == DISCONNECTED_HINT
        await real.close()


async def test_a_failed_whole_value_keeps_the_page_and_says_why(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await open_rows(pilot)
        page = view.page
        assert page is not None and view.table is not None and view.pool is not None
        shown = grid_texts(view.grid)
        # the first row vanished since the page was read: its key finds nothing now
        gone = replace(page, keys=(("00000000-0000-0000-0000-000000000000",), *page.keys[1:]))
        view.page = gone
        view.grid.move_cursor(row=0, column=1)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)  # no value modal
        assert view.page is gone and grid_texts(view.grid) == shown
        assert not view.has_class("-error")
        assert str(view.query_one("#rows-header").render()) == page_header(page, 0)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert [n.message for n in errors] == [f"that row of {SD} is not visible (or is gone)"]
