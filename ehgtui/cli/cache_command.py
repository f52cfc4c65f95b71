"""`ehgtui cache path|clear`: where the catalog cache lives, and emptying it."""

from __future__ import annotations

import click

from ehgtui.catalog.cache import cache_dir, clear_cache
from ehgtui.cli import output
from ehgtui.cli.exit_codes import ExitCode


@click.group()
def cache() -> None:
    """The catalog cache that makes the next start instant."""


@cache.command("path")
def cache_path_command() -> None:
    """Print the directory holding the cached catalogs."""
    output.emit_text(str(cache_dir()))


@cache.command("clear")
def cache_clear_command() -> int:
    """Delete every cached catalog (the next start loads from the server)."""
    try:
        deleted = clear_cache()
    except OSError as exc:
        output.error(f"cannot clear {cache_dir()}: {exc.strerror or exc}")
        return ExitCode.USAGE
    noun = "file" if deleted == 1 else "files"
    output.emit_text(f"deleted {deleted} cached catalog {noun} from {cache_dir()}")
    return ExitCode.OK
