"""Load the whole catalog of some schemas with the fixed set of bulk queries, concurrently."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias

import asyncpg

from ehgtui.catalog import queries
from ehgtui.catalog.assemble import assemble
from ehgtui.catalog.builders import (
    CatalogError,
    ColumnNames,
    SchemaMoved,
    build,
    column_names,
    needs_column_names,
)
from ehgtui.catalog.model import Catalog
from ehgtui.catalog.table_heads import table_heads
from ehgtui.db.pool import acquire_batch, fetch_read_only

__all__ = ["CatalogError", "fetch_raw", "gc_paused", "load_catalog"]

Row: TypeAlias = asyncpg.Record


async def fetch_raw(pool: asyncpg.Pool, schemas: Sequence[str]) -> dict[str, list[Row]]:
    """Run SERVER_INFO and every bulk query concurrently; return their rows by name."""
    names = ["server", *queries.BULK_QUERIES]
    coros = [fetch_read_only(pool, queries.SERVER_INFO, list(schemas), empty_search_path=True)] + [
        fetch_read_only(pool, sql, list(schemas), empty_search_path=True)
        for sql in queries.BULK_QUERIES.values()
    ]
    try:
        results = await asyncio.gather(*coros)
    except asyncpg.PostgresError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CatalogError(f"catalog query failed: {first}") from None
    return dict(zip(names, results, strict=True))


async def load_catalog(pool: asyncpg.Pool, schemas: Sequence[str] = ("public",)) -> Catalog:
    """Load the catalog of `schemas` with `queries.QUERIES_PER_LOAD` statements, concurrently.

    Each query's rows are turned into model objects as soon as they arrive, so that Python
    work overlaps the server's work on the slower queries. Indexes and constraints name their
    key columns from the relations query's `attnames`, so they wait for that (fast) one.
    When DDL ran between the queries (`SchemaMoved`) the load is made once more, and that
    one sees the finished change.
    """
    try:
        return await _load_once(pool, schemas)
    except SchemaMoved:
        pass
    try:
        return await _load_once(pool, schemas)
    except SchemaMoved:
        raise CatalogError("the schema changed during the catalog load; try again") from None


LOAD_ORDER = (
    "relations",
    "server",
    *(name for name in queries.BULK_QUERIES if name != "relations"),
)
"""Each statement of a load, by its place in the load's batch of connections."""


async def _load_once(pool: asyncpg.Pool, schemas: Sequence[str]) -> Catalog:
    names = list(schemas)
    batch = await acquire_batch(pool, len(LOAD_ORDER))

    async def fetch(name: str, sql: str, *args: Any) -> list[Row]:
        if batch.short:  # fewer connections than queries: they take turns on them
            lent = await batch.lend()
            return await fetch_read_only(
                pool, sql, *args, conn=lent, give_back=batch.give_back, empty_search_path=True
            )
        # the same connection as last time for the same query (`ConnectionBatch`)
        conn = batch.take(LOAD_ORDER.index(name))
        return await fetch_read_only(pool, sql, *args, conn=conn, empty_search_path=True)

    relations = asyncio.ensure_future(fetch("relations", queries.RELATIONS, names))

    async def named_columns() -> ColumnNames:
        return column_names(await relations)

    keys = asyncio.ensure_future(named_columns())

    async def made_tables() -> tuple[str, Any]:
        return "relations", table_heads(await relations)

    heads = asyncio.ensure_future(made_tables())

    async def fetch_one(name: str, sql: str, *args: Any) -> tuple[str, Any]:
        rows = await fetch(name, sql, *args)
        return name, build(name, rows, await keys if needs_column_names(name) else None)

    fetches = [asyncio.ensure_future(fetch_one("server", queries.SERVER_INFO, names))] + [
        asyncio.ensure_future(fetch_one(name, sql, names))
        for name, sql in queries.BULK_QUERIES.items()
        if name != "relations"
    ]
    with gc_paused():
        try:
            prepared = dict(await asyncio.gather(*fetches, heads))
        except asyncpg.PostgresError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CatalogError(f"catalog query failed: {first}") from None
        finally:
            # after a failure, the queries still running are stopped (their connections go
            # back to the pool); every other outcome is retrieved, so it is reported once,
            # including what a stopped query raises on its way out (a connection lost under
            # several queries at once fails each of them)
            for task in (*fetches, heads, keys, relations):
                if not task.done():
                    task.cancel()
                    task.add_done_callback(_retrieve)
                elif not task.cancelled():
                    task.exception()
            batch.close()  # the connections of queries stopped before they began
        return assemble(prepared, schemas, time.time())


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a stopped query's outcome as seen (asyncio would log "Task exception was never
    retrieved" with a traceback for a failure nobody awaits)."""
    if not task.cancelled():
        task.exception()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a catalog's objects are made.

    A load makes hundreds of thousands of objects, none in a reference cycle, and every
    collection their allocation triggers walks all of them again: a third of the Python time
    of a 10,000-table load. Afterwards everything alive is moved out of the collector's
    generations (`gc.freeze`): otherwise the first collection after the pause walks the whole
    catalog at once, a pause the user sees. Frozen objects are still freed by reference
    counting when a reload replaces the catalog; a reference cycle made during the pause is
    only reclaimed by a later `gc.unfreeze()` and collection (the TUI does one after each
    load, once the tree is drawn: `tui/heap.py`). Nested uses are fine: the outermost one
    turns collection back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:
        if was_enabled:
            gc.enable()  # nothing worth freezing: what a failed load made is garbage
        raise
    if was_enabled:
        gc.freeze()
        gc.enable()
