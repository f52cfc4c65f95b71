"""The bulk queries of the schema's objects other than relations: sequences, functions
(procedures and aggregates), types, the other objects (extensions, publications, schemas,
default privileges) and what uses each function and type.

Part of one catalog load with the relation queries in `queries.py` (which lists them all in
BULK_QUERIES); the same rules hold: one query per kind for every schema at once, taking the
schema names as `$1::text[]`, every result column of a built-in type.
"""

from __future__ import annotations

SEQUENCES = """
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min_value,
       s.seqmax AS max_value,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       pg_get_userbyid(c.relowner)::text AS owner,
       tn.nspname || '.' || tc.relname AS owned_by_table,
       ta.attname::text AS owned_by_column,
       coalesce(dep.deptype = 'i', false) AS is_identity,
       c.relpersistence = 'u' AS unlogged,
       coalesce(c.relacl::text[], '{}') AS acl,
       d.description AS comment
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description d
         ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
  LEFT JOIN pg_depend dep
         ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
        AND dep.refclassid = 'pg_class'::regclass AND dep.refobjsubid > 0
        AND dep.deptype IN ('a', 'i')
  LEFT JOIN pg_class tc ON tc.oid = dep.refobjid
  LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
  LEFT JOIN pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
 WHERE n.nspname = ANY($1::text[])
 ORDER BY n.nspname, c.relname
"""
"""Every sequence of the loaded schemas, with the column that owns it and its comment."""


def _qualified_function(oid: str) -> str:
    """SQL naming the function `oid` as pg_dump does (its search_path is empty): schema-qualified
    and quoted as needed, except in pg_catalog. `regproc::text` would follow the loader's
    search_path instead and drop `public.`."""
    return (
        "(SELECT CASE WHEN qn.nspname = 'pg_catalog' THEN quote_ident(qp.proname)"
        " ELSE quote_ident(qn.nspname) || '.' || quote_ident(qp.proname) END"
        " FROM pg_proc qp JOIN pg_namespace qn ON qn.oid = qp.pronamespace"
        f" WHERE qp.oid = {oid})"
    )


FUNCTIONS = f"""
WITH loaded AS MATERIALIZED (
    SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])
), members AS MATERIALIZED (  -- of an extension, or made with a range type (constructors)
    SELECT objid FROM pg_depend WHERE classid = 'pg_proc'::regclass AND deptype IN ('e', 'i')
)
SELECT p.oid::bigint AS oid,
       n.nspname::text AS schema,
       p.proname::text AS name,
       p.prokind::text AS prokind,
       pg_get_function_identity_arguments(p.oid) AS identity_arguments,
       pg_get_function_arguments(p.oid) AS arguments,
       CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS result,
       l.lanname::text AS language,
       p.provolatile::text AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proleakproof AS leakproof,
       p.proparallel::text AS parallel,
       coalesce(p.proconfig, '{{}}')::text[] AS config,
       pg_get_userbyid(p.proowner)::text AS owner,
       coalesce(p.proacl::text[], '{{}}') AS acl,
       d.description AS comment,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       CASE WHEN p.prokind = 'a' THEN
            json_build_object(
                'name', quote_ident(n.nspname) || '.' || quote_ident(p.proname),
                'sfunc', {_qualified_function("a.aggtransfn")},
                'stype', format_type(a.aggtranstype, NULL),
                'sspace', a.aggtransspace,
                'finalfunc', {_qualified_function("nullif(a.aggfinalfn, 0)")},
                'finalfunc_extra', a.aggfinalextra,
                'combinefunc',
                    {_qualified_function("nullif(a.aggcombinefn, 0)")},
                'initcond', quote_literal(a.agginitval),
                'sortop', CASE WHEN a.aggsortop <> 0 THEN a.aggsortop::regoperator::text END,
                'kind', a.aggkind)::text
       END AS aggregate
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
  LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
  LEFT JOIN pg_description d
         ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0
 WHERE p.pronamespace IN (SELECT oid FROM loaded)
   AND p.oid NOT IN (SELECT objid FROM members)
"""
"""Every function, procedure and aggregate of the loaded schemas; left out, as pg_dump leaves
them out: extension members, and a range type's constructor functions (made by CREATE TYPE).

Bodies come in bulk, as `pg_get_functiondef()` prints them, rather than one at a time when
shown: bench/RESULTS.md ("Function bodies: bulk or on demand") gives the measurements behind
that choice. Aggregates have no pg_get_functiondef(): their pg_aggregate fields come as JSON
text, and `schema_objects.py` writes the CREATE AGGREGATE.
"""

TYPES = """
WITH members AS MATERIALIZED (
    SELECT objid FROM pg_depend WHERE classid = 'pg_type'::regclass AND deptype = 'e'
)
SELECT t.oid::bigint AS oid,
       n.nspname::text AS schema,
       t.typname::text AS name,
       t.typtype::text AS typtype,
       pg_get_userbyid(t.typowner)::text AS owner,
       d.description AS comment,
       coalesce(t.typacl::text[], '{}') AS acl,
       CASE WHEN t.typtype = 'e' THEN
            ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                   WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
       END AS labels,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS default_expr,
       t.typnotnull AS not_null,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> 0
                 AND t.typcollation <> bt.typcollation
            THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                   WHERE co.oid = t.typcollation)
            WHEN t.typtype = 'r' AND r.rngcollation <> 0
                 AND r.rngcollation <> st.typcollation
            THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                   WHERE co.oid = r.rngcollation)
       END AS collation,
       CASE WHEN t.typtype = 'd' THEN
            (SELECT json_agg(json_build_object(
                        'name', c.conname, 'definition', pg_get_constraintdef(c.oid),
                        'validated', c.convalidated) ORDER BY c.conname)::text
               FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c')
       END AS constraints,
       CASE WHEN t.typtype = 'c' THEN
            (SELECT json_agg(json_build_object(
                        'name', a.attname, 'data_type', format_type(a.atttypid, a.atttypmod),
                        'collation',
                        CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation
                             THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                     FROM pg_collation co
                                     JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                    WHERE co.oid = a.attcollation) END)
                        ORDER BY a.attnum)::text
               FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
       END AS attributes,
       CASE WHEN t.typtype = 'r' THEN format_type(r.rngsubtype, NULL) END AS subtype,
       CASE WHEN t.typtype = 'r' AND NOT oc.opcdefault
            THEN quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END AS subtype_opclass,
       CASE WHEN t.typtype = 'r' AND r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text
       END AS canonical,
       CASE WHEN t.typtype = 'r' AND r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text
       END AS subtype_diff,
       CASE WHEN t.typtype = 'r' THEN
            (SELECT quote_ident(mn.nspname) || '.' || quote_ident(mt.typname)
               FROM pg_type mt JOIN pg_namespace mn ON mn.oid = mt.typnamespace
              WHERE mt.oid = r.rngmultitypid)
       END AS multirange
  FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
  LEFT JOIN pg_range r ON r.rngtypid = t.oid
  LEFT JOIN pg_type st ON st.oid = r.rngsubtype
  LEFT JOIN pg_opclass oc ON oc.oid = r.rngsubopc
  LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
  LEFT JOIN pg_class tc ON tc.oid = t.typrelid
  LEFT JOIN pg_description d
         ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
 WHERE t.typnamespace = ANY (ARRAY(SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])))
   AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c'))
   AND t.oid NOT IN (SELECT objid FROM members)
"""
"""Every enum, domain, composite and range type of the loaded schemas (not a table's row
type, not an extension's). Nested lists (domain constraints, composite attributes) come as
JSON text, so that asyncpg needs no type introspection."""

OBJECTS = """
SELECT 'schema' AS kind,
       json_build_object('name', n.nspname, 'owner', pg_get_userbyid(n.nspowner),
                         'comment', d.description, 'acl', coalesce(n.nspacl::text[], '{}'),
                         'loaded', n.nspname = ANY($1::text[]))::text AS data
  FROM pg_namespace n
  LEFT JOIN pg_description d
         ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0
 WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
UNION ALL
SELECT 'extension',
       json_build_object('name', e.extname, 'schema', n.nspname, 'version', e.extversion,
                         'default_version', av.default_version,
                         'owner', pg_get_userbyid(e.extowner), 'comment', d.description,
                         'relocatable', e.extrelocatable)::text
  FROM pg_extension e
  JOIN pg_namespace n ON n.oid = e.extnamespace
  LEFT JOIN pg_available_extensions av ON av.name = e.extname
  LEFT JOIN pg_description d
         ON d.objoid = e.oid AND d.classoid = 'pg_extension'::regclass AND d.objsubid = 0
 WHERE e.oid >= 16384
UNION ALL
SELECT 'publication',
       json_build_object(
           'name', p.pubname, 'owner', pg_get_userbyid(p.pubowner),
           'all_tables', p.puballtables, 'insert', p.pubinsert, 'update', p.pubupdate,
           'delete', p.pubdelete, 'truncate', p.pubtruncate, 'via_root', p.pubviaroot,
           'comment', d.description,
           'tables', (SELECT coalesce(json_agg(json_build_object(
                                 'schema', rn.nspname, 'name', rc.relname,
                                 'columns', ARRAY(SELECT a.attname FROM pg_attribute a
                                                   WHERE a.attrelid = pr.prrelid
                                                     AND a.attnum = ANY(pr.prattrs)
                                                   ORDER BY a.attnum),
                                 'row_filter', pg_get_expr(pr.prqual, pr.prrelid))
                                 ORDER BY rn.nspname, rc.relname), '[]')
                        FROM pg_publication_rel pr
                        JOIN pg_class rc ON rc.oid = pr.prrelid
                        JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                       WHERE pr.prpubid = p.oid),
           'schemas', ARRAY(SELECT pn.nspname FROM pg_publication_namespace ps
                              JOIN pg_namespace pn ON pn.oid = ps.pnnspid
                             WHERE ps.pnpubid = p.oid ORDER BY pn.nspname))::text
  FROM pg_publication p
  LEFT JOIN pg_description d
         ON d.objoid = p.oid AND d.classoid = 'pg_publication'::regclass AND d.objsubid = 0
UNION ALL
SELECT 'default_privilege',
       json_build_object('role', pg_get_userbyid(a.defaclrole), 'schema', n.nspname,
                         'object_type', a.defaclobjtype, 'acl', a.defaclacl::text[])::text
  FROM pg_default_acl a
  LEFT JOIN pg_namespace n ON n.oid = a.defaclnamespace
"""
"""The database-wide objects, few in any database, in one statement: schemas, extensions
(with the version `CREATE EXTENSION` would install now), publications (tables with their
column lists and row filters), default privileges. Each row is one object as JSON text."""

USES = """
WITH types AS MATERIALIZED (
    SELECT t.oid, t.typarray FROM pg_type t
     WHERE t.typnamespace = ANY (ARRAY(SELECT oid FROM pg_namespace
                                        WHERE nspname = ANY($1::text[])))
       AND t.typtype IN ('e', 'd', 'r', 'c')
), targets AS MATERIALIZED (  -- `target`: what the use is reported on
    SELECT 'pg_proc'::regclass AS refclassid, p.oid, p.oid AS target FROM pg_proc p
     WHERE p.pronamespace = ANY (ARRAY(SELECT oid FROM pg_namespace
                                        WHERE nspname = ANY($1::text[])))
    UNION ALL
    SELECT 'pg_type'::regclass, t.oid, t.oid FROM types t
    UNION ALL  -- a column of `mood[]` depends on the array type: it uses `mood`
    SELECT 'pg_type'::regclass, t.typarray, t.oid FROM types t WHERE t.typarray <> 0
), uses AS MATERIALIZED (  -- internal ('i') dependencies (constructors) are not uses
    SELECT DISTINCT d.classid, d.objid, d.objsubid, d.refclassid, g.target AS refobjid
      FROM pg_depend d
      JOIN targets g ON g.refclassid = d.refclassid AND g.oid = d.refobjid
     WHERE d.deptype = 'n'
       AND d.classid IN ('pg_rewrite'::regclass, 'pg_policy'::regclass, 'pg_attrdef'::regclass,
                         'pg_constraint'::regclass, 'pg_class'::regclass, 'pg_proc'::regclass,
                         'pg_type'::regclass)
)
SELECT (u.refclassid = 'pg_proc'::regclass) AS of_function,
       u.refobjid::bigint AS target_oid,
       CASE u.classid
            WHEN 'pg_rewrite'::regclass THEN 'view'
            WHEN 'pg_policy'::regclass THEN 'policy'
            WHEN 'pg_attrdef'::regclass THEN 'default'
            WHEN 'pg_constraint'::regclass THEN
                 CASE WHEN con.contypid <> 0 THEN 'domain'
                      WHEN con.contype = 'c' THEN 'check' ELSE 'constraint' END
            WHEN 'pg_class'::regclass THEN
                 CASE WHEN rel.relkind = 'i' THEN 'index'
                      WHEN rel.relkind = 'c' THEN 'type' ELSE 'column' END
            WHEN 'pg_proc'::regclass THEN 'function'
            WHEN 'pg_type'::regclass THEN
                 CASE WHEN ut.typtype = 'd' THEN 'domain' ELSE 'type' END
       END AS kind,
       coalesce(rn.nspname, fn.nspname, tn.nspname)::text AS schema,
       coalesce(rel.relname::text,
                fp.proname || '(' || pg_get_function_identity_arguments(fp.oid) || ')',
                ut.typname::text) AS relation,
       coalesce(pol.polname::text,
                CASE WHEN con.contypid = 0 THEN con.conname::text END,
                att.attname::text) AS name
  FROM uses u
  LEFT JOIN pg_rewrite rw ON u.classid = 'pg_rewrite'::regclass AND rw.oid = u.objid
  LEFT JOIN pg_policy pol ON u.classid = 'pg_policy'::regclass AND pol.oid = u.objid
  LEFT JOIN pg_attrdef ad ON u.classid = 'pg_attrdef'::regclass AND ad.oid = u.objid
  LEFT JOIN pg_constraint con ON u.classid = 'pg_constraint'::regclass AND con.oid = u.objid
  LEFT JOIN pg_proc fp ON u.classid = 'pg_proc'::regclass AND fp.oid = u.objid
  LEFT JOIN pg_namespace fn ON fn.oid = fp.pronamespace
  LEFT JOIN pg_type ut
         ON ut.oid = CASE WHEN u.classid = 'pg_type'::regclass THEN u.objid
                          WHEN con.contypid <> 0 THEN con.contypid END
  LEFT JOIN pg_namespace tn ON tn.oid = ut.typnamespace
  LEFT JOIN pg_class rel
         ON rel.oid = CASE WHEN u.classid = 'pg_class'::regclass THEN u.objid
                           ELSE coalesce(rw.ev_class, pol.polrelid, ad.adrelid,
                                         nullif(con.conrelid, 0)) END
  LEFT JOIN pg_namespace rn ON rn.oid = rel.relnamespace
  LEFT JOIN pg_attribute att
         ON att.attrelid = rel.oid
        AND att.attnum = CASE WHEN u.classid = 'pg_class'::regclass THEN u.objsubid
                              WHEN u.classid = 'pg_attrdef'::regclass THEN ad.adnum END
        AND att.attnum > 0
 WHERE NOT (u.classid = 'pg_rewrite'::regclass AND rw.ev_class = 0)
"""
"""What uses each function and type of the loaded schemas, as pg_depend records it: views
(their rewrite rule), policies, column defaults, CHECK and domain constraints, columns,
indexes, other functions (by argument or result type) and types; a use of a type's array
type (a column of `mood[]`) counts as a use of the type. A function called from
inside a PL/pgSQL body is not recorded by the server, so it is not listed. Triggers come
from the TRIGGERS query (pg_trigger.tgfoid), not from here."""
