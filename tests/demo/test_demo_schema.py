"""The demo schema: its shape, and every planted defect checked exactly against the catalog.

The database tests run on a fresh copy of the demo schema on each test server. Each defect
kind is checked with an SQL query over the catalog that implements the definition in
`DEFECT_KINDS`; the tables it finds must be exactly the tables `PLANTED_DEFECTS` lists for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from ehgtui.demo import schema as demo
from ehgtui.demo.schema import (
    DEFECT_KINDS,
    KEY_TABLES_MISSING,
    KEY_TABLES_PRESENT,
    OBJECT_DEFECT_KINDS,
    PLANTED_DEFECTS,
    PLANTED_OBJECT_DEFECTS,
    demo_schema_sql,
    demo_tables,
)
from ehgtui.demo.schema_names import MAIN_PREFIX_COUNTS
from ehgtui.demo.schema_supabase import UPDATED_AT_FUNCTIONS
from tests.pg import TestServer

README_KEY_TABLES = {
    "strategic_directives_v2", "sd_phase_handoffs", "sd_backlog_map", "product_requirements_v2",
    "prd_quality_scores", "leo_protocols", "leo_sub_agents", "leo_protocol_sections",
    "agent_artifacts", "agent_task_contracts", "agent_runs", "retrospectives",
    "ai_quality_assessments", "lessons_learned", "compliance_policies", "circuit_breaker_blocks",
    "skills_inventory", "skill_assignments", "failure_patterns", "ventures", "venture_stages",
    "venture_artifacts",
}  # fmt: skip


def planted(kind: str) -> set[str]:
    return {d.table for d in PLANTED_DEFECTS if d.kind == kind}


# --- Without a database -------------------------------------------------------------------


def test_script_is_deterministic() -> None:
    first = demo_schema_sql()
    demo.demo_schema_sql.cache_clear()
    demo._public_tables.cache_clear()
    assert demo_schema_sql() == first


CONTRIB_EXTENSIONS = {"pg_trgm", "fuzzystrmatch", "citext"}
"""Contrib extensions that PostgreSQL 15's packages and the embedded 18 wheel both ship."""


def test_script_uses_only_contrib_extensions_and_no_transaction_control() -> None:
    sql = demo_schema_sql()
    assert not re.search(r"(?im)^\s*(BEGIN;|COMMIT;|ROLLBACK;)", sql)
    created = set(re.findall(r"(?im)^\s*CREATE EXTENSION (\w+)", sql))
    assert created == CONTRIB_EXTENSIONS


def test_roles_are_created_only_when_missing() -> None:
    sql = demo_schema_sql()
    assert "ARRAY['service_role', 'NOLOGIN NOINHERIT BYPASSRLS']" in sql
    assert "IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = spec[1])" in sql


def test_key_table_constants() -> None:
    assert set(KEY_TABLES_MISSING) == {
        "prd_quality_scores", "agent_runs", "lessons_learned", "skills_inventory",
        "skill_assignments",
    }  # fmt: skip
    assert set(KEY_TABLES_PRESENT) == README_KEY_TABLES - set(KEY_TABLES_MISSING)
    names = {t.name for t in demo_tables()}
    assert set(KEY_TABLES_PRESENT) <= names
    assert not set(KEY_TABLES_MISSING) & names


def test_table_names_and_prefix_mix() -> None:
    names = [t.name for t in demo_tables()]
    assert len(names) == len(set(names)) >= 860
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) and len(n) <= 63 for n in names)
    for prefix, count in MAIN_PREFIX_COUNTS.items():
        assert sum(n.startswith(prefix + "_") for n in names) == count, prefix
    rare = Counter(n.split("_")[0] for n in names) - Counter({p: 10**6 for p in MAIN_PREFIX_COUNTS})
    assert len(rare) >= 240
    assert sum(rare.values()) >= 400


def test_planted_defects_are_well_formed() -> None:
    names = {t.name for t in demo_tables()}
    for defect in PLANTED_DEFECTS:
        assert defect.kind in DEFECT_KINDS
        assert defect.table in names
        assert defect.detail
    for kind in DEFECT_KINDS:
        assert 2 <= len(planted(kind)) <= 4, kind
    for object_defect in PLANTED_OBJECT_DEFECTS:
        assert object_defect.kind in OBJECT_DEFECT_KINDS
        assert object_defect.detail
    assert {d.kind for d in PLANTED_OBJECT_DEFECTS} == set(OBJECT_DEFECT_KINDS)


# --- Against a database -------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo_db(pg: TestServer) -> AsyncIterator[asyncpg.Connection]:
    """A fresh copy of the demo schema on each test server (PostgreSQL 18 and 15)."""
    conn = await asyncpg.connect(pg.dsn(pg.demo_database()))
    try:
        yield conn
    finally:
        await conn.close()


PUBLIC_TABLES = """
    SELECT c.oid, c.relname FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
"""

# service_role, anon and authenticated oids; 0 stands for PUBLIC in pg_policy.polroles.
ROLE_OIDS = """
    (SELECT oid FROM pg_roles WHERE rolname = 'service_role') AS service,
    ARRAY(SELECT oid FROM pg_roles WHERE rolname IN ('anon', 'authenticated')) AS client
"""

DEFECT_QUERIES: dict[str, str] = {
    "rls_disabled": f"""
        SELECT t.relname FROM ({PUBLIC_TABLES}) t JOIN pg_class c ON c.oid = t.oid
        WHERE NOT c.relrowsecurity""",
    "rls_enabled_no_policy": f"""
        SELECT t.relname FROM ({PUBLIC_TABLES}) t JOIN pg_class c ON c.oid = t.oid
        WHERE c.relrowsecurity
          AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t.oid)""",
    "policies_but_rls_disabled": f"""
        SELECT t.relname FROM ({PUBLIC_TABLES}) t JOIN pg_class c ON c.oid = t.oid
        WHERE NOT c.relrowsecurity
          AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t.oid)""",
    "no_service_role_policy": f"""
        SELECT t.relname FROM ({PUBLIC_TABLES}) t JOIN pg_class c ON c.oid = t.oid,
            (SELECT {ROLE_OIDS}) r
        WHERE c.relrowsecurity
          AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t.oid)
          AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t.oid
                          AND p.polroles && ARRAY[r.service, 0::oid])""",
    "multiple_permissive": f"""
        WITH expanded AS (
            SELECT t.relname, role_oid, cmd
            FROM ({PUBLIC_TABLES}) t
            JOIN pg_policy p ON p.polrelid = t.oid AND p.polpermissive
            CROSS JOIN (SELECT {ROLE_OIDS}) r
            CROSS JOIN LATERAL unnest(p.polroles) AS pr(oid)
            CROSS JOIN LATERAL unnest(CASE WHEN pr.oid = 0 THEN r.client ELSE ARRAY[pr.oid] END)
                AS role_oid
            CROSS JOIN LATERAL unnest(CASE WHEN p.polcmd = '*' THEN ARRAY['r', 'a', 'w', 'd']
                                           ELSE ARRAY[p.polcmd::text] END) AS cmd
            WHERE role_oid = ANY (r.client)
        )
        SELECT DISTINCT relname FROM expanded GROUP BY relname, role_oid, cmd
        HAVING count(*) > 1""",
    "write_policy_true": f"""
        SELECT DISTINCT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_policy p ON p.polrelid = t.oid, (SELECT {ROLE_OIDS}) r
        WHERE p.polcmd IN ('a', 'w', 'd', '*')
          AND p.polroles && (r.client || 0::oid)
          AND (pg_get_expr(p.polqual, p.polrelid) = 'true'
               OR pg_get_expr(p.polwithcheck, p.polrelid) = 'true')""",
    "auth_call_per_row": f"""
        SELECT DISTINCT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_policy p ON p.polrelid = t.oid
        CROSS JOIN LATERAL unnest(ARRAY[pg_get_expr(p.polqual, p.polrelid),
                                        pg_get_expr(p.polwithcheck, p.polrelid)]) AS e(expr)
        WHERE regexp_replace(e.expr,
                  '\\(\\s*SELECT\\s+auth\\.(uid|role|jwt)\\(\\)(\\s+AS\\s+\\w+)?\\s*\\)', '', 'gi')
              ~* '(auth\\.(uid|role|jwt)\\(\\)|current_setting\\()'""",
    "fk_without_index": f"""
        SELECT DISTINCT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_constraint k ON k.conrelid = t.oid AND k.contype = 'f'
        WHERE NOT EXISTS (
            SELECT 1 FROM pg_index i WHERE i.indrelid = t.oid
              AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(k.conkey)]
                  @> k.conkey
              AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(k.conkey)]
                  <@ k.conkey)""",
    "no_primary_key": f"""
        SELECT t.relname FROM ({PUBLIC_TABLES}) t
        WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k
                          WHERE k.conrelid = t.oid AND k.contype = 'p')""",
    "duplicate_index": f"""
        SELECT DISTINCT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_index i ON i.indrelid = t.oid JOIN pg_class ic ON ic.oid = i.indexrelid
        GROUP BY t.relname, ic.relam, i.indkey::text, i.indclass::text, i.indcollation::text,
                 pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid)
        HAVING count(*) > 1""",
    "missing_created_at_index": f"""
        SELECT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_attribute a
          ON a.attrelid = t.oid AND a.attname = 'created_at' AND NOT a.attisdropped
        WHERE NOT EXISTS (SELECT 1 FROM pg_index i
                          WHERE i.indrelid = t.oid AND i.indkey[0] = a.attnum)""",
    "missing_updated_at_trigger": f"""
        SELECT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_attribute a
          ON a.attrelid = t.oid AND a.attname = 'updated_at' AND NOT a.attisdropped
        WHERE NOT EXISTS (
            SELECT 1 FROM pg_trigger g JOIN pg_proc f ON f.oid = g.tgfoid
            WHERE g.tgrelid = t.oid AND NOT g.tgisinternal AND g.tgenabled <> 'D'
              AND g.tgtype & 1 = 1 AND g.tgtype & 2 = 2 AND g.tgtype & 16 = 16
              AND f.prosrc ~* 'NEW\\.updated_at\\s*(:=|=)')""",
    "non_uuid_pk": f"""
        SELECT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_constraint k ON k.conrelid = t.oid AND k.contype = 'p'
        WHERE cardinality(k.conkey) <> 1
           OR (SELECT a.atttypid FROM pg_attribute a
               WHERE a.attrelid = t.oid AND a.attnum = k.conkey[1]) <> 'uuid'::regtype""",
    "rls_references_user_metadata": f"""
        SELECT DISTINCT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_policy p ON p.polrelid = t.oid
        WHERE concat(pg_get_expr(p.polqual, p.polrelid), ' ',
                     pg_get_expr(p.polwithcheck, p.polrelid)) ~ 'jwt.*user_metadata'""",
    "fkey_to_auth_unique": f"""
        SELECT DISTINCT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_constraint k ON k.conrelid = t.oid AND k.contype = 'f'
        JOIN pg_index i ON i.indexrelid = k.conindid
        WHERE k.confrelid::regclass::text LIKE 'auth.%' AND i.indisunique AND NOT i.indisprimary""",
    "unsupported_reg_types": f"""
        SELECT DISTINCT t.relname FROM ({PUBLIC_TABLES}) t
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE a.atttypid IN ('regproc'::regtype, 'regprocedure'::regtype, 'regoper'::regtype,
              'regoperator'::regtype, 'regconfig'::regtype, 'regdictionary'::regtype,
              'regnamespace'::regtype, 'regcollation'::regtype)""",
}

_API_SELECT = """(has_table_privilege('anon', c.oid, 'SELECT')
                  OR has_table_privilege('authenticated', c.oid, 'SELECT'))"""
_USER_FUNCTIONS = """
    SELECT p.oid, p.prosecdef, p.proconfig,
        'public.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS sig
    FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"""

OBJECT_DEFECT_QUERIES: dict[str, str] = {
    "security_definer_view": f"""
        SELECT 'public.' || c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' AND {_API_SELECT}
          AND NOT coalesce(c.reloptions, '{{}}') && ARRAY['security_invoker=true']""",
    "auth_users_exposed": f"""
        SELECT DISTINCT 'public.' || c.relname FROM pg_depend d
        JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class c ON c.oid = r.ev_class
        WHERE d.refobjid = 'auth.users'::regclass AND c.relkind IN ('v', 'm')
          AND c.relnamespace = 'public'::regnamespace AND {_API_SELECT}""",
    "materialized_view_in_api": f"""
        SELECT 'public.' || c.relname FROM pg_class c
        WHERE c.relkind = 'm' AND {_API_SELECT}""",
    "function_search_path_mutable": f"""
        SELECT f.sig FROM ({_USER_FUNCTIONS}) f
        WHERE NOT EXISTS (SELECT 1 FROM unnest(f.proconfig) AS c(item)
                          WHERE c.item LIKE 'search_path=%')""",
    "anon_security_definer_function_executable": f"""
        SELECT f.sig FROM ({_USER_FUNCTIONS}) f
        WHERE f.prosecdef AND has_function_privilege('anon', f.oid, 'EXECUTE')""",
    "authenticated_security_definer_function_executable": f"""
        SELECT f.sig FROM ({_USER_FUNCTIONS}) f
        WHERE f.prosecdef AND has_function_privilege('authenticated', f.oid, 'EXECUTE')""",
    "extension_in_public": """
        SELECT extname FROM pg_extension
        WHERE extnamespace = 'public'::regnamespace AND extname <> 'plpgsql'""",
    "extension_versions_outdated": """
        SELECT name FROM pg_available_extensions
        WHERE installed_version IS NOT NULL AND installed_version <> default_version""",
}
"""Each object defect kind as a query over the server's catalog (not ehgtui's)."""


def test_every_object_kind_has_a_query() -> None:
    assert set(OBJECT_DEFECT_QUERIES) == set(OBJECT_DEFECT_KINDS)


@pytest.mark.parametrize("kind", sorted(OBJECT_DEFECT_KINDS))
async def test_object_defect_is_planted_exactly(demo_db: asyncpg.Connection, kind: str) -> None:
    found = {r[0] for r in await demo_db.fetch(OBJECT_DEFECT_QUERIES[kind])}
    assert found == {d.name for d in PLANTED_OBJECT_DEFECTS if d.kind == kind}


async def test_live_object_kinds_at_live_counts(demo_db: asyncpg.Connection) -> None:
    """Functions, enums and sequences about as many as live (760, 45, 47); RPCs in SQL and
    PL/pgSQL, an overload, a domain and enums used by columns, supabase_realtime."""
    functions = await demo_db.fetch(f"""
        SELECT l.lanname, count(*) FROM ({_USER_FUNCTIONS}) f
        JOIN pg_proc p ON p.oid = f.oid JOIN pg_language l ON l.oid = p.prolang
        GROUP BY l.lanname""")
    by_language = {r[0]: r[1] for r in functions}
    assert 740 <= sum(by_language.values()) <= 780
    assert by_language["sql"] >= 300 and by_language["plpgsql"] >= 300
    assert await _scalar(demo_db, "SELECT count(*) FROM pg_type WHERE typtype = 'e'") == 45
    assert await _scalar(demo_db, "SELECT count(*) FROM pg_class WHERE relkind = 'S'") == 47
    overloads = await _scalar(
        demo_db,
        "SELECT count(*) FROM pg_proc WHERE proname = 'log_audit_event' "
        "AND pronamespace = 'public'::regnamespace",
    )
    assert overloads == 2
    typed = await demo_db.fetch("""
        SELECT t.typtype::text, count(*) FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
        JOIN pg_type t ON t.oid = a.atttypid
        WHERE c.relnamespace = 'public'::regnamespace AND t.typtype IN ('d', 'e')
        GROUP BY t.typtype""")
    kinds = {r[0]: r[1] for r in typed}
    assert kinds["d"] >= 2 and kinds["e"] >= 100
    published = await demo_db.fetch(
        "SELECT tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime'"
    )
    assert {r[0] for r in published} == {
        "strategic_directives_v2", "sd_phase_handoffs", "agent_task_contracts", "notifications",
    }  # fmt: skip


def test_every_kind_has_a_query() -> None:
    assert set(DEFECT_QUERIES) == set(DEFECT_KINDS)


@pytest.mark.parametrize("kind", sorted(DEFECT_KINDS))
async def test_defect_is_planted_exactly(demo_db: asyncpg.Connection, kind: str) -> None:
    found = {r[0] for r in await demo_db.fetch(DEFECT_QUERIES[kind])}
    assert found == planted(kind)


async def _scalar(conn: asyncpg.Connection, sql: str) -> object:
    return await conn.fetchval(sql)


async def test_table_count_and_prefixes(demo_db: asyncpg.Connection) -> None:
    rows = await demo_db.fetch(PUBLIC_TABLES)
    names = [r["relname"] for r in rows]
    assert len(names) >= 860
    for prefix, count in MAIN_PREFIX_COUNTS.items():
        assert sum(n.startswith(prefix + "_") for n in names) == count, prefix
    assert set(KEY_TABLES_PRESENT) <= set(names)
    assert not set(KEY_TABLES_MISSING) & set(names)


async def test_conventional_tables(demo_db: asyncpg.Connection) -> None:
    """Outside the non_uuid_pk / no_primary_key defects: id uuid PK DEFAULT gen_random_uuid(),
    created_at and updated_at timestamptz DEFAULT now()."""
    rows = await demo_db.fetch(f"""
        SELECT t.relname,
            (SELECT format_type(a.atttypid, a.atttypmod) || ' ' || pg_get_expr(d.adbin, d.adrelid)
             FROM pg_constraint k JOIN pg_attribute a
                  ON a.attrelid = t.oid AND a.attnum = k.conkey[1]
             LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
             WHERE k.conrelid = t.oid AND k.contype = 'p' AND a.attname = 'id') AS pk,
            (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
                               || pg_get_expr(d.adbin, d.adrelid), ', ' ORDER BY a.attname)
             FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
             WHERE a.attrelid = t.oid AND a.attname IN ('created_at', 'updated_at')) AS stamps
        FROM ({PUBLIC_TABLES}) t""")
    odd = planted("non_uuid_pk") | planted("no_primary_key")
    for row in rows:
        if row["relname"] not in odd:
            assert row["pk"] == "uuid gen_random_uuid()", row["relname"]
        assert row["stamps"] == (
            "created_at timestamp with time zone now(), updated_at timestamp with time zone now()"
        ), row["relname"]


async def test_wide_benchmark_table(demo_db: asyncpg.Connection) -> None:
    sd = "'public.strategic_directives_v2'::regclass"
    columns = await _scalar(
        demo_db, f"SELECT count(*) FROM pg_attribute WHERE attrelid = {sd} AND attnum > 0"
    )
    policies = await demo_db.fetch(
        f"SELECT polcmd, polroles, polpermissive FROM pg_policy WHERE polrelid = {sd}"
    )
    fan_in = await _scalar(
        demo_db,
        f"SELECT count(DISTINCT conrelid) FROM pg_constraint "
        f"WHERE contype = 'f' AND confrelid = {sd} AND conrelid <> {sd}",
    )
    assert isinstance(columns, int) and columns >= 60
    assert len(policies) >= 20
    assert isinstance(fan_in, int) and 120 <= fan_in <= 130  # the live schema's 125


async def test_rls_patterns_and_roles(demo_db: asyncpg.Connection) -> None:
    rows = await demo_db.fetch("""
        SELECT p.tablename, p.roles, coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '') AS e
        FROM pg_policies p WHERE p.schemaname = 'public'""")
    roles = {role for r in rows for role in r["roles"]}
    assert {"service_role", "authenticated", "public", "anon"} <= roles

    def tables(pattern: str) -> set[str]:
        return {r["tablename"] for r in rows if re.search(pattern, r["e"])}

    assert len(tables(r"created_by = \( SELECT auth\.uid\(\)")) >= 50  # user-owned
    assert len(tables(r"FROM user_organizations")) >= 50  # organization-scoped
    assert len(tables(r"FROM user_roles")) >= 50  # admin only
    assert len(tables(r"auth\.role\(\)")) >= 10
    assert len(tables(r"auth\.jwt\(\)")) >= 10
    public_read = {r["tablename"] for r in rows if r["roles"] == ["public"] and r["e"] == "true "}
    assert len(public_read) >= 30


async def test_updated_at_functions_all_used(demo_db: asyncpg.Connection) -> None:
    rows = await demo_db.fetch("""
        SELECT f.proname, count(*) AS n FROM pg_trigger g JOIN pg_proc f ON f.oid = g.tgfoid
        WHERE NOT g.tgisinternal GROUP BY f.proname""")
    used = {r["proname"]: r["n"] for r in rows}
    for name in UPDATED_AT_FUNCTIONS:
        assert used.get(name, 0) >= 50, name


async def test_supabase_stand_ins_and_extras(demo_db: asyncpg.Connection) -> None:
    assert (
        await _scalar(demo_db, "SELECT count(*) FROM supabase_migrations.schema_migrations") == 30
    )
    assert await _scalar(demo_db, "SELECT count(*) FROM storage.buckets") == 2
    # Roles are cluster-wide and only created when missing, so another test may own them.
    roles = await _scalar(
        demo_db,
        "SELECT count(*) FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')",
    )
    assert roles == 3
    views = await demo_db.fetch(
        "SELECT relkind::text, count(*) FROM pg_class "
        "WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm') GROUP BY relkind"
    )
    kinds = {r[0]: r[1] for r in views}
    assert kinds.get("m") == 2 and 35 <= kinds.get("v", 0) <= 45
    extensions = await demo_db.fetch(
        "SELECT extname, extnamespace::regnamespace::text FROM pg_extension "
        "WHERE extname <> 'plpgsql'"
    )
    assert dict(tuple(r) for r in extensions) == {
        "pg_trgm": "extensions", "fuzzystrmatch": "extensions", "citext": "public",
    }  # fmt: skip
    claims = '{"sub": "00000000-0000-0000-0000-000000000001", "role": "authenticated"}'
    async with demo_db.transaction():
        await demo_db.execute(f"SET LOCAL request.jwt.claims = '{claims}'")
        assert str(await _scalar(demo_db, "SELECT auth.uid()")).endswith("0001")
        assert await _scalar(demo_db, "SELECT auth.role()") == "authenticated"
        assert await _scalar(demo_db, "SELECT auth.jwt() ->> 'role'") == "authenticated"
    missing = await _scalar(
        demo_db,
        "SELECT count(*) FROM pg_class c, unnest(ARRAY['anon', 'authenticated', 'service_role'])"
        " AS r(role), unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p(privilege) "
        "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' "
        "AND NOT has_table_privilege(r.role, c.oid, p.privilege)",
    )
    assert missing == 0
