"""`remember_theme` edits only the top-level theme line, escapes the value, keeps the rest."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ehgtui.config import remember_theme, user_config_file

USER_CONFIG = """\
# my settings
theme = "nord"
other = 1

[[tasks]]
name = "Themes"
argv = ["echo", "x"]
theme = "kept"

[domains]
themed = ["a_"]
"""


def test_remember_theme_keeps_tables_and_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a config dir of its own: the session's is shared, and this `[domains]` is not valid
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = user_config_file()
    assert path.is_relative_to(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(USER_CONFIG, encoding="utf-8")
    chosen = 'odd "name" \\ with\ttab'
    assert remember_theme(chosen) == path
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["theme"] == chosen
    assert data["other"] == 1
    assert data["tasks"] == [{"name": "Themes", "argv": ["echo", "x"], "theme": "kept"}]
    assert data["domains"] == {"themed": ["a_"]}
    assert "# my settings" in path.read_text(encoding="utf-8")
    remember_theme("nord")
    assert tomllib.loads(path.read_text(encoding="utf-8"))["theme"] == "nord"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
