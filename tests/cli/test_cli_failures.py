"""CLI failures outside the database end in one line and an exit status, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from ehgtui.cli.main import main
from tests.cli.test_foundation_cli import run_cli
from tests.pg import TestServer


@pytest.fixture(scope="module")
def demo_dsn(pg18: TestServer) -> str:
    return pg18.dsn(pg18.demo_database())


def _one_line_failure(result: subprocess.CompletedProcess[str], status: int) -> str:
    assert result.returncode == status, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr


def test_ddl_output_file_that_cannot_be_written(demo_dsn: str, tmp_path: Path) -> None:
    target = tmp_path / "no_such_dir" / "ventures.sql"
    result = run_cli("ddl", "ventures", "-o", str(target), "--dsn", demo_dsn)
    line = _one_line_failure(result, 2)
    assert line == f"ehgtui: {target}: No such file or directory\n"
    assert not target.exists()


def test_new_migration_directory_that_is_a_file(demo_dsn: str, tmp_path: Path) -> None:
    blocker = tmp_path / "database"
    blocker.write_text("not a directory")
    directory = blocker / "migrations"
    result = run_cli(
        "new-migration", "widgets", "--like", "ventures", "--dir", str(directory), "--dsn", demo_dsn
    )
    line = _one_line_failure(result, 2)
    assert line == f"ehgtui: {directory}: Not a directory\n"
    assert blocker.read_text() == "not a directory"


def test_closed_pipe_ends_quietly(demo_dsn: str) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-m", "ehgtui", "tables", "--dsn", demo_dsn],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # like `| head` that has read all it wants: before any output
    stderr = reader.stderr.read().decode()
    assert (reader.wait(timeout=120), stderr) == (141, "")


def test_connection_lost_in_the_middle_of_a_command(
    demo_dsn: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def dying_ping(pool: asyncpg.Pool) -> None:
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr("ehgtui.cli.ping_command.ping", dying_ping)
    with pytest.raises(SystemExit) as exited:
        main(["ping", "--dsn", demo_dsn])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("ehgtui: ") and err.count("\n") == 1
    assert "terminat" in err


def test_connection_closed_under_a_command(
    demo_dsn: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def closed_ping(_pool: asyncpg.Pool) -> None:
        conn = await asyncpg.connect(demo_dsn)
        await conn.close()
        await conn.fetchval("SELECT 1")  # asyncpg.InterfaceError

    monkeypatch.setattr("ehgtui.cli.ping_command.ping", closed_ping)
    with pytest.raises(SystemExit) as exited:
        main(["ping", "--dsn", demo_dsn])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == "ehgtui: connection is closed\n"


@pytest.mark.parametrize(
    "args",
    [
        ("describe", "nope"),
        ("ddl", "ventures", "nope"),
        ("new-migration", "widgets", "--like", "nope"),
        ("rows", "nope"),
        ("access", "nope"),
        ("erd", "nope"),
    ],
    ids=lambda args: args[0],
)
def test_unknown_table_is_the_same_line_everywhere(
    demo_dsn: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    extra = ("--dir", str(tmp_path)) if args[0] == "new-migration" else ()
    result = run_cli(*args, *extra, "--dsn", demo_dsn)
    line = _one_line_failure(result, 1)
    # ddl takes any object, so it names every kind it looked for
    kinds = "table, view, function, type, sequence, extension or publication"
    what = kinds if args[0] == "ddl" else "table"
    assert line == f"ehgtui: no {what} named 'nope' in schema(s) public\n"
    assert list(tmp_path.iterdir()) == []


def test_qualified_table_outside_the_schemas_is_found(demo_dsn: str) -> None:
    described = run_cli("describe", "auth.users", "--json", "--dsn", demo_dsn)
    assert described.returncode == 0, described.stderr
    data = json.loads(described.stdout)
    assert (data["schema"], data["name"]) == ("auth", "users")
    assert "email" in [c["name"] for c in data["columns"]]
    ddl = run_cli("ddl", "auth.users", "--dsn", demo_dsn)
    assert ddl.returncode == 0, ddl.stderr
    assert "CREATE TABLE auth.users (" in ddl.stdout
    erd = run_cli("erd", "auth.users", "--depth", "1", "--dsn", demo_dsn)
    assert erd.returncode == 0, erd.stderr
    assert "users" in erd.stdout
    rows = run_cli("rows", "auth.users", "--json", "--dsn", demo_dsn)
    assert rows.returncode == 0, rows.stderr
    assert json.loads(rows.stdout)["table"] == "auth.users"


def test_ddl_copy_without_clipboard_or_cache_dir_still_prints(
    demo_dsn: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocker), "SSH_TTY": "/dev/pts/99"}
    result = subprocess.run(
        [sys.executable, "-m", "ehgtui", "ddl", "ventures", "--copy", "--dsn", demo_dsn],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # no controlling terminal: OSC 52 has nowhere to go
    )
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE public.ventures (" in result.stdout
    assert result.stderr == (
        "no clipboard was reachable and the file copy failed: "
        f"{blocker}/ehgtui/copies: Not a directory\n"
    )
