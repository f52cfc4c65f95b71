"""The tasks the palette offers: the database README's common tasks plus the config's own.

README tasks need Node or the Supabase CLI; each that has one names the built-in ehgtui
command doing the same job without them. Custom tasks come from `[[tasks]]` tables of the
configuration file:

    [[tasks]]
    name = "Reset local database"
    argv = ["supabase", "db", "reset"]
    cwd = "."                  # optional, relative to the config file's directory
    confirm = true             # optional: ask before running (default false)
    changes_schema = true      # optional: implies confirm

argv is a list: tasks never go through a shell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


class TaskConfigError(ValueError):
    """A `[[tasks]]` entry is malformed; the message names the file, the entry and the field."""


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One runnable task."""

    name: str
    argv: tuple[str, ...]
    """The program and its arguments, run without a shell."""
    cwd: Path | None
    """Where to run it; None means the caller's current directory."""
    confirm: bool = False
    """Ask the user before running."""
    changes_schema: bool = False
    """It may change the database: always confirmed, and the catalog is reloaded after."""
    builtin_alternative: str | None = None
    """The ehgtui command that does the same without Node or the Supabase CLI."""


README_TASKS: tuple[TaskSpec, ...] = (
    TaskSpec(
        "Regenerate schema docs",
        ("npm", "run", "schema:docs:engineer"),
        None,
        builtin_alternative="ehgtui docs",
    ),
    TaskSpec(
        "Check migration status",
        ("supabase", "migration", "list"),
        None,
        builtin_alternative="ehgtui migrations status",
    ),
    TaskSpec(
        "Apply pending migrations",
        ("supabase", "db", "push"),
        None,
        confirm=True,
        changes_schema=True,
    ),
    TaskSpec(
        "Validate schema",
        ("npm", "run", "db:validate"),
        None,
        builtin_alternative="ehgtui check conventions",
    ),
    TaskSpec(
        "Check connection",
        ("supabase", "db", "ping"),
        None,
        builtin_alternative="ehgtui ping",
    ),
)
"""The README's "Common Tasks" and "Supabase Connection" commands, in README order."""


def readme_tasks(project_dir: Path | None) -> tuple[TaskSpec, ...]:
    """The README tasks, run in the project directory (npm and supabase look for it there)."""
    return tuple(replace(task, cwd=project_dir) for task in README_TASKS)


def _field(entry: Mapping[str, Any], key: str, kind: type, where: str, required: bool) -> Any:
    value = entry.get(key)
    if value is None:
        if required:
            raise TaskConfigError(f"{where}: missing {key}")
        return None
    if not isinstance(value, kind):
        raise TaskConfigError(f"{where}: {key} must be a {kind.__name__}")
    return value


def _custom_task(entry: Any, where: str, base_dir: Path | None) -> TaskSpec:
    if not isinstance(entry, dict):
        raise TaskConfigError(f"{where}: must be a table")
    unknown = sorted(set(entry) - {"name", "argv", "cwd", "confirm", "changes_schema"})
    if unknown:
        raise TaskConfigError(f"{where}: unknown key {unknown[0]}")
    name = _field(entry, "name", str, where, required=True).strip()
    where = f"{where} ({name})" if name else where
    argv = _field(entry, "argv", list, where, required=True)
    if not name:
        raise TaskConfigError(f"{where}: name is empty")
    if not argv or not all(isinstance(a, str) and a for a in argv):
        raise TaskConfigError(f"{where}: argv must be a non-empty list of strings (no shell)")
    cwd_text = _field(entry, "cwd", str, where, required=False)
    cwd = Path(cwd_text).expanduser() if cwd_text else None
    if cwd is not None and not cwd.is_absolute() and base_dir is not None:
        cwd = base_dir / cwd
    changes_schema = bool(_field(entry, "changes_schema", bool, where, required=False))
    confirm = bool(_field(entry, "confirm", bool, where, required=False)) or changes_schema
    return TaskSpec(name, tuple(argv), cwd, confirm, changes_schema)


def custom_tasks(raw: Mapping[str, Any], source: Path | None = None) -> tuple[TaskSpec, ...]:
    """Parse the config's `[[tasks]]`; relative cwds are taken from the config file's dir."""
    entries = raw.get("tasks")
    if entries is None:
        return ()
    label = str(source) if source else "config"
    if not isinstance(entries, list):
        raise TaskConfigError(f"{label}: tasks must be an array of tables ([[tasks]])")
    base_dir = source.parent if source else None
    return tuple(
        _custom_task(entry, f"{label}: tasks[{i}]", base_dir) for i, entry in enumerate(entries)
    )


def all_tasks(
    raw: Mapping[str, Any], source: Path | None, project_dir: Path | None
) -> tuple[TaskSpec, ...]:
    """README tasks then custom ones; a custom task named like a README task replaces it."""
    custom = custom_tasks(raw, source)
    names = {t.name for t in custom}
    return tuple(t for t in readme_tasks(project_dir) if t.name not in names) + custom
