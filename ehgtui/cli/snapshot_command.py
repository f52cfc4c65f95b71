"""`ehgtui snapshot FILE`: save the catalog as deterministic JSON, to commit and diff against."""

from __future__ import annotations

from pathlib import Path

import click

from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, load, options_from
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.diff.snapshot import SnapshotError, dumps_snapshot, write_snapshot


@click.command()
@connection_options
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
def snapshot(dsn: str | None, demo: bool, schemas: tuple[str, ...], file: Path) -> int:
    """Write the catalog to FILE as sorted JSON (`-` for stdout); see docs/snapshot-format.md."""
    catalog = load(options_from(dsn, demo, schemas))
    if str(file) == "-":
        output.emit_text(dumps_snapshot(catalog))
        return ExitCode.OK
    try:
        write_snapshot(catalog, file)
    except SnapshotError as exc:
        output.error(str(exc))
        return ExitCode.CONNECTION
    output.status(
        f"snapshot of {len(catalog.tables)} relations in {', '.join(catalog.schemas)} "
        f"written to {file}"
    )
    return ExitCode.OK
