"""`ehgtui new-migration NAME --like TABLE`: a migration with the README's required elements."""

from __future__ import annotations

from pathlib import Path

import click

from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, load_for, options_from, require_table
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.ddl import RLS_PATTERNS, MigrationError, new_migration
from ehgtui.migrations.files import write_new_migration


@click.command("new-migration")
@click.argument("name")
@click.option("--like", "like_name", required=True, metavar="TABLE", help="Copy this table.")
@click.option(
    "--pattern",
    type=click.Choice(sorted(RLS_PATTERNS)),
    default="authenticated_read_service_write",
    show_default=True,
    help="The RLS policy pattern.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Where to write the file.",
)
@connection_options
def new_migration_command(
    name: str,
    like_name: str,
    pattern: str,
    directory: Path,
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
) -> int:
    """Write YYYYMMDDHHMMSS_create_NAME.sql modelled on TABLE: uuid id, timestamps, RLS, policies,
    a created_at index and the updated_at trigger this database uses."""
    catalog = load_for(options_from(dsn, demo, schemas), [like_name])
    like = require_table(catalog, like_name)
    try:
        file_name, sql = new_migration(name, like, catalog, pattern)
    except MigrationError as exc:
        output.error(str(exc))
        return ExitCode.USAGE
    path = directory / file_name
    try:
        write_new_migration(directory, file_name, sql)
    except FileExistsError:
        output.error(f"{path} already exists; not overwriting it")
        return ExitCode.USAGE
    output.emit_text(str(path))
    return ExitCode.OK
