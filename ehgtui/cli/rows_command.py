"""`ehgtui rows TABLE`: a page of a table's rows, read-only, optionally through a role's eyes.

Exit status: 0 with rows (or none), 1 when the query, its condition or the role was refused
(one line on stderr: the server's words, or why the condition was not run: not one
expression, a parameter such as `$2`, or a VOLATILE call without `--allow-volatile`), 2 when
row access is switched off or the config is malformed (or, as for every command, the
connection failed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import click

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Table
from ehgtui.cli import output
from ehgtui.cli.config import config
from ehgtui.cli.connection import (
    ConnectionOptions,
    connection_options,
    options_from,
    require_table,
    run_with_pool,
    schemas_for,
)
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.config import ConfigError
from ehgtui.db.settings import ConnectionTarget
from ehgtui.rows.errors import ConditionRefusedError, RowsDisabledError, RowsError
from ehgtui.rows.export import page_csv, page_data
from ehgtui.rows.query import RowPage, RowRequest, fetch_page, parsed_condition
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.session import require_enabled
from ehgtui.rows.settings import MAX_LIMIT, RowSettings, RowSettingsError, settings_from_config

T = TypeVar("T")

ALLOW_VOLATILE_HINT = "pass --allow-volatile to run it"
"""Said after a refusal of VOLATILE calls: how to run the condition anyway."""

TEXT_CELL_WIDTH = 60
"""Plain-text output cuts longer values (JSON and CSV never do): the rows stay readable."""


def row_settings(no_rows: bool, timeout: float | None = None) -> RowSettings:
    """The config's `[rows]` settings with what was typed on the command line on top."""
    settings = settings_from_config(config().raw)
    if no_rows:
        settings = settings.with_overrides(enabled=False)
    return settings.with_overrides(statement_timeout=timeout)


def with_table(
    conn: ConnectionOptions,
    table_name: str,
    work: Callable[[asyncpg.Pool, Table], Awaitable[T]],
) -> T:
    """Load the catalog (plus the table's own schema when it is qualified), find the table,
    run work on it with the same pool; NotFoundError when there is no such table."""
    schemas = schemas_for(conn, [table_name])

    async def run(pool: asyncpg.Pool, _target: ConnectionTarget) -> T:
        catalog = await load_catalog(pool, schemas)
        return await work(pool, require_table(catalog, table_name))

    return run_with_pool(conn, run)


def run_rows_command(action: Callable[[], Any]) -> int:
    """Run a row command; a refused request is one line on stderr and an exit status."""
    try:
        action()
    except (RowsDisabledError, RowSettingsError, ConfigError) as exc:
        output.error(str(exc))
        return int(ExitCode.USAGE)
    except ConditionRefusedError as exc:
        hint = f"; {ALLOW_VOLATILE_HINT}" if exc.volatile else ""
        output.error(f"{exc}{hint}")
        return int(ExitCode.FINDINGS)
    except RowsError as exc:
        output.error(str(exc))
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)


def _cut(value: str | None) -> str:
    if value is None:
        return "NULL"
    flat = value.replace("\n", "⏎")
    return flat if len(flat) <= TEXT_CELL_WIDTH else flat[: TEXT_CELL_WIDTH - 1] + "…"


def _summary(page: RowPage) -> str:
    order = f" on {', '.join(page.order_by)}" if page.order_by else " (server order)"
    more = "; more rows follow" if page.has_next else ""
    return (
        f"{len(page.rows)} row(s) of {page.table} seen as {page.viewer.label}; "
        f"{page.paging} paging{order}{more}"
    )


@click.command()
@click.argument("table_name", metavar="TABLE")
@connection_options
@click.option("--as", "as_role", metavar="ROLE", help="me, anon, authenticated, service_role "
              "or any role you may SET ROLE to.")  # fmt: skip
@click.option("--user", metavar="UUID|EMAIL", help="See rows as this auth.users user "
              "(role authenticated unless --as says otherwise).")  # fmt: skip
@click.option("--where", "where", metavar="COND", help="SQL condition, e.g. \"status = 'active'\".")
@click.option("--allow-volatile", is_flag=True, help="Run a --where that calls VOLATILE "
              "functions (they may act outside the read-only transaction).")  # fmt: skip
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), help="Rows to show (default 100).")
@click.option("--offset", type=click.IntRange(0), default=0, help="Rows to skip (no-key tables).")
@click.option("--timeout", type=click.FloatRange(min=0.001), help="Statement timeout, seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--show-secrets", is_flag=True, help="Do not mask password/secret/token columns.")
@click.option("--no-rows", is_flag=True, help="Refuse to read rows (as `[rows] enabled = false`).")
def rows(
    table_name: str,
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    as_role: str | None,
    user: str | None,
    where: str | None,
    allow_volatile: bool,
    limit: int | None,
    offset: int,
    timeout: float | None,
    as_json: bool,
    as_csv: bool,
    show_secrets: bool,
    no_rows: bool,
) -> int:
    """Show a page of TABLE's rows, read-only, as you or as another role or user."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")

    def action() -> None:
        settings = row_settings(no_rows, timeout)
        require_enabled(settings)
        parsed_condition(where)  # a condition that does not parse fails before connecting
        request = RowRequest(
            where=where,
            allow_volatile=allow_volatile,
            view_as=ViewAs(as_role, user),
            limit=limit,
            offset=offset,
            show_secrets=show_secrets,
        )

        async def work(pool: asyncpg.Pool, table: Table) -> RowPage:
            return await fetch_page(pool, table, request, settings)

        page = with_table(options_from(dsn, demo, schemas), table_name, work)
        if as_json:
            output.emit_json(page_data(page))
        elif as_csv:
            output.status(_summary(page))
            output.emit_text(page_csv(page))
        else:
            output.emit_text("# " + _summary(page))
            output.emit_rows(page.column_names, [[_cut(v) for v in r] for r in page.rows])

    return run_rows_command(action)
