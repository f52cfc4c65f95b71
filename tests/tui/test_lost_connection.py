"""A lost connection while the explorer runs: say "disconnected", keep the catalog, `r` reconnects.

Each test runs its own PostgreSQL server (stopping the session's server would break every other
test), with a small schema made by psql. Waiting is on the `ConnectionLost` message (bounded)
and on workers, never on time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher

from ehgtui.config import Config
from ehgtui.db.failures import ConnectError
from ehgtui.db.settings import ConnectionTarget
from ehgtui.demo.server import LocalServer, embedded_bin_dir
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.connection_state import (
    DISCONNECTED_HINT,
    is_connection_loss,
    reason_without_target,
)
from ehgtui.tui.messages import ConnectionLost, OpenTable
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from ehgtui.tui.widgets.detail.table_detail import TAB_IDS, TableDetail
from ehgtui.tui.widgets.tree.pane import TreePane
from tests.pg import TestServer
from tests.tui.conftest import loaded, settle

LOSS_DEADLINE_SECONDS = 30.0
"""Upper bound for the loss to be noticed: a safety net, not a timing assumption."""

SCHEMA = """
CREATE TABLE sd_items (id int PRIMARY KEY, title text NOT NULL);
CREATE TABLE sd_notes (
    id int PRIMARY KEY,
    item_id int NOT NULL REFERENCES sd_items (id) ON DELETE CASCADE,
    body text
);
CREATE INDEX sd_notes_item_id_idx ON sd_notes (item_id);
CREATE TABLE venture_plans (id int PRIMARY KEY, name text);
COMMENT ON TABLE sd_notes IS 'notes on an item';
INSERT INTO sd_items VALUES (1, 'first');
"""
"""A few tables in two domains, with a foreign key, an index and a comment to browse."""


@pytest.fixture
def private_pg(tmp_path: Path) -> Iterator[TestServer]:
    """A PostgreSQL 18 server of this test's own, with the small schema in database `app`."""
    local = LocalServer(embedded_bin_dir(), tmp_path / "pg")
    local.start()
    server = TestServer("private", 18, local)
    try:
        server.psql("postgres", "CREATE DATABASE app", single_transaction=False)
        server.psql("app", SCHEMA)
        yield server
    finally:
        local.stop()


class LossRecorder:
    """A message hook that lets a test await the first `ConnectionLost` (bounded)."""

    def __init__(self) -> None:
        self.lost = asyncio.Event()

    def __call__(self, message: Message) -> None:
        if isinstance(message, ConnectionLost):
            self.lost.set()

    async def wait(self, pilot: Pilot[None]) -> None:
        await asyncio.wait_for(self.lost.wait(), LOSS_DEADLINE_SECONDS)
        await settle(pilot)


def make_app(server: TestServer) -> EhgApp:
    target = ConnectionTarget(server.dsn("app"), "test")
    return build_app(lambda: target, ("public",), Config(), use_cache=False)


def header(screen: ExplorerScreen) -> str:
    """The connection bar as the user reads it."""
    return screen.query_one(ConnectionBar).render().plain


async def select(pilot: Pilot[None], screen: ExplorerScreen, name: str, tab: str) -> None:
    screen.post_message(OpenTable(name, tab=tab))
    await settle(pilot, lambda: screen.selected == name)


def assert_browsable(screen: ExplorerScreen, selected: str) -> None:
    """The loaded catalog is still on screen: tree, detail and the selection."""
    assert screen.query_one("#body", ContentSwitcher).current == "explorer"
    assert screen.catalog is not None
    assert screen.selected == selected
    assert screen.query_one(TreePane).domain_tree.display
    assert screen.query_one(TableDetail).display


async def test_terminated_backends_show_disconnected_and_r_reconnects(
    private_pg: TestServer,
) -> None:
    app = make_app(private_pg)
    recorder = LossRecorder()
    async with app.run_test(size=(120, 36), message_hook=recorder) as pilot:
        screen = await loaded(pilot)
        await select(pilot, screen, "public.sd_notes", "constraints")
        assert "disconnected" not in header(screen)
        catalog_before = screen.catalog

        killed = private_pg.psql(
            "postgres",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'ehgtui'",
        ).strip()
        assert int(killed) >= 1
        await recorder.wait(pilot)

        assert screen.disconnected
        assert screen.pool is None  # nothing may query the lost pool
        assert header(screen).startswith("ehgtui · disconnected")
        assert "press r to reconnect" in header(screen)
        assert_browsable(screen, "public.sd_notes")
        assert screen.catalog is catalog_before
        notes = [n.message for n in app._notifications]
        assert any("connection lost" in n for n in notes)

        # every tab that needs no query still works, and another table can be shown
        detail = screen.query_one(TableDetail)
        await pilot.press("escape")  # back to the tree, where digits pick tabs
        for tab in ("columns", "constraints", "indexes", "policies", "triggers", "ddl"):
            await pilot.press(str(TAB_IDS.index(tab) + 1))
            await settle(pilot)
            assert detail.tabs.active == tab, (tab, app.focused)
        await select(pilot, screen, "public.sd_items", "columns")
        assert_browsable(screen, "public.sd_items")
        assert screen.disconnected
        # the tabs that would query say so instead of waiting for ever
        detail.show_tab("rows")
        await settle(pilot)
        rows_header = str(screen.query_one("#rows-header").render())
        assert DISCONNECTED_HINT in rows_header
        detail.show_tab("access")
        await settle(pilot)
        assert DISCONNECTED_HINT in str(screen.query_one("#access-banner").render())
        detail.show_tab("columns")
        await settle(pilot)

        await pilot.press("r")
        await settle(
            pilot, lambda: not screen.disconnected and screen.catalog is not catalog_before
        )
        assert screen.pool is not None
        assert "disconnected" not in header(screen)
        assert_browsable(screen, "public.sd_items")
        assert screen.query_one(TreePane).domain_tree.cursor_node is not None
        assert detail.tabs.active == "columns"


async def test_stopped_server_keeps_catalog_and_r_reconnects_once_it_is_back(
    private_pg: TestServer,
) -> None:
    local = private_pg.server
    port = local.running_port()
    assert port is not None
    app = make_app(private_pg)
    recorder = LossRecorder()
    async with app.run_test(size=(80, 24), message_hook=recorder) as pilot:
        screen = await loaded(pilot)
        await select(pilot, screen, "public.venture_plans", "indexes")
        catalog_before = screen.catalog

        local.stop()
        await recorder.wait(pilot)
        assert screen.disconnected
        assert header(screen).startswith("ehgtui · disconnected")
        assert_browsable(screen, "public.venture_plans")

        # r while the server is down: still disconnected, one line saying why, catalog kept
        await pilot.press("r")
        await settle(pilot)
        assert screen.disconnected
        bar = screen.query_one(ConnectionBar)
        assert bar.status.startswith("r to reconnect · connection refused")
        assert "\n" not in bar.status and "Traceback" not in bar.status
        assert header(screen).startswith("ehgtui · disconnected")
        assert_browsable(screen, "public.venture_plans")
        assert screen.catalog is catalog_before
        failures = [n for n in app._notifications if n.title == "Reconnect failed"]
        assert failures and failures[-1].message.startswith("connection refused")

        assert local.start(port=port) == port
        await pilot.press("r")
        await settle(
            pilot, lambda: not screen.disconnected and screen.catalog is not catalog_before
        )
        assert screen.pool is not None
        assert "disconnected" not in header(screen)
        assert_browsable(screen, "public.venture_plans")
        assert screen.query_one(TableDetail).tabs.active == "indexes"


def test_connection_loss_errors_are_told_apart_from_query_errors() -> None:
    assert is_connection_loss(asyncpg.AdminShutdownError("terminating connection"))
    assert is_connection_loss(asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert is_connection_loss(asyncpg.InterfaceError("connection is closed"))
    assert is_connection_loss(ConnectionResetError())
    assert is_connection_loss(ConnectError("connection refused: is the server running?"))
    assert not is_connection_loss(asyncpg.QueryCanceledError("statement timeout"))
    assert not is_connection_loss(asyncpg.UndefinedTableError("no such table"))
    assert not is_connection_loss(asyncpg.InterfaceError("the number of arguments differs"))
    assert DISCONNECTED_HINT == "disconnected: press r to reconnect"


def test_header_reason_drops_the_target_it_already_shows() -> None:
    target = ConnectionTarget("postgresql://u:secret@db.example.com:5432/app", "test")
    reason = f"connection refused: is the server running? ({target.masked})"
    assert reason_without_target(reason, target) == "connection refused: is the server running?"
    assert reason_without_target("database does not exist", target) == "database does not exist"
    assert reason_without_target(reason, None) == reason
