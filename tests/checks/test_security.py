"""`check_security` on small hand-written schemas: what the demo does not plant (a foreign
table, a security-invoker view over an auth.users without RLS) and the cases it must pass."""

from __future__ import annotations

import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.checks.security import check_security
from tests.checks.supabase_sql import STANDINS_SQL, load
from tests.pg import TestServer

EXPOSURE_SQL = (
    STANDINS_SQL
    + """
CREATE TABLE auth.users (id uuid PRIMARY KEY, email text);
CREATE UNIQUE INDEX users_email_key ON auth.users (email);
CREATE TABLE public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (id),
    email text REFERENCES auth.users (email));
CREATE TABLE public.accounts (id uuid PRIMARY KEY REFERENCES auth.users);
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE public.imported_rows (line text) SERVER files
    OPTIONS (filename '/dev/null');
CREATE FOREIGN TABLE public.private_rows (line text) SERVER files OPTIONS (filename '/dev/null');
CREATE VIEW public.user_emails WITH (security_invoker = true) AS SELECT id, email FROM auth.users;
CREATE VIEW public.invoker_only WITH (security_invoker = on) AS SELECT 1 AS one;
CREATE VIEW public.not_granted AS SELECT 1 AS one;
CREATE TABLE public.handlers (id uuid PRIMARY KEY, fn regproc, cls regclass, ok regtype);
GRANT SELECT ON public.imported_rows, public.user_emails, public.invoker_only TO anon;
CREATE FUNCTION public.definer_open() RETURNS int LANGUAGE sql SECURITY DEFINER
    SET search_path = '' AS $$ SELECT 1 $$;
CREATE FUNCTION public.definer_for_authenticated() RETURNS int LANGUAGE sql SECURITY DEFINER
    SET search_path = '' AS $$ SELECT 1 $$;
REVOKE EXECUTE ON FUNCTION public.definer_for_authenticated() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.definer_for_authenticated() TO authenticated;
"""
)


@pytest.fixture(scope="module")
async def catalog(pg: TestServer) -> Catalog:
    database = pg.create_database("security", EXPOSURE_SQL)
    return await load(pg, database, ("public", "auth"))


async def test_exposure_of_relations(catalog: Catalog) -> None:
    found = {(f.object_kind, f.table, f.code) for f in check_security(catalog)}
    assert {f for f in found if f[0] == "table"} == {
        ("table", "public.imported_rows", "foreign_table_in_api"),
        # security invoker, but auth.users has no RLS: splinter's third insecure case
        ("table", "public.user_emails", "auth_users_exposed"),
        ("table", "public.handlers", "unsupported_reg_types"),  # regproc; regclass, regtype ok
        ("table", "public.profiles", "fkey_to_auth_unique"),  # email; id and accounts are fine
    }


async def test_security_definer_functions_by_role(catalog: Catalog) -> None:
    found = {(f.table, f.code) for f in check_security(catalog) if f.object_kind == "function"}
    public_functions = {(t, c) for t, c in found if t.startswith("public.definer")}
    assert public_functions == {
        ("public.definer_open()", "anon_security_definer_function_executable"),
        ("public.definer_open()", "authenticated_security_definer_function_executable"),
        (
            "public.definer_for_authenticated()",
            "authenticated_security_definer_function_executable",
        ),
    }
    # the extension in public is found, file_fdw being at its default version
    extensions = {(f.table, f.code) for f in check_security(catalog) if f.object_kind != "table"}
    assert ("file_fdw", "extension_in_public") in extensions
    assert not any(code == "extension_versions_outdated" for _, code in extensions)
