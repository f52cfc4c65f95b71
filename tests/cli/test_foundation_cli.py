"""`ehgtui tables` and `ehgtui describe` as a script would run them, against real servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.pg import TestServer


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ehgtui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def demo_dsn(pg18: TestServer) -> str:
    return pg18.dsn(pg18.demo_database())


def test_tables_json_lists_every_demo_table_with_a_domain(demo_dsn: str) -> None:
    result = run_cli("tables", "--dsn", demo_dsn, "--json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    tables = [r for r in records if r["kind"] == "table"]
    assert len(tables) >= 850
    assert all(r["domain"] for r in records)
    by_name = {r["name"]: r for r in records}
    assert by_name["strategic_directives_v2"]["domain"] == "Strategic Directives"
    assert by_name["sd_phase_handoffs"]["domain"] == "Strategic Directives"
    assert by_name["leo_protocols"]["domain"] == "LEO Protocol"
    assert by_name["ventures"]["domain"] == "Ventures"
    assert by_name["agent_artifacts"]["domain"] == "Agent System"
    assert by_name["compliance_policies"]["domain"] == "Compliance"
    assert by_name["retrospectives"]["domain"] == "Quality & Retrospectives"
    assert by_name["failure_patterns"]["domain"] == "Skills & Patterns"
    assert by_name["product_requirements_v2"]["domain"] == "Product Requirements"
    sd = by_name["strategic_directives_v2"]
    assert sd["rls_enabled"] is True and sd["column_count"] >= 60 and sd["policy_count"] >= 20


def test_describe_agrees_with_psql(pg18: TestServer, demo_dsn: str) -> None:
    result = run_cli("describe", "strategic_directives_v2", "--dsn", demo_dsn, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    psql = subprocess.run(
        [
            str(pg18.tools_bin_dir / "psql"),
            "-X",
            "-d",
            demo_dsn,
            "-c",
            r"\d+ public.strategic_directives_v2",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        # describe prints the server's texts as pg_dump does, with an empty search_path (types
        # schema-qualified): psql under the same path prints the same
        env={**os.environ, "PGOPTIONS": "-c search_path="},
    ).stdout
    psql_columns = {
        line.split("|")[0].strip(): line.split("|")[1].strip()
        for line in psql.splitlines()
        if line.count("|") >= 4 and not line.strip().startswith("Column")
    }
    assert {c["name"]: c["data_type"] for c in data["columns"]} == psql_columns
    for index in data["indexes"]:
        assert f'"{index["name"]}"' in psql
    for policy in data["policies"]:
        assert f'"{policy["name"]}"' in psql
    for trigger in data["triggers"]:
        assert trigger["name"] in psql
    for constraint in data["constraints"]:
        assert f'"{constraint["name"]}"' in psql
    assert data["policies"] and data["triggers"] and data["indexes"] and data["constraints"]
    assert data["domain"] == "Strategic Directives"
    assert "Policies:" in psql and data["rls_enabled"]


def test_describe_unknown_table_is_one_line_and_exit_1(demo_dsn: str) -> None:
    result = run_cli("describe", "nope", "--dsn", demo_dsn)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "nope" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("postgresql://x@127.0.0.1:1/db", "connection refused"),
        ("postgresql://x:hunter22@127.0.0.1:1/db", "connection refused"),
        ("mysql://x@h/db", "malformed DSN"),
    ],
)
def test_bad_connection_is_one_line_and_exit_2(dsn: str, expected: str) -> None:
    result = run_cli("tables", "--dsn", dsn)
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr and "hunter22" not in result.stderr
    assert result.stdout == ""
