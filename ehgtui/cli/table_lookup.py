"""`lookup`: the tables a command shows (`ehgtui describe T`), from the cache when it is current.

A warm lookup is the common case, and at a shell prompt the process's start is most of its
time: it runs without asyncio and asyncpg when it can. The cached tables are read in a thread
while the plain-socket client (`ehgtui.db.plain_client`) sends their fingerprint query
(`catalog.table_fingerprint`): one connection and one statement. Everything else (no usable
cache, a stale one, `--no-cache`, `--demo`, a connection the plain client does not speak)
takes the asyncpg path of `cli.connection` (`lookup_through_pool`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ehgtui.cli.errors import NotFoundError
from ehgtui.cli.options import ConnectionOptions

if TYPE_CHECKING:
    from ehgtui.catalog.cache import CachedTables
    from ehgtui.catalog.domains import Relation
    from ehgtui.catalog.model import Catalog, Table
    from ehgtui.db.settings import ConnectionTarget


@dataclass(frozen=True)
class Lookup:
    """What a lookup of some tables needs: a catalog holding at least those tables, and the
    name and kind of every relation (to tell a table's domain)."""

    catalog: Catalog
    """The whole catalog, or (from the cache) one whose `tables` are only those looked up."""
    relations: tuple[Relation, ...]
    """Every relation of the schemas, whatever `catalog.tables` holds."""


def timeout_for(conn: ConnectionOptions) -> float:
    """Seconds a statement may wait: `--timeout`/`EHGTUI_TIMEOUT`, the config's, the default."""
    from ehgtui.cli.config import config
    from ehgtui.db.settings import DEFAULT_COMMAND_TIMEOUT_SECONDS

    return conn.timeout or config().timeout or DEFAULT_COMMAND_TIMEOUT_SECONDS


def schemas_for(conn: ConnectionOptions, names: Iterable[str]) -> tuple[str, ...]:
    """The requested schemas plus the schema of every qualified name (`auth.users`)."""
    schemas = list(conn.schemas)
    for name in names:
        schema = name.split(".", 1)[0] if "." in name else None
        if schema and schema not in schemas:
            schemas.append(schema)
    return tuple(schemas)


def require_table(catalog: Catalog, name: str) -> Table:
    """The table called name (`schema.table` or bare); NotFoundError when there is none."""
    table = catalog.table(name)
    if table is None:
        raise NotFoundError(f"no table named {name!r} in schema(s) {', '.join(catalog.schemas)}")
    return table


def read_cached_tables(
    target: ConnectionTarget, conn: ConnectionOptions, names: Sequence[str]
) -> CachedTables | None:
    """`cache.read_cached_tables`, importing the cache module (and msgspec) on the caller's
    thread."""
    from ehgtui.catalog.cache import read_cached_tables as read

    return read(target.identity, conn.schemas, names)


def lookup(conn: ConnectionOptions, names: Sequence[str]) -> Lookup:
    """The tables called `names` of the requested schemas (and of those the names qualify):
    from a current cache over the plain-socket client when it can, else through asyncpg
    (`cli.connection.lookup_through_pool`), which then skips the fingerprint query already
    answered here."""
    conn = replace(conn, schemas=schemas_for(conn, names))
    checked = False
    if conn.use_cache and not conn.demo:
        found = _warm_lookup(conn, names)
        if isinstance(found, Lookup):
            return found
        checked = found
    from ehgtui.cli.connection import lookup_through_pool

    return lookup_through_pool(conn, names, fingerprints_checked=checked)


def _warm_lookup(conn: ConnectionOptions, names: Sequence[str]) -> Lookup | bool:
    """The lookup from the cache, checked over the plain client; False when this path cannot
    tell (nothing was sent), True when the cache proved stale (the query was sent)."""
    from ehgtui.catalog.table_fingerprint import TableFingerprints, table_fingerprints_sql
    from ehgtui.db import plain_client
    from ehgtui.db.settings import DEFAULT_CONNECT_TIMEOUT_SECONDS, resolve_target

    target = resolve_target(conn.dsn)
    if not plain_client.plain_supported(target):
        return False
    read: list[CachedTables | None] = []
    reader = threading.Thread(
        target=lambda: read.append(read_cached_tables(target, conn, names)), daemon=True
    )
    reader.start()
    try:
        value = plain_client.fetch_one_trip_value(
            target,
            table_fingerprints_sql(conn.schemas, names),
            target.connect_timeout or DEFAULT_CONNECT_TIMEOUT_SECONDS,
            timeout_for(conn),
        )
    except plain_client.PlainUnsupported:
        return False
    except plain_client.QueryError as exc:
        from ehgtui.catalog.fingerprint import FingerprintError

        first = str(exc).splitlines()[0] if str(exc) else "error"
        raise FingerprintError(f"table fingerprint query failed: {first}") from None
    finally:
        reader.join()
    if value is None:
        return False
    cached = read[0] if read else None
    if cached is not None and cached.table_fingerprints is not None:
        if TableFingerprints.parse(value).vouches_for(cached.table_fingerprints, names):
            return Lookup(cached.catalog, cached.relations)
    return True
