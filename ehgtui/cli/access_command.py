"""`ehgtui access TABLE`: the RLS access matrix, one line per role and command.

Only SELECT is ever run (a capped count per role, read-only); with row access switched off
the matrix is still printed, from the catalog, without counts.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict

import asyncpg
import click

from ehgtui.catalog.model import Table
from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, options_from, outlasting
from ehgtui.cli.options import ConnectionOptions
from ehgtui.cli.rows_command import row_settings, run_rows_command, with_table
from ehgtui.rows.access import AccessCell, AccessMatrix, access_matrix, format_count
from ehgtui.rows.errors import RowsError
from ehgtui.rows.hidden_rows import HiddenRows, hidden_rows
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.row_access import (
    COMMANDS,
    RowAccess,
    explain_row,
)
from ehgtui.rows.row_access_text import access_lines
from ehgtui.rows.row_key import key_text, parse_assignments, parse_key


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
@click.option(
    "--user",
    metavar="UUID|EMAIL|ROLE",
    help="Count authenticated's rows as this user; with --row, whose access to explain "
    "(a user, or a role such as anon or service_role).",
)
@click.option(
    "--row",
    "row_key",
    metavar="KEY",
    help="Explain one row: its primary key value, or col=value,… for a composite key.",
)
@click.option(
    "--command",
    "command",
    type=click.Choice([c.lower() for c in COMMANDS]),
    default="select",
    show_default=True,
    help="With --row: the command to explain.",
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="COL=VALUE",
    help="With --row: a value of the proposed row for insert or update (NULL for null).",
)
@click.option(
    "--hidden",
    is_flag=True,
    help="List the rows you see and --user does not (counted, capped), with the policy "
    "that hides each of a few of them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--no-rows", is_flag=True, help="Do not count rows (catalog analysis only).")
def access(
    table_name: str,
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    user: str | None,
    row_key: str | None,
    command: str,
    assignments: tuple[str, ...],
    hidden: bool,
    as_json: bool,
    no_rows: bool,
) -> int:
    """Show who may SELECT, INSERT, UPDATE, DELETE which rows of TABLE, and how many they see.

    With --row, explain one row for one viewer and command instead: the privilege, whether RLS
    applies, each policy's result on the row (and on the proposed row of an insert or update,
    evaluated, never written), and the branch of a failing policy that failed.

    With --hidden, the rows the connection's role sees and --user does not.
    """
    if hidden:
        return _hidden(options_from(dsn, demo, schemas), table_name, user, row_key, as_json)
    if row_key is not None or assignments:
        return _explain(
            options_from(dsn, demo, schemas),
            table_name,
            user,
            row_key,
            command,
            assignments,
            as_json,
        )

    def action() -> None:
        settings = row_settings(no_rows)

        async def work(pool: asyncpg.Pool, table: Table) -> AccessMatrix:
            return await access_matrix(pool, table, settings, user)

        conn = outlasting(options_from(dsn, demo, schemas), settings.statement_timeout)
        matrix = with_table(conn, table_name, work)
        if as_json:
            output.emit_json(asdict(matrix))
        else:
            _text(matrix)

    return run_rows_command(action)


def viewer_for(user: str | None) -> ViewAs:
    """`--user` as a viewer: a uuid or an email is a user (as authenticated), anything else a
    role (`anon`, `service_role`, any role name)."""
    if user is None:
        return ViewAs()
    try:
        uuid.UUID(user)
    except ValueError:
        return ViewAs(user=user) if "@" in user else ViewAs(role=user)
    return ViewAs(user=user)


def _explain(
    conn: ConnectionOptions,
    table_name: str,
    user: str | None,
    row_key: str | None,
    command: str,
    assignments: tuple[str, ...],
    as_json: bool,
) -> int:
    def action() -> None:
        settings = row_settings(False)

        async def work(pool: asyncpg.Pool, table: Table) -> RowAccess:
            key = parse_key(table, row_key) if row_key is not None else None
            values = parse_assignments(table, assignments)
            return await explain_row(
                pool, table, viewer_for(user), settings, key, [command.upper()], values
            )

        explained = with_table(outlasting(conn, settings.statement_timeout), table_name, work)
        if as_json:
            data = asdict(explained)
            data["verdict"] = explained.commands[0].verdict
            output.emit_json(data)
        else:
            output.emit_text("\n".join(access_lines(explained)))

    return run_rows_command(action)


def _hidden_text(found: HiddenRows) -> None:
    more = f" (the first {found.cap:,} in key order)" if found.capped else ""
    output.emit_text(
        f"# {found.table}: {found.hidden:,} of the {found.seen_by_connection:,} rows you see"
        f"{more} are hidden from {found.viewer}"
    )
    lines = [[key_text(s.key), ", ".join(s.hiding) or "-", s.reason] for s in found.samples]
    if lines:
        output.emit_rows(["row", "hidden by", "why"], lines)


def _hidden(
    conn: ConnectionOptions,
    table_name: str,
    user: str | None,
    row_key: str | None,
    as_json: bool,
) -> int:
    def action() -> None:
        if row_key is not None:
            raise RowsError("--hidden lists rows: give it without --row")
        if user is None:
            raise RowsError("--hidden needs --user (whose hidden rows to list)")
        settings = row_settings(False)

        async def work(pool: asyncpg.Pool, table: Table) -> HiddenRows:
            return await hidden_rows(pool, table, viewer_for(user), settings)

        found = with_table(conn, table_name, work)
        if as_json:
            output.emit_json(asdict(found))
        else:
            _hidden_text(found)

    return run_rows_command(action)
