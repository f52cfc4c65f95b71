"""The options every subcommand shares (`--dsn`, `--demo`, `--schema`).

Kept apart from `cli.connection` (which opens pools and loads catalogs) so that building the
command line, and `ehgtui --help`, import neither asyncpg nor the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class ConnectionOptions:
    """What the user asked to connect to."""

    dsn: str | None
    demo: bool
    schemas: tuple[str, ...]


def connection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--dsn`, `--demo` and `--schema` to a command, passed on as `conn`."""
    func = click.option(
        "--schema",
        "schemas",
        multiple=True,
        default=("public",),
        show_default=True,
        help="Schema to load (repeatable).",
    )(func)
    func = click.option(
        "--demo", is_flag=True, help="Use the embedded demo database (started if needed)."
    )(func)
    func = click.option(
        "--dsn",
        envvar=None,
        help="PostgreSQL URL; default: DATABASE_URL, then .env, then PG* variables.",
    )(func)
    return func


def options_from(dsn: str | None, demo: bool, schemas: tuple[str, ...]) -> ConnectionOptions:
    return ConnectionOptions(dsn=dsn, demo=demo, schemas=tuple(schemas) or ("public",))
