"""Run the terminal UI (the default when no subcommand is given)."""

from __future__ import annotations

from contextlib import ExitStack

from ehgtui.cli.config import config
from ehgtui.cli.connection import ConnectionOptions, terminate_cleanly
from ehgtui.db.settings import ConnectionTarget, resolve_target


def run_tui(conn: ConnectionOptions) -> None:
    """Open the app at once; the connection (and the demo server) come up in a worker."""
    from ehgtui.tui.app import build_app

    # a missing or malformed DSN is a usage error: say so before any window opens
    direct = None if conn.demo else resolve_target(conn.dsn)

    with ExitStack() as cleanup, terminate_cleanly():

        def open_target() -> ConnectionTarget:
            if direct is not None:
                return direct
            from ehgtui.demo.lifecycle import default_demo

            demo = default_demo()
            dsn = demo.start()
            cleanup.callback(demo.release)
            return ConnectionTarget(dsn, "demo")

        app = build_app(open_target=open_target, schemas=conn.schemas, config=config())
        app.run()
