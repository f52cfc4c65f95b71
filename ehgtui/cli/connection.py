"""What the shared connection options open: the target, the pool, the catalog.

`ConnectionOptions`, `connection_options` and `options_from` live in `cli.options` (re-exported
here for the commands), so that the command line itself can be built without asyncpg.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg

from ehgtui.catalog.fingerprint import fetch_fingerprint
from ehgtui.catalog.table_fingerprint import fetch_table_fingerprints
from ehgtui.cli import output
from ehgtui.cli.options import ConnectionOptions, connection_options, options_from
from ehgtui.cli.table_lookup import (
    Lookup,
    lookup,
    read_cached_tables,
    require_table,
    schemas_for,
    timeout_for,
)
from ehgtui.db.failures import connection_failure
from ehgtui.db.pool import close_quietly, create_pool
from ehgtui.db.settings import ConnectionTarget, resolve_target

__all__ = [
    "ConnectionOptions",
    "Lookup",
    "connection_options",
    "load",
    "load_for",
    "lookup",
    "options_from",
    "require_table",
    "resolved_target",
    "run_with_pool",
    "schemas_for",
    "timeout_for",
]

if TYPE_CHECKING:
    # the cache, the model and msgspec are imported in the thread that reads the cache, while
    # the connection opens: their import hides behind the network's round trips
    from ehgtui.catalog.model import Catalog

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


def quiet_lost_connections() -> None:
    """Keep asyncpg's leftovers of a lost connection off stderr.

    When the server ends a connection, asyncpg can leave a future holding `unexpected
    connection_lost() call` that nobody awaits; asyncio then prints "Future exception was
    never retrieved" and a traceback after our own one line. Such errors are dropped; any
    other reaches asyncio's default handler.
    """
    loop = asyncio.get_running_loop()

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if exc is not None and connection_failure(exc) is not None:
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handle)


STATEMENT_MARGIN_SECONDS = 5.0
"""How much longer than a statement timeout the command timeout waits: the server's cancel,
which names the statement timeout, must arrive before we give up on the server."""


def outlasting(conn: ConnectionOptions, statement_timeout: float) -> ConnectionOptions:
    """conn, with a command timeout that outlasts `statement_timeout` (rows, query, access)."""
    needed = statement_timeout + STATEMENT_MARGIN_SECONDS
    return replace(conn, timeout=max(timeout_for(conn), needed))


@asynccontextmanager
async def open_pool(
    target: ConnectionTarget, command_timeout: float
) -> AsyncIterator[asyncpg.Pool]:
    """The target's pool, closed afterwards (cut at once after a failure: a server that
    stopped answering would hold a clean close too)."""
    pool = await create_pool(
        target,
        command_timeout=command_timeout,
        on_notice=lambda line: output.status(f"ehgtui: {line}"),
    )
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    finally:
        await close_quietly(pool)


def run_with_pool(
    conn: ConnectionOptions, work: Callable[[asyncpg.Pool, ConnectionTarget], Awaitable[T]]
) -> T:
    """Open the target's pool, run work on it, close everything; return work's result."""
    timeout = timeout_for(conn)

    async def main(target: ConnectionTarget) -> T:
        quiet_lost_connections()
        async with open_pool(target, timeout) as pool:
            return await work(pool, target)

    with resolved_target(conn) as target:
        return asyncio.run(main(target))


async def _load_and_save(
    pool: asyncpg.Pool, target: ConnectionTarget, conn: ConnectionOptions, fingerprint: str | None
) -> Catalog:
    """Load the catalog and save it to the cache under the fingerprints taken before it (the
    whole catalog's one taken here unless given)."""
    from ehgtui.catalog.cache import load_fresh, save_fresh  # only a stale or missing cache loads

    fresh = await load_fresh(pool, conn.schemas, fingerprint)
    await save_fresh(fresh, target.identity, conn.schemas)
    return fresh.catalog


async def _current_catalog(
    target: ConnectionTarget, conn: ConnectionOptions, command_timeout: float
) -> Catalog:
    """The whole catalog, from the cache when its fingerprint is current, else loaded."""
    quiet_lost_connections()
    # a file that cannot be used only costs this command its speed-up, and the load below
    # replaces it: no warning, so that scripts see the same stderr either way
    from ehgtui.catalog.cache import read_cached

    reading = (
        asyncio.ensure_future(asyncio.to_thread(read_cached, target.identity, conn.schemas))
        if conn.use_cache
        else None
    )
    try:
        async with open_pool(target, command_timeout) as pool:
            if reading is None:
                from ehgtui.catalog.loader import load_catalog

                return await load_catalog(pool, conn.schemas)
            fingerprint = await fetch_fingerprint(pool, conn.schemas)
            cached = (await reading).cached
            if cached is not None and cached.fingerprint == fingerprint:
                return cached.catalog
            return await _load_and_save(pool, target, conn, fingerprint)
    finally:
        if reading is not None:
            await asyncio.wait([reading])  # a thread cannot be stopped: let it end


def load(conn: ConnectionOptions) -> Catalog:
    """The catalog of the requested schemas: from the cache when it is current, else loaded.

    Through the cache (the TUI's file for the same server and schemas) an unchanged schema costs
    one connection and one fingerprint statement; a changed or uncached one is loaded in full
    and saved for the next command. `--no-cache` loads without reading or writing the file.
    The file is read in a thread while the connection opens and the fingerprint query runs, so
    its decoding hides behind the network's round trips.
    """
    timeout = timeout_for(conn)
    with resolved_target(conn) as target:
        return asyncio.run(_current_catalog(target, conn, timeout))


def lookup_through_pool(
    conn: ConnectionOptions, names: Sequence[str], *, fingerprints_checked: bool = False
) -> Lookup:
    """`table_lookup.lookup` through asyncpg: the tables called `names` of `conn.schemas`
    (already extended by `schemas_for`).

    With a current cache only those tables are decoded from the file (`read_cached_tables`),
    in a thread while the connection opens, and only their fingerprints are checked
    (`table_fingerprint.py`): one connection and one statement whose server time does not
    grow with the schema. A file saved without those fingerprints is checked by the whole
    catalog's. A stale, missing or unusable cache, or `--no-cache`, takes `load`'s path and
    returns the whole catalog; `fingerprints_checked` (the plain client found the cache
    stale) goes to the load at once.
    """
    timeout = timeout_for(conn)

    async def main(target: ConnectionTarget) -> Lookup:
        if not conn.use_cache:
            catalog = await _current_catalog(target, conn, timeout)
            return Lookup(catalog, catalog.tables)
        quiet_lost_connections()
        reading = asyncio.ensure_future(asyncio.to_thread(read_cached_tables, target, conn, names))
        try:
            async with open_pool(target, timeout) as pool:
                if fingerprints_checked:
                    catalog = await _load_and_save(pool, target, conn, None)
                    return Lookup(catalog, catalog.tables)
                # sent while the thread may still be reading: a file saved by this version
                # holds the tables' fingerprints
                now = await fetch_table_fingerprints(pool, conn.schemas, names)
                cached = await reading
                if cached is not None and cached.table_fingerprints is not None:
                    if now.vouches_for(cached.table_fingerprints, names):
                        return Lookup(cached.catalog, cached.relations)
                    fingerprint = None
                else:
                    fingerprint = await fetch_fingerprint(pool, conn.schemas)
                    if cached is not None and fingerprint == cached.fingerprint:
                        return Lookup(cached.catalog, cached.relations)
                catalog = await _load_and_save(pool, target, conn, fingerprint)
                return Lookup(catalog, catalog.tables)
        finally:
            await asyncio.wait([reading])  # a thread cannot be stopped: let it end

    with resolved_target(conn) as target:
        return asyncio.run(main(target))


def load_for(conn: ConnectionOptions, names: Iterable[str]) -> Catalog:
    """Load the catalog of the requested schemas and of the schemas names qualify."""
    return load(replace(conn, schemas=schemas_for(conn, names)))
