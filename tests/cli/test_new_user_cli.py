"""What a new user tripped over on the command line (issue 23): each test failed before its fix."""

from __future__ import annotations

import json
import os
import pty
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ehgtui.cli.snapshot_command import snapshot
from ehgtui.ddl import table_ddl
from ehgtui.diff.snapshot import loads_snapshot
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


def _one_error_line(result: subprocess.CompletedProcess[str], status: int = 2) -> str:
    assert result.returncode == status, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ehgtui: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def demo_db(pg18: TestServer) -> str:
    database = pg18.demo_database()
    pg18.psql(
        database,
        "CREATE TABLE public.event_log (id bigint, at date) PARTITION BY RANGE (at);"
        "CREATE TABLE public.event_log_2026 PARTITION OF public.event_log"
        " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    )
    return database


@pytest.fixture(scope="module")
def snapshot_text(pg18: TestServer, demo_db: str) -> str:
    result = run_cli("snapshot", "--dsn", pg18.dsn(demo_db), "-")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_constraints_come_in_one_order_from_every_source(
    pg18: TestServer, demo_db: str, snapshot_text: str, tmp_path: Path
) -> None:
    """A live load and a snapshot list constraints alike (by name, as pg_dump), so `diff
    --ddl` of one changed table shows only that change."""
    from ehgtui.cli.connection import ConnectionOptions, load

    live = load(ConnectionOptions(pg18.dsn(demo_db), False, ("public",), use_cache=False))
    saved = loads_snapshot(snapshot_text, "snapshot")
    table = live.table("public.strategic_directives_v2")
    assert table is not None
    names = [c.name for c in table.constraints]
    assert names == sorted(names) and any(c.kind == "PRIMARY KEY" for c in table.constraints)
    assert names[0] != next(c.name for c in table.constraints if c.kind == "PRIMARY KEY")
    # describe lists them in that order too (as the Constraints tab does), not the key first
    described = run_cli("describe", "--dsn", pg18.dsn(demo_db), "strategic_directives_v2")
    assert described.returncode == 0, described.stderr
    section = described.stdout.split("\nConstraints:\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split()[0] for line in section.splitlines()] == names
    for name in ("public.strategic_directives_v2", "public.ventures", "public.sd_phase_handoffs"):
        old, new = saved.table(name), live.table(name)
        assert old is not None and new is not None
        assert table_ddl(old, saved) == table_ddl(new, live)

    pg18.psql(demo_db, "ALTER TABLE ventures ADD COLUMN risk_note text;")
    path = tmp_path / "before.json"
    path.write_text(snapshot_text)
    result = run_cli("diff", str(path), pg18.dsn(demo_db), "--ddl")
    assert result.returncode == 1, result.stderr
    changed = [
        line
        for line in result.stdout.splitlines()
        if line[:1] in "+-" and not line.startswith(("---", "+++"))
    ]
    assert changed == ["+    risk_note text"] or changed == ["+    risk_note text,"], changed


def test_a_schema_that_does_not_exist_is_an_error(pg18: TestServer, demo_db: str) -> None:
    dsn = pg18.dsn(demo_db)
    line = _one_error_line(run_cli("tables", "--dsn", dsn, "--schema", "nope"))
    assert line == "ehgtui: no such schema in this database: nope"
    both = run_cli("tables", "--dsn", dsn, "--schema", "public", "--schema", "nope")
    assert "no such schema in this database: nope" in _one_error_line(both)
    assert run_cli("tables", "--dsn", dsn, "--schema", "public").returncode == 0


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """What the CLI writes to stdout when stdout is a terminal."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "ehgtui", *args],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **env},
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=300)
    finally:
        os.close(leader)
    return b"".join(chunks).decode()


def test_no_color_is_honoured_by_diff_on_a_terminal(snapshot_text: str, tmp_path: Path) -> None:
    document = json.loads(snapshot_text)
    ventures = next(t for t in document["catalog"]["tables"] if t["name"] == "ventures")
    ventures["comment"] = "changed"
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(snapshot_text)
    b.write_text(json.dumps(document))
    coloured = _on_a_terminal("diff", str(a), str(b), env={"NO_COLOR": ""})
    assert "\x1b[" in coloured and "ventures" in coloured
    plain = _on_a_terminal("diff", str(a), str(b), env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "ventures" in plain


def test_describe_says_what_raw_figures_mean(pg18: TestServer, demo_db: str) -> None:
    dsn = pg18.dsn(demo_db)
    view = run_cli("describe", "--dsn", dsn, "v_active_sds")
    assert view.returncode == 0, view.stderr
    assert "rows: no rows of its own; size: no storage" in view.stdout
    parted = run_cli("describe", "--dsn", dsn, "event_log")
    assert parted.returncode == 0, parted.stderr
    assert "size: stored in its partitions" in parted.stdout
    for out in (view.stdout, parted.stdout):
        assert "~-1" not in out and "-8192" not in out and " bytes;" not in out


def test_compare_prompt_names_a_command_that_works(tmp_path: Path) -> None:
    from ehgtui.tui.screens.snapshot_compare import SnapshotCompareScreen

    source = Path(sys.modules[SnapshotCompareScreen.__module__].__file__ or "").read_text()
    hint = source.split("ehgtui snapshot", 1)[1].split(")", 1)[0].split()
    assert "-o" not in hint
    args = [str(tmp_path / "s.json") if word == "FILE" else word for word in hint]
    snapshot.make_context("snapshot", [*args, "--demo"])  # raises on an unknown option


@pytest.fixture
def hang_up_port() -> Iterator[int]:
    """A port whose listener accepts each connection and closes it at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    stop.set()
    thread.join()
    sock.close()


def test_a_server_that_hangs_up_is_described_in_our_words(hang_up_port: int) -> None:
    dsn = f"postgresql://u:pw@127.0.0.1:{hang_up_port}/app"
    line = _one_error_line(run_cli("ping", "--dsn", dsn))
    assert "connection_lost" not in line and "unexpected" not in line
    assert "closed the connection" in line and "127.0.0.1" in line and ":pw@" not in line


def test_new_migration_onto_an_existing_file_says_ehgtui(
    pg18: TestServer, demo_db: str, tmp_path: Path
) -> None:
    args = ("new-migration", "widgets", "--like", "ventures", "--dir", str(tmp_path))
    first = run_cli(*args, "--dsn", pg18.dsn(demo_db))
    assert first.returncode == 0, first.stderr
    # The name holds the second it was written in: on a busy machine the next run may start
    # in a later second, so the files it could write in the next two minutes exist already.
    written = datetime.strptime(Path(first.stdout.strip()).name[:14], "%Y%m%d%H%M%S")
    for ahead in range(1, 120):
        stamp = (written + timedelta(seconds=ahead)).strftime("%Y%m%d%H%M%S")
        (tmp_path / f"{stamp}_create_widgets.sql").write_text("-- someone else's\n")
    again = run_cli(*args, "--dsn", pg18.dsn(demo_db))
    line = _one_error_line(again, status=2)
    assert "already exists" in line and "Error:" not in again.stderr


def test_diff_with_two_sides_and_demo_says_so(snapshot_text: str, tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(snapshot_text)
    line = _one_error_line(run_cli("diff", str(a), str(a), "--demo"))
    assert "two sides were given" in line
