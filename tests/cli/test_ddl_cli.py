"""`ehgtui ddl` and `ehgtui new-migration` as a user runs them, against the demo schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.test_foundation_cli import run_cli
from tests.pg import TestServer


@pytest.fixture(scope="module")
def demo_db(pg18: TestServer) -> str:
    return pg18.demo_database()


def test_ddl_unknown_table_and_no_argument(pg18: TestServer, demo_db: str) -> None:
    missing = run_cli("ddl", "nope", "--dsn", pg18.dsn(demo_db))
    assert missing.returncode == 1 and "nope" in missing.stderr
    assert missing.stderr.count("\n") == 1
    nothing = run_cli("ddl", "--dsn", pg18.dsn(demo_db))
    assert nothing.returncode == 2 and "NAME" in nothing.stderr


def test_new_migration_writes_a_file_that_applies(
    pg18: TestServer, demo_db: str, tmp_path: Path
) -> None:
    result = run_cli(
        "new-migration",
        "venture_widgets",
        "--like",
        "ventures",
        "--dir",
        str(tmp_path),
        "--dsn",
        pg18.dsn(demo_db),
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert re.fullmatch(r"\d{14}_create_venture_widgets\.sql", path.name)
    sql = path.read_text()
    target = pg18.create_database("mig", template=demo_db)
    pg18.psql(target, sql)
    check = pg18.psql(
        target,
        "SELECT relrowsecurity, (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid),"
        " (SELECT count(*) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal)"
        " FROM pg_class c WHERE oid = 'public.venture_widgets'::regclass",
    ).strip()
    assert check == "t|2|1"
    again = run_cli(
        "new-migration",
        "venture_widgets",
        "--like",
        "ventures",
        "--dir",
        str(tmp_path),
        "--dsn",
        pg18.dsn(demo_db),
    )
    # a 14-digit version: a second migration a second later is a new file, never the same one
    if again.returncode == 0:
        assert Path(again.stdout.strip()) != path
    else:
        assert "already exists" in again.stderr
    assert path.read_text() == sql
