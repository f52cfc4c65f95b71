"""The `ehgtui` command: the TUI by default, subcommands for scripts and CI.

Subcommands are imported only when they run (or when their own `--help` is asked for), and so
are asyncpg, Textual and the catalog: `ehgtui --help` and a quick lookup pay only for what they
use. The command list's one-line summaries are written here for that reason; a test checks them
against each command's own docstring.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from ehgtui import __version__
from ehgtui.cli import output
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.cli.options import connection_options, options_from

LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "access": (
        "ehgtui.cli.access_command:access",
        "Show who may SELECT, INSERT, UPDATE, DELETE which rows of TABLE, and how many they see.",
    ),
    "cache": (
        "ehgtui.cli.cache_command:cache",
        "The catalog cache that makes the next start instant.",
    ),
    "check": (
        "ehgtui.cli.check_command:check",
        "Built-in checks of the schema (no Node or Supabase CLI needed).",
    ),
    "ddl": (
        "ehgtui.cli.ddl_command:ddl",
        "Print the DDL of any object in pg_dump's order (or of the whole schema with --all).",
    ),
    "demo": (
        "ehgtui.cli.demo_command:demo",
        "Manage the embedded demo database.",
    ),
    "describe": (
        "ehgtui.cli.describe_command:describe",
        "Show one table: columns, constraints, indexes, policies, triggers, referenced by.",
    ),
    "diff": (
        "ehgtui.cli.diff_command:diff",
        "Compare two catalogs: each side a postgresql:// URL, `demo`, or a snapshot file.",
    ),
    "docs": (
        "ehgtui.cli.docs_command:docs",
        "Write Markdown schema docs (README.md, overview, one page per table) to OUTDIR.",
    ),
    "erd": (
        "ehgtui.cli.erd_command:erd",
        "Export the FK diagram of TABLEs (with neighbours) or of a domain: Mermaid, DOT, SVG, PNG.",
    ),
    "migrations": (
        "ehgtui.cli.migrations_command:migrations",
        "Migration status without the Supabase CLI.",
    ),
    "new-migration": (
        "ehgtui.cli.new_migration_command:new_migration_command",
        "Write YYYYMMDDHHMMSS_create_NAME.sql modelled on TABLE: uuid id, timestamps, RLS,"
        " policies, a created_at index and the updated_at trigger this database uses.",
    ),
    "ping": (
        "ehgtui.cli.ping_command:ping_command",
        "Check the connection: round trip, server version, role, read-only state.",
    ),
    "query": (
        "ehgtui.cli.query_command:query",
        "Run one read-only SQL statement (a SELECT or an EXPLAIN), as you or another role or user.",
    ),
    "rows": (
        "ehgtui.cli.rows_command:rows",
        "Show a page of TABLE's rows, read-only, as you or as another role or user.",
    ),
    "find": (
        "ehgtui.cli.find_command:find_command",
        "Find tables, columns and functions by name, best match first.",
    ),
    "snapshot": (
        "ehgtui.cli.snapshot_command:snapshot",
        "Write the catalog to FILE as sorted JSON (`-` for stdout); see docs/snapshot-format.md.",
    ),
    "tables": (
        "ehgtui.cli.tables_command:tables",
        "List tables and views: schema, name, kind, domain, RLS, rows, columns, policies.",
    ),
}
"""Each subcommand: where it lives (`module:attribute`) and its line in `ehgtui --help`."""


def _shorten(summary: str, limit: int) -> str:
    """summary cut at a word to fit limit characters, as click cuts a command's help."""
    if len(summary) <= limit:
        return summary
    return summary[: max(limit - 3, 0)].rsplit(" ", 1)[0].rstrip(" ,;:") + "..."


class _StdoutClosed(Exception):  # noqa: N818 - a signal to main(), not an error to report
    """stdout's reader went away while a command wrote to it."""


class _Group(click.Group):
    """The root group: subcommands are imported on first use, from LAZY_COMMANDS."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in LAZY_COMMANDS:
            module_name, _, attribute = LAZY_COMMANDS[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click would import every command to ask for its summary: use the ones written here
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = [(name, _shorten(LAZY_COMMANDS[name][1], limit)) for name in names]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        # click would catch the BrokenPipeError itself and exit 1, meaning "not found"
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise _StdoutClosed from exc


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@connection_options
@click.option("--no-rows", is_flag=True, help="TUI: switch the Rows tab (all row reads) off.")
@click.option(
    "--project-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="TUI: where the palette's tasks run (default: nearest ancestor of the current "
    "directory with package.json or supabase/).",
)
@click.version_option(__version__, prog_name="ehgtui")
@click.pass_context
def cli(
    ctx: click.Context,
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    no_rows: bool,
    project_dir: Path | None,
) -> None:
    """Explore the EHG_Engineer database: run with no command for the terminal UI."""
    if ctx.invoked_subcommand is not None:
        return
    from ehgtui.cli.tui_command import run_tui

    options = options_from(dsn, demo, schemas)
    run_tui(
        options,
        rows_enabled=not no_rows,
        use_cache=options.use_cache,
        project_dir=project_dir,
    )


def _failure(exc: Exception) -> tuple[str, ExitCode] | None:
    """The one line and exit status for an expected failure, or None for a bug.

    The error classes are imported here, after the fact: importing them up front would pull
    asyncpg and the catalog into every start, `--help` included.
    """
    import asyncpg

    from ehgtui.catalog.domain_settings import DomainConfigError
    from ehgtui.catalog.loader import CatalogError
    from ehgtui.cli.errors import NotFoundError
    from ehgtui.config import ConfigError
    from ehgtui.db.failures import ConnectError
    from ehgtui.db.settings import DsnError, mask_dsn
    from ehgtui.demo.server import ServerError

    if isinstance(exc, NotFoundError):
        return (str(exc.args[0]) if exc.args else "not found"), ExitCode.FINDINGS
    connection_errors = (
        ConnectError,
        DsnError,
        ServerError,
        CatalogError,
        DomainConfigError,
        ConfigError,
    )
    if isinstance(exc, connection_errors):
        return str(exc), ExitCode.CONNECTION
    if isinstance(exc, asyncpg.InterfaceError | asyncpg.PostgresError):
        # a connection lost in the middle of a query, or a server error nothing wrapped
        return mask_dsn(str(exc).strip() or type(exc).__name__), ExitCode.CONNECTION
    if isinstance(exc, OSError):
        return mask_dsn(_os_error_line(exc)), ExitCode.USAGE
    return None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _os_error_line(exc: OSError) -> str:
    """One line for a file-system failure: the path and what the system said."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; turn every expected failure into one line on stderr and an exit status."""
    if argv is None:
        from ehgtui.cli.process_title import hide_passwords

        hide_passwords()
    try:
        result = cli.main(args=argv, prog_name="ehgtui", standalone_mode=False)
        sys.stdout.flush()
    except (BrokenPipeError, _StdoutClosed):
        # the reader went away (`ehgtui tables | head`): what it wanted it has; say nothing
        _quiet_stdout()
        sys.exit(ExitCode.BROKEN_PIPE)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:
        failure = _failure(exc)
        if failure is None:
            raise
        line, code = failure
        output.error(line)
        sys.exit(code)
    if isinstance(result, int):
        sys.exit(result)
    sys.exit(ExitCode.OK)
