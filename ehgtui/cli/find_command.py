"""`ehgtui find WORDS…`: tables, columns and functions by name, best match first (the palette's
search, from the shell)."""

from __future__ import annotations

from typing import Any

import click

from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, load, options_from
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.find.search import find


@click.command()
@click.argument("words", nargs=-1, required=True)
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Lines shown per kind (the counts are of every match).",
)
def find_command(
    words: tuple[str, ...],
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    as_json: bool,
    limit: int,
) -> ExitCode:
    """Find tables, columns and functions by name, best match first.

    `created_by` lists the tables with such a column, `created_by strategic` only those whose
    name also matches `strategic`. Exit 1 when nothing matches.
    """
    catalog = load(options_from(dsn, demo, schemas))
    found = find(catalog, " ".join(words))
    tables = [
        {"schema": h.table.schema, "name": h.table.name, "kind": h.table.kind} for h in found.tables
    ]
    columns = [
        {"schema": h.table.schema, "table": h.table.name, "column": h.column, "type": h.data_type}
        for h in found.columns
    ]
    functions = [
        {
            "schema": h.function.schema,
            "name": h.function.name,
            "arguments": h.function.identity_arguments,
            "kind": h.function.kind,
        }
        for h in found.functions
    ]
    if as_json:
        document: dict[str, Any] = {"tables": tables, "columns": columns, "functions": functions}
        output.emit_json(document)
    else:
        _emit_text(tables, columns, functions, found.column_tables, limit)
    return ExitCode.OK if tables or columns or functions else ExitCode.FINDINGS


def _emit_text(
    tables: list[dict[str, Any]],
    columns: list[dict[str, Any]],
    functions: list[dict[str, Any]],
    column_tables: int,
    limit: int,
) -> None:
    if not (tables or columns or functions):
        output.status("ehgtui: nothing matches")
        return
    parts: list[str] = []
    if tables:
        parts.append(f"Tables ({len(tables)})")
        parts += [f"  {t['schema']}.{t['name']}  {t['kind']}" for t in tables[:limit]]
    if columns:
        parts.append(f"Columns ({len(columns)} in {column_tables} tables)")
        parts += [
            f"  {c['schema']}.{c['table']}.{c['column']}  {c['type']}" for c in columns[:limit]
        ]
    if functions:
        parts.append(f"Functions ({len(functions)})")
        parts += [f"  {f['schema']}.{f['name']}({f['arguments']})" for f in functions[:limit]]
    shown = max(len(tables), len(columns), len(functions))
    if shown > limit:
        parts.append(f"(first {limit} of each kind: --limit N shows more)")
    output.emit_text("\n".join(parts) + "\n")
