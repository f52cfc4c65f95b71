"""Nothing a user's condition does outlives its read-only transaction, on the direct pool and
through PgBouncer in transaction mode (where a server connection passes to other clients).

Each case is a function the condition calls that leaves session state behind once its
transaction is rolled back (or would, if the server let it): an advisory lock, a dblink
connection, a prepared statement, a temporary replication slot, a replication origin, and the
transactional ones (LISTEN, a cursor WITH HOLD, a session setting, a temporary table). The
VOLATILE ones are refused by the guard first, then run allowed; the ones labelled STABLE lie
about it, as an attacker who can create functions may, and run without asking. Afterwards
every session the query may have used is inspected from inside and from another connection,
and the server's statement log over the test holds no write.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Table
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.rows.errors import ConditionRefusedError, QueryError
from ehgtui.rows.query import RowRequest, fetch_page
from ehgtui.rows.settings import RowSettings
from tests.pg import TestServer
from tests.reliability.conftest import Bouncer, bouncer  # noqa: F401 (a fixture)
from tests.reliability.statement_log import StatementLog

SETTINGS = RowSettings()
LEFT_OPEN = "ehgtui_left_open"
"""The application_name of the dblink sessions the functions open: how to find them."""
ORIGIN = "ehgtui_left_origin"


def _setup_sql(port: int, database: str) -> str:
    remote = (
        f"host=127.0.0.1 port={port} dbname={database} user=postgres application_name={LEFT_OPEN}"
    )
    return f"""
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE TABLE public.lasting (id int PRIMARY KEY, note text NOT NULL);
INSERT INTO public.lasting VALUES (1, 'original');
SELECT pg_replication_origin_create('{ORIGIN}')
 WHERE NOT EXISTS (SELECT FROM pg_replication_origin WHERE roname = '{ORIGIN}');
CREATE FUNCTION public.stable_lock() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT pg_advisory_lock(4242) IS NOT NULL $$;
CREATE FUNCTION public.stable_shared_lock() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT pg_advisory_lock_shared(4243) IS NOT NULL $$;
CREATE FUNCTION public.stable_dblink_named() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT dblink_connect('left_open', '{remote}') = 'OK' $$;
CREATE FUNCTION public.stable_dblink_unnamed() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT dblink_connect('{remote}') = 'OK' $$;
CREATE FUNCTION public.stable_setting() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT set_config('work_mem', '7MB', false) IS NOT NULL $$;
CREATE FUNCTION public.stable_slot() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT (pg_create_physical_replication_slot('ehgtui_left_slot', false, true))
              .slot_name IS NOT NULL $$;
CREATE FUNCTION public.stable_origin() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT pg_replication_origin_session_setup('{ORIGIN}')::text = '' $$;
CREATE FUNCTION public.stable_prepare() RETURNS boolean LANGUAGE plpgsql STABLE
    AS $$ BEGIN EXECUTE 'PREPARE ehgtui_left_stmt AS SELECT 1'; RETURN true; END $$;
CREATE FUNCTION public.volatile_prepare() RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN EXECUTE 'PREPARE ehgtui_left_stmt AS SELECT 1'; RETURN true; END $$;
CREATE FUNCTION public.volatile_listen() RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN EXECUTE 'LISTEN ehgtui_left_channel'; RETURN true; END $$;
CREATE FUNCTION public.volatile_hold() RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN EXECUTE 'DECLARE ehgtui_left_cursor CURSOR WITH HOLD FOR SELECT 1';
              RETURN true; END $$;
CREATE FUNCTION public.volatile_temp() RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN EXECUTE 'CREATE TEMP TABLE ehgtui_left_temp (a int)'; RETURN true; END $$;
CREATE FUNCTION public.volatile_temp_sequence() RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN EXECUTE 'CREATE TEMP SEQUENCE ehgtui_left_seq'; RETURN true; END $$;
CREATE FUNCTION public.volatile_read_write() RETURNS boolean LANGUAGE sql
    AS $$ SELECT set_config('transaction_read_only', 'off', false) IS NOT NULL $$;
"""


@dataclass(frozen=True)
class Case:
    function: str
    volatile: bool
    """Refused unless allowed (the function is VOLATILE in pg_catalog)."""
    server_error: str | None = None
    """The server's own refusal, when it does not let the function run."""


CASES = [
    Case("stable_lock", False),
    Case("stable_shared_lock", False),
    Case("stable_dblink_named", False),
    Case("stable_dblink_unnamed", False),
    Case("stable_setting", False),
    Case("stable_slot", False),
    Case("stable_origin", False),
    Case("stable_prepare", False, "PREPARE is not allowed in a non-volatile function"),
    Case("volatile_prepare", True),
    Case("volatile_listen", True),
    Case("volatile_hold", True),
    Case("volatile_temp", True, "cannot execute CREATE TABLE in a read-only transaction"),
    Case("volatile_temp_sequence", True, "cannot execute CREATE SEQUENCE in a read-only"),
    Case("volatile_read_write", True, "cannot set transaction read-write mode"),
]

INSIDE_SQL = """
SELECT pg_catalog.concat_ws(' ',
  'prepared=' || (SELECT count(*) FROM pg_prepared_statements WHERE from_sql),
  'listening=' || (SELECT count(*) FROM pg_listening_channels()),
  'held_cursors=' || (SELECT count(*) FROM pg_cursors WHERE is_holdable),
  'work_mem=' || current_setting('work_mem'),
  'read_only=' || current_setting('default_transaction_read_only'),
  'locks=' || (SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
  'dblink=' || coalesce(array_to_string(public.dblink_get_connections(), ','), '-'),
  'slots=' || (SELECT count(*) FROM pg_replication_slots WHERE active_pid = pg_backend_pid()),
  'origin=' || (pg_replication_origin_session_is_setup()),
  'temp=' || (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()))
"""
"""What a session holds, seen from inside it."""

CLEAN_INSIDE = (
    "prepared=0 listening=0 held_cursors=0 work_mem=4MB read_only=off locks=0 dblink=- slots=0 "
    "origin=false temp=0"
)

OUTSIDE_SQL = f"""
SELECT concat_ws(' ',
  'dblink_sessions=' || (SELECT count(*) FROM pg_stat_activity
                          WHERE application_name = '{LEFT_OPEN}'),
  'locks=' || (SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND objid IN (4242, 4243)),
  'slots=' || (SELECT count(*) FROM pg_replication_slots),
  'temp=' || (SELECT count(*) FROM pg_class
               WHERE relname IN ('ehgtui_left_temp', 'ehgtui_left_seq')))
"""
"""What every session holds, seen from another one."""

CLEAN_OUTSIDE = "dblink_sessions=0 locks=0 slots=0 temp=0"

OUTSIDE_DEADLINE_SECONDS = 10.0
"""A closed dblink session's backend leaves pg_stat_activity shortly after, not at once."""


@dataclass(frozen=True)
class Route:
    """Where ehgtui's pool connects and how to see every session it may have used."""

    pg: TestServer
    database: str
    dsn: str
    server_connections: int | None
    """Through PgBouncer: its pool size (each of that many transactions held at once gets a
    server connection of its own); None on the direct pool (its own connections are used)."""


@pytest.fixture(scope="module", params=["direct", "pgbouncer"])
def route(request: pytest.FixtureRequest, pg18: TestServer) -> Route:
    if request.param == "direct":
        database = pg18.create_database("lasting")
        dsn = pg18.dsn(database)
        pool_size = None
    else:
        front: Bouncer = request.getfixturevalue("bouncer")
        database, dsn, pool_size = front.database, front.dsn(), 4
    port = pg18.server.running_port()
    assert port is not None
    pg18.psql(database, _setup_sql(port, database))
    return Route(pg18, database, dsn, pool_size)


@pytest.fixture(scope="module")
async def pool(route: Route) -> AsyncIterator[asyncpg.Pool]:
    opened = await create_pool(ConnectionTarget(route.dsn, "test"))
    yield opened
    await opened.close()


@pytest.fixture(scope="module")
async def table(pool: asyncpg.Pool) -> Table:
    found = (await load_catalog(pool, ("public",))).table("lasting")
    assert found is not None
    # the load rolls back in the background: wait, so that no test's log starts mid-transaction
    for conn in [await pool.acquire() for _ in range(pool.get_size())]:
        await pool.release(conn)
    return found


async def _inside_every_session(route: Route, pool: asyncpg.Pool) -> set[str]:
    """INSIDE_SQL as every session the query may have run in sees it: each of the pool's
    connections, or each of PgBouncer's server connections, all held at once."""
    if route.server_connections is None:
        held = [await pool.acquire() for _ in range(pool.get_size())]
        release = pool.release
    else:
        held = [
            await asyncpg.connect(route.dsn, statement_cache_size=0)
            for _ in range(route.server_connections)
        ]

        async def release(conn: asyncpg.Connection) -> None:
            await conn.close()

    try:
        for conn in held:
            await conn.execute("BEGIN READ ONLY")
        pids = {await conn.fetchval("SELECT pg_backend_pid()") for conn in held}
        assert len(pids) == len(held)  # every session seen, each once
        return {await conn.fetchval(INSIDE_SQL) for conn in held}
    finally:
        for conn in held:
            await conn.execute("ROLLBACK")
            await release(conn)


async def _outside(route: Route) -> str:
    deadline = time.monotonic() + OUTSIDE_DEADLINE_SECONDS
    while True:
        seen = route.pg.psql("postgres", OUTSIDE_SQL).strip()
        if seen == CLEAN_OUTSIDE or time.monotonic() > deadline:
            return seen
        await asyncio.sleep(0.1)


async def _origin_is_free(route: Route) -> bool:
    """Whether another session can take the replication origin (one session at a time)."""
    other = await asyncpg.connect(route.pg.dsn(route.database))
    try:
        await other.execute(f"SELECT pg_replication_origin_session_setup('{ORIGIN}')")
        await other.execute("SELECT pg_replication_origin_session_reset()")
        return True
    except asyncpg.ObjectInUseError:
        return False
    finally:
        await other.close()


@pytest.mark.parametrize("case", CASES, ids=[c.function for c in CASES])
async def test_nothing_outlives_the_transaction(
    route: Route, pool: asyncpg.Pool, table: Table, case: Case
) -> None:
    log = StatementLog(route.pg)
    where = f"public.{case.function}()"
    request = RowRequest(where=where, allow_volatile=case.volatile)
    if case.volatile:
        with pytest.raises(ConditionRefusedError) as refused:
            await fetch_page(pool, table, RowRequest(where=where), SETTINGS)
        assert refused.value.volatile == (f"public.{case.function}()",)
    for _ in range(3):  # through PgBouncer, more than one server connection
        if case.server_error is None:
            page = await fetch_page(pool, table, request, SETTINGS)
            assert [row[1] for row in page.rows] == ["original"]  # it ran
        else:
            with pytest.raises(QueryError, match=case.server_error):
                await fetch_page(pool, table, request, SETTINGS)
    assert await _inside_every_session(route, pool) == {CLEAN_INSIDE}
    assert await _outside(route) == CLEAN_OUTSIDE
    assert await _origin_is_free(route)
    log.assert_read_only(route.database)
    assert log.text().count(f"WHERE ({where})") >= 3  # the log saw the query run


NO_LIST_ROLE = "ehgtui_no_list"
"""A role that may open dblink connections but not list them: the clearing cannot see what it
would have to close, so it fails, and the connection must be cut instead."""

NO_LIST_SQL = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{NO_LIST_ROLE}') THEN
        CREATE ROLE {NO_LIST_ROLE} LOGIN;
    END IF;
END $$;
GRANT SELECT ON public.lasting TO {NO_LIST_ROLE};
REVOKE EXECUTE ON FUNCTION public.dblink_get_connections() FROM PUBLIC;
"""


def _query_pids(log: StatementLog, database: str, where: str) -> set[int]:
    """The backends that ran the row query with this condition, from the statement log."""
    pattern = re.compile(
        rf"\[(\d+)\] {re.escape(database)} ehgtui: LOG:  execute [^\n]*\n(?:\t[^\n]*\n)*?"
        rf"\t WHERE \({re.escape(where)}\)\n"
    )
    return {int(pid) for pid in pattern.findall(log.text())}


async def test_when_the_session_cannot_be_cleared_the_connection_is_cut(
    route: Route, table: Table
) -> None:
    if route.server_connections is not None:
        pytest.skip("the test PgBouncer lets only postgres in (see the next test)")
    route.pg.psql(route.database, NO_LIST_SQL)
    dsn = route.dsn.replace("postgres@", f"{NO_LIST_ROLE}@", 1)
    limited = await create_pool(ConnectionTarget(dsn, "test"))
    try:
        log = StatementLog(route.pg)
        where = "public.stable_lock()"
        for _ in range(2):  # the pool goes on working with a new connection
            page = await fetch_page(limited, table, RowRequest(where=where), SETTINGS)
            assert [row[1] for row in page.rows] == ["original"]
        pids = _query_pids(log, route.database, where)
        assert pids
        assert "dblink connections may be open and cannot be listed" in log.text()
        deadline = time.monotonic() + OUTSIDE_DEADLINE_SECONDS
        while True:  # the backends that ran it are gone: the cut ended what they held
            alive = route.pg.psql(
                "postgres",
                f"SELECT count(*) FROM pg_stat_activity WHERE pid IN ({', '.join(map(str, pids))})",
            ).strip()
            if alive == "0" or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        assert alive == "0"
        assert await _outside(route) == CLEAN_OUTSIDE
        log.assert_read_only(route.database)
    finally:
        await limited.close()
        route.pg.psql(
            route.database,
            "GRANT EXECUTE ON FUNCTION public.dblink_get_connections() TO PUBLIC",
        )


async def test_a_connection_cut_mid_transaction_leaves_nothing_on_the_server(
    route: Route, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resort when clearing fails: cutting the connection. Through PgBouncer that ends
    only the client's connection; PgBouncer must then close the server connection, which is
    in the middle of a transaction, rather than pass it on holding the lock."""
    opened = await create_pool(ConnectionTarget(route.dsn, "test"))
    monkeypatch.setattr(
        "ehgtui.db.read_only_session.CLEAR_SESSION_SQL",
        "SELECT pg_catalog.pg_advisory_unlock_all() FROM",
    )  # a clearing that fails as any unforeseen failure would
    try:
        log = StatementLog(route.pg)
        where = "public.stable_lock()"
        page = await fetch_page(opened, table, RowRequest(where=where), SETTINGS)
        assert [row[1] for row in page.rows] == ["original"]
        assert await _outside(route) == CLEAN_OUTSIDE
        monkeypatch.undo()
        page = await fetch_page(opened, table, RowRequest(), SETTINGS)
        assert len(page.rows) == 1  # the pool goes on with another connection
        assert "syntax error at end of input" in log.text()
        log.assert_read_only(route.database)
    finally:
        await opened.close()
