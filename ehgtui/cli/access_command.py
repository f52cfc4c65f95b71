"""`ehgtui access TABLE`: the RLS access matrix, one line per role and command.

Only SELECT is ever run (a capped count per role, read-only); with row access switched off
the matrix is still printed, from the catalog, without counts.
"""

from __future__ import annotations

from dataclasses import asdict

import asyncpg
import click

from ehgtui.catalog.model import Table
from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, options_from
from ehgtui.cli.rows_command import row_settings, run_rows_command, with_table
from ehgtui.rows.access import AccessCell, AccessMatrix, access_matrix, format_count


def _sees(cell: AccessCell, matrix: AccessMatrix) -> str:
    if cell.command != "SELECT":
        return "-"
    if not matrix.counted:
        return "(counts off)"
    if cell.count_error:
        return f"? ({cell.count_error})"
    return format_count(cell.visible_rows, matrix.count_cap)


def _text(matrix: AccessMatrix) -> None:
    forced = ", forced" if matrix.rls_forced else ""
    state = f"RLS enabled{forced}" if matrix.rls_enabled else "RLS disabled"
    output.emit_text(f"# {matrix.table}  owner {matrix.owner}  {state}")
    if matrix.note:
        output.emit_text(f"# {matrix.note}")
    lines = []
    for row in matrix.rows:
        role = row.role + (" (you)" if row.is_connection_role else "")
        for cell in row.cells:
            lines.append(
                [
                    role,
                    cell.command,
                    "yes" if cell.has_privilege else "no",
                    "yes" if cell.bypasses_rls else "no",
                    ", ".join(cell.permissive) or "-",
                    ", ".join(cell.restrictive) or "-",
                    _sees(cell, matrix),
                    cell.verdict,
                ]
            )
    headers = ["role", "command", "privilege", "bypass", "permissive", "restrictive", "sees"]
    output.emit_rows([*headers, "verdict"], lines)


@click.command()
@click.argument("table_name", metavar="TABLE")
@connection_options
@click.option("--user", metavar="UUID|EMAIL", help="Count authenticated's rows as this user.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--no-rows", is_flag=True, help="Do not count rows (catalog analysis only).")
def access(
    table_name: str,
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    user: str | None,
    as_json: bool,
    no_rows: bool,
) -> int:
    """Show who may SELECT, INSERT, UPDATE, DELETE which rows of TABLE, and how many they see."""

    def action() -> None:
        settings = row_settings(no_rows)

        async def work(pool: asyncpg.Pool, table: Table) -> AccessMatrix:
            return await access_matrix(pool, table, settings, user)

        matrix = with_table(options_from(dsn, demo, schemas), table_name, work)
        if as_json:
            output.emit_json(asdict(matrix))
        else:
            _text(matrix)

    return run_rows_command(action)
