"""Poolers: everything works through PgBouncer in transaction pooling mode.

In transaction mode consecutive transactions of one client may land on different server
connections, so a server-side prepared statement made in one is gone in the next. ehgtui
keeps none (`statement_cache_size=0`); these tests run the catalog load and the commands
that read rows through a real PgBouncer to prove it.
"""

from __future__ import annotations

import json

from ehgtui.catalog.loader import load_catalog
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.demo.schema_rows import USER_A_ID, USER_B_ID, demo_uuid
from tests.pg import TestServer
from tests.reliability.conftest import Bouncer, run_cli
from tests.reliability.statement_log import StatementLog

TABLE = "strategic_directives_v2"


async def test_catalog_load_through_pgbouncer_equals_direct(
    pg18: TestServer, bouncer: Bouncer
) -> None:
    direct_pool = await create_pool(ConnectionTarget(pg18.dsn(bouncer.database), "direct"))
    pooled = await create_pool(ConnectionTarget(bouncer.dsn(), "pgbouncer"))
    try:
        direct = await load_catalog(direct_pool, ("public",))
        # twice: the second load reuses server connections the first one left behind
        first = await load_catalog(pooled, ("public",))
        second = await load_catalog(pooled, ("public",))
    finally:
        await pooled.close()
        await direct_pool.close()
    assert len(direct.tables) >= 850
    for through in (first, second):
        assert [t.qualified_name for t in through.tables] == [
            t.qualified_name for t in direct.tables
        ]
        assert through.tables == direct.tables
        assert through.sequences == direct.sequences


def test_tables_and_describe_through_pgbouncer(pg18: TestServer, bouncer: Bouncer) -> None:
    pooled = run_cli("tables", "--json", "--dsn", bouncer.dsn())
    direct = run_cli("tables", "--json", "--dsn", pg18.dsn(bouncer.database))
    assert pooled.returncode == 0, pooled.stderr
    assert json.loads(pooled.stdout) == json.loads(direct.stdout)

    described = run_cli("describe", TABLE, "--json", "--dsn", bouncer.dsn())
    assert described.returncode == 0, described.stderr
    data = json.loads(described.stdout)
    assert data["name"] == TABLE and data["domain"] == "Strategic Directives"
    assert len(data["columns"]) >= 60 and len(data["policies"]) >= 20


def test_rows_through_pgbouncer(pg18: TestServer, bouncer: Bouncer) -> None:
    expected = pg18.psql(bouncer.database, f"SELECT count(*) FROM public.{TABLE}").strip()
    for extra in ((), ("--as", "service_role"), ("--as", "anon")):
        result = run_cli("rows", TABLE, "--limit", "500", "--json", *extra, "--dsn", bouncer.dsn())
        assert result.returncode == 0, (extra, result.stderr)
        page = json.loads(result.stdout)
        count = len(page["rows"])
        if extra == ("--as", "anon"):
            assert count <= int(expected)
        else:
            assert count == min(int(expected), 500)
    assert int(expected) > 0


def test_access_through_pgbouncer(pg18: TestServer, bouncer: Bouncer) -> None:
    pooled = run_cli("access", TABLE, "--json", "--dsn", bouncer.dsn())
    direct = run_cli("access", TABLE, "--json", "--dsn", pg18.dsn(bouncer.database))
    assert pooled.returncode == 0, pooled.stderr
    assert json.loads(pooled.stdout) == json.loads(direct.stdout)
    matrix = json.loads(pooled.stdout)
    assert matrix["counted"] is True
    roles = {row["role"]: row for row in matrix["rows"]}
    assert {"anon", "authenticated", "service_role"} <= set(roles)
    anon_select = next(c for c in roles["anon"]["cells"] if c["command"] == "SELECT")
    assert anon_select["count_error"] is None and anon_select["visible_rows"] > 0


def test_an_allowed_advisory_lock_is_not_left_on_a_pgbouncer_server_connection(
    pg18: TestServer, bouncer: Bouncer
) -> None:
    """In transaction mode the statement after a ROLLBACK may reach another server
    connection, so the lock must be released inside the transaction that took it."""
    where = "pg_advisory_lock(4711) IS NOT NULL"
    log = StatementLog(pg18)
    refused = run_cli("rows", TABLE, "--limit", "1", "--where", where, "--dsn", bouncer.dsn())
    assert refused.returncode == 1 and "pg_advisory_lock() is VOLATILE" in refused.stderr
    for _ in range(3):  # PgBouncer hands out its server connections in turn
        allowed = run_cli(
            "rows", TABLE, "--limit", "1", "--where", where, "--allow-volatile", "--json",
            "--dsn", bouncer.dsn(),
        )  # fmt: skip
        assert allowed.returncode == 0, allowed.stderr
        assert len(json.loads(allowed.stdout)["rows"]) == 1
    held = pg18.psql(
        "postgres", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4711"
    )
    assert held.strip() == "0"
    assert log.text().count("pg_advisory_lock(4711)") == 3  # the refused one was not sent
    log.assert_read_only(bouncer.database)


def test_row_access_through_pgbouncer(pg18: TestServer, bouncer: Bouncer) -> None:
    """The explanation's one transaction (savepoints, the role and claims switched with
    SET LOCAL) holds together when each transaction may land on another server connection."""
    prd = demo_uuid("rows-prd-1")  # user A's
    base = ("access", "product_requirements_v2", "--row", prd, "--json")
    cases = [
        (("--user", USER_A_ID, "--command", "update", "--set", "title=x"), "allow"),
        (("--user", USER_B_ID), "deny"),
        (("--user", "anon"), "deny"),
        (("--user", "service_role", "--command", "delete"), "allow"),
    ]
    for _ in range(2):  # PgBouncer hands out its server connections in turn
        for extra, verdict in cases:
            pooled = run_cli(*base, *extra, "--dsn", bouncer.dsn())
            direct = run_cli(*base, *extra, "--dsn", pg18.dsn(bouncer.database))
            assert pooled.returncode == 0, (extra, pooled.stderr)
            assert json.loads(pooled.stdout) == json.loads(direct.stdout)
            assert json.loads(pooled.stdout)["verdict"] == verdict, extra
    # and nothing is left behind: no server connection idles in a transaction or as a role
    left = pg18.psql(
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
        f"'{bouncer.database}' AND (state LIKE 'idle in transaction%' OR usename <> 'postgres')",
    )
    assert left.strip() == "0"
