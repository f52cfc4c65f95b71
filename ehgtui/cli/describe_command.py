"""`ehgtui describe TABLE`: everything the catalog holds about one table."""

from __future__ import annotations

import click

from ehgtui.catalog.domains import classify
from ehgtui.catalog.model import Table
from ehgtui.catalog.serialize import to_data
from ehgtui.cli import output
from ehgtui.cli.config import domain_settings
from ehgtui.cli.connection import connection_options, load_for, options_from, require_table


def _text(table: Table, domain: str) -> str:
    lines = [
        f"{table.kind} {table.qualified_name}  (domain: {domain})",
        f"owner {table.owner}; rows ~{table.row_estimate}; {table.size_bytes} bytes; "
        f"RLS {'enabled' if table.rls_enabled else 'disabled'}"
        f"{', forced' if table.rls_forced else ''}",
    ]
    if table.comment:
        lines.append(f"comment: {table.comment}")
    lines.append("")
    lines.append("Columns:")
    for col in table.columns:
        extra = []
        if col.not_null:
            extra.append("not null")
        if col.default:
            extra.append(f"default {col.default}")
        if col.identity:
            extra.append(f"generated {col.identity} as identity")
        if col.generated:
            extra.append(f"generated always as ({col.generated}) {col.generated_kind}")
        lines.append(f"  {col.name}  {col.data_type}  {'; '.join(extra)}".rstrip())
    sections = [
        ("Constraints:", [f"  {c.name}  {c.definition}" for c in table.constraints]),
        ("Indexes:", [f"  {i.definition}" for i in table.indexes]),
        (
            "Policies:",
            [
                f"  {p.name}  {'PERMISSIVE' if p.permissive else 'RESTRICTIVE'} {p.command} "
                f"TO {', '.join(p.roles)}"
                + (f" USING ({p.using})" if p.using else "")
                + (f" WITH CHECK ({p.with_check})" if p.with_check else "")
                for p in table.policies
            ],
        ),
        ("Triggers:", [f"  {t.definition}  [{t.enabled}]" for t in table.triggers]),
        (
            "Referenced by:",
            [
                f"  {r.schema}.{r.table} ({', '.join(r.columns)}) via {r.constraint_name}"
                for r in table.referenced_by
            ],
        ),
    ]
    for title, body in sections:
        if body:
            lines += ["", title, *body]
    return "\n".join(lines)


@click.command()
@click.argument("table_name", metavar="TABLE")
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def describe(
    table_name: str, dsn: str | None, demo: bool, schemas: tuple[str, ...], as_json: bool
) -> None:
    """Show one table: columns, constraints, indexes, policies, triggers, referenced by."""
    catalog = load_for(options_from(dsn, demo, schemas), [table_name])
    table = require_table(catalog, table_name)
    domain = classify(catalog, domain_settings()).domain_of(table)
    if as_json:
        data = to_data(table)
        data["domain"] = domain
        data["sequences"] = to_data(catalog.sequences_by_table.get(table.qualified_name, ()))
        output.emit_json(data)
    else:
        output.emit_text(_text(table, domain))
