"""The `ehgtui` command: the TUI by default, subcommands for scripts and CI."""

from __future__ import annotations

import sys
from typing import Any

import click

from ehgtui import __version__
from ehgtui.catalog.domains import DomainConfigError
from ehgtui.catalog.loader import CatalogError
from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, options_from
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.db.pool import ConnectError
from ehgtui.db.settings import DsnError
from ehgtui.demo.server import ServerError


class NotFoundError(LookupError):
    """A table (or other named object) the user asked for does not exist."""


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@connection_options
@click.version_option(__version__, prog_name="ehgtui")
@click.pass_context
def cli(ctx: click.Context, dsn: str | None, demo: bool, schemas: tuple[str, ...]) -> None:
    """Explore the EHG_Engineer database: run with no command for the terminal UI."""
    if ctx.invoked_subcommand is not None:
        return
    from ehgtui.cli.tui_command import run_tui

    run_tui(options_from(dsn, demo, schemas))


def _register() -> None:
    from ehgtui.cli import demo_command, describe_command, tables_command

    cli.add_command(tables_command.tables)
    cli.add_command(describe_command.describe)
    cli.add_command(demo_command.demo)
    from ehgtui.cli import cache_command, diff_command, snapshot_command

    cli.add_command(snapshot_command.snapshot)
    cli.add_command(diff_command.diff)
    cli.add_command(cache_command.cache)
    from ehgtui.cli import check_command, migrations_command

    cli.add_command(check_command.check)
    cli.add_command(migrations_command.migrations)
    from ehgtui.cli import erd_command

    cli.add_command(erd_command.erd)
    from ehgtui.cli import access_command, rows_command

    cli.add_command(rows_command.rows)
    cli.add_command(access_command.access)
    from ehgtui.cli import docs_command, ping_command

    cli.add_command(docs_command.docs)
    cli.add_command(ping_command.ping_command)


_register()

_CONNECTION_ERRORS = (ConnectError, DsnError, ServerError, CatalogError, DomainConfigError)


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; turn every expected failure into one line on stderr and an exit status."""
    try:
        result = cli.main(args=argv, prog_name="ehgtui", standalone_mode=False)
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
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    if isinstance(result, int):
        sys.exit(result)
    sys.exit(ExitCode.OK)
