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
    use_cache: bool = True
    """False (`--no-cache`): load the catalog from the server and leave the cache alone."""


NO_CACHE_KEY = "ehgtui.no_cache"
"""Where `--no-cache` is noted in click's context meta (shared by a group and its commands,
so `ehgtui --no-cache tables` and `ehgtui tables --no-cache` mean the same)."""


def _note_no_cache(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[NO_CACHE_KEY] = True


def connection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--dsn`, `--demo`, `--schema` and `--no-cache` to a command (see `options_from`)."""
    func = click.option(
        "--no-cache",
        is_flag=True,
        expose_value=False,
        callback=_note_no_cache,
        help="Neither read nor write the catalog cache: load from the server.",
    )(func)
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
    """The connection options a command was given (`--no-cache` read from click's context)."""
    ctx = click.get_current_context(silent=True)
    use_cache = not (ctx is not None and ctx.meta.get(NO_CACHE_KEY, False))
    return ConnectionOptions(
        dsn=dsn, demo=demo, schemas=tuple(schemas) or ("public",), use_cache=use_cache
    )
