"""Which connections a catalog load uses: the same backend for each query on every load, and
every connection back in the pool however the load ends."""

from __future__ import annotations

import asyncio
import re
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from ehgtui.catalog import loader, queries
from ehgtui.catalog.loader import CatalogError, load_catalog
from ehgtui.db.pool import POOL_MAX_SIZE, create_pool
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer
from tests.reliability.terminal import DEADLINE_SECONDS

SCHEMA = """
CREATE TABLE hub (id int PRIMARY KEY, note text);
CREATE TABLE spoke (id int PRIMARY KEY, hub_id int REFERENCES hub(id));
CREATE INDEX spoke_hub ON spoke(hub_id);
"""


def _executions(pg: TestServer, database: str) -> list[tuple[int, str]]:
    """(backend pid, SQL text) of each statement ehgtui executed in `database`, in order.

    The server logs every statement (`log_statement=all`, prefix `%m [%p] %d %a: `); a
    statement's text runs on until the next log line.
    """
    log = (pg.server.data_dir / "server.log").read_text(errors="replace")
    entry = re.compile(
        rf"^\S+ \S+ \S+ \[(\d+)\] {re.escape(database)} ehgtui: LOG:  execute [^:]*: "
        r"(.*?)(?=^\S+ \S+ \S+ \[\d+\] |\Z)",
        re.M | re.S,
    )
    return [(int(pid), " ".join(sql.split())) for pid, sql in entry.findall(log)]


async def _wait_all_idle(pool: asyncpg.Pool) -> None:
    """Wait (bounded) for the background rollbacks and releases to give every connection back."""
    deadline = time.monotonic() + DEADLINE_SECONDS  # a safety net, not a timing assumption
    while time.monotonic() < deadline:
        if pool.get_idle_size() == pool.get_size():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{pool.get_size() - pool.get_idle_size()} connections never came back")


@asynccontextmanager
async def _pool(
    pg: TestServer, database: str, max_size: int = POOL_MAX_SIZE
) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"), max_size=max_size)
    try:
        yield pool
    finally:
        await pool.close()


def _run_instead(
    monkeypatch: pytest.MonkeyPatch, query: str, sql: str, reached: asyncio.Event | None = None
) -> None:
    """Make the loads send `sql` (no parameters) instead of one of the catalog's queries,
    on the connection that query gets, and set `reached` when they do."""
    real_fetch = loader.fetch_read_only

    async def fetch(
        pool: asyncpg.Pool, text: str, *args: Any, **kwargs: Any
    ) -> list[asyncpg.Record]:
        if text == query:
            if reached is not None:
                reached.set()
            return await real_fetch(pool, sql, **kwargs)
        return await real_fetch(pool, text, *args, **kwargs)

    monkeypatch.setattr(loader, "fetch_read_only", fetch)


async def test_each_query_runs_on_the_same_backend_at_every_load(pg: TestServer) -> None:
    # a backend keeps the catalog rows it read cached: the next load finds them warm only if
    # each query goes back to the backend that ran it
    database = pg.create_database("pinned", SCHEMA)
    async with _pool(pg, database) as pool:
        for _ in range(4):
            catalog = await load_catalog(pool, ["public"])
            assert {t.name for t in catalog.tables} == {"hub", "spoke"}
            await _wait_all_idle(pool)
    backends: dict[str, list[int]] = defaultdict(list)
    for pid, sql in _executions(pg, database):
        backends[sql].append(pid)
    assert len(backends) == queries.QUERIES_PER_LOAD
    assert all(len(pids) == 4 for pids in backends.values())
    assert all(len(set(pids)) == 1 for pids in backends.values()), backends.values()
    assert len({pids[0] for pids in backends.values()}) == queries.QUERIES_PER_LOAD


async def test_a_failed_load_gives_every_connection_back(
    pg: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = pg.create_database("failing", SCHEMA)
    _run_instead(monkeypatch, queries.TRIGGERS, "SELECT 1 / 0")  # fails on the server, mid-load
    async with _pool(pg, database) as pool:
        with pytest.raises(CatalogError, match="division by zero"):
            await load_catalog(pool, ["public"])
        await _wait_all_idle(pool)  # none is still held
        # a query stopped mid-flight by the failure may leave its connection unusable, and
        # that one is closed (the pool opens another when needed), so no exact count here
        assert 1 <= pool.get_size() <= queries.QUERIES_PER_LOAD
        monkeypatch.undo()
        catalog = await load_catalog(pool, ["public"])  # and the pool still serves a load
        assert {t.name for t in catalog.tables} == {"hub", "spoke"}


async def test_a_cancelled_load_gives_every_connection_back(
    pg: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = pg.create_database("cancelled", SCHEMA)
    started = asyncio.Event()  # held on the server until the load is cancelled
    _run_instead(monkeypatch, queries.COLUMNS, "SELECT pg_sleep(30)", reached=started)
    async with _pool(pg, database) as pool:
        load = asyncio.ensure_future(load_catalog(pool, ["public"]))
        await started.wait()
        load.cancel()
        with pytest.raises(asyncio.CancelledError):
            await load
        await _wait_all_idle(pool)


async def test_loads_side_by_side_and_small_pools_still_load(pg: TestServer) -> None:
    database = pg.create_database("side_by_side", SCHEMA)
    async with _pool(pg, database) as pool:
        # two loads at once each need the whole pool: they take turns, neither waits forever
        both = await asyncio.wait_for(
            asyncio.gather(load_catalog(pool, ["public"]), load_catalog(pool, ["public"])), 60
        )
        assert [len(c.tables) for c in both] == [2, 2]
    # fewer connections than queries: the queries share them as they come free
    async with _pool(pg, database, max_size=2) as small:
        catalog = await asyncio.wait_for(load_catalog(small, ["public"]), 60)
        assert {t.name for t in catalog.tables} == {"hub", "spoke"}


async def test_a_load_while_the_pool_is_in_use_does_not_wait_for_it(pg: TestServer) -> None:
    # a batch that waited for the connection held here would keep the other seven idle, and
    # here never get it: the load runs its queries on what is free instead
    database = pg.create_database("busy", SCHEMA)
    async with _pool(pg, database) as pool:
        async with pool.acquire() as held:
            catalog = await asyncio.wait_for(load_catalog(pool, ["public"]), 60)
            assert {t.name for t in catalog.tables} == {"hub", "spoke"}
            assert await held.fetchval("SELECT 1") == 1
        await _wait_all_idle(pool)
