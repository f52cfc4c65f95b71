"""The TUI's error screen says what the CLI says about a failed connection, with no password.

The DSNs are those of tests/reliability/test_connection_strings.py (raw special characters in
the password, an HTTP server on the port, a server hanging up during startup); the whole
screen, exported as the terminal would draw it, must hold no piece of the password.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator

import pytest

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import build_app
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from ehgtui.tui.widgets.status_panel import StatusPanel
from tests.reliability.conftest import PasswordServer, free_port
from tests.reliability.test_connection_strings import (
    RAW_PASSWORDS,
    _fragments,
    _HangUpHandler,
    _StrictHttpHandler,
    weird_roles,  # noqa: F401  (a fixture)
)
from tests.tui.conftest import loaded

NOT_POSTGRES = "the server did not answer as PostgreSQL does: is another service on that port?"
HUNG_UP = (
    "the server closed the connection during startup: check that this is PostgreSQL's "
    "port, and the server's log for why"
)


@pytest.fixture(scope="module")
def fake_servers() -> Iterator[dict[str, int]]:
    """Ports of an HTTP server and of a server that hangs up during startup."""
    servers = {
        "http": socketserver.ThreadingTCPServer(("127.0.0.1", 0), _StrictHttpHandler),
        "hang-up": socketserver.ThreadingTCPServer(("127.0.0.1", 0), _HangUpHandler),
    }
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {name: server.server_address[1] for name, server in servers.items()}
    for server in servers.values():
        server.shutdown()
        server.server_close()


async def _error_screen(dsn: str) -> tuple[str, str, str]:
    """(status message, connection bar label, the whole screen as SVG text).

    Without the catalog cache: a catalog another test cached for the same server and role
    (with the right password) would be shown before the failure, and hide it."""
    app = build_app(lambda: ConnectionTarget(dsn, "--dsn"), ("public",), Config(), use_cache=False)
    async with app.run_test(size=(160, 30)) as pilot:
        screen = await loaded(pilot)
        status = screen.query_one(StatusPanel)
        assert status.failed
        return status.message, screen.query_one(ConnectionBar).target_label, app.export_screenshot()


def _assert_hidden(password: str, *texts: str) -> None:
    for text in texts:
        for piece in _fragments(password):
            assert piece not in text, (piece, text[:200])


@pytest.mark.parametrize("index", range(len(RAW_PASSWORDS)), ids=RAW_PASSWORDS)
async def test_wrong_raw_password_on_the_error_screen(
    weird_roles: PasswordServer,  # noqa: F811
    index: int,
) -> None:
    password = RAW_PASSWORDS[index][::-1]  # the wrong one
    port = weird_roles.port
    message, label, shown = await _error_screen(
        f"postgresql://weird{index}:{password}@127.0.0.1:{port}/app"
    )
    assert message == (
        f'authentication failed: password authentication failed for user "weird{index}"'
        f" (postgresql://weird{index}:***@127.0.0.1:{port}/app)"
    )
    assert label.startswith(f"postgresql://weird{index}:***@127.0.0.1:{port}/app")
    _assert_hidden(password, message, label, shown)


@pytest.mark.parametrize("server", ["http", "hang-up", "refused"])
async def test_not_postgres_on_the_error_screen(fake_servers: dict[str, int], server: str) -> None:
    password = "p@ss:w/rd#x y%Z"
    port = fake_servers.get(server) or free_port()
    masked = f"postgresql://u:***@127.0.0.1:{port}/app"
    message, _label, shown = await _error_screen(f"postgresql://u:{password}@127.0.0.1:{port}/app")
    expected = {
        "http": NOT_POSTGRES,
        "hang-up": HUNG_UP,
        "refused": "connection refused: is the server running?",
    }[server]
    assert message == f"{expected} ({masked})"
    assert "connection_lost" not in shown and "middle of operation" not in shown
    _assert_hidden(password, message, shown)


async def test_keyword_dsn_and_short_password_on_the_error_screen(
    password_server: PasswordServer,
) -> None:
    """A quoted keyword password is masked whole; a one-letter one masks only itself."""
    port = password_server.port
    keyword = f"host=127.0.0.1 port={port} dbname=app user=app_user password='it\\'s my SECRETPART'"
    message, label, shown = await _error_screen(keyword)
    assert message == (
        'authentication failed: password authentication failed for user "app_user" '
        f"(host=127.0.0.1 port={port} dbname=app user=app_user password=***)"
    )
    _assert_hidden("it's my SECRETPART", message, label, shown)
    assert "SECRETPART" not in shown

    closed = free_port()
    message, label, _shown = await _error_screen(f"postgresql://u:s@127.0.0.1:{closed}/app")
    assert message == (
        f"connection refused: is the server running? (postgresql://u:***@127.0.0.1:{closed}/app)"
    )
    assert label.startswith(f"postgresql://u:***@127.0.0.1:{closed}/app")
