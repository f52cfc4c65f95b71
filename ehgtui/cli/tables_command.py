"""`ehgtui tables`: one line per relation, with its domain and RLS state."""

from __future__ import annotations

from typing import Any

import click

from ehgtui.catalog.domains import classify
from ehgtui.cli import output
from ehgtui.cli.config import domain_settings
from ehgtui.cli.connection import connection_options, load, options_from


@click.command()
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tables(dsn: str | None, demo: bool, schemas: tuple[str, ...], as_json: bool) -> None:
    """List tables and views: schema, name, kind, domain, RLS, rows, columns, policies."""
    catalog = load(options_from(dsn, demo, schemas))
    domains = classify(catalog, domain_settings())
    records: list[dict[str, Any]] = [
        {
            "schema": t.schema,
            "name": t.name,
            "kind": t.kind,
            "domain": domains.domain_of(t),
            "domain_reason": domains.reason_of(t),
            "rls_enabled": t.rls_enabled,
            "row_estimate": t.row_estimate,
            "column_count": len(t.columns),
            "policy_count": len(t.policies),
        }
        for t in catalog.tables
    ]
    if as_json:
        output.emit_json(records)
        return
    output.emit_rows(
        ["schema", "name", "kind", "domain", "rls", "rows", "columns", "policies"],
        [
            [
                r["schema"],
                r["name"],
                r["kind"],
                r["domain"],
                "on" if r["rls_enabled"] else "off",
                r["row_estimate"] if r["row_estimate"] >= 0 else "?",
                r["column_count"],
                r["policy_count"],
            ]
            for r in records
        ],
    )
