"""Loading and failure states: one line, a Retry that works, never a traceback."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Button, ContentSwitcher

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.demo.server import ServerError
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from ehgtui.tui.widgets.status_panel import StatusPanel
from tests.tui.conftest import explorer, loaded, settle

REFUSED_DSN = "postgresql://x:s3cret@127.0.0.1:1/db"
"""Port 1: nothing listens there, so the connection is refused at once."""


async def test_window_appears_before_the_target_is_ready() -> None:
    calls: list[str] = []

    def never_called_in_compose() -> ConnectionTarget:
        calls.append("open")
        raise ServerError("demo server could not start: initdb failed")

    app = build_app(never_called_in_compose, ("public",), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        # the first frame exists before the opener ran to completion: it runs in a worker
        status = explorer(app).query_one(StatusPanel)
        assert explorer(app).query_one("#body", ContentSwitcher).current == "status"
        await loaded(pilot)
        assert calls == ["open"]
        assert status.failed
        assert status.message == "demo server could not start: initdb failed"


async def test_refused_port_shows_one_line_and_retry() -> None:
    attempts: list[int] = []

    def refused() -> ConnectionTarget:
        attempts.append(1)
        return ConnectionTarget(REFUSED_DSN, "--dsn")

    app = build_app(refused, ("public",), Config())
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        status = screen.query_one(StatusPanel)
        assert status.failed
        assert status.message.startswith("connection refused")
        assert "\n" not in status.message and "Traceback" not in status.message
        assert "s3cret" not in status.message and "***" in status.message
        assert "s3cret" not in screen.query_one(ConnectionBar).target_label
        assert screen.query_one("#retry", Button).display
        assert app.focused is screen.query_one("#retry", Button)

        await pilot.press("r")
        await settle(pilot)
        assert status.failed and status.message.startswith("connection refused")
        await pilot.click("#retry")
        await settle(pilot)
        assert status.failed
        assert attempts == [1]  # the target was resolved once; retries reconnect


async def test_retry_after_a_failed_opener_connects(
    make_app: Callable[..., EhgApp], demo_dsn: str
) -> None:
    outcomes = [ServerError("port 5432 is busy"), None]

    def flaky() -> ConnectionTarget:
        failure = outcomes.pop(0)
        if failure is not None:
            raise failure
        return ConnectionTarget(demo_dsn, "demo")

    app = build_app(flaky, ("public",), Config())
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        assert screen.query_one(StatusPanel).message == "port 5432 is busy"
        await pilot.press("r")
        await settle(pilot, lambda: screen.catalog is not None)
        assert screen.query_one("#body", ContentSwitcher).current == "explorer"
        bar = screen.query_one(ConnectionBar)
        assert bar.table_count + bar.view_count == len(screen.catalog.tables)  # type: ignore[union-attr,operator]
