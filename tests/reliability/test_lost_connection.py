"""Lost connection: the pool reports a backend the server killed, and reconnects afterwards.

`create_pool(on_connection_lost=...)` is what lets the explorer say "disconnected" without
waiting for the next query to fail.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from ehgtui.db.pool import create_pool, fetch_read_only
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer

DEADLINE_SECONDS = 30.0
"""Upper bound for the loss to be noticed: a safety net, not a timing assumption."""


async def test_terminated_backend_is_reported_and_the_pool_recovers(pg18: TestServer) -> None:
    database = pg18.create_database("lost", "CREATE TABLE t (id int); INSERT INTO t VALUES (7);")
    lost = asyncio.Event()
    pool = await create_pool(
        ConnectionTarget(pg18.dsn(database), "test"), on_connection_lost=lost.set
    )
    try:
        assert [r[0] for r in await fetch_read_only(pool, "SELECT id FROM t")] == [7]
        killed = pg18.psql(
            database,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            f"WHERE application_name = 'ehgtui' AND datname = '{database}'",
        ).strip()
        assert int(killed) >= 1
        await asyncio.wait_for(lost.wait(), DEADLINE_SECONDS)
        # the dead connection is replaced on the next acquire: the same query works again
        assert [r[0] for r in await fetch_read_only(pool, "SELECT id FROM t")] == [7]
    finally:
        await pool.close()


async def test_query_on_a_killed_backend_fails_cleanly(pg18: TestServer) -> None:
    database = pg18.create_database("lost", "CREATE TABLE t (id int);")
    pool = await create_pool(ConnectionTarget(pg18.dsn(database), "test"), max_size=1)
    try:
        async with pool.acquire() as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            pg18.psql(database, f"SELECT pg_terminate_backend({pid})")
            with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
                await conn.fetchval("SELECT 1")
        assert await pool.fetchval("SELECT count(*) FROM t") == 0
    finally:
        await pool.close()
