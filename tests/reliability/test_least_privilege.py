"""Least privilege: a role with only CONNECT and USAGE (no SELECT anywhere) sees the whole model.

PostgreSQL lets every role read the system catalogs, so a role that may not read a single row
still sees every table's columns, constraints, indexes, policies and triggers. The catalog
ehgtui loads as that role must equal the superuser's.
"""

from __future__ import annotations

import json

import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer
from tests.reliability.conftest import run_cli

VIEWER = "catalog_viewer"


def _least_privilege_database(pg: TestServer) -> str:
    database = pg.demo_database()
    pg.psql(
        database,
        f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{VIEWER}') THEN
            CREATE ROLE {VIEWER} LOGIN NOINHERIT;
          END IF;
        END $$;
        REVOKE ALL ON DATABASE {database} FROM PUBLIC;
        GRANT CONNECT ON DATABASE {database} TO {VIEWER};
        GRANT USAGE ON SCHEMA public TO {VIEWER};
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
        """,
    )
    return database


async def _load(dsn: str) -> Catalog:
    pool = await create_pool(ConnectionTarget(dsn, "test"))
    try:
        return await load_catalog(pool, ("public",))
    finally:
        await pool.close()


async def test_viewer_sees_the_superusers_catalog(pg: TestServer) -> None:
    database = _least_privilege_database(pg)
    readable = pg.psql(
        database,
        f"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') "
        f"AND has_table_privilege('{VIEWER}', c.oid, 'SELECT')",
    ).strip()
    assert readable == "0"  # the premise: not one table or view is readable

    admin = await _load(pg.dsn(database))
    viewer = await _load(pg.dsn(database, user=VIEWER))
    assert len(admin.tables) >= 850
    assert [t.qualified_name for t in viewer.tables] == [t.qualified_name for t in admin.tables]
    for seen, full in zip(viewer.tables, admin.tables, strict=True):
        assert len(seen.columns) == len(full.columns), full.qualified_name
        assert len(seen.policies) == len(full.policies), full.qualified_name
        assert len(seen.constraints) == len(full.constraints), full.qualified_name
        assert len(seen.indexes) == len(full.indexes), full.qualified_name
        assert len(seen.triggers) == len(full.triggers), full.qualified_name
        # everything else too, the whole model of the table
        assert seen == full, full.qualified_name
    assert sum(len(t.policies) for t in viewer.tables) > 1000
    assert viewer.sequences == admin.sequences


def test_viewer_cli_tables_describe_and_refused_rows(pg18: TestServer) -> None:
    database = _least_privilege_database(pg18)
    as_viewer = pg18.dsn(database, user=VIEWER)
    tables = run_cli("tables", "--json", "--dsn", as_viewer)
    admin = run_cli("tables", "--json", "--dsn", pg18.dsn(database))
    assert tables.returncode == 0, tables.stderr
    assert json.loads(tables.stdout) == json.loads(admin.stdout)

    described = run_cli("describe", "strategic_directives_v2", "--json", "--dsn", as_viewer)
    assert described.returncode == 0, described.stderr
    assert len(json.loads(described.stdout)["policies"]) >= 20

    # reading rows is refused by the server: one line, exit 1, no traceback
    rows = run_cli("rows", "strategic_directives_v2", "--dsn", as_viewer)
    assert rows.returncode == 1
    assert len(rows.stderr.splitlines()) == 1
    assert "permission denied" in rows.stderr and "Traceback" not in rows.stderr


@pytest.mark.parametrize("command", [("check", "rls"), ("check", "conventions")])
def test_viewer_checks_match_superuser(pg18: TestServer, command: tuple[str, ...]) -> None:
    database = _least_privilege_database(pg18)
    viewer = run_cli(*command, "--json", "--dsn", pg18.dsn(database, user=VIEWER))
    admin = run_cli(*command, "--json", "--dsn", pg18.dsn(database))
    assert viewer.returncode == admin.returncode == 1
    assert json.loads(viewer.stdout) == json.loads(admin.stdout)
