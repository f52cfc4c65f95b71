"""`ehgtui query`: the output forms, the exit statuses and the switches, on a real server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.pg import TestServer
from tests.reliability.conftest import run_cli

TABLE = "strategic_directives_v2"
SQL = f"select id, title from {TABLE} order by id limit 3"


@pytest.fixture(scope="module")
def dsn(pg18: TestServer) -> str:
    return pg18.dsn(pg18.demo_database())


def test_json_csv_markdown_and_text_hold_the_same_rows(pg18: TestServer, dsn: str) -> None:
    database = dsn.rsplit("/", 1)[1]
    expected = [
        line.split("|")
        for line in pg18.psql(database, SQL.replace("id, title", "id, title", 1)).splitlines()
    ]
    as_json = run_cli("query", SQL, "--json", "--dsn", dsn)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["rows"] == expected and data["row_count"] == 3
    assert [c["name"] for c in data["columns"]] == ["id", "title"]
    assert data["role"] == "postgres" and data["truncated"] is False
    as_csv = run_cli("query", SQL, "--csv", "--dsn", dsn)
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [["id", "title"], *expected]
    assert "3 row(s)" in as_csv.stderr
    as_md = run_cli("query", SQL, "--markdown", "--dsn", dsn)
    lines = as_md.stdout.splitlines()
    assert lines[:2] == ["| id | title |", "| --- | --- |"]
    assert lines[2] == f"| {expected[0][0]} | {expected[0][1]} |"
    text = run_cli("query", SQL, "--dsn", dsn)
    assert text.stdout.splitlines()[1].split()[0] == expected[0][0]


def test_a_file_stdin_view_as_and_the_row_cap(dsn: str, tmp_path: Path) -> None:
    file = tmp_path / "q.sql"
    file.write_text("-- who am I\nselect current_user;\n")
    done = run_cli("query", "-f", str(file), "--as", "anon", "--json", "--dsn", dsn)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == [["anon"]]
    capped = run_cli(
        "query", "select g from generate_series(1, 50) g", "--max-rows", "7", "--json", "--dsn", dsn
    )
    data = json.loads(capped.stdout)
    assert data["row_count"] == 7 and data["truncated"] is True


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["delete from strategic_directives_v2"], 1, "read-only and runs only SELECT"),
        (["select nosuch"], 1, 'column "nosuch" does not exist'),
        (["select nextval('x')"], 1, "pass --allow-volatile"),
        (["select 1", "--no-rows"], 2, "row access is switched off"),
        (["-f", "/nonexistent.sql"], 2, "cannot read /nonexistent.sql"),
        ([], 2, "either as SQL or with -f FILE"),
        (["select 1", "--as", "no_such_role"], 1, "cannot view as no_such_role"),
    ],
)
def test_refusals_are_one_line_and_an_exit_status(
    dsn: str, args: list[str], code: int, words: str
) -> None:
    done = run_cli("query", *args, "--dsn", dsn)
    assert done.returncode == code, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_rows_enabled_false_in_the_config_switches_it_off(dsn: str, tmp_path: Path) -> None:
    (tmp_path / ".ehgtui.toml").write_text("[rows]\nenabled = false\n")
    done = run_cli("query", "select 1", "--dsn", dsn, cwd=tmp_path)
    assert done.returncode == 2 and "switched off" in done.stderr
    (tmp_path / ".ehgtui.toml").write_text("[query]\nmax_rows = 0\n")
    bad = run_cli("query", "select 1", "--dsn", dsn, cwd=tmp_path)
    assert bad.returncode == 2 and "[query] max_rows" in bad.stderr
