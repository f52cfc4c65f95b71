"""One cheap query that tells whether the catalog of some schemas changed since a load.

The cache (`cache.py`) shows a saved catalog at once and runs this query to decide whether a full
load is needed, so it runs on every warm start of the TUI and every CLI lookup: it must be cheap.

Every system catalog ehgtui reads is watched through its rows' `xmin`: any INSERT, UPDATE or
DELETE of a row (which is what every DDL statement does to the catalogs) changes the count, the
sum or the newest of the xmins of that catalog's rows, while hashing the rows' text (what this
query did first) costs three times as much on the demo. The rows ehgtui does not show are left
out: relations and what hangs off them outside the loaded schemas, functions, types and
schemas elsewhere.

pg_class is the exception, hashed by the columns ehgtui shows: VACUUM FULL, CLUSTER and
REINDEX rewrite its rows (a new relfilenode) without changing anything shown. Statistics
(reltuples, relpages, relallvisible, relfrozenxid) are updated in place, keeping their xmin, so
inserts, VACUUM and ANALYZE leave the fingerprint alone. Freezing a catalog row may change its
reported xmin: that costs one needless reload, never a stale catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ehgtui.db.one_trip import fetch_value_in_one_trip, text_array_literal
from ehgtui.db.read_only_session import read_only


def _rows(ordinal: int, catalog: str, where: str = "") -> str:
    """One part: how many rows of catalog (alias x) match where, and the sum and max of their
    xmins (xid has no arithmetic: through text to bigint)."""
    return (
        f"    SELECT {ordinal}, concat_ws(',', count(*), sum(x.xmin::text::bigint),"
        f" max(x.xmin::text::bigint))\n      FROM {catalog} x {where}"
    )


_RELS = "(SELECT oid FROM rels)"
_NSP = "(SELECT oid FROM nsp)"


def _of_rels(column: str) -> str:
    """Only the rows whose column is one of the relations: a join, not `IN (SELECT oid FROM
    rels)`, which makes the planner deduplicate and hash the relation list again for each
    catalog (rels' oids are unique, so the join keeps each row once): 10-20 % of the query's
    server time on the demo."""
    return f"JOIN rels r ON r.oid = x.{column}"


_PARTS = (
    """    SELECT 1, md5(coalesce(string_agg(
               ROW(c.oid, c.relnamespace, c.relname, c.relkind, c.relowner, c.relpersistence,
                   c.relrowsecurity, c.relforcerowsecurity, c.relacl, c.reloptions,
                   c.relreplident, c.relispartition, c.relpartbound, c.relam)::text,
               '|' ORDER BY c.oid), ''))
      FROM pg_class c JOIN rels r ON r.oid = c.oid""",
    _rows(2, "pg_attribute", _of_rels("attrelid") + " WHERE x.attnum > 0"),
    _rows(3, "pg_attrdef", _of_rels("adrelid")),
    _rows(
        4,
        "pg_constraint",
        f"WHERE x.conrelid IN {_RELS} OR x.confrelid IN {_RELS} OR x.connamespace IN {_NSP}",
    ),
    _rows(5, "pg_index", _of_rels("indrelid")),
    _rows(6, "pg_policy", _of_rels("polrelid")),
    _rows(7, "pg_trigger", _of_rels("tgrelid")),
    _rows(8, "pg_description", f"WHERE x.classoid <> 'pg_class'::regclass OR x.objoid IN {_RELS}"),
    _rows(9, "pg_type", f"WHERE x.typnamespace IN {_NSP}"),
    _rows(10, "pg_enum"),
    _rows(11, "pg_inherits", _of_rels("inhrelid")),
    _rows(12, "pg_sequence", _of_rels("seqrelid")),
    _rows(13, "pg_rewrite", _of_rels("ev_class")),
    _rows(14, "pg_proc", f"WHERE x.pronamespace IN {_NSP}"),
    _rows(15, "pg_namespace", f"WHERE x.oid IN {_NSP}"),
    _rows(16, "pg_extension"),
    _rows(17, "pg_publication"),
    _rows(18, "pg_publication_rel", _of_rels("prrelid")),
    _rows(19, "pg_publication_namespace", f"WHERE x.pnnspid IN {_NSP}"),
    _rows(20, "pg_default_acl"),
)

FINGERPRINT = (
    "WITH nsp AS (SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])),\n"
    "rels AS MATERIALIZED (\n"
    "    SELECT c.oid FROM pg_class c\n"
    f"     WHERE c.relnamespace IN {_NSP}\n"
    "       AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'i', 'I', 'S')\n"
    "),\n"
    "parts(ord, part) AS (\n"
    + "\n    UNION ALL\n".join(_PARTS)
    + "\n)\nSELECT md5(string_agg(part, '|' ORDER BY ord)) AS fingerprint FROM parts"
)
"""The catalog's fingerprint for the schemas in `$1::text[]`: an md5 of one part per system
catalog, in a fixed order. Built-in types only in the result, so asyncpg sends no
introspection query of its own."""


class FingerprintError(RuntimeError):
    """The fingerprint query failed; the message is one line."""


async def fetch_fingerprint(pool: asyncpg.Pool, schemas: Sequence[str]) -> str:
    """Return the catalog fingerprint of `schemas`, from one query in a read-only transaction,
    in one round trip where the server allows it (`ehgtui.db.one_trip`).

    Args:
        pool: the connection pool.
        schemas: the schema names the catalog was (or will be) loaded for.

    Returns:
        A 32-character hex digest that changes after any DDL ehgtui would show.
    """
    try:
        async with pool.acquire() as conn:
            query = FINGERPRINT.replace("$1::text[]", text_array_literal(list(schemas)))
            value = await fetch_value_in_one_trip(conn, query)
        if value is None:
            async with read_only(pool) as conn:
                value = await conn.fetchval(FINGERPRINT, list(schemas))
    except asyncpg.PostgresError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FingerprintError(f"fingerprint query failed: {first}") from None
    return str(value)
