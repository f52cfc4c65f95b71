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
