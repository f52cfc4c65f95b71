"""Run the terminal UI (the default when no subcommand is given)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ehgtui.cli.config import config
from ehgtui.cli.connection import ConnectionOptions
from ehgtui.db.settings import ConnectionTarget, resolve_target

if TYPE_CHECKING:
    from textual.app import App

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
"""Signals that end the TUI cleanly (the demo server is released on the way out)."""


@contextmanager
def exit_app_on_signals(app: App[Any]) -> Iterator[None]:
    """Turn SIGTERM, SIGHUP and SIGINT into `app.exit` run inside the app's event loop.

    Raising SystemExit from the handler (as the CLI commands do) would land in whichever
    Textual task happens to run, which dies with a traceback on the terminal; asking the app
    to exit lets `app.run()` return normally, so the `finally` blocks (demo release) run.
    """

    def request_exit(signum: int, _frame: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # before or after the app's loop: nothing to ask
            raise SystemExit(128 + signum) from None
        loop.call_soon_threadsafe(app.exit, None, 128 + signum)

    previous = {sig: signal.signal(sig, request_exit) for sig in EXIT_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_tui(
    conn: ConnectionOptions,
    *,
    rows_enabled: bool = True,
    use_cache: bool = True,
    project_dir: Path | None = None,
) -> None:
    """Open the app at once; the connection (and the demo server) come up in a worker.

    `rows_enabled=False` (`--no-rows`) switches row reads off; `use_cache=False` (`--no-cache`)
    skips the catalog cache. `project_dir` (`--project-dir`) is where the palette's tasks run.
    """
    from ehgtui.tui.app import build_app

    # a missing or malformed DSN is a usage error: say so before any window opens
    direct = None if conn.demo else resolve_target(conn.dsn)

    with ExitStack() as cleanup:

        def open_target() -> ConnectionTarget:
            if direct is not None:
                return direct
            from ehgtui.demo.lifecycle import default_demo

            demo = default_demo()
            dsn = demo.start()
            cleanup.callback(demo.release)
            return ConnectionTarget(dsn, "demo")

        app = build_app(
            open_target=open_target,
            schemas=conn.schemas,
            config=config(),
            rows_enabled=rows_enabled,
            use_cache=use_cache,
            project_dir=project_dir,
        )
        with exit_app_on_signals(app):
            app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
