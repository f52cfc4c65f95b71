"""The "new migration from this table" template: it applies (twice) to a copy of the demo
database, and the table it makes has the README's five required elements."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ehgtui.catalog.model import Catalog, Table
from ehgtui.ddl import RLS_PATTERNS, MigrationError, new_migration
from tests.ddl import roundtrip
from tests.pg import TestServer

TODAY = datetime(2026, 1, 26, 9, 30, 5, tzinfo=UTC)
LIKE = "strategic_directives_v2"
"""The demo table the templates copy: enums, arrays, FKs (one to itself), a generated column."""

MOST_USED_UPDATED_AT_FUNCTION = """
SELECT pn.nspname || '.' || p.proname
  FROM pg_trigger t
  JOIN pg_proc p ON p.oid = t.tgfoid
  JOIN pg_namespace pn ON pn.oid = p.pronamespace
 WHERE NOT t.tgisinternal
   AND t.tgtype & 1 = 1 AND t.tgtype & 2 = 2 AND t.tgtype & 16 = 16 AND t.tgnargs = 0
   AND EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = t.tgrelid AND a.attname = 'updated_at')
 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
"""
"""Independent of the code under test: the function most BEFORE UPDATE row triggers call."""

EXPECTED_POLICIES: dict[str, set[tuple[str, str, tuple[str, ...]]]] = {
    "authenticated_read_service_write": {
        ("authenticated_read", "SELECT", ("authenticated",)),
        ("service_write", "ALL", ("service_role",)),
    },
    "user_owned": {("user_owned", "ALL", ("authenticated",))},
    "org_scoped": {("org_scoped", "ALL", ("authenticated",))},
    "public_read_authenticated_write": {
        ("public_read", "SELECT", ("public",)),
        ("authenticated_write", "ALL", ("authenticated",)),
    },
    "admin_only": {("admin_only", "ALL", ("authenticated",))},
}

_DEMO: dict[str, tuple[str, Catalog]] = {}


async def _demo(pg: TestServer) -> tuple[str, Catalog]:
    """A copy of the demo database and its catalog (one per server)."""
    pytest.importorskip("ehgtui.demo.schema")
    if pg.label not in _DEMO:
        database = pg.demo_database()
        _DEMO[pg.label] = (database, await roundtrip.load(pg, database))
    return _DEMO[pg.label]


def _like(catalog: Catalog) -> Table:
    table = catalog.table(LIKE)
    assert table is not None
    return table


@pytest.mark.parametrize("pattern", list(RLS_PATTERNS))
async def test_template_applies_and_has_the_five_elements(pg: TestServer, pattern: str) -> None:
    database, catalog = await _demo(pg)
    name = f"new_{pattern}"
    file_name, sql = new_migration(name, _like(catalog), catalog, pattern, TODAY)
    assert file_name == f"20260126093005_create_new_{pattern}.sql"
    pg.psql(database, sql)
    pg.psql(database, sql)  # every statement can be re-run

    table = (await roundtrip.load(pg, database)).table(name)
    assert table is not None
    # 1. the table, with a UUID primary key and the two timestamps
    pk = table.primary_key
    assert pk is not None and pk.columns == ("id",)
    columns = {c.name: c for c in table.columns}
    assert columns["id"].data_type == "uuid" and columns["id"].default == "gen_random_uuid()"
    for stamp in ("created_at", "updated_at"):
        assert columns[stamp].data_type == "timestamp with time zone"
        assert columns[stamp].default == "now()"
    # ... and the model table's other columns, adapted
    like = _like(catalog)
    copied = [c.name for c in like.columns if c.name not in ("id", "created_at", "updated_at")]
    assert [c.name for c in table.columns[1 : len(copied) + 1]] == copied
    like_status = like.column("status")
    assert like_status is not None and columns["status"].data_type == like_status.data_type
    assert columns["search_vector"].generated is not None
    self_fk = next(fk for fk in table.foreign_keys if fk.columns == ("parent_sd_id",))
    assert (self_fk.ref_table, self_fk.on_delete) == (name, "SET NULL")
    # 2. row-level security
    assert table.rls_enabled
    # 3. the pattern's policies
    assert {(p.name, p.command, p.roles) for p in table.policies} == EXPECTED_POLICIES[pattern]
    # 4. an index on created_at
    assert any(i.columns == ("created_at",) and i.constraint_name is None for i in table.indexes)
    # 5. the updated_at trigger, calling the function the demo uses most
    expected_function = pg.psql(database, MOST_USED_UPDATED_AT_FUNCTION).strip()
    (trigger,) = table.triggers
    assert (trigger.timing, trigger.events, trigger.for_each) == ("BEFORE", ("UPDATE",), "ROW")
    assert trigger.function == expected_function


async def test_pattern_columns_are_added_when_missing(pg: TestServer) -> None:
    database, catalog = await _demo(pg)
    like = catalog.table("leo_protocols")
    assert like is not None and like.column("organization_id") is None
    _, sql = new_migration("org_things", like, catalog, "org_scoped", TODAY)
    assert "    organization_id UUID,\n" in sql
    assert "FROM public.user_organizations WHERE user_id = auth.uid()" in sql
    pg.psql(database, sql)
    table = (await roundtrip.load(pg, database)).table("org_things")
    assert table is not None and table.column("organization_id") is not None


FALLBACK_DB = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
CREATE TABLE public.notes (id serial PRIMARY KEY, body text NOT NULL, created_at timestamptz);
"""


async def test_without_an_updated_at_trigger_the_readme_function_is_created(
    pg: TestServer,
) -> None:
    database = pg.create_database("ddl_mig", FALLBACK_DB)
    catalog = await roundtrip.load(pg, database)
    notes = catalog.table("notes")
    assert notes is not None
    file_name, sql = new_migration("public.notes_v2", notes, catalog, now=TODAY)
    assert file_name == "20260126093005_create_notes_v2.sql"
    assert "IF to_regprocedure('public.fn_set_updated_at()') IS NULL THEN" in sql
    assert "    body text NOT NULL,\n" in sql
    assert "nextval" not in sql  # the model's serial belongs to the model table
    assert "CREATE TRIGGER set_updated_at\n    BEFORE UPDATE ON public.notes_v2\n" in sql
    pg.psql(database, sql)
    pg.psql(database, sql)
    # The trigger works: an update moves updated_at on (each statement its own transaction).
    pg.psql(
        database,
        "INSERT INTO notes_v2 (body, updated_at) VALUES ('a', '2000-01-01');\n"
        "UPDATE notes_v2 SET body = 'b';",
        single_transaction=False,
    )
    moved = pg.psql(database, "SELECT updated_at > '2001-01-01' FROM notes_v2").strip()
    assert moved == "t"
    table = (await roundtrip.load(pg, database)).table("notes_v2")
    assert table is not None
    assert [t.function for t in table.triggers] == ["public.fn_set_updated_at"]


async def test_refusals(pg18: TestServer) -> None:
    database = pg18.create_database("ddl_mig", FALLBACK_DB)
    catalog = await roundtrip.load(pg18, database)
    notes = catalog.table("notes")
    assert notes is not None
    with pytest.raises(MigrationError, match="unknown RLS pattern 'everyone'"):
        new_migration("x", notes, catalog, "everyone", TODAY)
    with pytest.raises(MigrationError, match="needs table user_organizations"):
        new_migration("x", notes, catalog, "org_scoped", TODAY)
    with pytest.raises(MigrationError, match="needs table user_roles"):
        new_migration("x", notes, catalog, "admin_only", TODAY)
    with pytest.raises(MigrationError, match="public.notes already exists"):
        new_migration("notes", notes, catalog, now=TODAY)


async def test_readme_order_and_wording(pg18: TestServer) -> None:
    database, catalog = await _demo(pg18)
    _, sql = new_migration("venture_hazards", _like(catalog), catalog, now=TODAY)
    steps = [
        "-- 1. Create table\nCREATE TABLE IF NOT EXISTS public.venture_hazards (\n"
        "    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n",
        "    created_at TIMESTAMPTZ DEFAULT NOW(),\n    updated_at TIMESTAMPTZ DEFAULT NOW()\n);",
        "-- 2. Enable RLS\nALTER TABLE public.venture_hazards ENABLE ROW LEVEL SECURITY;",
        "-- 3. Add RLS policies\n",
        "CREATE POLICY authenticated_read ON public.venture_hazards\n    FOR SELECT\n"
        "    TO authenticated\n    USING (true);",
        "CREATE POLICY service_write ON public.venture_hazards\n    FOR ALL\n"
        "    TO service_role\n    USING (true);",
        "-- 4. Add indexes\nCREATE INDEX IF NOT EXISTS idx_venture_hazards_created "
        "ON public.venture_hazards (created_at);",
        "-- 5. Add trigger for updated_at\n",
        "    BEFORE UPDATE ON public.venture_hazards\n    FOR EACH ROW EXECUTE FUNCTION ",
    ]
    positions = [sql.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "parent_sd_id uuid REFERENCES public.venture_hazards (id) ON DELETE SET NULL" in sql
    assert "venture_id uuid REFERENCES public.ventures (id) ON DELETE SET NULL" in sql


STATUS_TRIGGER_DB = """
CREATE FUNCTION public.check_status() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN IF NEW.status = 'bad' THEN RAISE 'bad status'; END IF; RETURN NEW; END$$;
CREATE FUNCTION public.touch_row() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
CREATE TABLE public.orders (id int PRIMARY KEY, status text, updated_at timestamptz);
CREATE TABLE public.invoices (id int PRIMARY KEY, status text, updated_at timestamptz);
CREATE TABLE public.tickets (id int PRIMARY KEY, status text, updated_at timestamptz);
CREATE TRIGGER orders_status BEFORE UPDATE ON public.orders
    FOR EACH ROW EXECUTE FUNCTION public.check_status();
CREATE TRIGGER invoices_status BEFORE UPDATE ON public.invoices
    FOR EACH ROW EXECUTE FUNCTION public.check_status();
CREATE TRIGGER tickets_status BEFORE UPDATE ON public.tickets
    FOR EACH ROW EXECUTE FUNCTION public.check_status();
CREATE TRIGGER set_updated_at BEFORE UPDATE ON public.tickets
    FOR EACH ROW EXECUTE FUNCTION public.touch_row();
"""
"""A status trigger on three tables, the updated_at one (touch_row, named by its trigger) on one."""


async def test_a_status_trigger_is_not_the_updated_at_function(pg18: TestServer) -> None:
    from ehgtui.checks.conventions import check_conventions

    database = pg18.create_database("ddl_mig", STATUS_TRIGGER_DB)
    catalog = await roundtrip.load(pg18, database)
    tickets = catalog.table("tickets")
    assert tickets is not None
    _, sql = new_migration("public.tickets_v2", tickets, catalog, now=TODAY)
    assert "EXECUTE FUNCTION public.touch_row();" in sql
    assert "check_status" not in sql
    missing = {
        f.table for f in check_conventions(catalog) if f.code == "missing_updated_at_trigger"
    }
    assert missing == {"public.orders", "public.invoices"}


async def test_conventions_and_new_migration_agree_on_the_demo(pg18: TestServer) -> None:
    from ehgtui.catalog.triggers import updated_at_functions
    from ehgtui.checks.conventions import check_conventions
    from ehgtui.ddl.migration import updated_at_trigger

    database = pg18.demo_database()
    catalog = await roundtrip.load(pg18, database)
    chosen = updated_at_trigger(catalog)
    assert chosen.exists
    assert chosen.function.replace('"', "") in updated_at_functions(catalog)
    missing = {
        f.table for f in check_conventions(catalog) if f.code == "missing_updated_at_trigger"
    }
    using_chosen = {
        table.qualified_name
        for table in catalog.tables
        if any(t.function == chosen.function.replace('"', "") for t in table.triggers)
    }
    assert using_chosen and not using_chosen & missing
