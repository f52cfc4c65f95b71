"""Functions acting outside the read-only transaction: refused unless allowed, and no lasting
session state either way.

A READ ONLY transaction stops writes to tables, not dblink_exec, pg_terminate_backend,
advisory locks or the superuser's administration functions. Each case here ran through
`rows --where` before the guard and left something behind. The login role is the superuser
(the worst case); the demo schema gives auth.uid().
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import asyncpg
import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Table
from ehgtui.db.pool import create_pool
from ehgtui.db.read_only_session import read_only
from ehgtui.db.settings import ConnectionTarget
from ehgtui.rows.errors import ConditionRefusedError, QueryError
from ehgtui.rows.query import RowRequest, fetch_page
from ehgtui.rows.settings import RowSettings
from ehgtui.usersql.errors import UserSqlSyntaxError, VolatileCallsError
from ehgtui.usersql.parse import parse_select
from ehgtui.usersql.volatility import refuse_volatile
from tests.pg import TestServer
from tests.reliability.conftest import run_cli
from tests.reliability.statement_log import StatementLog

SETTINGS = RowSettings()

GUARD_SQL = """
CREATE EXTENSION dblink;
CREATE TABLE public.victim (id int PRIMARY KEY, note text NOT NULL);
INSERT INTO public.victim VALUES (1, 'original');
CREATE FUNCTION public.harmless_but_volatile() RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION public.steady(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x';
CREATE FUNCTION public.volatile_eq(a int, b int) RETURNS boolean LANGUAGE sql
    AS 'SELECT a = b';
CREATE OPERATOR public.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = public.volatile_eq);
"""


@pytest.fixture(scope="module")
def guard_db(pg: TestServer) -> str:
    database = pg.demo_database()
    pg.psql(database, GUARD_SQL)
    if pg.major < 17:  # adminpack left PostgreSQL in 17
        pg.psql(database, "CREATE EXTENSION adminpack")
    return database


@pytest.fixture(scope="module")
async def su_pool(pg: TestServer, guard_db: str) -> AsyncIterator[asyncpg.Pool]:
    opened = await create_pool(ConnectionTarget(pg.dsn(guard_db), "test"))
    yield opened
    await opened.close()


@pytest.fixture(scope="module")
async def victim(su_pool: asyncpg.Pool) -> Table:
    table = (await load_catalog(su_pool, ("public",))).table("victim")
    assert table is not None
    return table


@pytest.fixture
def server_log(pg: TestServer, guard_db: str) -> Iterator[StatementLog]:
    """The statement log over the test: afterwards it must hold no write by any session, and
    every statement of ehgtui's must have run in a read-only transaction that rolled back."""
    log = StatementLog(pg)
    yield log
    log.assert_read_only(guard_db)


def notes(pg: TestServer, database: str) -> list[str]:
    return pg.psql(database, "SELECT note FROM public.victim ORDER BY id").split()


def advisory_locks(pg: TestServer, key: int) -> int:
    """Advisory locks on key held by any session, seen from another connection."""
    sql = f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {key}"
    return int(pg.psql("postgres", sql).strip())


async def refused(pool: asyncpg.Pool, table: Table, where: str) -> ConditionRefusedError:
    with pytest.raises(ConditionRefusedError) as failure:
        await fetch_page(pool, table, RowRequest(where=where), SETTINGS)
    assert "\n" not in str(failure.value)
    return failure.value


async def test_dblink_exec_insert_is_refused_and_writes_nothing(
    pg: TestServer, guard_db: str, su_pool: asyncpg.Pool, victim: Table, server_log: StatementLog
) -> None:
    target = pg.dsn(guard_db)
    where = f"dblink_exec('{target}', 'INSERT INTO public.victim VALUES (2, ''x'')') IS NOT NULL"
    error = await refused(su_pool, victim, where)
    assert error.volatile == ("dblink_exec()",)
    assert str(error) == (
        "refused: dblink_exec() is VOLATILE and may act outside the read-only transaction"
    )
    # in FROM, inside a subquery, it is found too
    nested = f"EXISTS (SELECT 1 FROM dblink('{target}', 'SELECT 1') AS t(a int))"
    assert (await refused(su_pool, victim, nested)).volatile == ("dblink()",)
    assert notes(pg, guard_db) == ["original"]
    sent = server_log.text()  # the conditions never reached the server
    assert "dblink_exec('" not in sent and "dblink('" not in sent


async def test_an_advisory_lock_is_refused_and_when_allowed_is_not_kept(
    pg: TestServer, su_pool: asyncpg.Pool, victim: Table, server_log: StatementLog
) -> None:
    where = "pg_advisory_lock(777) IS NOT NULL"
    assert (await refused(su_pool, victim, where)).volatile == ("pg_advisory_lock()",)
    assert advisory_locks(pg, 777) == 0
    allowed = RowRequest(where=where, allow_volatile=True)
    page = await fetch_page(su_pool, victim, allowed, SETTINGS)
    assert [r[1] for r in page.rows] == ["original"]  # it ran
    assert advisory_locks(pg, 777) == 0  # and the pooled session holds no lock
    # a condition that fails after taking the lock leaves none either
    failing = replace(allowed, where="pg_advisory_lock(778) IS NOT NULL AND 1 / 0 = 1")
    with pytest.raises(QueryError, match="division by zero"):
        await fetch_page(su_pool, victim, failing, SETTINGS)
    assert advisory_locks(pg, 778) == 0
    page = await fetch_page(su_pool, victim, RowRequest(), SETTINGS)
    assert len(page.rows) == 1  # the pool's connections still work


async def test_terminating_another_session_is_refused(
    pg: TestServer, guard_db: str, su_pool: asyncpg.Pool, victim: Table, server_log: StatementLog
) -> None:
    other = await asyncpg.connect(pg.dsn(guard_db))
    try:
        pid = other.get_server_pid()
        error = await refused(su_pool, victim, f"pg_terminate_backend({pid})")
        assert error.volatile == ("pg_terminate_backend()",)
        assert "pg_terminate_backend(" not in server_log.text()
        assert await other.fetchval("SELECT 1") == 1
    finally:
        await other.close()


async def test_a_session_setting_does_not_outlive_an_allowed_condition(
    su_pool: asyncpg.Pool, victim: Table, server_log: StatementLog
) -> None:
    where = "set_config('search_path', 'nowhere', false) IS NOT NULL"
    assert (await refused(su_pool, victim, where)).volatile == ("set_config()",)
    allowed = RowRequest(where=where, allow_volatile=True)
    await fetch_page(su_pool, victim, allowed, SETTINGS)
    connections = [await su_pool.acquire() for _ in range(su_pool.get_size())]
    try:
        for c in connections:
            await c.execute("BEGIN READ ONLY")
        paths = {await c.fetchval("SHOW search_path") for c in connections}
        for c in connections:
            await c.execute("ROLLBACK")
    finally:
        for c in connections:
            await su_pool.release(c)
    assert paths == {'"$user", public'}


SUPERUSER_CALLS = [
    ("pg_stat_reset() IS NOT NULL", "pg_stat_reset()"),
    ("pg_switch_wal() IS NOT NULL", "pg_switch_wal()"),
    ("pg_rotate_logfile()", "pg_rotate_logfile()"),
    ("pg_logical_emit_message(false, 'p', 'x') IS NOT NULL", "pg_logical_emit_message()"),
    ("pg_create_restore_point('x') IS NOT NULL", "pg_create_restore_point()"),
    ("pg_reload_conf()", "pg_reload_conf()"),
    ("pg_cancel_backend(0)", "pg_cancel_backend()"),
    ("pg_notify('c', 'x') IS NOT NULL", "pg_notify()"),
    ("public.harmless_but_volatile()", "public.harmless_but_volatile()"),
]


@pytest.mark.parametrize(("where", "named"), SUPERUSER_CALLS)
async def test_administration_and_user_volatile_functions_are_refused(
    su_pool: asyncpg.Pool, victim: Table, where: str, named: str, server_log: StatementLog
) -> None:
    assert (await refused(su_pool, victim, where)).volatile == (named,)
    assert named.split(".")[-1].removesuffix(")") not in server_log.text()


async def test_adminpack_file_write_is_refused(
    pg: TestServer, su_pool: asyncpg.Pool, victim: Table, server_log: StatementLog
) -> None:
    if pg.major >= 17:
        pytest.skip("adminpack is not shipped with PostgreSQL 17 and later")
    where = "pg_file_write('ehgtui_was_here', 'x', false) > 0"
    assert (await refused(su_pool, victim, where)).volatile == ("pg_file_write()",)
    assert "pg_file_write(" not in server_log.text()
    assert not (pg.server.data_dir / "ehgtui_was_here").exists()


async def test_an_operator_backed_by_a_volatile_function_is_refused(
    su_pool: asyncpg.Pool, victim: Table, server_log: StatementLog
) -> None:
    error = await refused(su_pool, victim, "id OPERATOR(public.===) 1")
    assert error.volatile == ("operator public.=== (volatile_eq(integer,integer))",)
    # unqualified, it is found under the search path
    error = await refused(su_pool, victim, "id === 1")
    assert error.volatile == ("operator === (volatile_eq(integer,integer))",)


@pytest.mark.parametrize(
    "where",
    [
        "lower(note) = 'original'",
        "now() > now() - interval '1 day' AND clock_timestamp() IS NULL OR true",
        "auth.uid() IS NULL",
        "public.steady(id) = 1",
        "note LIKE 'orig%' AND id BETWEEN 0 AND 5 AND id IN (SELECT 1)",
        "CASE id WHEN 1 THEN true END AND note::text <> ''",
        "true -- ) OR pg_advisory_lock(1) IS NOT NULL",
        "true /* ) OR pg_advisory_lock(1) IS NOT NULL OR ( */",
    ],
)
async def test_stable_and_immutable_calls_run(
    su_pool: asyncpg.Pool, victim: Table, where: str, server_log: StatementLog
) -> None:
    if "clock_timestamp" in where:  # VOLATILE, though harmless: refused all the same
        assert (await refused(su_pool, victim, where)).volatile == ("clock_timestamp()",)
        return
    page = await fetch_page(su_pool, victim, RowRequest(where=where), SETTINGS)
    assert [r[1] for r in page.rows] == ["original"]


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("true) UNION SELECT (1", "closes a bracket it did not open"),
        ("true) OR (pg_advisory_lock(1) IS NOT NULL", "closes a bracket it did not open"),
        ("1=1; DROP TABLE public.victim", "without ';'"),
        ("true; COMMIT; DELETE FROM public.victim", "without ';'"),
        ("(true", "leaves a bracket open"),
        ("true /* unfinished", "unterminated /* comment"),
        ("$2", "cannot use parameters ($2)"),
        ("true\n) --\n; DELETE FROM public.victim; --", "closes a bracket"),
        ("x y z", "does not parse"),
    ],
)
async def test_injection_attempts_are_refused_before_anything_runs(
    pg: TestServer,
    guard_db: str,
    su_pool: asyncpg.Pool,
    victim: Table,
    where: str,
    reason: str,
    server_log: StatementLog,
) -> None:
    error = await refused(su_pool, victim, where)
    assert reason in str(error) and error.volatile == ()
    assert notes(pg, guard_db) == ["original"]
    sent = server_log.text()
    assert where not in sent and "DROP" not in sent and "DELETE" not in sent


async def test_a_whole_select_is_guarded_the_same_way(
    su_pool: asyncpg.Pool, pg: TestServer, server_log: StatementLog
) -> None:
    statement = parse_select(
        "WITH t AS (SELECT pg_advisory_lock(5)) SELECT * FROM public.victim, t ORDER BY 1;"
    )
    async with read_only(su_pool) as conn:
        with pytest.raises(VolatileCallsError) as failure:
            await refuse_volatile(conn, statement)
        assert [c.what for c in failure.value.calls] == ["pg_advisory_lock()"]
        steady = parse_select("SELECT lower(note) FROM public.victim")
        assert await refuse_volatile(conn, steady) == ()
        assert await conn.fetchval(steady.sql) == "original"
    for text in ("DELETE FROM public.victim", "SELECT 1; SELECT 2", "SELECT 1 FOR UPDATE"):
        with pytest.raises(UserSqlSyntaxError):
            parse_select(text)


def test_cli_refuses_with_one_line_and_exit_1(pg18: TestServer) -> None:
    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    log = StatementLog(pg18)
    volatile = run_cli("rows", "ventures", "--dsn", dsn, "--where", "pg_advisory_lock(777) > 1")
    assert (volatile.returncode, volatile.stdout) == (1, "")
    assert volatile.stderr == (
        "ehgtui: refused: pg_advisory_lock() is VOLATILE and may act outside the read-only "
        "transaction; pass --allow-volatile to run it\n"
    )
    parameter = run_cli("rows", "ventures", "--dsn", dsn, "--where", "$2")
    assert parameter.returncode == 1
    assert parameter.stderr == (
        "ehgtui: the condition cannot use parameters ($2): write the value itself\n"
    )
    allowed = run_cli(
        "rows", "ventures", "--dsn", dsn, "--where", "pg_advisory_lock(777) IS NOT NULL",
        "--allow-volatile", "--json",
    )  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert advisory_locks(pg18, 777) == 0
    assert log.text().count("pg_advisory_lock(777)") == 1  # only the allowed one was sent
    log.assert_read_only(database)
