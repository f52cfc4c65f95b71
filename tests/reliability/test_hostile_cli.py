"""CLI text output on a terminal never carries the hostile schema's escapes raw.

Each command runs with stdout and stderr on a pseudo-terminal, as a user at a shell would see
it, and what the terminal received is searched for the data's escapes: OSC 52 (clipboard),
OSC 0 (window title), CSI 2J (clear screen), the C1 CSI and the RTL override. The payloads
must be there, made visible (`\\x1b]52;…`). Redirected to a pipe, `ddl` stays byte-exact.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import (  # noqa: F401 (fixtures)
    DATA_ESCAPES,
    OSC52,
    SHOWN,
    UNSAFE_CHARACTERS,
    hostile_db,
)

COMMANDS = [
    ("tables",),
    ("describe", "hostile_main"),
    ("ddl", "hostile_main"),
    ("rows", "hostile_main"),
    ("rows", "hostile_main", "--csv"),
    ("access", "hostile_main"),
    ("check", "rls"),
    ("check", "conventions"),
    ("erd", "hostile_main"),
    ("describe", f"osc52{OSC52}"),
]


def _on_a_terminal(*args: str) -> tuple[int, str]:
    """Run `python -m ehgtui ARGS` with stdout and stderr on a pty; (exit code, what it got)."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ehgtui", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env | {"NO_COLOR": "1", "COLUMNS": "200"},
    )
    os.close(follower)
    received = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    return process.wait(timeout=60), received.decode("utf-8", errors="replace")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_text_output_shows_escapes_visibly(command: tuple[str, ...], hostile_db: str) -> None:  # noqa: F811
    code, received = _on_a_terminal(*command, "--dsn", hostile_db, "--no-cache")
    assert "Traceback" not in received, received
    assert DATA_ESCAPES.search(received) is None, repr(received[:2000])
    if command[0] == "check":  # findings exit 1: the hostile tables break conventions
        assert code in (0, 1) and "hostile_main" in received, received
    else:
        assert code == 0, received
    if command[0] in ("access", "erd"):
        assert "hostile_main" in received, received
    else:  # the output names something hostile, and shows its payload made visible
        assert any(shown in received for shown in SHOWN), repr(received[:2000])


def test_ddl_to_a_pipe_is_byte_exact(hostile_db: str) -> None:  # noqa: F811
    result = subprocess.run(
        [sys.executable, "-m", "ehgtui", "ddl", f"osc52{OSC52}", "--dsn", hostile_db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert OSC52 in result.stdout  # the name as it is: the DDL re-creates it


def test_docs_pages_hold_no_raw_control_character(hostile_db: str, tmp_path: Path) -> None:  # noqa: F811
    result = subprocess.run(
        [sys.executable, "-m", "ehgtui", "docs", str(tmp_path), "--dsn", hostile_db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    pages = {p: p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.md")}
    assert len(pages) > 5
    for path, text in pages.items():
        assert UNSAFE_CHARACTERS.search(text) is None, (path, repr(text[:300]))
    assert any(SHOWN[0] in text for text in pages.values())
