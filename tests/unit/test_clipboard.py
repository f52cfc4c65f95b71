"""The clipboard layers' pure parts: OSC 52 (plain and tmux-wrapped) and the fallback file."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

from ehgtui import clipboard


def test_osc52_plain_sequence_carries_the_text() -> None:
    seq = clipboard.osc52_sequence("CREATE TABLE ü;", tmux=False)
    assert seq.startswith("\x1b]52;c;") and seq.endswith("\a")
    payload = seq[len("\x1b]52;c;") : -1]
    assert base64.b64decode(payload).decode() == "CREATE TABLE ü;"


def test_osc52_tmux_passthrough_doubles_escapes() -> None:
    plain = clipboard.osc52_sequence("x", tmux=False)
    wrapped = clipboard.osc52_sequence("x", tmux=True)
    assert wrapped == "\x1bPtmux;" + plain.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def test_environment_detection() -> None:
    assert clipboard.in_tmux({"TMUX": "/tmp/tmux-0/default,1,0"})
    assert not clipboard.in_tmux({})
    assert clipboard.over_ssh({"SSH_TTY": "/dev/pts/1"})
    assert clipboard.over_ssh({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"})
    assert not clipboard.over_ssh({"TERM": "xterm"})


def test_fallback_file_is_private_and_complete(tmp_path: Path) -> None:
    text = 'CREATE TABLE public."odd name" (id int);\n' * 1000
    path = clipboard.write_fallback(text, 'public."odd name"', tmp_path)
    assert path.parent == tmp_path and path.suffix == ".sql"
    assert "/" not in path.name and '"' not in path.name
    assert path.read_text() == text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_describe_names_every_way() -> None:
    path = Path("/tmp/x.sql")
    assert "OSC 52" in clipboard.CopyResult(True, False, path).describe()
    assert "local clipboard" in clipboard.CopyResult(False, True, None).describe()
    only_file = clipboard.CopyResult(False, False, path).describe()
    assert "no clipboard" in only_file and str(path) in only_file
    assert clipboard.CopyResult(False, False, None).describe() == (
        "no clipboard was reachable and the file copy failed"
    )


SSH = {"SSH_TTY": "/dev/pts/1"}
"""Over SSH the local clipboard is skipped, so these tests never touch the machine's own."""


def test_copy_via_tty_writes_osc52_to_the_terminal_and_the_file(tmp_path: Path) -> None:
    tty = tmp_path / "tty"
    tty.write_text("")
    result = clipboard.copy_via_tty(
        "CREATE TABLE t ();", "public.t", env=SSH, tty_path=str(tty), directory=tmp_path / "c"
    )
    assert result == clipboard.CopyResult(
        True, False, tmp_path / "c" / "public.t.sql", osc52_bytes=18, ssh=True
    )
    assert tty.read_text() == clipboard.osc52_sequence("CREATE TABLE t ();", tmux=False)
    assert (tmp_path / "c" / "public.t.sql").read_text() == "CREATE TABLE t ();"
    # what was sent, not a success it cannot confirm; where it may not arrive; the file
    assert result.describe() == (
        "sent 18 bytes to the terminal as OSC 52 (over SSH it arrives only if your local "
        f"terminal accepts OSC 52); also saved to {tmp_path}/c/public.t.sql"
    )


def test_osc52_inside_tmux_says_what_tmux_needs(tmp_path: Path) -> None:
    tty = tmp_path / "tty"
    tty.write_text("")
    env = {**SSH, "TMUX": "/tmp/tmux-1000/default,1,0"}
    result = clipboard.copy_via_tty("é", "t", env=env, tty_path=str(tty), directory=tmp_path)
    said = result.describe()
    assert said.startswith("sent 2 bytes to the terminal as OSC 52 (inside tmux")
    assert "set-clipboard on" in said and str(tmp_path / "t.sql") in said
    assert "copied" not in said


def test_copy_via_tty_survives_no_terminal_and_no_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("")
    result = clipboard.copy_via_tty(
        "x", "t", env=SSH, tty_path=str(tmp_path / "no" / "tty"), directory=blocker / "copies"
    )
    assert (result.osc52, result.local, result.file) == (False, False, None)
    assert result.describe() == (
        f"no clipboard was reachable and the file copy failed: {blocker}/copies: Not a directory"
    )
    assert blocker.read_text() == ""
