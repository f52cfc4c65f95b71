"""`ehgtui ddl TABLE...`: faithful DDL for tables and views, ready for a migration file."""

from __future__ import annotations

from pathlib import Path

import click

from ehgtui import clipboard
from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, load_for, options_from, require_table
from ehgtui.ddl import DdlOptions, schema_ddl, table_ddl


@click.command()
@click.argument("tables", nargs=-1, metavar="TABLE...")
@connection_options
@click.option("--all", "all_tables", is_flag=True, help="Every table and view, in apply order.")
@click.option("--owner", is_flag=True, help="Add ALTER ... OWNER TO.")
@click.option("--grants", is_flag=True, help="Add GRANT statements.")
@click.option("--if-not-exists", is_flag=True, help="Say IF NOT EXISTS where PostgreSQL can.")
@click.option("--copy", "copy", is_flag=True, help="Also copy the DDL to the clipboard.")
@click.option("-o", "--output", "output_file", type=click.Path(path_type=Path), help="Write here.")
def ddl(
    tables: tuple[str, ...],
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    all_tables: bool,
    owner: bool,
    grants: bool,
    if_not_exists: bool,
    copy: bool,
    output_file: Path | None,
) -> None:
    """Print the DDL of TABLE(s) in pg_dump's order (or of the whole schema with --all)."""
    if not tables and not all_tables:
        raise click.UsageError("name at least one TABLE, or use --all")
    catalog = load_for(options_from(dsn, demo, schemas), () if all_tables else tables)
    options = DdlOptions(owner=owner, grants=grants, if_not_exists=if_not_exists)
    if all_tables:
        text = schema_ddl(catalog, options)
        name = "schema"
    else:
        chosen = [require_table(catalog, table_name) for table_name in tables]
        text = (
            table_ddl(chosen[0], catalog, options)
            if len(chosen) == 1
            else schema_ddl(catalog, options, chosen)
        )
        name = chosen[0].name if len(chosen) == 1 else "tables"
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
        output.status(f"wrote {output_file}")
    else:
        output.emit_text(text)
    if copy:
        output.status(clipboard.copy_via_tty(text, name).describe())
