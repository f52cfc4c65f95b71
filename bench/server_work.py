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

DEPARSE_WORK: dict[str, tuple[str, str]] = {
    "policies (pg_get_expr)": (
        "pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)",
        "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1::text[])",
    ),
    "column defaults (pg_get_expr)": (
        "pg_get_expr(d.adbin, d.adrelid)",
        "FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1::text[])",
    ),
    "constraints (pg_get_constraintdef)": (
        "pg_get_constraintdef(k.oid)",
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = ANY($1::text[]) AND k.contype <> 'n'",
    ),
    "indexes (pg_get_indexdef)": (
        "pg_get_indexdef(i.indexrelid)",
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1::text[])",
    ),
    "triggers (pg_get_triggerdef)": (
        "pg_get_triggerdef(t.oid)",
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = ANY($1::text[]) AND NOT t.tgisinternal",
    ),
    "views (pg_get_viewdef)": (
        "pg_get_viewdef(c.oid)",
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('v', 'm')",
    ),
}
"""Each kind of printing a load asks for: the calls, and the rows they are made on."""


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
        for label, (calls, rows) in DEPARSE_WORK.items():
            with_calls = await _server_ms(conn, f"SELECT {calls} {rows}", schemas, repeat)
            without = await _server_ms(conn, f"SELECT 1 {rows}", schemas, repeat)
            deparse[label] = max(0.0, with_calls - without)
    finally:
        await conn.close()
    return {"bulk_ms": bulk, "deparse_ms": deparse}
