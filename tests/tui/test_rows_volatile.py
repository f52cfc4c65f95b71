"""The where box asks before running a condition that calls VOLATILE functions.

The question names the functions and defaults to no (enter, n and escape decline); only y
runs the condition, for that condition's pages. A new condition asks again. Checked on the
rows shown, the locks held afterwards and the server's statement log.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from ehgtui.tui.screens.confirm import ConfirmScreen
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.detail.rows import RowsView
from tests.pg import TestServer
from tests.reliability.statement_log import StatementLog
from tests.tui.conftest import settle
from tests.tui.test_rows_tab import open_rows, rows_app

LOCKING = "pg_advisory_lock(4712) IS NOT NULL AND sd_key = 'SD-2025-007'"
"""A condition calling a VOLATILE function, that matches one demo directive."""


async def _submit(pilot: Pilot[None], view: RowsView, where: str) -> None:
    await pilot.press("w")
    box = view.query_one("#rows-where", Input)
    assert box.has_focus
    box.value = where
    await pilot.press("enter")
    await settle(pilot)


def _question(pilot: Pilot[None]) -> ConfirmScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ConfirmScreen)
    return screen


def _error(view: RowsView) -> str:
    return str(view.query_one("#rows-error").render()).strip()


def _held(pg: TestServer, key: int) -> str:
    sql = f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {key}"
    return pg.psql("postgres", sql).strip()


async def test_a_volatile_condition_runs_only_when_the_user_says_yes(
    pg18: TestServer, demo_db: str, demo_dsn: str
) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await open_rows(pilot)
        log = StatementLog(pg18)
        for decline in ("enter", "n", "escape"):  # the default answer, and the two keys
            await _submit(pilot, view, LOCKING)
            question = _question(pilot)
            assert question.question_title == "Run a condition that calls a VOLATILE function?"
            assert "The condition calls pg_advisory_lock(), which is VOLATILE" in question.body
            assert "not run yet: asking first" in str(view.query_one("#rows-header").render())
            await pilot.press(decline)
            await settle(pilot)
            assert isinstance(pilot.app.screen, ExplorerScreen)
            assert view.page is None and view.grid.row_count == 0
            assert _error(view) == (
                "refused: pg_advisory_lock() is VOLATILE and may act outside the read-only "
                "transaction; not run"
            )
        assert "pg_advisory_lock(4712)" not in log.text()  # declined: never sent

        await _submit(pilot, view, LOCKING)
        await pilot.press("y")
        await settle(pilot, lambda: view.page is not None)
        assert isinstance(pilot.app.screen, ExplorerScreen)
        assert view.page is not None and [r[1] for r in view.page.rows] == ["SD-2025-007"]
        assert _error(view) == ""
        assert log.text().count("pg_advisory_lock(4712)") == 1  # ran once, when allowed
        assert _held(pg18, 4712) == "0"  # and the pooled session kept no lock

        # another condition is another question, naming each function
        await _submit(pilot, view, "pg_advisory_lock(4713) IS NOT NULL AND random() < 2")
        question = _question(pilot)
        assert question.question_title == "Run a condition that calls VOLATILE functions?"
        assert "calls pg_advisory_lock(), random(), which are VOLATILE" in question.body
        await pilot.press("n")
        await settle(pilot)
        assert "pg_advisory_lock(4713)" not in log.text()
        log.assert_read_only(demo_db)


async def test_a_stable_condition_is_not_asked_about(demo_dsn: str) -> None:
    app = rows_app(demo_dsn)
    async with app.run_test(size=(140, 40)) as pilot:
        view = await open_rows(pilot)
        await _submit(pilot, view, "lower(sd_key) = 'sd-2025-007'")
        await settle(pilot, lambda: view.page is not None and view.page.where is not None)
        assert isinstance(pilot.app.screen, ExplorerScreen)
        assert view.page is not None and [r[1] for r in view.page.rows] == ["SD-2025-007"]
