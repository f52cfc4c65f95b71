"""Small hand-written SQL fixtures for the checks: Supabase stand-ins and conventional tables."""

from __future__ import annotations

import asyncpg

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer

STANDINS_SQL = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN BYPASSRLS; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
CREATE SCHEMA auth;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT current_setting('request.jwt.claim.role', true) $$;
CREATE FUNCTION public.fn_set_updated_at() RETURNS trigger LANGUAGE plpgsql SET search_path = ''
    AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;
"""
"""Roles anon/authenticated/service_role (cluster-wide, created once) and the auth helpers."""


def conventional_table(
    name: str,
    *,
    rls: bool = True,
    policies: str | None = None,
    grant: bool = True,
    created_at_index: bool = True,
    trigger: bool = True,
    extra_columns: str = "",
) -> str:
    """SQL for a table following the README's template; each flag removes one element."""
    if policies is None:
        policies = (
            f'CREATE POLICY "service_write" ON {name} FOR ALL TO service_role '
            "USING (true) WITH CHECK (true);\n"
            f'CREATE POLICY "authenticated_read" ON {name} FOR SELECT TO authenticated '
            "USING (true);"
        )
    parts = [
        f"CREATE TABLE {name} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
        f" {extra_columns}"
        " created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now());",
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;" if rls else "",
        policies,
        f"CREATE INDEX idx_{name}_created ON {name}(created_at);" if created_at_index else "",
        (
            f"CREATE TRIGGER set_updated_at BEFORE UPDATE ON {name} "
            "FOR EACH ROW EXECUTE FUNCTION fn_set_updated_at();"
        )
        if trigger
        else "",
        f"GRANT SELECT, INSERT ON {name} TO anon, authenticated;" if grant else "",
    ]
    return "\n".join(p for p in parts if p)


async def load(pg: TestServer, database: str, schemas: tuple[str, ...] = ("public",)) -> Catalog:
    """Load a database's catalog through a pool, as the CLI does."""
    pool: asyncpg.Pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        return await load_catalog(pool, schemas)
    finally:
        await pool.close()
