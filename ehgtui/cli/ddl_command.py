"""`ehgtui ddl NAME...`: faithful DDL of tables, views, functions, types, sequences,
extensions and publications, ready for a migration file; `--all` for the whole schema set."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from ehgtui import clipboard
from ehgtui.catalog.lookup import ObjectLookupError, find_object, schema_of
from ehgtui.catalog.model import Catalog, Table
from ehgtui.cli import output
from ehgtui.cli.connection import ConnectionOptions, connection_options, load, options_from
from ehgtui.cli.errors import NotFoundError
from ehgtui.ddl import DdlOptions, database_ddl, object_ddl, schema_ddl, table_ddl


def _whole_database(conn: ConnectionOptions, explicit_schemas: bool) -> Catalog:
    """The catalog `--all` renders: the schemas asked for, or else every schema of the
    database (the whole schema set, so that the DDL rebuilds it)."""
    catalog = load(conn)
    every = tuple(s.name for s in catalog.schema_objects)
    if explicit_schemas or set(every) <= set(catalog.schemas):
        return catalog
    return load(
        replace(conn, schemas=(*conn.schemas, *(s for s in every if s not in conn.schemas)))
    )


def _named_ddl(catalog: Catalog, names: tuple[str, ...], options: DdlOptions) -> tuple[str, str]:
    """(DDL, a name for the clipboard message) of the named objects, in the order given;
    several tables together are ordered so that they apply (`schema_ddl`)."""
    try:
        found = [find_object(catalog, name) for name in names]
    except ObjectLookupError as exc:
        raise NotFoundError(str(exc)) from None
    tables = [f for f in found if isinstance(f, Table)]
    if len(found) == 1:
        only = found[0]
        if isinstance(only, Table):
            return table_ddl(only, catalog, options), only.name
        text = object_ddl(catalog, only, owner=options.owner, grants=options.grants)
        return text, only.name
    parts = [schema_ddl(catalog, options, tables)] if tables else []
    for obj in found:
        if not isinstance(obj, Table):
            parts.append(object_ddl(catalog, obj, owner=options.owner, grants=options.grants))
    return "\n".join(parts), "objects"


@click.command()
@click.argument("names", nargs=-1, metavar="NAME...")
@connection_options
@click.option(
    "--all",
    "all_tables",
    is_flag=True,
    help="The whole schema set, in an order that applies to an empty database.",
)
@click.option("--owner", is_flag=True, help="Add ALTER ... OWNER TO.")
@click.option("--grants", is_flag=True, help="Add GRANT statements.")
@click.option("--if-not-exists", is_flag=True, help="Say IF NOT EXISTS where PostgreSQL can.")
@click.option("--copy", "copy", is_flag=True, help="Also copy the DDL to the clipboard.")
@click.option("-o", "--output", "output_file", type=click.Path(path_type=Path), help="Write here.")
def ddl(
    names: tuple[str, ...],
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
    """Print the DDL of any object in pg_dump's order (or of the whole schema with --all).

    NAME is a table, view, function (`name`, or `name(argument types)` when overloaded), type,
    sequence, extension or publication. --all writes every schema of the database (or those
    given with --schema) in an order that applies to an empty database holding the roles.
    """
    if not names and not all_tables:
        raise click.UsageError("name at least one NAME, or use --all")
    conn = options_from(dsn, demo, schemas)
    options = DdlOptions(owner=owner, grants=grants, if_not_exists=if_not_exists)
    if all_tables:
        source = click.get_current_context().get_parameter_source("schemas")
        explicit = source is not click.core.ParameterSource.DEFAULT
        text = database_ddl(_whole_database(conn, explicit), options)
        name = "schema"
    else:
        extra = [s for s in map(schema_of, names) if s is not None and s not in conn.schemas]
        catalog = load(replace(conn, schemas=(*conn.schemas, *dict.fromkeys(extra))))
        text, name = _named_ddl(catalog, names, options)
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
        output.status(f"wrote {output_file}")
    else:
        output.emit_text(text)
    if copy:
        output.status(clipboard.copy_via_tty(text, name).describe())
