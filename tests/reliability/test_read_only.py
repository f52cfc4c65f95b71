"""Read-only: writes through the app's pool fail and change nothing; the statement log agrees.

The session's servers log every statement (`log_statement=all`) with the backend pid and the
application name, so we can replay each ehgtui session and check that every statement it sent
ran between a `BEGIN … READ ONLY` and its `ROLLBACK`.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from ehgtui.db.pool import create_pool, fetch_read_only
from ehgtui.db.read_only_session import read_only
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer
from tests.reliability.conftest import ehgtui_statements, run_cli

VICTIM_SQL = """
CREATE TABLE victim (id int PRIMARY KEY, note text);
INSERT INTO victim VALUES (1, 'original');
CREATE SEQUENCE victim_seq;
"""

WRITES = (
    "INSERT INTO victim VALUES (2, 'sneaky')",
    "UPDATE victim SET note = 'changed'",
    "DELETE FROM victim",
    "CREATE TABLE intruder (id int)",
    "SELECT nextval('victim_seq')",
    "TRUNCATE victim",
)


def _state(pg: TestServer, database: str) -> str:
    return pg.psql(
        database,
        "SELECT string_agg(id || ':' || note, ',' ORDER BY id) FROM victim;"
        "SELECT count(*) FROM pg_class WHERE relname = 'intruder';"
        "SELECT last_value || ':' || is_called FROM victim_seq;",
    )


@pytest.mark.parametrize("statement", WRITES)
async def test_write_through_read_only_fails_and_changes_nothing(
    pg: TestServer, statement: str
) -> None:
    database = pg.create_database("rowrite", VICTIM_SQL)
    before = _state(pg, database)
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            async with read_only(pool) as conn:
                await conn.execute(statement)
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await fetch_read_only(pool, statement)
        # switching the transaction to read-write from inside is refused as well
        with pytest.raises(asyncpg.PostgresError):
            async with read_only(pool) as conn:
                await conn.execute("SELECT 1")
                await conn.execute("SET TRANSACTION READ WRITE")
                await conn.execute(statement)
    finally:
        await pool.close()
    assert _state(pg, database) == before
    assert before.splitlines() == ["1:original", "0", "1:false"]


def _violations(statements: list[tuple[int, str]]) -> list[str]:
    """Statements a session ran outside `BEGIN … READ ONLY` … `ROLLBACK`."""
    in_read_only: dict[int, bool] = {}
    bad: list[str] = []
    for pid, text in statements:
        upper = text.strip().upper()
        if upper.startswith("BEGIN"):
            if in_read_only.get(pid) or "READ ONLY" not in upper:
                bad.append(f"[{pid}] {text}")
            in_read_only[pid] = "READ ONLY" in upper
        elif upper.startswith("ROLLBACK"):
            if not in_read_only.get(pid):
                bad.append(f"[{pid}] {text}")
            in_read_only[pid] = False
        elif upper.startswith(("COMMIT", "END", "SET TRANSACTION", "SET SESSION")):
            bad.append(f"[{pid}] {text}")
        elif not in_read_only.get(pid):
            bad.append(f"[{pid}] {text}")
    return bad


def test_every_statement_of_every_command_runs_read_only(pg: TestServer, tmp_path: Path) -> None:
    database = pg.demo_database()
    dsn = pg.dsn(database)
    table = "strategic_directives_v2"
    commands = [
        ["tables", "--json"],
        ["describe", table, "--json"],
        ["check", "rls"],
        ["check", "conventions"],
        ["docs", str(tmp_path / "docs")],
        ["rows", table, "--limit", "5"],
        ["rows", table, "--as", "anon", "--limit", "5"],
        ["rows", table, "--as", "authenticated", "--where", "true"],
        ["access", table],
        ["ping"],
        ["snapshot", str(tmp_path / "snap.json")],
    ]
    for args in commands:
        result = run_cli(*args, "--dsn", dsn)
        assert result.returncode in (0, 1), (args, result.stderr)
        assert "Traceback" not in result.stderr
    log = (pg.server.data_dir / "server.log").read_text(errors="replace")
    statements = ehgtui_statements(log, database)
    # content: the commands really ran their queries here (catalog, rows, role switches)
    texts = [text for _pid, text in statements]
    assert sum(t.upper().startswith("BEGIN") for t in texts) >= len(commands)
    assert any("SET LOCAL ROLE anon" in t for t in texts)
    assert any(f"FROM public.{table}" in t for t in texts)
    assert _violations(statements) == []
