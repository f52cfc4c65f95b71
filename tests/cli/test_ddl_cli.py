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


def _normalised_dump(pg: TestServer, database: str) -> list[str]:
    dump = pg.pg_dump_schema(database, "--schema=public", "--no-owner", "--no-privileges")
    keep = []
    for line in dump.splitlines():
        if not line.strip() or line.startswith(("--", "SET ", "SELECT pg_catalog", "\\")):
            continue
        keep.append(line)
    return keep


def _split_row_type_functions(dump: str, relations: set[str]) -> tuple[str, str]:
    """Split the dump into (prerequisites, after): functions whose signature names a public
    table's row type need the table, so they (and their comments and grants) come after it,
    as do the publications' tables (pg_dump keeps them although the tables are excluded)."""
    entries = re.split(r"(?=^--\n-- Name: )", dump, flags=re.M)
    uses_row_type = re.compile(
        r"\bpublic\.(" + "|".join(sorted(relations)) + r")\b(?!\.)(?=[^;]*\bLANGUAGE\b)"
    )
    late_names = set()
    for entry in entries:
        if "Type: FUNCTION;" in entry and uses_row_type.search(entry.split("AS $", 1)[0]):
            late_names.add(re.search(r"-- Name: (\w+)\(", entry).group(1))  # type: ignore[union-attr]

    def is_late(entry: str) -> bool:
        header = entry.split("\n", 2)[1] if entry.count("\n") >= 2 else ""
        if "Type: PUBLICATION TABLE;" in header:
            return True
        return any(re.search(rf"\b{name}\(", header) for name in late_names)

    before = "".join(e for e in entries if not is_late(e))
    after = "".join(e for e in entries if is_late(e))
    return before, after


def test_ddl_all_recreates_every_demo_table(pg18: TestServer, demo_db: str) -> None:
    result = run_cli("ddl", "--all", "--dsn", pg18.dsn(demo_db))
    assert result.returncode == 0, result.stderr
    ddl = result.stdout
    assert "CREATE TABLE public.strategic_directives_v2" in ddl
    # a fresh database with the demo's prerequisites only: roles, schemas, types, functions
    # and the other schemas' tables (pg_dump without any relation of public)
    dump = pg18.pg_dump_schema(demo_db, "--exclude-table=public.*", "--no-owner")
    relations = set(re.findall(r"^CREATE TABLE public\.(\w+)", ddl, re.M))
    prerequisites, late = _split_row_type_functions(dump, relations)
    target = pg18.create_database("ddlall")
    pg18.psql(target, prerequisites)
    pg18.psql(target, ddl)
    pg18.psql(target, "SET check_function_bodies = false;\n" + late)
    assert _normalised_dump(pg18, target) == _normalised_dump(pg18, demo_db)


def test_ddl_unknown_table_and_no_argument(pg18: TestServer, demo_db: str) -> None:
    missing = run_cli("ddl", "nope", "--dsn", pg18.dsn(demo_db))
    assert missing.returncode == 1 and "nope" in missing.stderr
    assert missing.stderr.count("\n") == 1
    nothing = run_cli("ddl", "--dsn", pg18.dsn(demo_db))
    assert nothing.returncode == 2 and "TABLE" in nothing.stderr


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
