"""`pg_terminate_backend` of ehgtui's backends while it loads the catalog or reads a page.

Terminated at different points of a load (acquiring, mid-query, rolling back, releasing),
asyncpg reports the loss in many ways: AdminShutdownError, ConnectionDoesNotExistError, and
InterfaceError from a proxy the pool detached (`connection has been released back to the
pool`, `pool is closing`). Every one of them must come out as one `connection lost` line,
with no task left holding an exception nobody retrieved.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg
import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.failures import ConnectionLostError
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.rows.query import RowRequest, fetch_page
from ehgtui.rows.settings import RowSettings
from tests.pg import TestServer
from tests.reliability.conftest import run_cli

RUNS = 12
"""Loads (and pages) cut by a termination: the issue saw a different message in 4 of 12."""

TABLES = 150
"""Enough tables that a load lasts long enough to be cut in the middle."""

KILL = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE application_name = 'ehgtui' AND datname = $1 AND pid <> pg_backend_pid()"
)


@pytest.fixture(scope="module")
def database(pg18: TestServer) -> str:
    tables = "\n".join(
        f"CREATE TABLE t{i} (id int PRIMARY KEY, v text, r int REFERENCES t{max(i - 1, 0)}(id));"
        f"CREATE INDEX ON t{i} (v);"
        for i in range(TABLES)
    )
    return pg18.create_database(
        "terminated", tables + "INSERT INTO t0 SELECT g, 'x', NULL FROM generate_series(1, 500) g;"
    )


@asynccontextmanager
async def killer(pg: TestServer, database: str) -> AsyncIterator[asyncpg.Connection]:
    admin = await asyncpg.connect(pg.dsn(database), server_settings={"application_name": "k"})
    try:
        yield admin
    finally:
        await admin.close()


async def _kill_when_active(admin: asyncpg.Connection, database: str, delay: float) -> int:
    """Wait `delay`, then terminate every ehgtui backend of `database`; how many were killed."""
    await asyncio.sleep(delay)
    return int(await admin.fetchval(KILL, database))


@contextmanager
def unretrieved_task_errors() -> Iterator[list[dict[str, Any]]]:
    """What the event loop's exception handler gets (e.g. "Task exception was never
    retrieved") while the block runs, and once the garbage it left is collected."""
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    try:
        yield seen
        gc.collect()
    finally:
        loop.set_exception_handler(previous)


async def test_terminating_the_backends_during_loads_says_connection_lost(
    pg18: TestServer, database: str
) -> None:
    pool = await create_pool(ConnectionTarget(pg18.dsn(database), "test"))
    outcomes: list[str] = []
    try:
        baseline = await load_catalog(pool, ["public"])
        assert len(baseline.tables) == TABLES
        async with killer(pg18, database) as admin:
            with unretrieved_task_errors() as errors:
                for run in range(RUNS):
                    # cut at different points: before, during and after the queries
                    kill = asyncio.ensure_future(_kill_when_active(admin, database, run * 0.01))
                    try:
                        catalog: Catalog | None = await load_catalog(pool, ["public"])
                    except ConnectionLostError as exc:
                        outcomes.append(str(exc))
                        catalog = None
                    await kill
                    if catalog is not None:
                        assert len(catalog.tables) == TABLES
                        outcomes.append("loaded")
                    await asyncio.sleep(0.05)  # background releases of the dead connections
                await asyncio.sleep(0.2)
        assert errors == [], errors
        assert any(o != "loaded" for o in outcomes), outcomes  # some load was cut
        for outcome in outcomes:
            assert outcome == "loaded" or outcome.startswith("connection lost: "), outcome
            assert "\n" not in outcome
            assert "InterfaceError" not in outcome and "pool" not in outcome, outcome
        # and the pool serves a load afterwards
        assert len((await load_catalog(pool, ["public"])).tables) == TABLES
    finally:
        pool.terminate()


async def test_terminating_the_backend_during_a_rows_page_says_connection_lost(
    pg18: TestServer, database: str
) -> None:
    pool = await create_pool(ConnectionTarget(pg18.dsn(database), "test"))
    settings = RowSettings()
    try:
        catalog = await load_catalog(pool, ["public"])
        table = catalog.table("t0")
        assert table is not None
        # a page whose statement runs long enough to be cut: a slow condition
        request = RowRequest(where="pg_sleep(0.002) IS NOT NULL", limit=400, allow_volatile=True)
        lost = 0
        async with killer(pg18, database) as admin:
            with unretrieved_task_errors() as errors:
                for run in range(6):
                    kill = asyncio.ensure_future(
                        _kill_when_active(admin, database, 0.1 + run * 0.05)
                    )
                    try:
                        page = await fetch_page(pool, table, request, settings)
                        assert len(page.rows) == 400
                    except ConnectionLostError as exc:
                        lost += 1
                        assert str(exc).startswith("connection lost: "), exc
                        assert "is_closed" not in str(exc) and "pool" not in str(exc)
                    await kill
        assert errors == [], errors
        assert lost >= 3
    finally:
        pool.terminate()


def test_the_cli_says_connection_lost_in_one_line(pg18: TestServer, database: str) -> None:
    stop = threading.Event()

    def keep_killing() -> None:
        async def loop() -> None:
            async with killer(pg18, database) as admin:
                while not stop.is_set():
                    await admin.fetchval(KILL, database)
                    await asyncio.sleep(0.005)

        asyncio.run(loop())

    thread = threading.Thread(target=keep_killing, daemon=True)
    thread.start()
    results = []
    try:
        for _ in range(4):
            results.append(run_cli("tables", "--dsn", pg18.dsn(database), "--no-cache"))
    finally:
        stop.set()
        thread.join(30)
    failed = [r for r in results if r.returncode != 0]
    assert failed, [r.stdout[:100] for r in results]
    for result in failed:
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("ehgtui: connection lost: "), lines[0]
    assert time.monotonic() > 0
