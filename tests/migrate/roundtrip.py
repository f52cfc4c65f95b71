"""The round trip: B is a demo copy after some change; `diff A B --sql` applied to another
demo copy (A) must make A's schema B's.

"B's schema" is checked twice: `pg_dump --schema-only` of A equals B's (normalised, restricted
to the relations the diff names plus one untouched table, since a whole dump of the demo's
900 tables costs a second), and the catalog diff from A to B is empty (this one over the whole
schema). Every database is a `STRATEGY FILE_COPY` clone of the demo template built once per
server, so a case costs two clones, two catalog loads and two small dumps.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.demo.schema import demo_schema_sql
from ehgtui.diff.compare import diff_catalogs
from ehgtui.diff.model import CatalogDiff
from ehgtui.migrate import Migration, MigrationOptions, render_sql, write_migration
from tests.pg import TestServer

ANCHOR_TABLE = "public.organizations"
"""Always dumped, so a dump never names only dropped relations (pg_dump refuses that)."""

_NOISE = re.compile(r"^(--.*|\\(un)?restrict .*|SET .*|SELECT pg_catalog\.set_config.*)?$")


@dataclass(frozen=True)
class Change:
    """One kind of change: SQL that turns a demo copy into side B."""

    id: str
    sql: str
    options: MigrationOptions = MigrationOptions()
    min_major: int = 0
    """The oldest server the SQL runs on (e.g. 17 for SET EXPRESSION)."""


@dataclass
class RoundTrip:
    """What one round trip found."""

    migration: Migration
    sql: str
    dump_a: str
    dump_b: str
    residual: CatalogDiff


async def load(pg: TestServer, database: str) -> Catalog:
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        return await load_catalog(pool, ("public",))
    finally:
        await pool.close()


SETUP = """
CREATE TABLE public.counters_src (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE public.gen_src (base integer, twice integer GENERATED ALWAYS AS (base * 2) STORED);
CREATE TABLE public.nv_src (n integer);
ALTER TABLE public.nv_src ADD CONSTRAINT nv_src_check CHECK (n > 0) NOT VALID;
ALTER TABLE public.nv_src SET (fillfactor = 80);
"""
"""Objects some changes start from, added to the demo template before any copy is made."""


def demo_template(pg: TestServer) -> str:
    """The demo schema plus `SETUP`, built once per server."""
    return pg.template("migrate", demo_schema_sql() + SETUP)


_clones = iter(range(10**9))


def clone(pg: TestServer) -> str:
    """A fresh demo copy (FILE_COPY: several times faster than WAL_LOG for a 50 MB template)."""
    name = f"rt_{next(_clones)}"
    pg.psql(
        "postgres",
        f"CREATE DATABASE {name} TEMPLATE {demo_template(pg)} STRATEGY FILE_COPY",
        single_transaction=False,
    )
    return name


def drop(pg: TestServer, *databases: str) -> None:
    for database in databases:
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {database}", single_transaction=False)


def normalise(dump: str) -> str:
    """A schema dump without comments, SET lines, psql's \\restrict keys and blank lines, and
    each run of GRANT and REVOKE lines sorted.

    pg_dump prints an object's ACL entries in the order they were granted, which means
    nothing to PostgreSQL and which the catalog does not keep (it holds privileges as a set):
    two equal ACLs granted in another order must compare equal.
    """
    lines = [line for line in dump.splitlines() if not _NOISE.match(line)]
    out: list[str] = []
    acl_line = lambda line: line.startswith(("GRANT ", "REVOKE "))  # noqa: E731
    for is_acl, group in itertools.groupby(lines, key=acl_line):
        run = list(group)
        out.extend(sorted(run) if is_acl else run)
    return "\n".join(out)


def _dump(pg: TestServer, database: str, relations: set[str]) -> str:
    args = [a for name in sorted(relations | {ANCHOR_TABLE}) for a in ("-t", _pattern(name))]
    return normalise(pg.pg_dump_schema(database, *args))


def _pattern(name: str) -> str:
    schema, _, table = name.partition(".")
    return f'"{schema}"."{table}"'


class ClonePool:
    """Demo copies made ahead, in a background thread, while the current case runs: copying
    the template is the server's work, so it overlaps with the test's own (loading, diffing),
    and dropping used copies happens there too."""

    def __init__(
        self, pg: TestServer, ahead: int = 2, make: Callable[[TestServer], str] | None = None
    ) -> None:
        self.pg = pg
        self.ahead = ahead
        self.make = make or clone
        """What makes one copy (the demo's by default)."""
        self._executor = ThreadPoolExecutor(max_workers=1)
        self._ready: deque[Future[str]] = deque()

    def take(self) -> str:
        while len(self._ready) <= self.ahead:
            self._ready.append(self._executor.submit(self.make, self.pg))
        return self._ready.popleft().result()

    def give_back(self, *databases: str) -> None:
        self._executor.submit(drop, self.pg, *databases)

    def close(self) -> None:
        for future in self._ready:
            self._executor.submit(drop, self.pg, future.result())
        self._ready.clear()
        self._executor.shutdown(wait=True)


async def round_trip(
    pool: ClonePool,
    before: Catalog,
    change_sql: str,
    options: MigrationOptions,
    *,
    whole_dump: bool = False,
) -> RoundTrip:
    """Apply change_sql to a copy (B), write the migration from `before` (A's catalog), apply
    it to another copy in one transaction, and compare.

    The dumps cover the relations the diff names (see the module docstring), or the whole
    schema when `whole_dump` (for the small schema, whose dump is cheap).
    """
    pg = pool.pg
    db_b, db_a = pool.take(), pool.take()
    try:
        pg.psql(db_b, change_sql)
        after = await load(pg, db_b)
        diff = diff_catalogs(before, after)
        relations = {t.qualified_name for t in diff.tables} | {
            t.old_name for t in diff.tables if t.old_name
        }
        migration = write_migration(diff, before, after, options)
        sql = render_sql(migration, "round trip", allow_data_loss=True)
        pg.psql(db_a, sql, single_transaction=False)  # BEGIN ... COMMIT are in the file
        residual = diff_catalogs(await load(pg, db_a), after)
        if whole_dump:
            dump_a, dump_b = (normalise(pg.pg_dump_schema(db)) for db in (db_a, db_b))
        else:
            dump_a, dump_b = _dump(pg, db_a, relations), _dump(pg, db_b, relations)
        return RoundTrip(migration, sql, dump_a, dump_b, residual)
    finally:
        pool.give_back(db_a, db_b)
