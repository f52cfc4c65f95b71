"""`ehgtui check rls|conventions|security`: the built-in checks, exit 1 on any error finding."""

from __future__ import annotations

from collections.abc import Callable

import click

from ehgtui.catalog.model import Catalog
from ehgtui.checks.conventions import check_conventions
from ehgtui.checks.findings import Finding, has_errors
from ehgtui.checks.rls import check_rls
from ehgtui.checks.security import check_security
from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, load, options_from
from ehgtui.cli.exit_codes import ExitCode

LEVEL_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
"""Each finding level's colour on a terminal (the level is written out too: never colour alone)."""


def _report(
    check: Callable[[Catalog], list[Finding]],
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    as_json: bool,
) -> int:
    """Load the catalog, run one check, print its findings; return the exit status."""
    findings = check(load(options_from(dsn, demo, schemas)))
    if as_json:
        output.emit_json(
            [
                {
                    "check": f.check,
                    "level": f.level,
                    "table": f.table,
                    "code": f.code,
                    "message": f.message,
                    "source": f.source,
                    "object_kind": f.object_kind,
                    "categories": list(f.categories),
                }
                for f in findings
            ]
        )
    elif findings:
        output.emit_rows(
            ["level", "object", "code", "message"],
            [[f.level, _object(f), f.code, f.message] for f in findings],
            LEVEL_COLOURS,
        )
        counts = {
            level: sum(f.level == level for f in findings) for level in ("error", "warning", "info")
        }
        output.status(
            f"{len(findings)} findings: {counts['error']} errors, "
            f"{counts['warning']} warnings, {counts['info']} info"
        )
    else:
        output.status("no findings")
    return int(ExitCode.FINDINGS if has_errors(findings) else ExitCode.OK)


def _object(finding: Finding) -> str:
    """The object column: a table's name as is, another kind's prefixed by its kind."""
    if finding.object_kind == "table":
        return finding.table
    return f"{finding.object_kind} {finding.table}"


@click.group()
def check() -> None:
    """Built-in checks of the schema (no Node or Supabase CLI needed)."""


@check.command()
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rls(dsn: str | None, demo: bool, schemas: tuple[str, ...], as_json: bool) -> int:
    """Row-level security: RLS off, no policies, always-true writes, per-row auth calls."""
    return _report(check_rls, dsn, demo, schemas, as_json)


@check.command()
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def conventions(dsn: str | None, demo: bool, schemas: tuple[str, ...], as_json: bool) -> int:
    """The README's required table elements, primary keys, FK indexes, duplicate indexes."""
    return _report(check_conventions, dsn, demo, schemas, as_json)


@check.command()
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def security(dsn: str | None, demo: bool, schemas: tuple[str, ...], as_json: bool) -> int:
    """Splinter's lints of views, functions, extensions and reg* columns."""
    return _report(check_security, dsn, demo, schemas, as_json)
