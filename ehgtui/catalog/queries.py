"""The bulk catalog queries: each loads one kind of object for every table of the schemas at once
(the relations' parts here; sequences, functions, types and the other objects in
`object_queries.py`).

A load runs all of them concurrently, each in its own read-only transaction, so its cost is one
round trip plus the slowest query, whatever the number of tables. Each takes the schema names as
`$1::text[]`. Every result column is of a built-in type (text, integers, booleans, json, text[])
so asyncpg never issues type-introspection queries of its own. They work on PostgreSQL 15 to 18.

Rows come in no particular order: sorting the wide rows cost the server 8 ms a load on the
demo, sorting each table's few objects in Python (`builders.py`, `assemble.py`) under 1 ms.

COLUMNS and INDEXES pick the loaded schemas' relations by namespace oid, from an array the
planner cannot see into, rather than by the joined schema name: from the name it expects one
relation in eight to be loaded (141 of the demo's 1,129; 912 are) and probes an index once per
row where hashing is cheaper (measured on the demo: indexes 25 -> 20 ms, columns 23 -> 21 ms;
on 10,000 tables columns 303 -> 271 ms). RELATIONS keeps the join: the same change made it
slower on 10,000 tables.
"""

from __future__ import annotations

from ehgtui.catalog.object_queries import FUNCTIONS, OBJECTS, SEQUENCES, TYPES, USES

RELATION_KINDS = "('r', 'p', 'v', 'm', 'f')"
"""pg_class.relkind values loaded: tables, partitioned tables, views, mat. views, foreign tables."""

SERVER_INFO = """
SELECT current_setting('server_version') AS version,
       current_setting('server_version_num')::int AS version_num,
       current_database()::text AS database,
       current_user::text AS current_user,
       current_setting('default_transaction_read_only') = 'on' AS read_only,
       ARRAY(SELECT s FROM unnest($1::text[]) AS s
             WHERE NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s)) AS missing_schemas
"""
"""Who and where we are, and which of the schemas asked for ($1) do not exist."""

RELATIONS = f"""
WITH parent_names AS MATERIALIZED (
    SELECT i.inhrelid, array_agg(pn.nspname || '.' || pc.relname ORDER BY i.inhseqno) AS names
      FROM pg_inherits i
      JOIN pg_class pc ON pc.oid = i.inhparent
      JOIN pg_namespace pn ON pn.oid = pc.relnamespace
     GROUP BY i.inhrelid
), index_pages AS MATERIALIZED (
    SELECT i.indrelid, sum(greatest(ic.relpages, 0))::bigint AS pages
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
     GROUP BY i.indrelid
)
SELECT c.oid::bigint AS oid,
       n.nspname::text AS schema,
       c.relname::text AS name,
       c.relkind::text AS relkind,
       pg_get_userbyid(c.relowner)::text AS owner,
       d.description AS comment,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       c.reltuples::bigint AS row_estimate,
       ((greatest(c.relpages, 0)::bigint + coalesce(toast.relpages, 0)
         + coalesce(ip.pages, 0))
        * (SELECT current_setting('block_size')::bigint))::bigint AS size_bytes,
       c.relpersistence::text AS persistence,
       c.relreplident::text AS replica_identity,
       coalesce(c.reloptions, '{{}}')::text[] AS options,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       coalesce(pa.names, '{{}}')::text[] AS parents,
       c.relispartition AS is_partition,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS view_definition,
       c.relacl::text[] AS acl,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum) AS attnames
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
  LEFT JOIN index_pages ip ON ip.indrelid = c.oid
  LEFT JOIN parent_names pa ON pa.inhrelid = c.oid
  LEFT JOIN pg_description d
         ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE n.nspname = ANY($1::text[])
   AND c.relkind IN {RELATION_KINDS}
"""
"""One row per relation, with its comment, RLS flags, size, partitioning and grants.

The size is estimated from relpages (table, TOAST and indexes), as of the last VACUUM or
ANALYZE: pg_total_relation_size() stats every file of every relation and made this query ten
times slower on 900 tables. Grants come as raw aclitem text, parsed in Python for the same
reason. Index sizes and parents are gathered once and hash-joined, not looked up per relation
(parents: 13.1 -> 11.4 ms on the demo, 106 -> 96 ms on 10,000 tables).
`attnames` lists every column by attnum (dropped ones too, so that position is attnum - 1):
this fast query arrives first, and with it indexes and constraints, which send attnums, are
named as soon as they arrive instead of after the slower COLUMNS query.
"""

COLUMNS = f"""
WITH not_null AS MATERIALIZED (
    SELECT conrelid, conkey[1] AS attnum, conname FROM pg_constraint WHERE contype = 'n'
), column_comment AS MATERIALIZED (
    SELECT objoid, objsubid, description FROM pg_description
     WHERE classoid = 'pg_class'::regclass AND objsubid > 0
), column_default AS MATERIALIZED (
    SELECT adrelid, adnum, adbin, tree,
           CASE WHEN strpos(tree, '{{VAR ') > 0 THEN adrelid ELSE 0 END AS context
      FROM (SELECT ad.*, ad.adbin::text AS tree
              FROM pg_attrdef ad
              JOIN pg_class c ON c.oid = ad.adrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ANY($1::text[])) loaded
), printed_default AS MATERIALIZED (
    SELECT tree, context, pg_get_expr(adbin, adrelid) AS text
      FROM (SELECT DISTINCT ON (tree, context) * FROM column_default) one_of_each
)
SELECT a.attrelid::bigint AS table_oid,
       a.attname::text AS name,
       a.attnum::int AS position,
       format_type(a.atttypid, a.atttypmod) AS data_type,
       t.type_schema, t.type_kind, t.element_type, t.enum_values,
       a.attnotnull AS not_null,
       pd.text AS default_expr,
       a.attidentity::text AS identity,
       a.attgenerated::text AS generated,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
            THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                   WHERE co.oid = a.attcollation) END AS collation,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       d.description AS comment,
       a.attislocal AS is_local,
       nn.conname::text AS not_null_name,
       a.attacl::text[] AS acl
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN LATERAL (
    SELECT bn.nspname::text AS type_schema,
           bt.typtype::text AS type_kind,
           CASE WHEN et.oid IS NOT NULL THEN format_type(et.oid, NULL) END AS element_type,
           CASE WHEN bt.typtype = 'e' THEN
                ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                       WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder)
           END AS enum_values,
           ty.typstorage, ty.typcollation
      FROM pg_type ty
      LEFT JOIN pg_type et ON et.oid = ty.typelem AND ty.typcategory = 'A'
      JOIN pg_type bt ON bt.oid = coalesce(et.oid, ty.oid)
      JOIN pg_namespace bn ON bn.oid = bt.typnamespace
     WHERE ty.oid = a.atttypid
    OFFSET 0
  ) t ON true
  LEFT JOIN column_default ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN printed_default pd ON pd.tree = ad.tree AND pd.context = ad.context
  LEFT JOIN not_null nn ON nn.conrelid = a.attrelid AND nn.attnum = a.attnum
  LEFT JOIN column_comment d ON d.objoid = a.attrelid AND d.objsubid = a.attnum
 WHERE c.relnamespace = ANY (ARRAY(SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])))
   AND c.relkind IN {RELATION_KINDS}
   AND a.attnum > 0
   AND NOT a.attisdropped
"""
"""One row per column, with its full type, enum labels, default, identity and comment.

The NOT NULL constraint's name (contype `n`, PostgreSQL 18+) is joined in: it is NULL before 18.
It and the comments come from materialized CTEs so that they are hash-joined: the planner
underestimates the columns of a schema and probed an index once per column instead.
Column-level grants come as aclitem text, which the DDL renderer reads back (NULL when none);
`storage` is NULL unless the column's differs from its type's.

Defaults are printed once per distinct expression tree (`printed_default`): the demo's 3,900
defaults are 37 expressions (`now()`, `gen_random_uuid()`, `0`, ...), and `pg_get_expr()`
was a third of this query's time. A tree prints the same on any table unless it refers to a
column (a `VAR` node: generated columns), whose name depends on the table; such a tree is
printed once per table. The type's details (schema, kind, element type, enum labels) come
from a LATERAL subquery the planner memoizes by type: a few dozen types for 9,000 columns.
"""

CONSTRAINTS = """
SELECT con.conrelid::bigint AS table_oid,
       sn.nspname::text AS table_schema,
       sc.relname::text AS table_name,
       con.conname::text AS name,
       con.contype::text AS contype,
       pg_get_constraintdef(con.oid) AS definition,
       array_to_string(con.conkey, ' ') AS keys,
       CASE WHEN NOT sn.nspname = ANY($1::text[]) THEN
            ARRAY(SELECT a.attname::text
                    FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                   ORDER BY k.ord)
       END AS columns,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       con.convalidated AS validated,
       con.conislocal AS is_local,
       ic.relname::text AS index_name,
       rn.nspname::text AS ref_schema,
       rc.relname::text AS ref_table,
       con.confrelid::bigint AS ref_oid,
       array_to_string(con.confkey, ' ') AS ref_keys,
       CASE WHEN con.contype = 'f' AND NOT rn.nspname = ANY($1::text[]) THEN
            ARRAY(SELECT a.attname::text
                    FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                   ORDER BY k.ord)
       END AS ref_columns,
       con.confupdtype::text AS on_update,
       con.confdeltype::text AS on_delete,
       con.confmatchtype::text AS match_type,
       sn.nspname = ANY($1::text[]) AS is_loaded,
       d.description AS comment,
       CASE WHEN con.contype IN ('p', 'u') AND ic.reloptions IS NOT NULL THEN
            (SELECT string_agg(split_part(o, '=', 1) || '='
                               || CASE WHEN quote_ident(v) = v THEN v ELSE quote_literal(v) END,
                               ', ' ORDER BY ord)
               FROM unnest(ic.reloptions) WITH ORDINALITY u(o, ord)
              CROSS JOIN LATERAL (SELECT substr(o, strpos(o, '=') + 1) AS v) value)
       END AS index_options
  FROM pg_constraint con
  JOIN pg_class sc ON sc.oid = con.conrelid
  JOIN pg_namespace sn ON sn.oid = sc.relnamespace
  LEFT JOIN pg_class ic ON ic.oid = con.conindid AND con.contype IN ('p', 'u', 'x')
  LEFT JOIN pg_class rc ON rc.oid = con.confrelid
  LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
  LEFT JOIN pg_description d
         ON d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0
 WHERE con.contype <> 'n'
   AND (sn.nspname = ANY($1::text[]) OR rn.nspname = ANY($1::text[]))
"""
"""Every constraint of the loaded tables, plus FKs from elsewhere that point at them.

Column lists come as attnums (`keys`, `ref_keys`, space-separated text) and are named in
Python from the loaded tables' columns; the server names them (`columns`, `ref_columns`) only
for tables outside the loaded schemas, whose columns we do not have.

PostgreSQL 18 also stores NOT NULL as constraints (contype `n`); they are left out so that the
model is the same on every version: `Column.not_null` carries that fact.

`index_options` are a primary key's or unique constraint's storage parameters (its index's
reloptions), written as the server's `flatten_reloptions()` writes them (`fillfactor='90',
deduplicate_items=off`: a value quoted unless it is a plain identifier), for the DDL's
`WITH (...)`: `pg_get_constraintdef()` prints them only for its ALTER TABLE commands.
"""

INDEXES = f"""
SELECT i.indrelid::bigint AS table_oid,
       ic.relname::text AS name,
       CASE WHEN i.indnatts = 1 AND ka.attnum IS NOT NULL
                 AND kc.opcdefault AND kc.opcintype = ka.atttypid
                 AND i.indcollation[0] IN (0, ka.attcollation) AND i.indoption[0] = 0
                 AND i.indpred IS NULL AND NOT i.indnullsnotdistinct
                 AND ic.reloptions IS NULL AND ic.reltablespace = 0 AND ic.relkind = 'i'
            THEN 'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END
                 || 'INDEX ' || quote_ident(ic.relname)
                 || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                 || ' USING ' || quote_ident(am.amname) || ' (' || quote_ident(ka.attname) || ')'
            ELSE pg_get_indexdef(i.indexrelid)
       END AS definition,
       i.indkey::text AS keys,
       i.indnkeyatts::int AS key_count,
       CASE WHEN i.indexprs IS NOT NULL THEN
            ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                    FROM generate_series(1, i.indnkeyatts) k ORDER BY k)
       END AS key_texts,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       con.conname::text AS constraint_name,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       am.amname::text AS method,
       (greatest(ic.relpages, 0)::bigint
        * (SELECT current_setting('block_size')::bigint)) AS size_bytes,
       i.indisvalid AS is_valid,
       i.indexrelid IN (SELECT h.inhrelid FROM pg_inherits h) AS is_inherited,
       i.indisreplident AS is_replica_identity,
       d.description AS comment
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_constraint con
         ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
        AND con.contype IN ('p', 'u', 'x')
  -- the key column and its operator class, for one-column indexes
  LEFT JOIN pg_attribute ka
         ON i.indnatts = 1 AND ka.attrelid = i.indrelid AND ka.attnum = i.indkey[0]
  -- B-tree operator classes not for a domain and without options (support function 5)
  LEFT JOIN (SELECT o.oid, o.opcdefault, o.opcintype
               FROM pg_opclass o JOIN pg_type t ON t.oid = o.opcintype
              WHERE t.typtype <> 'd'
                AND o.opcmethod = (SELECT oid FROM pg_am WHERE amname = 'btree')
                AND NOT EXISTS (SELECT FROM pg_amproc ap
                                 WHERE ap.amprocfamily = o.opcfamily AND ap.amprocnum = 5)) kc
         ON i.indnatts = 1 AND kc.oid = i.indclass[0]
  LEFT JOIN pg_description d
         ON d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relnamespace = ANY (ARRAY(SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])))
   AND c.relkind IN {RELATION_KINDS}
"""
"""Every index of the loaded tables, with its definition, predicate and size.

`pg_get_indexdef()` costs about 9 µs an index, most of it looking up whether each key's
operator class is its type's default (a scan of pg_opclass each time): two thirds of this
query's time on the demo. A one-column B-tree index on a plain column, with the default
operator class, collation and order and no predicate or options (nearly every index of a schema
like the demo's) prints as `CREATE [UNIQUE] INDEX name ON schema.table USING btree (column)` and
nothing else; the query writes that text itself, quoting with the server's own `quote_ident()`,
and asks `pg_get_indexdef()` for every other index (109 of the demo's 2,681). The server takes
an operator class as the default when it is marked so for the column's type, a domain's base
type standing for the domain: so the query accepts one marked default for the column's exact
type, which must not be a domain. Only an operator class with an options support function
(number 5 for B-tree) can be given options (`(siglen = 8)`); leaving such classes out, rather
than reading each index column's options, saved 3 ms on the demo and 18 ms on 10,000 tables.
`pg_get_indexdef()` never prints a tablespace; indexes outside the default one go to it anyway,
as a precaution. `tests/catalog/test_server_text.py` checks the text is the server's, character
for character, on each supported version.

Key columns come as attnums (`keys`, space-separated text: an integer array would make asyncpg
introspect its type, one more statement), named in Python from the table's own columns: a
per-index subquery joining pg_attribute cost more than the rest of the query. Only
expression indexes get their key texts from the server (`key_texts`, one per key column).
"""


def _print_context(tree: str, relid: str) -> str:
    """The relation that `pg_get_expr()` prints the expression in `tree` (a pg_node_tree
    column) for: none (0) when the tree is small, names no column (`VAR`) and has no subquery
    (`QUERY`), else its table, `relid`.

    A relation context costs each call a relation lookup and a column-name setup: printing
    the demo's 1,217 `USING (true)` policies took 2.6 ms with it, 0.5 ms without (the whole
    query 13.3 -> 12.4 ms; on 10,000 tables 61 -> 38 ms). Only column references need it (the
    documented rule for `pg_get_expr()`), and a subquery's table aliases are chosen to differ
    from the context's table name, so those keep it. Trees of 1,000 bytes and more keep it
    too, unread: looking through one costs more than the context saves, and nearly all of them
    name a column. (A subquery's tree is itself over 1,200 bytes on PostgreSQL 15 to 18, so the
    `QUERY` test is a safeguard for a server that stores one smaller.)
    """
    return (
        f"CASE WHEN pg_column_size({tree}) < 1000 AND strpos({tree}::text, '{{VAR ') = 0"
        f" AND strpos({tree}::text, '{{QUERY ') = 0 THEN 0 ELSE {relid} END"
    )


POLICY_USING = f"pg_get_expr(p.polqual, {_print_context('p.polqual', 'p.polrelid')})"
POLICY_WITH_CHECK = f"pg_get_expr(p.polwithcheck, {_print_context('p.polwithcheck', 'p.polrelid')})"
"""The two printing calls of POLICIES (the bench measures their cost by name)."""

POLICIES = f"""
SELECT p.polrelid::bigint AS table_oid,
       p.polname::text AS name,
       p.polcmd::text AS polcmd,
       p.polpermissive AS permissive,
       CASE WHEN cardinality(p.polroles) = 1  -- most policies: no subquery to run
            THEN ARRAY[CASE WHEN p.polroles[1] = 0 THEN 'public'
                            ELSE pg_get_userbyid(p.polroles[1])::text END]
            ELSE ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END
                         FROM unnest(p.polroles) WITH ORDINALITY u(r, ord) ORDER BY u.ord)
       END AS roles,
       e.using_expr,
       CASE WHEN p.polwithcheck::text = p.polqual::text THEN e.using_expr
            ELSE {POLICY_WITH_CHECK} END AS with_check,
       d.description AS comment
  FROM pg_policy p
  CROSS JOIN LATERAL (SELECT {POLICY_USING} AS using_expr OFFSET 0) e
  JOIN pg_class c ON c.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description d
         ON d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass AND d.objsubid = 0
 WHERE n.nspname = ANY($1::text[])
"""
"""Every row-level security policy of the loaded tables.

Printing the expressions is most of this query's time. Most policies that have a WITH CHECK
have the same one as their USING (1,299 of the demo's 1,417): that one is printed once. An
expression that names no column, such as `true`, is printed without the table as context
(`_print_context`).
"""

TRIGGERS = """
SELECT t.tgrelid::bigint AS table_oid,
       t.tgname::text AS name,
       t.tgtype::int AS tgtype,
       t.tgenabled::text AS enabled,
       pg_get_triggerdef(t.oid) AS definition,
       pn.nspname || '.' || p.proname AS function,
       t.tgargs AS args,
       t.tgnargs::int AS nargs,
       CASE WHEN t.tgattr::text = '' THEN '{}'::text[]  -- most: no subquery to run
            ELSE ARRAY(SELECT a.attname::text
                         FROM unnest(t.tgattr::int2[]) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum
                        ORDER BY k.ord)
       END AS update_columns,
       t.tgparentid <> 0 AS is_inherited,
       d.description AS comment
  FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_proc p ON p.oid = t.tgfoid
  JOIN pg_namespace pn ON pn.oid = p.pronamespace
  LEFT JOIN pg_description d
         ON d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0
 WHERE n.nspname = ANY($1::text[])
   AND NOT t.tgisinternal
"""
"""Every user trigger of the loaded tables (FK and other internal triggers left out)."""

BULK_QUERIES: dict[str, str] = {
    "relations": RELATIONS,
    "columns": COLUMNS,
    "constraints": CONSTRAINTS,
    "indexes": INDEXES,
    "policies": POLICIES,
    "triggers": TRIGGERS,
    "sequences": SEQUENCES,
    "functions": FUNCTIONS,
    "types": TYPES,
    "objects": OBJECTS,
    "uses": USES,
}
"""The queries a catalog load sends with the schema list; SERVER_INFO makes twelve in all."""

QUERIES_PER_LOAD = len(BULK_QUERIES) + 1
"""The fixed number of statements one catalog load sends, whatever the table count."""
