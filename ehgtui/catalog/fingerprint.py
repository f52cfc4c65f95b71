"""One cheap query that tells whether the catalog of some schemas changed since a load.

The cache (`cache.py`) shows a saved catalog at once and runs this query to decide whether a full
load is needed. The hash covers every catalog row ehgtui shows (relations, columns, defaults,
constraints, indexes, policies, triggers, comments, RLS flags, table and column grants, enum
labels, sequences, inheritance) and nothing that moves with the data: no reltuples, relpages,
relallvisible, relfrozenxid, relfilenode, sizes or statistics, so inserts, VACUUM and ANALYZE
leave it alone.
Expression trees (`pg_node_tree`) are hashed as their text, which is stable for one definition.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ehgtui.db.pool import read_only

FINGERPRINT = """
WITH rels AS (
    SELECT c.oid
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[])
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'i', 'I', 'S')
),
parts(ord, part) AS (
    SELECT 1, md5(coalesce(string_agg(
               ROW(c.oid, n.nspname, c.relname, c.relkind, c.relowner, c.relpersistence,
                   c.relrowsecurity, c.relforcerowsecurity, c.relacl, c.reloptions,
                   c.relreplident, c.relispartition, c.relpartbound, c.relam)::text,
               '|' ORDER BY c.oid), ''))
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT 2, md5(coalesce(string_agg(
               ROW(a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull,
                   a.attidentity, a.attgenerated, a.attisdropped, a.attcollation,
                   a.attstorage, a.attislocal, a.attinhcount, a.attacl)::text,
               '|' ORDER BY a.attrelid, a.attnum), ''))
      FROM pg_attribute a
     WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum > 0
    UNION ALL
    SELECT 3, md5(coalesce(string_agg(ROW(d.adrelid, d.adnum, d.adbin::text)::text,
                                   '|' ORDER BY d.adrelid, d.adnum), ''))
      FROM pg_attrdef d
     WHERE d.adrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT 4, md5(coalesce(string_agg(
               ROW(k.oid, k.conname, k.contype, k.conrelid, k.confrelid, k.condeferrable,
                   k.condeferred, k.convalidated, k.conislocal, k.conindid, k.conkey,
                   k.confkey, k.confupdtype, k.confdeltype, k.confmatchtype,
                   k.conbin::text)::text,
               '|' ORDER BY k.oid), ''))
      FROM pg_constraint k
     WHERE k.conrelid IN (SELECT oid FROM rels) OR k.confrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT 5, md5(coalesce(string_agg(
               ROW(i.indexrelid, i.indrelid, i.indisunique, i.indisprimary, i.indisvalid,
                   i.indkey, i.indclass, i.indpred::text, i.indexprs::text)::text,
               '|' ORDER BY i.indexrelid), ''))
      FROM pg_index i
     WHERE i.indrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT 6, md5(coalesce(string_agg(
               ROW(p.oid, p.polname, p.polrelid, p.polcmd, p.polpermissive, p.polroles,
                   p.polqual::text, p.polwithcheck::text)::text,
               '|' ORDER BY p.oid), ''))
      FROM pg_policy p
     WHERE p.polrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT 7, md5(coalesce(string_agg(
               ROW(t.oid, t.tgname, t.tgrelid, t.tgfoid, pr.proname, pr.pronamespace,
                   t.tgtype, t.tgenabled, t.tgargs, t.tgattr, t.tgqual::text,
                   t.tgparentid)::text,
               '|' ORDER BY t.oid), ''))
      FROM pg_trigger t JOIN pg_proc pr ON pr.oid = t.tgfoid
     WHERE t.tgrelid IN (SELECT oid FROM rels) AND NOT t.tgisinternal
    UNION ALL
    SELECT 8, md5(coalesce(string_agg(
               ROW(d.classoid, d.objoid, d.objsubid, d.description)::text,
               '|' ORDER BY d.classoid, d.objoid, d.objsubid), ''))
      FROM pg_description d
     WHERE (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM rels))
        OR (d.classoid = 'pg_constraint'::regclass AND d.objoid IN (
                SELECT oid FROM pg_constraint WHERE conrelid IN (SELECT oid FROM rels)))
        OR (d.classoid = 'pg_trigger'::regclass AND d.objoid IN (
                SELECT oid FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM rels)))
        OR (d.classoid = 'pg_policy'::regclass AND d.objoid IN (
                SELECT oid FROM pg_policy WHERE polrelid IN (SELECT oid FROM rels)))
    UNION ALL
    SELECT 9, md5(coalesce(string_agg(
               ROW(ty.oid, ty.typname, ty.typnamespace, ty.typtype, ty.typelem,
                   (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                      FROM pg_enum e WHERE e.enumtypid = ty.oid))::text,
               '|' ORDER BY ty.oid), ''))
      FROM pg_type ty
     WHERE ty.oid IN (SELECT a.atttypid FROM pg_attribute a
                       WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum > 0)
        OR ty.oid IN (SELECT t2.typelem FROM pg_type t2
                       WHERE t2.oid IN (SELECT a.atttypid FROM pg_attribute a
                                         WHERE a.attrelid IN (SELECT oid FROM rels)
                                           AND a.attnum > 0))
    UNION ALL
    SELECT 10, md5(coalesce(string_agg(ROW(h.inhrelid, h.inhparent, h.inhseqno)::text,
                                   '|' ORDER BY h.inhrelid, h.inhseqno), ''))
      FROM pg_inherits h
     WHERE h.inhrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT 11, md5(coalesce(string_agg(
               ROW(s.seqrelid, s.seqtypid, s.seqstart, s.seqincrement, s.seqmax, s.seqmin,
                   s.seqcache, s.seqcycle)::text,
               '|' ORDER BY s.seqrelid), ''))
      FROM pg_sequence s
     WHERE s.seqrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT 12, md5(coalesce(string_agg(ROW(r.ev_class, r.rulename, r.ev_action::text)::text,
                                   '|' ORDER BY r.oid), ''))
      FROM pg_rewrite r
     WHERE r.ev_class IN (SELECT oid FROM rels)
)
SELECT md5(string_agg(part, '' ORDER BY ord)) AS fingerprint FROM parts
"""
"""The catalog's fingerprint for the schemas in `$1::text[]`: an md5 of ordered aggregates.

Each part hashes one system catalog, restricted to the loaded schemas' relations (tables, views,
their indexes and sequences); the parts are hashed together in a fixed order. Built-in types
only in the result, so asyncpg sends no introspection query of its own.
"""


class FingerprintError(RuntimeError):
    """The fingerprint query failed; the message is one line."""


async def fetch_fingerprint(pool: asyncpg.Pool, schemas: Sequence[str]) -> str:
    """Return the catalog fingerprint of `schemas`, from one query in a read-only transaction.

    Args:
        pool: the connection pool.
        schemas: the schema names the catalog was (or will be) loaded for.

    Returns:
        A 32-character hex digest that changes after any DDL ehgtui would show.
    """
    try:
        async with read_only(pool) as conn:
            value = await conn.fetchval(FINGERPRINT, list(schemas))
    except asyncpg.PostgresError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FingerprintError(f"fingerprint query failed: {first}") from None
    return str(value)
