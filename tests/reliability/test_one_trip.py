"""One-trip queries (`ehgtui.db.one_trip`): the same answer as the usual path, read-only, one
statement in the server's log, and nothing left open, directly and through PgBouncer."""

from __future__ import annotations

import asyncpg
import pytest

from ehgtui.catalog.fingerprint import FINGERPRINT, fetch_fingerprint
from ehgtui.db.one_trip import fetch_value_in_one_trip, one_trip_sql, text_array_literal
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer
from tests.reliability.conftest import Bouncer, ehgtui_statements

HOSTILE_SCHEMAS = ["public", "it's", "back\\slash", "$ehgtui_one_trip$", "ünï"]


def _log(pg: TestServer) -> str:
    return (pg.server.data_dir / "server.log").read_text(errors="replace")


async def test_fingerprint_in_one_trip_equals_the_usual_query(pg: TestServer) -> None:
    database = pg.demo_database()
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        before = len(_log(pg))
        fast = await fetch_fingerprint(pool, ["public", "auth"])
        statements = ehgtui_statements(_log(pg)[before:], database)
        async with pool.acquire() as conn:
            usual = await conn.fetchval(FINGERPRINT, ["public", "auth"])
            for schemas in ([], HOSTILE_SCHEMAS[:3], HOSTILE_SCHEMAS[4:]):
                literal = FINGERPRINT.replace("$1::text[]", text_array_literal(schemas))
                one = await fetch_value_in_one_trip(conn, literal)
                assert one == await conn.fetchval(FINGERPRINT, schemas), schemas
            assert not conn.is_in_transaction()
    finally:
        await pool.close()
    assert fast == usual and len(fast) == 32
    # one message: the three parts of one read-only transaction, nothing else
    assert [text.split(" ")[0] for _pid, text in statements] == ["BEGIN", "DO", "ROLLBACK"]


async def test_text_that_could_close_the_block_takes_the_usual_path(pg: TestServer) -> None:
    assert one_trip_sql("SELECT '$ehgtui_one_trip$'") is None
    database = pg.demo_database()
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        # the schema name lands in the query: the one-trip path refuses it, the answer is right
        value = await fetch_fingerprint(pool, HOSTILE_SCHEMAS)
        async with pool.acquire() as conn:
            assert value == await conn.fetchval(FINGERPRINT, HOSTILE_SCHEMAS)
    finally:
        await pool.close()


async def test_one_trip_is_read_only_and_a_failure_leaves_nothing_open(pg: TestServer) -> None:
    database = pg.create_database("onetrip", "CREATE SEQUENCE counter; CREATE TABLE t (n int);")
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        async with pool.acquire() as conn:
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                await fetch_value_in_one_trip(conn, "SELECT nextval('counter')")
            assert not conn.is_in_transaction()
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                await fetch_value_in_one_trip(conn, "SELECT setval('counter', 5)")
            with pytest.raises(asyncpg.UndefinedTableError):
                await fetch_value_in_one_trip(conn, "SELECT count(*) FROM no_such_table")
            assert not conn.is_in_transaction()
            assert await fetch_value_in_one_trip(conn, "SELECT 41 + 1") == "42"
    finally:
        await pool.close()
    assert pg.psql(database, "SELECT is_called FROM counter; SELECT count(*) FROM t;").split() == [
        "f",
        "0",
    ]


async def test_info_arrives_whatever_client_min_messages_says(pg: TestServer) -> None:
    database = pg.create_database("onetripquiet")
    pg.psql("postgres", f"ALTER DATABASE {database} SET client_min_messages = error")
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW client_min_messages") == "error"
            assert await fetch_value_in_one_trip(conn, "SELECT 'quiet'") == "quiet"
    finally:
        await pool.close()


async def test_one_trip_through_pgbouncer_in_transaction_mode(bouncer: Bouncer) -> None:
    pool = await create_pool(ConnectionTarget(bouncer.dsn(), "test"))
    try:
        first = await fetch_fingerprint(pool, ["public"])
        async with pool.acquire() as conn:
            with pytest.raises(asyncpg.UndefinedTableError):
                await fetch_value_in_one_trip(conn, "SELECT count(*) FROM no_such_table")
            # the failed transaction was ended: the next query is not "current transaction is
            # aborted", and PgBouncer gave the server connection back (no transaction open)
            usual = await conn.fetchval(FINGERPRINT, ["public"])
            assert not conn.is_in_transaction()
        assert await fetch_fingerprint(pool, ["public"]) == first == usual
    finally:
        await pool.close()
