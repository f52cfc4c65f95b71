"""Migration status against the demo's ~30 history rows and a temporary project on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.migrations.files import ProjectNotFoundError, find_project_dir, migration_dirs, scan
from ehgtui.migrations.status import (
    AppliedMigration,
    HistoryTableMissingError,
    compare,
    fetch_applied,
)
from tests.pg import TestServer


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ehgtui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )


async def _applied(pg: TestServer, database: str) -> list[AppliedMigration]:
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        return await fetch_applied(pool)
    finally:
        await pool.close()


@pytest.fixture(scope="module")
def demo_db(pg: TestServer) -> str:
    return pg.demo_database()


@pytest.fixture(scope="module")
async def history(pg: TestServer, demo_db: str) -> list[AppliedMigration]:
    return await _applied(pg, demo_db)


def _project(root: Path, history: list[AppliedMigration]) -> Path:
    """25 applied files, one dated file for row 26, two pending, rows 27.. missing locally."""
    supabase = root / "supabase" / "migrations"
    database = root / "database" / "migrations"
    supabase.mkdir(parents=True)
    database.mkdir(parents=True)
    (root / "package.json").write_text("{}")
    for row in history[:25]:
        (supabase / f"{row.version}_{row.name}.sql").write_text("select 1;")
    dated = history[25]
    (database / f"{dated.version[:8]}_{dated.name}.sql").write_text("select 1;")
    (supabase / "29991231235959_add_future_table.sql").write_text("select 1;")
    (database / "29991231_backfill_future.sql").write_text("select 1;")
    (database / "README.md").write_text("not a migration")
    (database / "notes.sql").write_text("-- no version")
    return root


async def test_history_is_read_in_version_order(history: list[AppliedMigration]) -> None:
    assert len(history) == 30
    assert [r.version for r in history] == sorted(r.version for r in history)
    assert all(len(r.version) == 14 and r.version.isdigit() for r in history)
    assert history[0].name == "create_strategic_directives_v2"


async def test_compare_applied_pending_missing(
    tmp_path: Path, history: list[AppliedMigration]
) -> None:
    project = _project(tmp_path, history)
    status = compare(history, scan(migration_dirs(project)))
    applied = status.with_state("applied")
    assert [e.version for e in applied] == [r.version for r in history[:26]]
    assert applied[25].path == str(
        project / "database" / "migrations" / f"{history[25].version[:8]}_{history[25].name}.sql"
    )
    assert [(e.version, e.name) for e in status.with_state("pending")] == [
        ("29991231", "backfill_future"),
        ("29991231235959", "add_future_table"),
    ]
    missing = status.with_state("missing")
    assert [(e.version, e.name, e.path) for e in missing] == [
        (r.version, r.name, None) for r in history[26:]
    ]
    assert status.ignored == (str(project / "database" / "migrations" / "notes.sql"),)


async def test_missing_history_table_is_one_clear_error(pg: TestServer) -> None:
    bare = pg.create_database("nomig")
    with pytest.raises(HistoryTableMissingError, match=r"^supabase_migrations\.schema_migrations"):
        await _applied(pg, bare)
    result = run_cli(
        "migrations", "status", "--dsn", pg.dsn(bare), "--dir", str(Path(__file__).parent)
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "ehgtui: supabase_migrations.schema_migrations does not exist: "
        "this database has no Supabase migration history"
    ]


def test_project_dir_is_the_nearest_marked_ancestor(tmp_path: Path) -> None:
    (tmp_path / "supabase").mkdir()
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_project_dir(nested) == tmp_path
    (tmp_path / "a" / "package.json").write_text("{}")
    assert find_project_dir(nested) == tmp_path / "a"


def test_no_project_dir_message(tmp_path: Path) -> None:
    # tmp_path lives under /tmp, which has no package.json or supabase/ above it
    with pytest.raises(ProjectNotFoundError, match="pass --project-dir or --dir"):
        find_project_dir(tmp_path)


async def test_cli_json_from_the_project_directory(
    pg: TestServer, demo_db: str, tmp_path: Path, history: list[AppliedMigration]
) -> None:
    project = _project(tmp_path / "proj", history)
    (project / "sub").mkdir()
    result = run_cli(
        "migrations", "status", "--dsn", pg.dsn(demo_db), "--json", cwd=project / "sub"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    states = [m["state"] for m in data["migrations"]]
    assert (states.count("applied"), states.count("pending"), states.count("missing")) == (
        26,
        2,
        4,
    )
    assert data["directories"] == [
        str(project / "supabase" / "migrations"),
        str(project / "database" / "migrations"),
    ]
    text = run_cli("migrations", "status", "--dsn", pg.dsn(demo_db), "--project-dir", str(project))
    assert text.returncode == 0
    assert text.stderr.strip().endswith(
        "26 applied, 2 pending, 4 applied but missing locally; "
        "1 .sql files without a version ignored"
    )
    assert text.stdout.splitlines()[0].split() == ["state", "version", "name", "file"]
