"""`ehgtui snapshot` and `ehgtui diff` as CI would run them: output, exit status, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ehgtui.cli.connection import ConnectionOptions
from ehgtui.cli.diff_command import Side, SideError, parse_side
from tests.pg import TestServer


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ehgtui", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ehgtui: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def demo_copy(pg18: TestServer) -> str:
    return pg18.demo_database()


@pytest.fixture(scope="module")
def snapshot_file(
    pg18: TestServer, demo_copy: str, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("snap") / "schema.snapshot.json"
    result = run_cli("snapshot", "--dsn", pg18.dsn(demo_copy), str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and str(path) in result.stderr
    return path


def test_snapshot_is_deterministic_sorted_json(
    pg18: TestServer, demo_copy: str, snapshot_file: Path
) -> None:
    again = run_cli("snapshot", "--dsn", pg18.dsn(demo_copy), "-")
    assert again.returncode == 0, again.stderr
    assert again.stdout == snapshot_file.read_text()
    document = json.loads(again.stdout)
    assert document["snapshot_format"] == 3
    catalog = document["catalog"]
    assert catalog["names_qualified"] is True
    names = [(t["schema"], t["name"]) for t in catalog["tables"]]
    assert names == sorted(names) and len(names) >= 850
    ventures = next(t for t in catalog["tables"] if t["name"] == "ventures")
    assert "row_estimate" not in ventures and "size_bytes" not in ventures
    assert "oid" in ventures and "loaded_at" not in catalog
    assert all("size_bytes" not in i for i in ventures["indexes"])
    assert [p["name"] for p in ventures["policies"]] == sorted(
        p["name"] for p in ventures["policies"]
    )


def test_demo_against_its_own_snapshot_is_equal(
    pg18: TestServer, demo_copy: str, snapshot_file: Path
) -> None:
    result = run_cli("diff", pg18.dsn(demo_copy), str(snapshot_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "no differences"
    as_env = run_cli("diff", str(snapshot_file), env={"DATABASE_URL": pg18.dsn(demo_copy)})
    assert as_env.returncode == 0, as_env.stderr
    as_json = run_cli("diff", str(snapshot_file), str(snapshot_file), "--json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["equal"] is True


def test_drift_exits_1_with_text_and_json(pg18: TestServer, snapshot_file: Path) -> None:
    database = pg18.demo_database()
    pg18.psql(
        database,
        "ALTER TABLE ventures ADD COLUMN risk_level text;"
        "ALTER TABLE ventures DISABLE ROW LEVEL SECURITY;"
        "DROP TABLE eva_retries;",
    )
    dsn = pg18.dsn(database)
    text = run_cli("diff", str(snapshot_file), "--dsn", dsn)
    assert text.returncode == 1, text.stderr
    assert "\x1b[" not in text.stdout  # not a terminal: no colour
    lines = text.stdout.splitlines()
    assert lines[0] == f"from {snapshot_file} to {dsn} (--dsn)"
    assert "Ventures" in lines and "eva_*" in lines
    assert "  ~ table public.ventures changed" in lines
    assert "      rls_enabled: True -> False" in lines
    assert "    + column risk_level  text" in lines
    assert "  - table public.eva_retries removed" in lines
    assert lines[-1] == "2 tables differ: 1 removed, 1 changed"

    as_json = run_cli("diff", str(snapshot_file), dsn, "--json")
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert data["equal"] is False
    assert data["counts"] == {"added": 0, "removed": 1, "changed": 1, "renamed": 0}
    assert data["by_domain"] == {"Ventures": ["public.ventures"], "eva_*": ["public.eva_retries"]}
    ventures = next(t for t in data["tables"] if t["name"] == "ventures")
    assert ventures["fields"] == [{"field": "rls_enabled", "before": True, "after": False}]
    assert [(o["object_type"], o["name"], o["kind"]) for o in ventures["objects"]] == [
        ("column", "risk_level", "added")
    ]


def test_bad_sides_fail_with_one_line(tmp_path: Path, snapshot_file: Path) -> None:
    missing = _one_error_line(run_cli("diff", str(tmp_path / "nope.json"), str(snapshot_file)))
    assert "no such file" in missing

    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"catalog": [1, 2')
    assert "not valid JSON" in _one_error_line(run_cli("diff", str(garbage), str(snapshot_file)))

    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    assert "not an ehgtui snapshot" in _one_error_line(
        run_cli("diff", str(other), str(snapshot_file))
    )

    unknown = _one_error_line(run_cli("diff", "what-is-this", str(snapshot_file)))
    assert "cannot tell what" in unknown

    unreachable = _one_error_line(
        run_cli("diff", "postgresql://tester:S3cr3t-pw@127.0.0.1:1/db", str(snapshot_file))
    )
    assert "S3cr3t-pw" not in unreachable and "127.0.0.1:1" in unreachable

    assert "give two sides" in _one_error_line(run_cli("diff"))


def test_ddl_flag_prints_a_unified_diff_per_table(pg18: TestServer, snapshot_file: Path) -> None:
    database = pg18.demo_database()
    pg18.psql(
        database,
        "ALTER TABLE ventures ADD COLUMN risk_level text;"
        "ALTER TABLE eva_retries RENAME TO eva_retry_log;",
    )
    result = run_cli("diff", str(snapshot_file), pg18.dsn(database), "--ddl")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert "--- a/public.ventures.sql" in lines and "+++ b/public.ventures.sql" in lines
    assert "+    risk_level text," in lines
    assert "--- a/public.eva_retries.sql" in lines and "+++ b/public.eva_retry_log.sql" in lines
    assert "-CREATE TABLE public.eva_retries (" in lines
    assert "+CREATE TABLE public.eva_retry_log (" in lines
    assert [line for line in lines if line.startswith("--- ")] == [
        "--- a/public.eva_retries.sql",
        "--- a/public.ventures.sql",
    ]
    same = run_cli("diff", str(snapshot_file), str(snapshot_file), "--ddl")
    assert same.returncode == 0 and same.stdout == ""


def test_sides_are_told_apart(tmp_path: Path) -> None:
    assert parse_side("demo", ("public",)) == Side(
        "demo", connection=ConnectionOptions(None, True, ("public",))
    )
    side = parse_side("postgresql://u:pw@db.example.com:5432/app", ("public",))
    assert side.label == "postgresql://u:***@db.example.com:5432/app"
    assert side.connection is not None and side.connection.dsn.endswith("/app")
    assert parse_side("schema.snapshot.json", ("public",)).snapshot == Path("schema.snapshot.json")
    existing = tmp_path / "snap"
    existing.write_text("{}")
    assert parse_side(str(existing), ("public",)).snapshot == existing
    with pytest.raises(SideError):
        parse_side("no-such-thing", ("public",))
