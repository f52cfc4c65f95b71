"""Finding migration files on disk: where they live and how their names carry a version.

The database README names two places: `supabase/migrations/YYYYMMDDHHMMSS_name.sql` (the
Supabase CLI's) and `database/migrations/YYYYMMDD_name.sql` (older, applied by scripts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MIGRATION_DIRS = ("supabase/migrations", "database/migrations")
"""Where a project keeps migration files, relative to the project directory."""

PROJECT_MARKERS = ("package.json", "supabase")
"""What makes a directory the project directory: either is enough."""

_FILE_NAME = re.compile(r"^(?P<version>\d{8,})_(?P<name>.+)\.sql$")
"""The Supabase CLI's pattern, made to accept the 8-digit dates of database/migrations."""


class ProjectNotFoundError(LookupError):
    """No project directory above the starting point; the message says what to pass."""


@dataclass(frozen=True, slots=True)
class LocalMigration:
    """One migration file: its version and name as its file name spells them."""

    version: str
    name: str
    path: Path


@dataclass(frozen=True)
class LocalMigrations:
    """Every migration file found, plus the `.sql` files whose names carry no version."""

    migrations: tuple[LocalMigration, ...]
    ignored: tuple[Path, ...]
    directories: tuple[Path, ...]


def find_project_dir(start: Path) -> Path:
    """The nearest directory, from start upwards, holding `package.json` or `supabase/`."""
    for directory in (start, *start.parents):
        if any((directory / marker).exists() for marker in PROJECT_MARKERS):
            return directory
    raise ProjectNotFoundError(
        f"no project directory (one holding package.json or supabase/) at or above {start}: "
        "pass --project-dir or --dir"
    )


def migration_dirs(project_dir: Path) -> list[Path]:
    """The project's migration directories that exist, in README order."""
    return [project_dir / d for d in MIGRATION_DIRS if (project_dir / d).is_dir()]


def parse_file_name(path: Path) -> LocalMigration | None:
    """The migration a file name describes, or None when it carries no version."""
    match = _FILE_NAME.match(path.name)
    if match is None:
        return None
    return LocalMigration(match["version"], match["name"], path)


def scan(directories: Sequence[Path]) -> LocalMigrations:
    """Read the migration files (top level only, as the Supabase CLI does) of directories."""
    found: list[LocalMigration] = []
    ignored: list[Path] = []
    for directory in directories:
        for path in sorted(directory.glob("*.sql")):
            migration = parse_file_name(path)
            if migration is None:
                ignored.append(path)
            else:
                found.append(migration)
    found.sort(key=lambda m: (m.version, m.name, str(m.path)))
    return LocalMigrations(tuple(found), tuple(ignored), tuple(directories))


NEW_MIGRATION_DIR = "supabase/migrations"
"""Where new migration files go: the Supabase CLI's folder (`supabase db push` reads it)."""

_SLUG = re.compile(r"[^a-z0-9]+")


def migration_version(now: datetime | None = None) -> str:
    """A 14-digit version, `YYYYMMDDHHMMSS` in UTC, as the Supabase CLI writes them."""
    return f"{now or datetime.now(UTC):%Y%m%d%H%M%S}"


def migration_file_name(name: str, now: datetime | None = None) -> str:
    """`YYYYMMDDHHMMSS_name.sql`, the name made lower-case words joined by `_`."""
    slug = _SLUG.sub("_", name.lower()).strip("_") or "migration"
    return f"{migration_version(now)}_{slug}.sql"


def write_new_migration(directory: Path, file_name: str, sql: str) -> Path:
    """Create `directory/file_name` with sql, never replacing a file (FileExistsError)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name
    with path.open("x", encoding="utf-8") as handle:  # "x": an existing file stays as it is
        handle.write(sql)
    return path
