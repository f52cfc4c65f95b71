"""What the shared connection options open: the target, the pool, the catalog.

`ConnectionOptions`, `connection_options` and `options_from` live in `cli.options` (re-exported
here for the commands), so that the command line itself can be built without asyncpg.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import Any, TypeVar

import asyncpg

from ehgtui.catalog.cache import FreshCatalog, read_cached, save_fresh
from ehgtui.catalog.fingerprint import fetch_fingerprint
from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog, Table
from ehgtui.cli import output
from ehgtui.cli.errors import NotFoundError
from ehgtui.cli.options import ConnectionOptions, connection_options, options_from
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget, resolve_target

__all__ = [
    "ConnectionOptions",
    "connection_options",
    "load",
    "load_for",
    "options_from",
    "require_table",
    "resolved_target",
    "run_with_pool",
    "schemas_for",
]

T = TypeVar("T")


@contextmanager
def terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into SystemExit so that `finally` blocks (demo stop) run."""

    def _exit(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, _exit) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def resolved_target(
    conn: ConnectionOptions, *, pin_demo: bool = False
) -> Iterator[ConnectionTarget]:
    """Resolve the target; for `--demo`, start the demo server and release it afterwards."""
    if not conn.demo:
        yield resolve_target(conn.dsn)
        return
    from ehgtui.demo.lifecycle import default_demo

    demo = default_demo()
    with terminate_cleanly():
        try:
            dsn = demo.start(progress=output.status, pin=pin_demo)
            yield ConnectionTarget(dsn, "demo")
        finally:
            if not pin_demo:
                demo.release()


@asynccontextmanager
async def open_pool(target: ConnectionTarget) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(target)
    try:
        yield pool
    finally:
        await pool.close()


def run_with_pool(
    conn: ConnectionOptions, work: Callable[[asyncpg.Pool, ConnectionTarget], Awaitable[T]]
) -> T:
    """Open the target's pool, run work on it, close everything; return work's result."""

    async def main(target: ConnectionTarget) -> T:
        async with open_pool(target) as pool:
            return await work(pool, target)

    with resolved_target(conn) as target:
        return asyncio.run(main(target))


def load(conn: ConnectionOptions) -> Catalog:
    """The catalog of the requested schemas: from the cache when it is current, else loaded.

    Through the cache (the TUI's file for the same server and schemas) an unchanged schema costs
    one connection and one fingerprint statement; a changed or uncached one is loaded in full
    and saved for the next command. `--no-cache` loads without reading or writing the file.
    The file is read in a thread while the connection opens and the fingerprint query runs, so
    its decoding hides behind the network's round trips.
    """

    async def main(target: ConnectionTarget) -> Catalog:
        # a file that cannot be used only costs this command its speed-up, and the load below
        # replaces it: no warning, so that scripts see the same stderr either way
        reading = (
            asyncio.ensure_future(asyncio.to_thread(read_cached, target.identity, conn.schemas))
            if conn.use_cache
            else None
        )
        try:
            async with open_pool(target) as pool:
                if reading is None:
                    return await load_catalog(pool, conn.schemas)
                fingerprint = await fetch_fingerprint(pool, conn.schemas)
                cached = (await reading).cached
                if cached is not None and cached.fingerprint == fingerprint:
                    return cached.catalog
                fresh = FreshCatalog(await load_catalog(pool, conn.schemas), fingerprint)
                await save_fresh(fresh, target.identity, conn.schemas)
                return fresh.catalog
        finally:
            if reading is not None:
                await asyncio.wait([reading])  # a thread cannot be stopped: let it end

    with resolved_target(conn) as target:
        return asyncio.run(main(target))


def schemas_for(conn: ConnectionOptions, names: Iterable[str]) -> tuple[str, ...]:
    """The requested schemas plus the schema of every qualified name (`auth.users`)."""
    schemas = list(conn.schemas)
    for name in names:
        schema = name.split(".", 1)[0] if "." in name else None
        if schema and schema not in schemas:
            schemas.append(schema)
    return tuple(schemas)


def load_for(conn: ConnectionOptions, names: Iterable[str]) -> Catalog:
    """Load the catalog of the requested schemas and of the schemas names qualify."""
    return load(replace(conn, schemas=schemas_for(conn, names)))


def require_table(catalog: Catalog, name: str) -> Table:
    """The table called name (`schema.table` or bare); NotFoundError when there is none."""
    table = catalog.table(name)
    if table is None:
        raise NotFoundError(f"no table named {name!r} in schema(s) {', '.join(catalog.schemas)}")
    return table
