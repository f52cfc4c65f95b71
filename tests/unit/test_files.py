"""Files are written whole or not at all (ehgtui/files.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ehgtui.catalog.cache import clear_cache
from ehgtui.files import left_for, write_atomically


def test_a_file_is_written_private_unless_asked(tmp_path: Path) -> None:
    private, shared = tmp_path / "private.json", tmp_path / "shared.json"
    write_atomically(private, b"one")
    write_atomically(shared, b"two", mode=0o644, sync=True)
    assert private.read_bytes() == b"one" and shared.read_bytes() == b"two"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644
    write_atomically(private, b"three")  # replaced whole
    assert private.read_bytes() == b"three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.json", "shared.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"old")

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_cache_clear_also_removes_a_temporary_file_left_by_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = tmp_path / "abc.catalog.json"
    cached.write_text("{}")
    temporaries: list[str] = []

    def crash(src: str, dst: str) -> None:  # the process dies before the rename
        temporaries.append(src)
        raise SystemExit(1)

    monkeypatch.setattr(os, "replace", crash)
    monkeypatch.setattr(os, "unlink", lambda _path: None)  # and so never cleans up
    with pytest.raises(SystemExit):
        write_atomically(cached, b"{")
    monkeypatch.undo()
    (leftover,) = (Path(t) for t in temporaries)
    assert leftover.exists() and left_for(leftover) == "abc.catalog.json"
    (tmp_path / "notes.txt").write_text("not ours")
    (tmp_path / ".notes.tmp").write_text("not ours either")
    assert left_for(tmp_path / ".notes.tmp") is None
    assert clear_cache(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.tmp", "notes.txt"]
