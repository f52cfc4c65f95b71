"""`ehgtui demo dsn|stop`: the embedded demo server, for psql, pg_dump and friends."""

from __future__ import annotations

import click

from ehgtui.cli import output


@click.group()
def demo() -> None:
    """Manage the embedded demo database."""


@demo.command()
def dsn() -> None:
    """Print the demo database's DSN, starting the server if needed (it keeps running)."""
    from ehgtui.demo.lifecycle import default_demo

    output.emit_text(default_demo().start(progress=output.status, pin=True))


@demo.command()
def stop() -> None:
    """Stop the demo server."""
    from ehgtui.demo.lifecycle import default_demo

    was_running = default_demo().stop()
    output.status("demo server stopped" if was_running else "demo server was not running")
