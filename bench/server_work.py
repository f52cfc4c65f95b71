"""Where a catalog load's server time goes: each bulk query alone, and its deparsing alone.

The catalog needs PostgreSQL to print expressions back as SQL (policies' USING and WITH CHECK,
column defaults, CHECK constraints, index and trigger definitions, views): only the server
can, with pg_get_expr() and its siblings. This measures how much server time that printing
costs by itself, next to pg_dump's wall time, so the load's floor on a machine is a number.

Times are the server's own (`EXPLAIN (ANALYZE, TIMING OFF)`'s execution time, no transfer, no
client), best of `repeat` runs on one warm connection, one query at a time.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from ehgtui.catalog import queries

DEPARSE_CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "policies (pg_get_expr)": (
        "policies",
        (queries.POLICY_USING, queries.POLICY_WITH_CHECK),
    ),
    "column defaults (pg_get_expr, once per distinct expression)": (
        "columns",
        ("pg_get_expr(adbin, adrelid)",),
    ),
    "constraints (pg_get_constraintdef)": ("constraints", ("pg_get_constraintdef(con.oid)",)),
    "indexes (pg_get_indexdef, those the query does not write itself)": (
        "indexes",
        ("pg_get_indexdef(i.indexrelid)",),
    ),
    "triggers (pg_get_triggerdef)": ("triggers", ("pg_get_triggerdef(t.oid)",)),
    "views (pg_get_viewdef)": ("relations", ("pg_get_viewdef(c.oid)",)),
}
"""Each kind of printing a load asks for: the bulk query that calls it, and the calls as they
are written there. Its cost is that query's time minus the same query with the calls replaced
by NULL, so it is what a load pays, however the query limits the calls."""


def _without(sql: str, calls: tuple[str, ...]) -> str:
    for call in calls:
        if call not in sql:  # the query changed: say so rather than measure nothing
            raise ValueError(f"{call} is not in the query any more")
        sql = sql.replace(call, "NULL::text")
    return sql


async def _server_ms(conn: asyncpg.Connection, sql: str, schemas: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        plan = await conn.fetch(f"EXPLAIN (ANALYZE, TIMING OFF) {sql}", schemas)
        line = next(r[0] for r in plan if r[0].startswith("Execution Time:"))
        best = min(best, float(line.split()[2]))
    return best


async def server_work(dsn: str, schemas: list[str], repeat: int) -> dict[str, Any]:
    """Server milliseconds of each bulk query, and of each kind of deparsing on its own."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SET default_transaction_read_only = on")
        bulk = {
            name: await _server_ms(conn, sql, schemas, repeat)
            for name, sql in queries.BULK_QUERIES.items()
        }
        deparse = {}
        for label, (query, calls) in DEPARSE_CALLS.items():
            sql = queries.BULK_QUERIES[query]
            without = await _server_ms(conn, _without(sql, calls), schemas, repeat)
            deparse[label] = max(0.0, bulk[query] - without)
    finally:
        await conn.close()
    return {"bulk_ms": bulk, "deparse_ms": deparse}
