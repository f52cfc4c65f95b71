"""`ehgtui diff A B`: what changed from catalog A to catalog B; exit status 1 on drift, for CI.

Each side is a PostgreSQL URL, the word `demo` (the embedded demo database), or a snapshot file
(`ehgtui snapshot`; a catalog cache file works too). With one side given, the other is the usual
connection (`--dsn`, `--demo`, DATABASE_URL, .env, PG* variables) and comes second, so
`ehgtui diff schema.snapshot.json` reads "from the snapshot to the live database".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from ehgtui.catalog.model import Catalog
from ehgtui.cli import output
from ehgtui.cli.config import domain_settings
from ehgtui.cli.connection import ConnectionOptions, connection_options, load, options_from
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.db.settings import mask_dsn, resolve_target
from ehgtui.ddl import table_ddl
from ehgtui.diff.compare import diff_catalogs
from ehgtui.diff.model import CatalogDiff, diff_to_data
from ehgtui.diff.qualification import comparable
from ehgtui.diff.render import render_text, unified_ddl_diff
from ehgtui.diff.snapshot import SnapshotError, read_snapshot
from ehgtui.migrate import (
    MigrationOptions,
    RenameError,
    hazard_summary,
    parse_rename,
    render_sql,
    write_migration,
)
from ehgtui.migrations.files import (
    NEW_MIGRATION_DIR,
    ProjectNotFoundError,
    find_project_dir,
    migration_file_name,
    write_new_migration,
)
from ehgtui.safe_text import visible

DEMO_SIDE = "demo"
"""The side argument that names the embedded demo database."""

COLOURS: dict[str, dict[str, Any]] = {
    "added": {"fg": "green"},
    "removed": {"fg": "red"},
    "changed": {"fg": "yellow"},
    "renamed": {"fg": "cyan"},
    "heading": {"bold": True},
}
"""click.style arguments per change kind, used only when stdout is a terminal."""


@dataclass(frozen=True)
class Side:
    """One side of the comparison, as the user named it."""

    label: str
    """How the side is shown: the masked DSN, `demo`, the file path or `connection`."""
    snapshot: Path | None = None
    connection: ConnectionOptions | None = None


class SideError(ValueError):
    """A side argument that is neither a DSN, `demo` nor an existing snapshot file."""


def _looks_like_dsn(text: str) -> bool:
    return "://" in text or text.startswith(("postgres:", "postgresql:"))


def parse_side(text: str, schemas: tuple[str, ...]) -> Side:
    """Tell what a side argument names: the demo, a DSN or a snapshot file."""
    if text == DEMO_SIDE:
        return Side(DEMO_SIDE, connection=ConnectionOptions(None, True, schemas))
    if _looks_like_dsn(text):
        return Side(mask_dsn(text), connection=ConnectionOptions(text, False, schemas))
    path = Path(text)
    if path.exists() or path.suffix == ".json":
        return Side(text, snapshot=path)
    raise SideError(
        f"cannot tell what {mask_dsn(text)!r} is: expected a postgresql:// URL, "
        f"'{DEMO_SIDE}', or a snapshot file"
    )


def _with_schemas(side: Side, schemas: tuple[str, ...]) -> Side:
    if side.connection is None:
        return side
    conn = side.connection
    return Side(side.label, connection=ConnectionOptions(conn.dsn, conn.demo, schemas))


def _connection_side(dsn: str | None, demo: bool, schemas: tuple[str, ...]) -> Side:
    if demo:
        return Side(DEMO_SIDE, connection=ConnectionOptions(None, True, schemas))
    target = resolve_target(dsn)
    return Side(
        f"{target.masked} ({target.source})", connection=ConnectionOptions(dsn, False, schemas)
    )


def _load_side(side: Side, use_cache: bool) -> Catalog:
    if side.snapshot is not None:
        return read_snapshot(side.snapshot)
    assert side.connection is not None
    return load(replace(side.connection, use_cache=use_cache))


def _ddl_text(diff: CatalogDiff, a: Catalog, b: Catalog) -> str:
    chunks = []
    for table in diff.tables:
        old = a.table(table.old_name or table.qualified_name) if table.kind != "added" else None
        new = b.table(table.qualified_name) if table.kind != "removed" else None
        chunks.append(
            unified_ddl_diff(
                table,
                table_ddl(old, a) if old is not None else None,
                table_ddl(new, b) if new is not None else None,
            )
        )
    return "".join(chunks)


def _style(text: str, kind: str) -> str:
    return click.style(text, **COLOURS.get(kind, {}))


@click.command()
@connection_options
@click.argument("sides", nargs=-1, metavar="A [B]")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.option("--ddl", "as_ddl", is_flag=True, help="Print a unified diff of each table's DDL.")
@click.option("--sql", "as_sql", is_flag=True, help="Print the SQL that turns A into B.")
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --sql: write the SQL to this file (never replacing one).",
)
@click.option(
    "--migration",
    "migration_name",
    metavar="NAME",
    help="With --sql: write supabase/migrations/YYYYMMDDHHMMSS_NAME.sql in the project.",
)
@click.option(
    "--project-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="With --migration: the project directory (default: found from the current one).",
)
@click.option(
    "--allow-data-loss",
    is_flag=True,
    help="With --sql: write data-losing statements (drops, narrowing types) uncommented.",
)
@click.option(
    "--concurrently",
    is_flag=True,
    help="With --sql: build and drop plain indexes CONCURRENTLY, after the transaction.",
)
@click.option("--owners", is_flag=True, help="With --sql: write owner changes too.")
@click.option(
    "--rename",
    "renames",
    multiple=True,
    metavar="OLD=NEW",
    help="With --sql: a table (schema.table) or column (table.column=column) renamed.",
)
@click.pass_context
def diff(
    ctx: click.Context,
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    sides: tuple[str, ...],
    as_json: bool,
    as_ddl: bool,
    as_sql: bool,
    output_file: Path | None,
    migration_name: str | None,
    project_dir: Path | None,
    allow_data_loss: bool,
    concurrently: bool,
    owners: bool,
    renames: tuple[str, ...],
) -> int:
    """Compare two catalogs: each side a postgresql:// URL, `demo`, or a snapshot file.

    With one side, the other is the connection (--dsn, --demo, DATABASE_URL...). Exit status:
    0 when they describe the same schema, 1 when they differ, 2 on error; with --sql, 3 when
    data-losing statements were written commented out (see --allow-data-loss).
    """
    if sum((as_json, as_ddl, as_sql)) > 1:
        output.error("--json, --ddl and --sql cannot be used together")
        return ExitCode.USAGE
    sql_only = [
        flag
        for flag, given in (
            ("-o", output_file is not None),
            ("--migration", migration_name is not None),
            ("--allow-data-loss", allow_data_loss),
            ("--concurrently", concurrently),
            ("--owners", owners),
            ("--rename", bool(renames)),
        )
        if given
    ]
    if sql_only and not as_sql:
        output.error(f"{sql_only[0]} needs --sql")
        return ExitCode.USAGE
    if output_file is not None and migration_name is not None:
        output.error("-o and --migration cannot be used together")
        return ExitCode.USAGE
    try:
        rename_pairs = tuple(parse_rename(r) for r in renames)
        target = _sql_target(output_file, migration_name, project_dir)
    except (RenameError, ProjectNotFoundError) as exc:
        output.error(str(exc))
        return ExitCode.USAGE
    if len(sides) == 2 and (dsn or demo):
        output.error(
            "two sides were given, and a connection too (--dsn or --demo): give A B alone, "
            "or one side plus the connection"
        )
        return ExitCode.USAGE
    if not sides or len(sides) > 2:
        output.error(
            "give two sides (A B), or one side plus the connection (--dsn, --demo, "
            "DATABASE_URL): e.g. ehgtui diff schema.snapshot.json"
        )
        return ExitCode.USAGE
    explicit_schemas = ctx.get_parameter_source("schemas") is not click.core.ParameterSource.DEFAULT
    try:
        parsed = [parse_side(text, schemas) for text in sides]
        snapshots = {p: read_snapshot(p.snapshot) for p in parsed if p.snapshot is not None}
    except (SideError, SnapshotError) as exc:
        output.error(str(exc))
        return ExitCode.USAGE
    if not explicit_schemas and snapshots:
        # compare like with like: load the live side with the snapshot's schema list
        schemas = next(iter(snapshots.values())).schemas
        parsed = [_with_schemas(p, schemas) for p in parsed]
    if len(parsed) == 1:
        parsed.append(_connection_side(dsn, demo, schemas))
    side_a, side_b = parsed
    use_cache = options_from(dsn, demo, schemas).use_cache
    catalog_a = snapshots[side_a] if side_a in snapshots else _load_side(side_a, use_cache)
    catalog_b = snapshots[side_b] if side_b in snapshots else _load_side(side_b, use_cache)
    # a snapshot from before the texts were schema-qualified: both sides alike (also for --ddl)
    catalog_a, catalog_b = comparable(catalog_a, catalog_b)
    result = diff_catalogs(catalog_a, catalog_b, domain_settings())

    if as_json:
        output.emit_json(diff_to_data(result) | {"a": side_a.label, "b": side_b.label})
    elif as_sql:
        options = MigrationOptions(concurrently, owners, rename_pairs)
        return _write_sql(
            result, catalog_a, catalog_b, options, allow_data_loss, target, (side_a, side_b)
        )
    elif as_ddl:
        text = _ddl_text(result, catalog_a, catalog_b)
        if text:
            output.emit_text(text)
    else:
        style = _style if output.colour_wanted() else None
        header = f"from {side_a.label} to {side_b.label}"
        body = render_text(result, style) if style else render_text(result)
        output.emit_styled(f"{visible(header)}\n{body}")
    return ExitCode.OK if result.is_empty else ExitCode.FINDINGS


def _sql_target(
    output_file: Path | None, migration_name: str | None, project_dir: Path | None
) -> Path | None:
    """Where `--sql` writes: the `-o` file, a new migration file, or None for stdout."""
    if migration_name is None:
        return output_file
    project = project_dir or find_project_dir(Path.cwd())
    return project / NEW_MIGRATION_DIR / migration_file_name(migration_name)


def _write_sql(
    result: CatalogDiff,
    a: Catalog,
    b: Catalog,
    options: MigrationOptions,
    allow_data_loss: bool,
    target: Path | None,
    sides: tuple[Side, Side],
) -> int:
    """`diff --sql`: the migration on stdout or in a file, the hazards on stderr."""
    try:
        migration = write_migration(result, a, b, options)
    except RenameError as exc:
        output.error(str(exc))
        return ExitCode.USAGE
    header = f"Generated by ehgtui diff --sql: from {sides[0].label} to {sides[1].label}."
    text = render_sql(migration, header, allow_data_loss=allow_data_loss)
    for line in hazard_summary(migration, allow_data_loss=allow_data_loss):
        output.status(f"hazard: {line}")
    held = migration.loses_data and not allow_data_loss
    if held:
        output.status(
            "ehgtui: data-losing statements are commented out; rerun with --allow-data-loss"
            " to include them"
        )
    if target is None:
        if text:
            output.emit_text(text)
    elif text:
        try:
            path = write_new_migration(target.parent, target.name, text)
        except FileExistsError:
            output.error(f"{target} already exists; not overwriting it")
            return ExitCode.USAGE
        except OSError as exc:
            output.error(f"cannot write {target}: {exc.strerror or exc}")
            return ExitCode.USAGE
        output.status(str(path))
    else:
        output.status("ehgtui: no differences: no migration written")
    if held:
        return ExitCode.DATA_LOSS_HELD
    return ExitCode.OK if migration.is_empty else ExitCode.FINDINGS
