"""A fingerprint of one table's part of the catalog: what `ehgtui describe T` checks instead of
the whole catalog's fingerprint (`fingerprint.py`).

The whole-catalog fingerprint aggregates every system catalog row of the schemas: 40-140 ms of
server time on the demo, on every lookup. A lookup shows one table, so it checks only the rows
that can change what it shows, found through indexes by the table's oid: well under a
millisecond. The cache file stores the value for every table (`cache.py`), taken by the same
query (`table_fingerprints_sql(schemas)`) before the load it was saved with, so that a lookup's
value (`table_fingerprints_sql(schemas, names)`) equals the stored one until something moves.

For each relation the value covers (each part as oid:xmin of the rows, or the shown text):
- its pg_class row (name, schema name, kind, owner's name, RLS flags, ACL, options, ...);
- its columns, defaults, constraints, indexes (and the indexes' own pg_class rows),
  policies (and their roles' names), triggers, rewrite rules (a view's definition),
  inheritance parents (by name), partition key;
- the foreign keys of other tables that reference it, with those tables' and columns' names;
- the pg_type rows of its columns' types (their element and base types too) and the enum
  labels of those types, with the types' schema names;
- the comments on the relation, its columns, constraints, indexes, triggers and policies;
- every object those objects depend on (pg_depend), by its identity (`pg_identify_object`):
  what a constraint, default, index, view or trigger prints by name (a referenced table or
  column, a sequence, a function, a collation) changes its value when it is renamed;
- the sequences it owns (identity and serial), their pg_sequence rows and names.

Besides the tables, the value holds one hash of every relation's oid, schema, name and kind in
the schemas: which relation a bare name resolves to, and the domain `describe` prints (from
the names alone, `domains.domain_names`), depend on them. So creating, dropping or renaming any
relation reloads, any other change elsewhere does not. What is shown from the cache without
being vouched for: the row estimate and size (statistics, as for the whole fingerprint).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ehgtui.db.sql_literals import text_array_literal

if TYPE_CHECKING:  # asyncpg only on the asyncpg path: the plain client sends the same text
    import asyncpg

_KINDS = "('r', 'p', 'v', 'm', 'f')"  # queries.RELATION_KINDS: the relations a catalog holds


def _xmins(catalog: str, where: str) -> str:
    """The rows of catalog (alias x) that match where, as `oid:xmin` in oid order: a changed
    row has a new xmin."""
    return (
        f"(SELECT string_agg(x.oid || ':' || x.xmin, ',' ORDER BY x.oid)"
        f" FROM {catalog} x WHERE {where})"
    )


_REL = "'pg_class'::regclass"

_PARTS = (
    # the relation itself, its schema's and owner's names: by the columns shown, not its xmin
    # (VACUUM FULL, CLUSTER, REINDEX and TRUNCATE rewrite the row for a new relfilenode)
    """(SELECT concat_ws(',', c.oid, r.nspname, c.relname, c.relkind,
            (SELECT o.rolname FROM pg_roles o WHERE o.oid = c.relowner), c.relpersistence,
            c.relrowsecurity, c.relforcerowsecurity, c.relacl, c.reloptions, c.relreplident,
            c.relispartition, c.relam, c.reltablespace, md5(c.relpartbound::text))
          FROM pg_class c WHERE c.oid = r.oid)""",
    """(SELECT string_agg(x.attnum || ':' || x.xmin, ',' ORDER BY x.attnum)
          FROM pg_attribute x WHERE x.attrelid = r.oid AND x.attnum > 0)""",
    _xmins("pg_attrdef", "x.adrelid = r.oid"),
    _xmins("pg_constraint", "x.conrelid = r.oid"),
    # the foreign keys that reference it (found through their dependency on it), with the
    # referencing table's and columns' names
    f"""(SELECT string_agg(concat_ws(',', x.oid, x.xmin, n.nspname, c.relname, a.attname), ';'
            ORDER BY x.oid, a.attnum)
          FROM pg_constraint x JOIN pg_class c ON c.oid = x.conrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = x.conrelid AND a.attnum = ANY(x.conkey)
         WHERE x.confrelid = r.oid AND x.oid IN (SELECT d.objid FROM pg_depend d
                WHERE d.refclassid = {_REL} AND d.refobjid = r.oid
                  AND d.classid = 'pg_constraint'::regclass))""",
    """(SELECT string_agg(concat_ws(',', x.indexrelid, x.xmin, c.relname, c.reloptions,
            c.reltablespace, c.relam), ';' ORDER BY x.indexrelid)
          FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = r.oid)""",
    """(SELECT string_agg(concat_ws(',', x.oid, x.xmin, (SELECT string_agg(o.rolname, ','
            ORDER BY o.oid) FROM pg_roles o WHERE o.oid = ANY(x.polroles))), ';' ORDER BY x.oid)
          FROM pg_policy x WHERE x.polrelid = r.oid)""",
    _xmins("pg_trigger", "x.tgrelid = r.oid"),
    _xmins("pg_rewrite", "x.ev_class = r.oid"),
    """(SELECT string_agg(concat_ws(',', x.inhparent, x.inhseqno, x.xmin, n.nspname, c.relname),
            ';' ORDER BY x.inhseqno)
          FROM pg_inherits x JOIN pg_class c ON c.oid = x.inhparent
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE x.inhrelid = r.oid)""",
    """(SELECT x.partrelid || ':' || x.xmin FROM pg_partitioned_table x
         WHERE x.partrelid = r.oid)""",
    # the columns' types, their element and base types, schemas and enum labels
    """(SELECT string_agg(concat_ws(',', a.attnum, y.oid, y.xmin, n.nspname,
            CASE WHEN y.typtype = 'e' THEN (SELECT string_agg(e.oid || ':' || e.xmin, ','
              ORDER BY e.oid) FROM pg_enum e WHERE e.enumtypid = y.oid) END), ';'
            ORDER BY a.attnum, y.oid)
          FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
          JOIN pg_type y ON y.oid IN (ty.oid, ty.typelem, ty.typbasetype)
          JOIN pg_namespace n ON n.oid = y.typnamespace
         WHERE a.attrelid = r.oid AND a.attnum > 0)""",
    # the comments on it and its objects
    """(SELECT string_agg(concat_ws(',', x.classoid, x.objoid, x.objsubid, x.xmin), ';'
            ORDER BY x.classoid, x.objoid, x.objsubid)
          FROM unnest(o.classids, o.objids) u(classid, objid)
          JOIN pg_description x ON x.objoid = u.objid AND x.classoid = u.classid)""",
    # what its objects depend on, by name: a relation (and column), function or type (its own
    # columns, and the relation's own dependencies, its column types, aside: other parts have
    # them)
    f"""(SELECT string_agg(concat_ws(',', d.classid, d.objid, d.objsubid, d.refclassid,
            d.refobjid, d.refobjsubid, d.deptype, rc.relname, ra.attname, rp.proname,
            rt.typname, n.nspname), ';'
            ORDER BY d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid)
          FROM unnest(o.classids, o.objids) u(classid, objid)
          JOIN pg_depend d ON d.classid = u.classid AND d.objid = u.objid
               AND d.refclassid IN ({_REL}, 'pg_proc'::regclass, 'pg_type'::regclass)
               AND NOT (d.refclassid = {_REL} AND d.refobjid = r.oid)
               AND NOT (d.classid = {_REL} AND d.objid = r.oid)
          LEFT JOIN pg_class rc ON d.refclassid = {_REL} AND rc.oid = d.refobjid
          LEFT JOIN pg_attribute ra ON d.refclassid = {_REL} AND ra.attrelid = d.refobjid
               AND ra.attnum = d.refobjsubid AND d.refobjsubid > 0
          LEFT JOIN pg_proc rp ON d.refclassid = 'pg_proc'::regclass AND rp.oid = d.refobjid
          LEFT JOIN pg_type rt ON d.refclassid = 'pg_type'::regclass AND rt.oid = d.refobjid
          LEFT JOIN pg_namespace n
               ON n.oid = coalesce(rc.relnamespace, rp.pronamespace, rt.typnamespace))""",
    # the sequences it owns (identity and serial columns)
    f"""(SELECT string_agg(concat_ws(',', s.seqrelid, s.xmin, n.nspname, c.relname), ';'
            ORDER BY s.seqrelid)
          FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid
          JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE d.refclassid = {_REL} AND d.refobjid = r.oid AND d.classid = {_REL})""",
)
"""One text per part of a relation `r` (its oid, schema name) whose objects are `o`."""

_OBJECTS = f"""LATERAL (SELECT array_agg(u.classid) AS classids, array_agg(u.objid) AS objids
      FROM (SELECT {_REL}::oid, r.oid
            UNION ALL SELECT 'pg_attrdef'::regclass::oid, x.oid FROM pg_attrdef x
             WHERE x.adrelid = r.oid
            UNION ALL SELECT 'pg_constraint'::regclass::oid, x.oid FROM pg_constraint x
             WHERE x.conrelid = r.oid
            UNION ALL SELECT 'pg_rewrite'::regclass::oid, x.oid FROM pg_rewrite x
             WHERE x.ev_class = r.oid
            UNION ALL SELECT 'pg_trigger'::regclass::oid, x.oid FROM pg_trigger x
             WHERE x.tgrelid = r.oid AND NOT x.tgisinternal
            UNION ALL SELECT 'pg_policy'::regclass::oid, x.oid FROM pg_policy x
             WHERE x.polrelid = r.oid
            UNION ALL SELECT {_REL}::oid, x.indexrelid FROM pg_index x
             WHERE x.indrelid = r.oid) u(classid, objid)) o"""
"""Every object of relation r whose dependencies and comments count: the relation, its
defaults, constraints, rules, triggers (the foreign keys' internal ones aside: they show
nothing), policies and indexes."""


def table_fingerprints_sql(schemas: Sequence[str], names: Iterable[str] | None = None) -> str:
    """The query (no parameters, one text value) giving the fingerprints of the relations of
    `schemas`: all of them, or those whose bare name is one of `names` (`schema.table` counts
    as `table`). Its value is JSON: `{"names": …, "tables": [[schema, table, …], …]}`."""
    where = ""
    if names is not None:
        bare = sorted({name.rsplit(".", 1)[-1] for name in names})
        where = f" AND c.relname = ANY({text_array_literal(bare)})"
    values = ", ".join(f"'{n}=' || {sql}" for n, sql in enumerate(_PARTS))
    return (
        f"WITH nsp AS (SELECT oid, nspname FROM pg_namespace"
        f" WHERE nspname = ANY({text_array_literal(list(schemas))})),\n"
        "rels AS MATERIALIZED (SELECT c.oid, n.nspname, c.relname FROM pg_class c"
        f" JOIN nsp n ON n.oid = c.relnamespace WHERE c.relkind IN {_KINDS}{where})\n"
        "SELECT json_build_object("
        "'names', (SELECT md5(coalesce(string_agg(c.oid || ',' || c.relnamespace || ','"
        " || c.relkind::text || ',' || c.relname, '|' ORDER BY c.oid), '')) FROM pg_class c"
        f" WHERE c.relnamespace IN (SELECT oid FROM nsp) AND c.relkind IN {_KINDS}),"
        " 'tables', coalesce((SELECT json_agg(json_build_array(r.nspname, r.relname,"
        f" md5(concat_ws('|', {values}))) ORDER BY r.oid) FROM rels r, {_OBJECTS}), '[]'))::text"
    )


@dataclass(frozen=True)
class TableFingerprints:
    """The fingerprints a table fingerprint query returned."""

    names: str
    """The hash of every relation's oid, schema, name and kind in the schemas."""
    tables: tuple[tuple[str, str, str], ...]
    """Each relation's schema, name and fingerprint."""

    @classmethod
    def parse(cls, text: str) -> TableFingerprints:
        """From the query's JSON value; ValueError when it is not that shape."""
        data = json.loads(text)
        names, tables = data.get("names"), data.get("tables")
        if not isinstance(names, str) or not isinstance(tables, list):
            raise ValueError("not a table fingerprint")
        return cls(names, tuple((str(s), str(n), str(v)) for s, n, v in tables))

    def matching(self, names: Iterable[str]) -> dict[tuple[str, str], str]:
        """The fingerprints of the relations a lookup of `names` reads from the cache (those
        whose bare or qualified name is one of them, as `cache.read_cached_tables` picks)."""
        wanted = set(names)
        return {
            (schema, name): value
            for schema, name, value in self.tables
            if name in wanted or f"{schema}.{name}" in wanted
        }

    def vouches_for(self, stored: TableFingerprints, names: Iterable[str]) -> bool:
        """True when the cached (`stored`) values of a lookup of `names` are still current."""
        names = list(names)
        return self.names == stored.names and self.matching(names) == stored.matching(names)


async def fetch_table_fingerprints(
    pool: asyncpg.Pool, schemas: Sequence[str], names: Iterable[str] | None = None
) -> TableFingerprints:
    """The table fingerprints from the server over asyncpg, in one round trip where the server
    allows it (`ehgtui.db.one_trip`), else the usual read-only transaction.

    Raises:
        FingerprintError: the query failed (one line).
    """
    import asyncpg

    from ehgtui.catalog.fingerprint import FingerprintError
    from ehgtui.db.one_trip import fetch_value_in_one_trip
    from ehgtui.db.read_only_session import read_only

    query = table_fingerprints_sql(schemas, names)
    try:
        async with pool.acquire() as conn:
            value = await fetch_value_in_one_trip(conn, query)
        if value is None:
            async with read_only(pool) as conn:
                value = await conn.fetchval(query)
        return TableFingerprints.parse(str(value))
    except asyncpg.PostgresError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FingerprintError(f"table fingerprint query failed: {first}") from None
