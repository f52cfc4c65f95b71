"""`ehgtui docs OUTDIR`: the schema documentation, the built-in `npm run schema:docs:engineer`."""

from __future__ import annotations

from pathlib import Path

import click

from ehgtui.catalog.domains import classify
from ehgtui.cli import output
from ehgtui.cli.config import domain_settings
from ehgtui.cli.connection import connection_options, load, options_from
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.docs.render import render_docs
from ehgtui.docs.writer import DocsWriteError, write_docs


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def docs(outdir: Path, dsn: str | None, demo: bool, schemas: tuple[str, ...], as_json: bool) -> int:
    """Write Markdown schema docs (README.md, overview, one page per table) to OUTDIR."""
    catalog = load(options_from(dsn, demo, schemas))
    files = render_docs(catalog, classify(catalog, domain_settings()))
    try:
        report = write_docs(outdir, files)
    except DocsWriteError as exc:
        output.error(str(exc))
        return int(ExitCode.USAGE)
    if as_json:
        output.emit_json(
            {
                "outdir": str(outdir),
                "written": list(report.written),
                "unchanged": list(report.unchanged),
                "removed": list(report.removed),
            }
        )
    else:
        output.status(
            f"{outdir}: {len(report.written)} written, {len(report.unchanged)} unchanged, "
            f"{len(report.removed)} stale pages removed ({len(files)} files)"
        )
    return int(ExitCode.OK)
