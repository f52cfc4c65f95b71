"""The query pad's writes fail and change nothing: directly and through PgBouncer (transaction
mode), with the data and the server's statement log checked afterwards.

Two layers are tried for each write. `ehgtui query` as a user runs it: the pad's parser
refuses what is not one read (the statement never reaches the server), and the volatility
check refuses nextval() and a function that inserts unless `--allow-volatile`, in which case
the server's read-only transaction refuses them with its own read-only error. Then the
parser is bypassed on purpose (`run_statement` with a forged statement), as if it had a hole:
the read-only transaction alone must still refuse the write and leave the session unchanged.
"""

from __future__ import annotations

import json
import re

import pytest

from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.query.errors import QueryFailedError
from ehgtui.query.run import QueryRequest, run_query, run_statement
from ehgtui.query.settings import QuerySettings
from ehgtui.usersql.parse import ParsedSql
from ehgtui.usersql.statement import ReadStatement
from tests.pg import TestServer
from tests.reliability.conftest import Bouncer, ehgtui_statements, run_cli
from tests.reliability.test_read_only import _violations

VICTIM_SQL = """
CREATE TABLE victim (id int PRIMARY KEY, note text);
INSERT INTO victim VALUES (1, 'original');
CREATE SEQUENCE victim_seq;
CREATE FUNCTION sneak() RETURNS int LANGUAGE sql
    AS $$ INSERT INTO victim VALUES (9, 'sneaky') RETURNING id $$;
GRANT SELECT ON victim TO service_role, anon, authenticated;
"""

SESSION_SQL = (
    "select current_user, session_user, current_setting('search_path'),"
    " current_setting('transaction_read_only')"
)
UNCHANGED_SESSION = ["postgres", "postgres", '"$user", public', "on"]


def _state(pg: TestServer, database: str) -> list[str]:
    return pg.psql(
        database,
        "SELECT string_agg(id || ':' || note, ',' ORDER BY id) FROM victim;"
        "SELECT last_value || ':' || is_called FROM victim_seq;",
    ).splitlines()


REFUSED_BY_THE_PAD = {
    "delete from victim": "not DELETE",
    "select sneak()": "sneak() is VOLATILE",
    "commit; delete from victim": "this text holds 2",
    "set role service_role": "not SET ROLE",
    "select nextval('victim_seq')": "nextval() is VOLATILE",
    "reset all": "not RESET ALL",
    "set session authorization anon": "not SET SESSION",
    "discard all": "not DISCARD",
}

REFUSED_BY_THE_SERVER = {
    "select sneak()": "cannot execute INSERT in a read-only transaction",
    "select nextval('victim_seq')": "cannot execute nextval() in a read-only transaction",
}


_POOLER_SYNC = re.compile(
    r"^SET (client_encoding|application_name|datestyle|timezone|standard_conforming_strings)="
    r"'[^;]*';$",
    re.I,
)
"""What PgBouncer itself sends on a server connection before a client's transaction: the
client's startup parameters, replayed (`SET client_encoding='''utf-8''';` for asyncpg's)."""


def _pooler_sync(text: str) -> bool:
    return _POOLER_SYNC.match(text.strip()) is not None


def _writes_fail(pg: TestServer, database: str, dsn: str) -> None:
    before = _state(pg, database)
    assert before == ["1:original", "1:false"]
    log_file = pg.server.data_dir / "server.log"
    log_start = log_file.stat().st_size
    for sql, words in REFUSED_BY_THE_PAD.items():
        done = run_cli("query", sql, "--dsn", dsn)
        assert done.returncode == 1, (sql, done.stdout, done.stderr)
        assert words in done.stderr and "Traceback" not in done.stderr, (sql, done.stderr)
        assert done.stderr.count("\n") == 1 and done.stdout == ""
        # the next query (a new process, any pooled server connection) sees an unchanged session
        after = run_cli("query", SESSION_SQL, "--json", "--dsn", dsn)
        assert after.returncode == 0, after.stderr
        assert json.loads(after.stdout)["rows"] == [UNCHANGED_SESSION]
    for sql, words in REFUSED_BY_THE_SERVER.items():
        done = run_cli("query", sql, "--allow-volatile", "--dsn", dsn)
        assert done.returncode == 1 and words in done.stderr, (sql, done.stderr)
    assert _state(pg, database) == before
    with log_file.open("rb") as handle:
        handle.seek(log_start)
        log = handle.read().decode(errors="replace")
    statements = [
        (pid, text) for pid, text in ehgtui_statements(log, database) if not _pooler_sync(text)
    ]
    assert len(statements) > 50
    # the pad refused these before sending: the server never saw them, not even to parse
    for sql in ("delete from victim", "set role service_role", "discard all", "reset all"):
        assert sql not in log.lower(), sql
    # the allowed volatile calls did reach it, and it refused them as read-only
    assert "SELECT sneak()" in log
    assert "ERROR:  cannot execute INSERT in a read-only transaction" in log
    assert _violations(statements) == []


def test_writes_fail_and_change_nothing(pg: TestServer) -> None:
    database = pg.demo_database()
    pg.psql(database, VICTIM_SQL)
    _writes_fail(pg, database, pg.dsn(database))


def test_writes_fail_and_change_nothing_through_pgbouncer(
    pg18: TestServer, bouncer: Bouncer
) -> None:
    exists = pg18.psql(bouncer.database, "SELECT to_regclass('victim') IS NOT NULL").strip()
    if exists != "t":
        pg18.psql(bouncer.database, VICTIM_SQL)
    _writes_fail(pg18, bouncer.database, bouncer.dsn())


FORGED = {
    "DELETE FROM victim": "cannot execute DELETE in a read-only transaction",
    "SELECT sneak()": "cannot execute INSERT in a read-only transaction",
    "SELECT nextval('victim_seq')": "cannot execute nextval() in a read-only transaction",
    "commit; delete from victim": "cannot insert multiple commands into a prepared statement",
    "DISCARD ALL": "DISCARD ALL cannot run inside a transaction block",
    "COMMIT": None,
    "SET ROLE service_role": None,
    "SET SESSION AUTHORIZATION anon": None,
    "SET search_path = pg_catalog": None,
    "RESET ALL": None,
}
"""Statements the parser would refuse, run past it: the server's error, or None where the
statement is harmless in the transaction (its effect ends with the ROLLBACK, or COMMIT ends
an empty read-only transaction and the connection is cut when the clearing then fails)."""


@pytest.mark.parametrize("through", ["direct", "pgbouncer"])
async def test_past_the_parser_the_transaction_still_refuses(
    pg18: TestServer, bouncer: Bouncer, through: str
) -> None:
    if through == "direct":
        database = pg18.demo_database()
        pg18.psql(database, VICTIM_SQL)
        dsn = pg18.dsn(database)
    else:
        database = bouncer.database
        exists = pg18.psql(database, "SELECT to_regclass('victim') IS NOT NULL").strip()
        if exists != "t":
            pg18.psql(database, VICTIM_SQL)
        dsn = bouncer.dsn()
    before = _state(pg18, database)
    settings = QuerySettings()
    pool = await create_pool(ConnectionTarget(dsn, "test"))
    try:
        for sql, error in FORGED.items():
            forged = ReadStatement(sql=sql, select=ParsedSql(sql="SELECT 1"), explain=True)
            if error is None:
                await run_statement(pool, forged, QueryRequest(sql), settings)
            else:
                with pytest.raises(QueryFailedError, match=re.escape(error)):
                    await run_statement(pool, forged, QueryRequest(sql), settings)
            for _ in range(4):  # more than one pooled connection, more than one server one
                seen = await run_query(pool, QueryRequest(SESSION_SQL), settings)
                assert list(seen.rows[0]) == UNCHANGED_SESSION, sql
    finally:
        await pool.close()
    assert _state(pg18, database) == before
