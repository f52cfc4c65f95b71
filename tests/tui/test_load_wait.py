"""While the catalog loads on a server that does not answer: the screen says what it waits for,
and q and ctrl+c quit at once (they were typed into the filter box, which has the focus)."""

from __future__ import annotations

import asyncio

import pytest

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.widgets.status_panel import StatusPanel
from tests.pg import TestServer
from tests.reliability.stall_proxy import stalling_proxy


def _stalled_app(port: int, database: str) -> EhgApp:
    target = ConnectionTarget(f"postgresql://postgres@127.0.0.1:{port}/{database}", "test")
    return build_app(lambda: target, ("public",), Config(), use_cache=False)


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quit_while_the_load_waits(pg18: TestServer, key: str) -> None:
    database = pg18.create_database("stalled", "CREATE TABLE hub (id int PRIMARY KEY);")
    port = pg18.server.running_port()
    assert port is not None
    with stalling_proxy(port, stall_on=b"BEGIN") as proxy:
        app = _stalled_app(proxy.port, database)
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(200):  # until connected and the first statement is held (10 s)
                if proxy.has_stalled:
                    break
                await asyncio.sleep(0.05)
            assert proxy.has_stalled
            panel = app.screen.query_one(StatusPanel)
            for _ in range(100):  # the wait is told within a few seconds (5 s at most)
                if "waiting for the server" in panel.message:
                    break
                await asyncio.sleep(0.05)
            assert "waiting for the server" in panel.message
            assert "q quits" in panel.message and "Retry" in panel.message
            await pilot.press(key)
            await pilot.pause()
            assert app.return_code is not None or not app.is_running  # quit, not typed
