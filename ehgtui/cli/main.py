"""The `ehgtui` command: the TUI by default, subcommands for scripts and CI."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import asyncpg
import click

from ehgtui import __version__
from ehgtui.catalog.domains import DomainConfigError
from ehgtui.catalog.loader import CatalogError
from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, options_from
from ehgtui.cli.errors import NotFoundError
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.config import ConfigError
from ehgtui.db.pool import ConnectError
from ehgtui.db.settings import DsnError, mask_dsn
from ehgtui.demo.server import ServerError


class _StdoutClosed(Exception):  # noqa: N818 - a signal to main(), not an error to report
    """stdout's reader went away while a command wrote to it."""


class _Group(click.Group):
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
@click.option("--no-cache", is_flag=True, help="TUI: neither read nor write the catalog cache.")
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
    no_cache: bool,
    project_dir: Path | None,
) -> None:
    """Explore the EHG_Engineer database: run with no command for the terminal UI."""
    if ctx.invoked_subcommand is not None:
        return
    from ehgtui.cli.tui_command import run_tui

    run_tui(
        options_from(dsn, demo, schemas),
        rows_enabled=not no_rows,
        use_cache=not no_cache,
        project_dir=project_dir,
    )


def _register() -> None:
    """Attach every subcommand (one module each)."""
    from ehgtui.cli import (
        access_command,
        cache_command,
        check_command,
        ddl_command,
        demo_command,
        describe_command,
        diff_command,
        docs_command,
        erd_command,
        migrations_command,
        new_migration_command,
        ping_command,
        rows_command,
        snapshot_command,
        tables_command,
    )

    for command in (
        tables_command.tables,
        describe_command.describe,
        ddl_command.ddl,
        new_migration_command.new_migration_command,
        check_command.check,
        migrations_command.migrations,
        ping_command.ping_command,
        docs_command.docs,
        rows_command.rows,
        access_command.access,
        erd_command.erd,
        snapshot_command.snapshot,
        diff_command.diff,
        cache_command.cache,
        demo_command.demo,
    ):
        cli.add_command(command)


_register()

_CONNECTION_ERRORS = (
    ConnectError,
    DsnError,
    ServerError,
    CatalogError,
    DomainConfigError,
    ConfigError,
)


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
    except NotFoundError as exc:
        output.error(str(exc.args[0]) if exc.args else "not found")
        sys.exit(ExitCode.FINDINGS)
    except _CONNECTION_ERRORS as exc:
        output.error(str(exc))
        sys.exit(ExitCode.CONNECTION)
    except (asyncpg.InterfaceError, asyncpg.PostgresError) as exc:
        # a connection lost in the middle of a query, or a server error nothing wrapped
        output.error(mask_dsn(str(exc).strip() or type(exc).__name__))
        sys.exit(ExitCode.CONNECTION)
    except OSError as exc:
        output.error(mask_dsn(_os_error_line(exc)))
        sys.exit(ExitCode.USAGE)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    if isinstance(result, int):
        sys.exit(result)
    sys.exit(ExitCode.OK)
