"""`ehgtui describe TABLE`: everything the catalog holds about one table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ehgtui.catalog.domains import OTHER, domain_reasons
from ehgtui.cli import output
from ehgtui.cli.config import domain_settings
from ehgtui.cli.options import connection_options, options_from
from ehgtui.cli.table_lookup import lookup, require_table

if TYPE_CHECKING:  # the model (and msgspec) load while the connection opens: see `lookup`
    from ehgtui.catalog.model import Column, Policy, Table


def _aligned(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Rows as lines whose columns line up (the last column is not padded)."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
    return [
        (indent + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row))).rstrip()
        for row in rows
    ]


def _column_notes(col: Column) -> str:
    extra = []
    if col.not_null:
        extra.append("not null")
    if col.default:
        extra.append(f"default {col.default}")
    if col.identity:
        extra.append(f"generated {col.identity} as identity")
    if col.generated:
        extra.append(f"generated always as ({col.generated}) {col.generated_kind}")
    return "; ".join(extra)


def _policy_text(p: Policy) -> str:
    return (
        f"{'PERMISSIVE' if p.permissive else 'RESTRICTIVE'} {p.command} TO {', '.join(p.roles)}"
        + (f" USING ({p.using})" if p.using else "")
        + (f" WITH CHECK ({p.with_check})" if p.with_check else "")
    )


def _text(table: Table, domain: str, reason: str) -> str:
    from ehgtui.catalog.presentation import (
        constraints_in_display_order,
        referenced_by_heading,
        rows_text,
        size_text,
    )

    lines = [
        f"{table.kind} {table.qualified_name}  (domain: {domain}, {reason})",
        f"owner {table.owner}; rows: {rows_text(table)}; size: {size_text(table)}; "
        f"RLS {'enabled' if table.rls_enabled else 'disabled'}"
        f"{', forced' if table.rls_forced else ''}",
    ]
    if table.comment:
        lines.append(f"comment: {table.comment}")
    lines.append("")
    lines.append("Columns:")
    lines += _aligned([[c.name, c.data_type, _column_notes(c)] for c in table.columns])
    sections = [
        (
            "Constraints:",
            [[c.name, c.definition] for c in constraints_in_display_order(table.constraints)],
        ),
        ("Indexes:", [[i.name, i.definition] for i in table.indexes]),
        ("Policies:", [[p.name, _policy_text(p)] for p in table.policies]),
        ("Triggers:", [[t.name, f"[{t.enabled}]", t.definition] for t in table.triggers]),
        (
            referenced_by_heading(table) + ":",
            [
                [
                    f"{r.schema}.{r.table}",
                    f"({', '.join(r.columns)}) → ({', '.join(r.ref_columns)})",
                    f"via {r.constraint_name}",
                ]
                for r in sorted(
                    table.referenced_by, key=lambda r: (r.schema, r.table, r.constraint_name)
                )
            ],
        ),
    ]
    for title, body in sections:
        if body:
            lines += ["", title, *_aligned(body)]
    return "\n".join(lines)


@click.command()
@click.argument("table_name", metavar="TABLE")
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def describe(
    table_name: str, dsn: str | None, demo: bool, schemas: tuple[str, ...], as_json: bool
) -> None:
    """Show one table: columns, constraints, indexes, policies, triggers, referenced by."""
    found = lookup(options_from(dsn, demo, schemas), [table_name])
    catalog = found.catalog
    table = require_table(catalog, table_name)
    domains = domain_reasons(found.relations, catalog.schemas, domain_settings())
    domain, reason = domains.get(table.qualified_name, (OTHER, "no rule matched"))
    if as_json:
        from ehgtui.catalog.serialize import to_data

        data = to_data(table)
        data["domain"] = domain
        data["domain_reason"] = reason
        data["sequences"] = to_data(catalog.sequences_by_table.get(table.qualified_name, ()))
        output.emit_json(data)
    else:
        output.emit_text(_text(table, domain, reason))
