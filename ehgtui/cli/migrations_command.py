"""`ehgtui migrations status`: the migration history against the files on disk."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import click

from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, options_from, run_with_pool
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.db.settings import ConnectionTarget
from ehgtui.migrations.files import (
    ProjectNotFoundError,
    find_project_dir,
    migration_dirs,
    scan,
)
from ehgtui.migrations.status import (
    AppliedMigration,
    MigrationsError,
    MigrationStatus,
    compare,
    fetch_applied,
)

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group()
def migrations() -> None:
    """Migration status without the Supabase CLI."""


def _directories(project_dir: Path | None, dirs: tuple[Path, ...]) -> list[Path]:
    if dirs:
        return list(dirs)
    project = project_dir or find_project_dir(Path.cwd())
    found = migration_dirs(project)
    if not found:
        raise ProjectNotFoundError(
            f"{project} has neither supabase/migrations nor database/migrations: pass --dir"
        )
    return found


def _print(status: MigrationStatus) -> None:
    output.emit_rows(
        ["state", "version", "name", "file"],
        [[e.state, e.version, e.name or "", e.path or ""] for e in status.entries],
    )
    counts = {s: len(status.with_state(s)) for s in ("applied", "pending", "missing")}
    output.status(
        f"{counts['applied']} applied, {counts['pending']} pending, "
        f"{counts['missing']} applied but missing locally; "
        f"{len(status.ignored)} .sql files without a version ignored"
    )


@migrations.command()
@connection_options
@click.option(
    "--project-dir",
    type=_DIR,
    help="Project holding supabase/migrations and database/migrations "
    "(default: nearest ancestor of the current directory with package.json or supabase/).",
)
@click.option(
    "--dir", "dirs", type=_DIR, multiple=True, help="A migrations directory (repeatable)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    project_dir: Path | None,
    dirs: tuple[Path, ...],
    as_json: bool,
) -> int:
    """Applied, pending, and applied-but-missing-locally migrations."""
    try:
        local = scan(_directories(project_dir, dirs))
    except ProjectNotFoundError as exc:
        output.error(str(exc))
        return int(ExitCode.USAGE)

    async def work(pool: asyncpg.Pool, _target: ConnectionTarget) -> list[AppliedMigration]:
        return await fetch_applied(pool)

    try:
        applied = run_with_pool(options_from(dsn, demo, schemas), work)
    except MigrationsError as exc:
        output.error(str(exc))
        return int(ExitCode.FINDINGS)
    result = compare(applied, local)
    if as_json:
        output.emit_json(
            {
                "directories": list(result.directories),
                "ignored": list(result.ignored),
                "migrations": [
                    {"state": e.state, "version": e.version, "name": e.name, "file": e.path}
                    for e in result.entries
                ],
            }
        )
    else:
        _print(result)
    return int(ExitCode.OK)
