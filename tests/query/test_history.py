"""The pad's history file: per server, private, capped, and never holding the password."""

from __future__ import annotations

import stat
from pathlib import Path

from ehgtui.query.history import MAX_ENTRIES, QueryHistory, history_path

IDENTITY = "postgres@db.example:5432/ehg_engineer"


def test_history_is_private_and_keeps_the_newest(tmp_path: Path) -> None:
    path = history_path(IDENTITY, tmp_path)
    history = QueryHistory(path, IDENTITY, password="s3cret-pw")
    history.add("select 1")
    history.add("select 2")
    history.add("select 1")  # run again: moves to the end, not kept twice
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = QueryHistory(path, IDENTITY)
    assert again.load() is None
    assert again.newest_first() == ["select 1", "select 2"]


def test_the_password_never_reaches_the_file(tmp_path: Path) -> None:
    path = history_path(IDENTITY, tmp_path)
    history = QueryHistory(path, IDENTITY, password="s3cret-pw")
    history.add("select 's3cret-pw', 'postgresql://u:other-pw@h/db'")
    text = path.read_text()
    assert "s3cret-pw" not in text and "other-pw" not in text
    assert "select" in text


def test_each_server_has_its_own_file_and_the_cap_holds(tmp_path: Path) -> None:
    assert history_path(IDENTITY, tmp_path) != history_path("postgres@other:5432/x", tmp_path)
    history = QueryHistory(history_path(IDENTITY, tmp_path), IDENTITY)
    for i in range(MAX_ENTRIES + 5):
        history.add(f"select {i}", at=float(i))
    assert len(history.entries) == MAX_ENTRIES
    assert history.newest_first()[0] == f"select {MAX_ENTRIES + 4}"


def test_a_broken_file_is_one_line_not_a_crash(tmp_path: Path) -> None:
    path = history_path(IDENTITY, tmp_path)
    path.write_text("not json")
    reason = QueryHistory(path, IDENTITY).load()
    assert reason is not None and "is not a history file" in reason
