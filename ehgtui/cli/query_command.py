"""`ehgtui query SQL | -f FILE`: one read-only statement, as you or as another role or user.

The statement runs as the TUI's query pad runs it (see `ehgtui.query.run`): one SELECT, WITH,
VALUES, TABLE or EXPLAIN, in `BEGIN READ ONLY` … `ROLLBACK`, secrets masked, at most
`--max-rows` rows. Exit status: 0 with a result, 1 when the statement was refused (by the
pad's parser, the volatility check or the server: one line on stderr), 2 when row access is
switched off, the config is malformed, the file cannot be read (or, as for every command,
the connection failed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import asyncpg
import click

from ehgtui.cli import output
from ehgtui.cli.config import config
from ehgtui.cli.connection import options_from, run_with_pool
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.cli.options import connection_options
from ehgtui.config import ConfigError
from ehgtui.db.settings import ConnectionTarget
from ehgtui.query.errors import QueryRefusedError
from ehgtui.query.export import result_csv, result_data, result_markdown
from ehgtui.query.run import QueryRequest, QueryResult, checked_statement, run_query
from ehgtui.query.settings import HARD_MAX_ROWS, QuerySettings, query_settings_from_config
from ehgtui.rows.errors import RowsDisabledError, RowsError
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.session import require_enabled
from ehgtui.rows.settings import RowSettingsError

ALLOW_VOLATILE_HINT = "pass --allow-volatile to run it"

TEXT_CELL_WIDTH = 60
"""Plain-text output cuts longer values (JSON, CSV and Markdown never do)."""


def query_settings(no_rows: bool, timeout: float | None) -> QuerySettings:
    """The config's `[query]` and `[rows]` settings with the command line on top."""
    settings = query_settings_from_config(config().raw)
    if no_rows:
        settings = settings.disabled()
    return settings.with_overrides(statement_timeout=timeout)


def _statement_text(sql: str | None, file: str | None) -> str:
    if (sql is None) == (file is None):
        raise click.UsageError("give the statement either as SQL or with -f FILE")
    if file is None:
        return sql or ""
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read {file}: {exc}") from None


def _cut(value: str | None) -> str:
    if value is None:
        return "NULL"
    flat = value.replace("\n", "⏎")
    return flat if len(flat) <= TEXT_CELL_WIDTH else flat[: TEXT_CELL_WIDTH - 1] + "…"


def _summary(result: QueryResult) -> str:
    more = f"; stopped at --max-rows {result.max_rows}" if result.truncated else ""
    return (
        f"{len(result.rows)} row(s) in {result.elapsed * 1000:.1f} ms, "
        f"seen as {result.viewer.label}{more}"
    )


def _emit(result: QueryResult, form: str) -> None:
    names = result.column_names
    if form == "json":
        output.emit_json(result_data(result))
        return
    if form in ("csv", "markdown"):
        output.status(_summary(result))
        render = result_csv if form == "csv" else result_markdown
        output.emit_text(render(names, result.rows))
        return
    if result.plan is not None:
        output.emit_text("\n".join(result.plan))
    else:
        output.emit_rows(names, [[_cut(v) for v in row] for row in result.rows])
    output.status(_summary(result))


@click.command()
@click.argument("sql", required=False)
@click.option(
    "-f", "--file", "file", metavar="FILE", help="Read the statement from FILE (- for stdin)."
)
@connection_options
@click.option("--as", "as_role", metavar="ROLE", help="me, anon, authenticated, service_role "
              "or any role you may SET ROLE to.")  # fmt: skip
@click.option("--user", metavar="UUID|EMAIL", help="Run as this auth.users user "
              "(role authenticated unless --as says otherwise).")  # fmt: skip
@click.option("--allow-volatile", is_flag=True, help="Run a statement that calls VOLATILE "
              "functions (refused anyway by the server if they write).")  # fmt: skip
@click.option("--max-rows", type=click.IntRange(1, HARD_MAX_ROWS), help="Rows to fetch at most "
              "(default: [query] max_rows, 10000).")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=0.001), help="Statement timeout, seconds.")
@click.option("--json", "form", flag_value="json", help="Print JSON.")
@click.option("--csv", "form", flag_value="csv", help="Print CSV.")
@click.option("--markdown", "form", flag_value="markdown", help="Print a Markdown table.")
@click.option("--show-secrets", is_flag=True, help="Do not mask password/secret/token columns.")
@click.option("--no-rows", is_flag=True, help="Refuse to run (as `[rows] enabled = false`).")
def query(
    sql: str | None,
    file: str | None,
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    as_role: str | None,
    user: str | None,
    allow_volatile: bool,
    max_rows: int | None,
    timeout: float | None,
    form: str | None,
    show_secrets: bool,
    no_rows: bool,
) -> int:
    """Run one read-only SQL statement (a SELECT or an EXPLAIN), as you or another role or user.

    The statement runs in a read-only transaction that is rolled back; writes, COMMIT,
    SET ROLE, RESET, DISCARD and text holding several statements are refused.
    """
    text = _statement_text(sql, file)
    try:
        settings = query_settings(no_rows, timeout)
        require_enabled(settings.rows)
        checked_statement(text)  # a statement that is refused fails before connecting
        request = QueryRequest(
            sql=text,
            view_as=ViewAs(as_role, user),
            allow_volatile=allow_volatile,
            show_secrets=show_secrets,
            max_rows=max_rows,
        )

        async def work(pool: asyncpg.Pool, _target: ConnectionTarget) -> QueryResult:
            return await run_query(pool, request, settings)

        result = run_with_pool(options_from(dsn, demo, schemas), work)
    except (RowsDisabledError, RowSettingsError, ConfigError) as exc:
        output.error(str(exc))
        return int(ExitCode.USAGE)
    except QueryRefusedError as exc:
        hint = f"; {ALLOW_VOLATILE_HINT}" if exc.volatile else ""
        output.error(f"{exc}{hint}")
        return int(ExitCode.FINDINGS)
    except RowsError as exc:
        output.error(str(exc))
        return int(ExitCode.FINDINGS)
    _emit(result, form or "text")
    return int(ExitCode.OK)
