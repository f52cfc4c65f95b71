"""A server with few free connection slots: the load works on the connections it gets, down to
one, and says that it is slower for it.

`CONNECTION LIMIT` on the login role makes the server refuse connections past the limit with
the same SQLSTATE (53300, TooManyConnectionsError) as `remaining connection slots are
reserved…` on a full server, so each limit is a server with that many free slots.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.screens.main import ExplorerScreen
from tests.pg import TestServer
from tests.reliability.conftest import run_cli
from tests.tui.conftest import loaded

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def few_slots(pg18: TestServer) -> Callable[[int], str]:
    """A DSN of the demo as a role allowed `limit` connections at once."""
    database = pg18.demo_database()

    def dsn(limit: int) -> str:
        role = f"few_slots_{limit}"
        pg18.psql(
            database,
            f"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} LOGIN CONNECTION LIMIT {limit};
              END IF;
            END $$;
            GRANT USAGE ON SCHEMA public TO {role};
            """,
        )
        return pg18.dsn(database, role)

    return dsn


@pytest.mark.parametrize("limit", [1, 3])
def test_the_cli_loads_on_the_slots_there_are(
    few_slots: Callable[[int], str], pg18: TestServer, limit: int
) -> None:
    full = run_cli("tables", "--json", "--no-cache", "--dsn", few_slots(100))
    assert full.returncode == 0, full.stderr
    assert "slots" not in full.stderr  # the premise: with slots to spare, nothing to say
    result = run_cli("tables", "--json", "--no-cache", "--dsn", few_slots(limit))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(full.stdout)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "too few free connection slots" in lines[0]
    assert f"on {limit} connection" in lines[0] and "slower" in lines[0]


async def test_the_tui_loads_on_one_slot_and_says_so(few_slots: Callable[[int], str]) -> None:
    target = ConnectionTarget(few_slots(1), "test")
    app: EhgApp = build_app(lambda: target, ("public",), Config(), use_cache=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ExplorerScreen) and screen.catalog is not None
        assert screen.catalog.table("public.strategic_directives_v2") is not None
        said = [n.message for n in app._notifications]
        assert any("too few free connection slots" in m and "slower" in m for m in said), said
