"""The task registry: the README's tasks and custom `[[tasks]]` from the config file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ehgtui.config import load_config
from ehgtui.tasks.registry import TaskConfigError, TaskSpec, all_tasks, custom_tasks, readme_tasks


def test_readme_tasks_and_their_builtin_alternatives(tmp_path: Path) -> None:
    tasks = {t.argv: t for t in readme_tasks(tmp_path)}
    assert tasks[("npm", "run", "schema:docs:engineer")].builtin_alternative == "ehgtui docs"
    assert tasks[("supabase", "migration", "list")].builtin_alternative == (
        "ehgtui migrations status"
    )
    assert tasks[("npm", "run", "db:validate")].builtin_alternative == "ehgtui check conventions"
    assert tasks[("supabase", "db", "ping")].builtin_alternative == "ehgtui ping"
    push = tasks[("supabase", "db", "push")]
    assert push.confirm and push.changes_schema and push.builtin_alternative is None
    assert [t for t in tasks.values() if t.confirm] == [push]
    assert {t.cwd for t in tasks.values()} == {tmp_path}


def test_custom_tasks_from_the_config_file(tmp_path: Path) -> None:
    (tmp_path / ".ehgtui.toml").write_text(
        """
[[tasks]]
name = "Reset local database"
argv = ["supabase", "db", "reset"]
changes_schema = true

[[tasks]]
name = "Lint SQL"
argv = ["sqlfluff", "lint", "supabase/migrations"]
cwd = "repo"
confirm = false

[[tasks]]
name = "Check connection"
argv = ["pg_isready", "-h", "db"]
"""
    )
    config = load_config(tmp_path)
    tasks = all_tasks(config.raw, config.source, tmp_path)
    by_name = {t.name: t for t in tasks}
    assert by_name["Reset local database"] == TaskSpec(
        "Reset local database", ("supabase", "db", "reset"), None, True, True
    )
    assert by_name["Lint SQL"].cwd == tmp_path / "repo"
    assert not by_name["Lint SQL"].confirm
    # a custom task replaces the README task of the same name
    assert by_name["Check connection"].argv == ("pg_isready", "-h", "db")
    assert len(tasks) == 5 - 1 + 3


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('tasks = "npm test"', "cfg.toml: tasks must be an array of tables ([[tasks]])"),
        ('[[tasks]]\nargv = ["x"]', "cfg.toml: tasks[0]: missing name"),
        ('[[tasks]]\nname = "t"', "cfg.toml: tasks[0] (t): missing argv"),
        (
            '[[tasks]]\nname = "t"\nargv = "npm run x"',
            "cfg.toml: tasks[0] (t): argv must be a list",
        ),
        (
            '[[tasks]]\nname = "t"\nargv = []',
            "cfg.toml: tasks[0] (t): argv must be a non-empty list of strings (no shell)",
        ),
        ('[[tasks]]\nname = "t"\nargv = ["x"]\nconfirm = "yes"', "confirm must be a bool"),
        ('[[tasks]]\nname = "t"\nargv = ["x"]\nshell = true', "unknown key shell"),
    ],
)
def test_malformed_tasks_give_one_clear_line(toml: str, message: str) -> None:
    with pytest.raises(TaskConfigError) as caught:
        custom_tasks(tomllib.loads(toml), Path("/etc/cfg.toml"))
    text = str(caught.value)
    assert "\n" not in text
    assert message in text.replace("/etc/", "")
