"""`ehgtui find`: tables, columns and functions by name from the shell, with counts."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_foundation_cli import run_cli
from tests.pg import TestServer


@pytest.fixture(scope="module")
def demo_db(pg18: TestServer) -> str:
    return pg18.demo_database()


def test_a_column_narrowed_by_table_words(pg18: TestServer, demo_db: str) -> None:
    dsn = pg18.dsn(demo_db)
    every = json.loads(run_cli("find", "created_by", "--json", "--dsn", dsn).stdout)
    narrowed = run_cli("find", "created_by", "strategic", "--json", "--dsn", dsn)
    assert narrowed.returncode == 0, narrowed.stderr
    found = json.loads(narrowed.stdout)
    tables = {c["table"] for c in found["columns"] if c["column"] == "created_by"}
    assert "strategic_directives_v2" in tables
    assert all("strategic" in c["table"] for c in found["columns"])
    assert len(every["columns"]) > len(found["columns"])  # the table word narrowed it
    assert found["functions"] == []  # narrowing words are about tables


def test_text_has_counts_tables_and_functions(pg18: TestServer, demo_db: str) -> None:
    result = run_cli("find", "sd_progress", "--limit", "2", "--dsn", pg18.dsn(demo_db))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Tables (2)",
        "  public.sd_progress_snapshots  table",
        "  public.v_sd_progress  view",
    ]
    heading = next(line for line in lines if line.startswith("Functions ("))
    assert int(heading.removeprefix("Functions (").rstrip(")")) >= 3
    assert lines[-1] == "(first 2 of each kind: --limit N shows more)"


def test_nothing_found_is_one_line_and_exit_1(pg18: TestServer, demo_db: str) -> None:
    result = run_cli("find", "zzqqxxnothing", "--dsn", pg18.dsn(demo_db))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "ehgtui: nothing matches"
