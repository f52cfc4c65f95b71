"""`ehgtui erd`: an entity-relationship diagram of some tables or a domain.

Mermaid and DOT are text and go to stdout (or `-o FILE`); SVG and PNG are made by running
Graphviz's `dot` on the DOT text, which needs Graphviz installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click

from ehgtui.catalog.domains import classify
from ehgtui.cli import output
from ehgtui.cli.config import domain_settings
from ehgtui.cli.connection import connection_options, load_for, options_from, require_table
from ehgtui.cli.errors import NotFoundError
from ehgtui.cli.exit_codes import ExitCode
from ehgtui.relations.diagram import (
    Diagram,
    UnknownDomainError,
    diagram_for_domain,
    diagram_for_tables,
    merge,
)
from ehgtui.relations.dot import to_dot
from ehgtui.relations.mermaid import to_mermaid
from ehgtui.relations.neighbourhood import UnknownTableError

FORMATS = ("mermaid", "dot", "svg", "png")
GRAPHVIZ_FORMATS = ("svg", "png")
"""Formats made by Graphviz's `dot` program."""

GRAPHVIZ_TIMEOUT = 300
"""Seconds `dot` may take: a whole-domain diagram can be large, but never endless."""


def _render_with_graphviz(dot_program: str, dot_text: str, fmt: str) -> bytes | str:
    """Run `dot -T<fmt>`; return its output, or the one-line reason it failed."""
    try:
        result = subprocess.run(
            [dot_program, f"-T{fmt}"],
            input=dot_text.encode(),
            capture_output=True,
            timeout=GRAPHVIZ_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Graphviz dot failed: {exc}"
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip() or f"exit {result.returncode}"
        return f"Graphviz dot failed: {reason}"
    return result.stdout


def _write(data: bytes | str, path: Path | None) -> int:
    if path is None:
        assert isinstance(data, str)
        output.emit_text(data)
        return ExitCode.OK
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        output.error(f"cannot write {path}: {exc.strerror or exc}")
        return ExitCode.USAGE
    output.status(f"wrote {path}")
    return ExitCode.OK


@click.command()
@click.argument("table_names", metavar="TABLE...", nargs=-1)
@connection_options
@click.option(
    "--depth",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="Rings of neighbours around each TABLE.",
)
@click.option("--domain", "domain_name", help="Draw a domain's tables and their direct neighbours.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="mermaid", show_default=True)
@click.option(
    "-o",
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of stdout (required for png).",
)
def erd(
    table_names: tuple[str, ...],
    dsn: str | None,
    demo: bool,
    schemas: tuple[str, ...],
    depth: int,
    domain_name: str | None,
    fmt: str,
    output_path: Path | None,
) -> int:
    """Export the FK diagram of TABLEs (with neighbours) or of a domain: Mermaid, DOT, SVG, PNG."""
    if not table_names and domain_name is None:
        raise click.UsageError("give at least one TABLE or --domain NAME")
    if fmt == "png" and output_path is None:  # a mistake in the command line comes first
        raise click.UsageError("--format png writes binary data: give -o FILE")
    dot_program = shutil.which("dot")
    if fmt in GRAPHVIZ_FORMATS and dot_program is None:
        output.error(
            f"--format {fmt} needs Graphviz's `dot`: install the Debian package graphviz"
            " (apt-get install graphviz), or use --format dot"
        )
        return ExitCode.USAGE

    catalog = load_for(options_from(dsn, demo, schemas), table_names)
    for name in table_names:
        require_table(catalog, name)
    domains = classify(catalog, domain_settings())
    parts: list[Diagram] = []
    try:
        if table_names:
            parts.append(diagram_for_tables(catalog, table_names, depth, domains))
        if domain_name is not None:
            parts.append(diagram_for_domain(catalog, domain_name, domains))
    except (UnknownTableError, UnknownDomainError) as exc:
        raise NotFoundError(str(exc.args[0])) from None
    diagram = parts[0] if len(parts) == 1 else merge(catalog, parts)

    if fmt == "mermaid":
        return _write(to_mermaid(diagram), output_path)
    dot_text = to_dot(diagram)
    if fmt == "dot":
        return _write(dot_text, output_path)
    assert dot_program is not None
    rendered = _render_with_graphviz(dot_program, dot_text, fmt)
    if isinstance(rendered, str):
        output.error(rendered)
        return ExitCode.USAGE
    return _write(rendered if output_path else rendered.decode(), output_path)
