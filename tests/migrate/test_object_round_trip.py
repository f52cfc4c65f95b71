"""Round trip per kind of change to the objects that are not relations (functions, enums,
domains, composite types, sequences, extensions, publications, schemas), on 15, 17 and 18.

Each change runs on a copy of the small schema plus `OBJECTS` (a few milliseconds a copy, so
the third server costs little); `diff A B --sql` applied to another copy in one transaction
must make the whole `pg_dump --schema-only` equal and the catalog diff empty. Where the
writer chooses a form (CREATE OR REPLACE, ADD VALUE, ALTER SEQUENCE ...), the test checks it
is that form, so a drop and create that happens to round-trip does not pass for it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.migrate import HazardKind, Migration, MigrationOptions, Phase, render_sql
from tests.migrate.roundtrip import ClonePool, RoundTrip, round_trip
from tests.migrate.small import SMALL_SCHEMA, drop_databases, load_small
from tests.pg import TestServer

OBJECTS = """
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN public.positive AS integer CHECK (VALUE > 0);
CREATE TYPE public.pair AS (a integer, b text);
CREATE SEQUENCE public.ticket_seq;
CREATE TYPE public.spare AS ENUM ('x');
CREATE SEQUENCE public.spare_seq;
CREATE FUNCTION public.add_one(n integer) RETURNS integer LANGUAGE sql IMMUTABLE
    AS $$ SELECT n + 1 $$;
CREATE FUNCTION public.can_touch(p_owner bigint) RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT p_owner > 0 $$;
CREATE FUNCTION public.next_code() RETURNS integer LANGUAGE sql
    AS $$ SELECT 7 $$;
CREATE FUNCTION public.secret() RETURNS text LANGUAGE sql SECURITY DEFINER
    AS $$ SELECT 'x' $$;
CREATE FUNCTION public.label_of(n integer) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT 'n' || n $$;
CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE public.moods (
    id integer PRIMARY KEY,
    mood public.mood DEFAULT 'ok',
    moods public.mood[],
    n public.positive,
    code integer DEFAULT public.next_code(),
    ticket bigint DEFAULT nextval('public.ticket_seq')
);
ALTER TABLE public.moods ENABLE ROW LEVEL SECURITY;
CREATE POLICY moods_touch ON public.moods FOR UPDATE TO authenticated
    USING (public.can_touch(id::bigint));
CREATE TRIGGER moods_touch BEFORE UPDATE ON public.moods
    FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE SEQUENCE public.owned_seq OWNED BY public.moods.n;
CREATE TRIGGER moods_stamp BEFORE INSERT ON public.moods
    FOR EACH ROW EXECUTE FUNCTION public.stamp();
CREATE VIEW public.v_labels AS SELECT id, public.label_of(id) AS label FROM public.moods;
CREATE PUBLICATION pub_items FOR TABLE public.items (id, title, qty) WHERE (qty > 0);
"""
"""Objects the changes start from, on top of the small schema."""

_names = itertools.count()


def objects_copy(pg: TestServer) -> str:
    name = f"ob_{next(_names)}"
    template = pg.template("small_objects", SMALL_SCHEMA + OBJECTS)
    pg.psql("postgres", f"CREATE DATABASE {name} TEMPLATE {template}", single_transaction=False)
    return name


@dataclass(frozen=True)
class ObjectChange:
    id: str
    sql: str
    expect: tuple[str, ...] = ()
    """Fragments the migration must hold (the form the writer chose)."""
    refuse: tuple[str, ...] = ()
    """Fragments it must not hold."""


CHANGES = (
    ObjectChange(
        "function body",
        "CREATE OR REPLACE FUNCTION public.add_one(n integer) RETURNS integer"
        " LANGUAGE sql IMMUTABLE AS $$ SELECT n + 2 $$;",
        expect=("CREATE OR REPLACE FUNCTION public.add_one",),
        refuse=("DROP FUNCTION",),
    ),
    ObjectChange(
        "function argument renamed, a policy uses it",
        "DROP POLICY moods_touch ON public.moods; DROP FUNCTION public.can_touch(bigint);"
        " CREATE FUNCTION public.can_touch(who bigint) RETURNS boolean LANGUAGE sql STABLE"
        " AS $$ SELECT who > 0 $$;"
        " CREATE POLICY moods_touch ON public.moods FOR UPDATE TO authenticated"
        " USING (public.can_touch(id::bigint));",
        expect=("DROP POLICY moods_touch", "DROP FUNCTION public.can_touch(p_owner bigint)"),
    ),
    ObjectChange(
        "function result changed, a default uses it",
        "ALTER TABLE public.moods ALTER COLUMN code DROP DEFAULT;"
        " DROP FUNCTION public.next_code(); CREATE FUNCTION public.next_code() RETURNS bigint"
        " LANGUAGE sql AS $$ SELECT 8::bigint $$;"
        " ALTER TABLE public.moods ALTER COLUMN code SET DEFAULT public.next_code();",
        expect=("DROP DEFAULT", "DROP FUNCTION public.next_code()", "RETURNS bigint"),
    ),
    ObjectChange(
        "function result changed, a view uses it",
        "DROP VIEW public.v_labels; DROP FUNCTION public.label_of(integer);"
        " CREATE FUNCTION public.label_of(n integer) RETURNS varchar LANGUAGE sql IMMUTABLE"
        " AS $$ SELECT ('n' || n)::varchar $$;"
        " CREATE VIEW public.v_labels AS SELECT id, public.label_of(id) AS label"
        " FROM public.moods;",
        expect=("DROP VIEW public.v_labels", "DROP FUNCTION public.label_of(n integer)"),
    ),
    ObjectChange(
        "trigger moved to a new function, the old one dropped",
        "CREATE FUNCTION public.stamp_v2() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN NEW.code = 1; RETURN NEW; END $$;"
        " DROP TRIGGER moods_stamp ON public.moods;"
        " CREATE TRIGGER moods_stamp BEFORE INSERT ON public.moods"
        " FOR EACH ROW EXECUTE FUNCTION public.stamp_v2();"
        " DROP FUNCTION public.stamp();",
        expect=("DROP TRIGGER moods_stamp", "DROP FUNCTION public.stamp();"),
    ),
    ObjectChange(
        "trigger function made security definer",
        "ALTER FUNCTION public.touch() SECURITY DEFINER;",
        expect=("ALTER FUNCTION public.touch() SECURITY DEFINER;",),
        refuse=("DROP TRIGGER",),
    ),
    ObjectChange(
        "function search_path set",
        "ALTER FUNCTION public.secret() SET search_path = public, pg_temp;",
        expect=("ALTER FUNCTION public.secret() SET search_path TO",),
        refuse=("CREATE OR REPLACE",),
    ),
    ObjectChange(
        "function search_path reset",
        "ALTER FUNCTION public.secret() SET search_path = ''; ",
        expect=("SET search_path TO ''",),
    ),
    ObjectChange(
        "function execute revoked from anon",
        "REVOKE EXECUTE ON FUNCTION public.secret() FROM PUBLIC;"
        " GRANT EXECUTE ON FUNCTION public.secret() TO authenticated;",
        expect=("REVOKE ALL ON FUNCTION public.secret() FROM PUBLIC;",),
    ),
    ObjectChange(
        "function execute granted to anon",
        "REVOKE EXECUTE ON FUNCTION public.secret() FROM PUBLIC;"
        " GRANT EXECUTE ON FUNCTION public.secret() TO anon;",
        expect=("GRANT ALL ON FUNCTION public.secret() TO anon;",),
    ),
    ObjectChange("function comment", "COMMENT ON FUNCTION public.add_one(integer) IS 'adds';"),
    ObjectChange(
        "new function",
        "CREATE FUNCTION public.twice(n integer) RETURNS integer LANGUAGE sql"
        " AS $$ SELECT n * 2 FROM public.tags LIMIT 1 $$;"
        " CREATE FUNCTION public.quad(n integer) RETURNS integer LANGUAGE sql"
        " BEGIN ATOMIC SELECT public.twice(public.twice(n)); END;",
        expect=("CREATE OR REPLACE FUNCTION public.twice",),
    ),
    ObjectChange(
        "new function reading a new table",
        "CREATE TABLE public.counts (n integer);"
        " CREATE FUNCTION public.count_all() RETURNS bigint LANGUAGE sql"
        " AS $$ SELECT count(*) FROM public.counts $$;",
        expect=("SET LOCAL check_function_bodies = false;",),
    ),
    ObjectChange(
        "dropped function",
        "DROP FUNCTION public.add_one(integer);",
        expect=("DROP FUNCTION public.add_one(n integer);",),
    ),
    ObjectChange(
        "enum label added after",
        "ALTER TYPE public.mood ADD VALUE 'great' AFTER 'happy';",
        expect=("ADD VALUE IF NOT EXISTS 'great' AFTER 'happy'",),
        refuse=("DROP TYPE",),
    ),
    ObjectChange(
        "enum label added before",
        "ALTER TYPE public.mood ADD VALUE 'awful' BEFORE 'sad';"
        " ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'ok';",
        expect=("ADD VALUE IF NOT EXISTS 'awful' BEFORE 'sad'", "'meh' AFTER 'sad'"),
    ),
    ObjectChange(
        "two enum labels added first",
        "ALTER TYPE public.mood ADD VALUE 'b' BEFORE 'sad';"
        " ALTER TYPE public.mood ADD VALUE 'a' BEFORE 'b';",
        expect=("'a' BEFORE 'sad'", "'b' AFTER 'a'"),
    ),
    ObjectChange(
        "enum label renamed and one added",
        "ALTER TYPE public.mood RENAME VALUE 'ok' TO 'fine';"
        " ALTER TYPE public.mood ADD VALUE 'great';",
        expect=("RENAME VALUE 'ok' TO 'fine'", "'great' AFTER 'happy'"),
        refuse=("DROP TYPE",),
    ),
    ObjectChange(
        "enum label added and used by a default",
        "ALTER TYPE public.mood ADD VALUE 'calm';",
        expect=("ADD VALUE IF NOT EXISTS 'calm'",),
    ),
    ObjectChange(
        "enum label renamed",
        "ALTER TYPE public.mood RENAME VALUE 'ok' TO 'fine';",
        expect=("RENAME VALUE 'ok' TO 'fine'",),
        refuse=("DROP TYPE",),
    ),
    ObjectChange(
        "enum label removed",
        "ALTER TABLE public.moods ALTER COLUMN mood DROP DEFAULT;"
        " ALTER TYPE public.mood RENAME TO mood_was;"
        " CREATE TYPE public.mood AS ENUM ('sad', 'happy');"
        " ALTER TABLE public.moods"
        " ALTER COLUMN mood TYPE public.mood USING mood::text::public.mood,"
        " ALTER COLUMN moods TYPE public.mood[] USING moods::text::public.mood[];"
        " ALTER TABLE public.moods ALTER COLUMN mood SET DEFAULT 'happy';"
        " DROP TYPE public.mood_was;",
        expect=("RENAME TO mood_old", "DROP TYPE public.mood_old"),
    ),
    ObjectChange("new enum", "CREATE TYPE public.size AS ENUM ('s', 'm', 'l');"),
    ObjectChange("dropped enum", "DROP TYPE public.spare;", expect=("DROP TYPE public.spare;",)),
    ObjectChange(
        "domain check added",
        "ALTER DOMAIN public.positive ADD CONSTRAINT small CHECK (VALUE < 1000);",
        expect=("ALTER DOMAIN public.positive ADD CONSTRAINT small CHECK",),
    ),
    ObjectChange(
        "domain check added not valid, default, not null",
        "ALTER DOMAIN public.positive ADD CONSTRAINT small CHECK (VALUE < 1000) NOT VALID;"
        " ALTER DOMAIN public.positive SET DEFAULT 1;"
        " ALTER DOMAIN public.positive SET NOT NULL;",
        expect=("NOT VALID", "SET DEFAULT 1", "SET NOT NULL"),
    ),
    ObjectChange(
        "domain check dropped",
        "ALTER DOMAIN public.positive DROP CONSTRAINT positive_check;",
        expect=("DROP CONSTRAINT positive_check",),
    ),
    ObjectChange(
        "new domain over a new enum",
        "CREATE TYPE public.size AS ENUM ('s', 'm');"
        " CREATE DOMAIN public.small_size AS public.size CHECK (VALUE = 's');"
        " CREATE TABLE public.shirts (id integer, size public.small_size);",
    ),
    ObjectChange(
        "composite attribute added and retyped",
        "ALTER TYPE public.pair ADD ATTRIBUTE c boolean, ALTER ATTRIBUTE b TYPE varchar(10);",
        expect=("ADD ATTRIBUTE c boolean", "ALTER ATTRIBUTE b TYPE character varying(10)"),
    ),
    ObjectChange(
        "sequence increment and cache",
        "ALTER SEQUENCE public.ticket_seq INCREMENT BY 5 CACHE 10;",
        expect=("ALTER SEQUENCE public.ticket_seq INCREMENT BY 5",),
    ),
    ObjectChange(
        "sequence type and bounds",
        "ALTER SEQUENCE public.ticket_seq AS integer MAXVALUE 5000 CYCLE;",
        expect=("AS integer",),
    ),
    ObjectChange(
        "new standalone sequence",
        "CREATE SEQUENCE public.invoice_seq START WITH 100 INCREMENT BY 10;"
        " GRANT USAGE ON SEQUENCE public.invoice_seq TO authenticated;",
        expect=("CREATE SEQUENCE public.invoice_seq",),
    ),
    ObjectChange(
        "sequence owned by a column",
        "ALTER SEQUENCE public.ticket_seq OWNED BY public.moods.ticket;",
        expect=("OWNED BY public.moods.ticket",),
    ),
    ObjectChange(
        "a sequence kept while the column owning it is dropped",
        "ALTER SEQUENCE public.owned_seq OWNED BY NONE; ALTER TABLE public.moods DROP COLUMN n;",
        expect=("ALTER SEQUENCE public.owned_seq OWNED BY NONE;",),
    ),
    ObjectChange("dropped sequence", "DROP SEQUENCE public.spare_seq;"),
    ObjectChange(
        "sequence dropped with its default",
        "ALTER TABLE public.moods ALTER COLUMN ticket DROP DEFAULT;"
        " DROP SEQUENCE public.ticket_seq;",
        expect=("DROP SEQUENCE public.ticket_seq;",),
    ),
    ObjectChange(
        "extension added in its own schema",
        "CREATE SCHEMA extensions; CREATE EXTENSION citext WITH SCHEMA extensions;",
        expect=("CREATE SCHEMA extensions;", "CREATE EXTENSION IF NOT EXISTS citext"),
    ),
    ObjectChange(
        "extension and a column of its type",
        "CREATE EXTENSION hstore WITH SCHEMA public;"
        " ALTER TABLE public.tags ADD COLUMN attrs public.hstore;",
    ),
    ObjectChange(
        "schema with a comment and a grant",
        "CREATE SCHEMA api; COMMENT ON SCHEMA api IS 'the API'; GRANT USAGE ON SCHEMA api TO anon;",
        expect=("GRANT USAGE ON SCHEMA api TO anon;",),
    ),
    ObjectChange(
        "publication table added with a column list",
        "ALTER PUBLICATION pub_items ADD TABLE public.owners (id, name);",
        expect=("ADD TABLE ONLY public.owners (id, name)",),
    ),
    ObjectChange(
        "publication row filter changed",
        "ALTER PUBLICATION pub_items SET TABLE public.items (id, title, qty) WHERE (qty > 5);",
        expect=("DROP TABLE public.items", "WHERE ((qty > 5))"),
    ),
    ObjectChange(
        "publication operations",
        "ALTER PUBLICATION pub_items SET (publish = 'insert, update');",
        expect=("publish = 'insert, update'",),
    ),
    ObjectChange(
        "new publication and a dropped one",
        "DROP PUBLICATION pub_items; CREATE PUBLICATION pub_tags FOR TABLE public.tags;",
        expect=("DROP PUBLICATION pub_items;", "CREATE PUBLICATION pub_tags"),
    ),
)


@pytest.fixture(scope="module")
def copies(pg_all: TestServer) -> Iterator[ClonePool]:
    pool = ClonePool(pg_all, make=objects_copy)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
async def before(pg_all: TestServer) -> Catalog:
    database = objects_copy(pg_all)
    try:
        return await load_small(pg_all, database)
    finally:
        drop_databases(pg_all, database)


async def _round_trip(copies: ClonePool, before: Catalog, sql: str) -> RoundTrip:
    result = await round_trip(copies, before, sql, MigrationOptions(), whole_dump=True)
    assert not result.migration.is_empty, "the change made no statement"
    assert result.residual.is_empty, (result.sql, result.residual.objects)
    assert result.dump_a == result.dump_b, result.sql
    return result


@pytest.mark.parametrize("change", CHANGES, ids=[c.id for c in CHANGES])
async def test_object_round_trip(copies: ClonePool, before: Catalog, change: ObjectChange) -> None:
    result = await _round_trip(copies, before, change.sql)
    for fragment in change.expect:
        assert fragment in result.sql, (fragment, result.sql)
    for fragment in change.refuse:
        assert fragment not in result.sql, (fragment, result.sql)


def _phase_of(migration: Migration, fragment: str) -> Phase:
    found = [s.phase for s in migration.statements if fragment in s.sql]
    assert len(found) == 1, (fragment, [s.sql for s in migration.statements])
    return found[0]


async def test_a_label_used_in_the_migration_is_added_before_it(
    copies: ClonePool, before: Catalog
) -> None:
    """The new label is the new default: it cannot be used in the transaction adding it."""
    result = await _round_trip(
        copies,
        before,
        "ALTER TYPE public.mood ADD VALUE 'calm';"
        " COMMIT; BEGIN; ALTER TABLE public.moods ALTER COLUMN mood SET DEFAULT 'calm';",
    )
    assert _phase_of(result.migration, "ADD VALUE") is Phase.BEFORE_TRANSACTION
    assert result.sql.index("ADD VALUE") < result.sql.index("BEGIN;")


async def test_an_unused_new_label_stays_in_the_transaction(
    copies: ClonePool, before: Catalog
) -> None:
    result = await _round_trip(copies, before, "ALTER TYPE public.mood ADD VALUE 'calm';")
    assert _phase_of(result.migration, "ADD VALUE") is Phase.CREATE_OBJECTS


async def test_a_removed_label_is_held_back_without_allow_data_loss(
    copies: ClonePool, before: Catalog
) -> None:
    """Without --allow-data-loss nothing of the type's re-creation runs: the file applies
    and leaves the type as it was."""
    change = next(c for c in CHANGES if c.id == "enum label removed")
    result = await _round_trip(copies, before, change.sql)
    held = [s for s in result.migration.statements if s.loses_data]
    assert any("RENAME TO mood_old" in s.sql for s in held)
    assert any("USING mood::text::" in s.sql for s in held), result.sql
    assert any(h.kind is HazardKind.DATA_LOSS for s in held for h in s.hazards)
    pg = copies.pg
    database = copies.take()
    try:
        pg.psql(database, render_sql(result.migration, "held"), single_transaction=False)
        labels = pg.psql(database, "SELECT enum_range(NULL::public.mood)::text")
        assert labels.strip() == "{sad,ok,happy}"
    finally:
        copies.give_back(database)


async def test_a_trigger_moved_to_a_new_function_goes_before_the_old_one(
    copies: ClonePool, before: Catalog
) -> None:
    change = next(c for c in CHANGES if c.id.startswith("trigger moved"))
    result = await _round_trip(copies, before, change.sql)
    sql = result.sql
    assert (
        sql.index("FUNCTION public.stamp_v2()")
        < sql.index("CREATE TRIGGER moods_stamp")
        < sql.index("DROP FUNCTION public.stamp();")
    )
    assert sql.index("DROP TRIGGER moods_stamp") < sql.index("CREATE TRIGGER moods_stamp")


async def test_new_function_is_created_before_the_table_using_it(
    copies: ClonePool, before: Catalog
) -> None:
    result = await _round_trip(
        copies,
        before,
        "CREATE FUNCTION public.three() RETURNS integer LANGUAGE sql AS $$ SELECT 3 $$;"
        " CREATE TABLE public.threes (n integer DEFAULT public.three());",
    )
    assert result.sql.index("FUNCTION public.three()") < result.sql.index("CREATE TABLE")


async def test_grant_to_anon_is_a_security_hazard(copies: ClonePool, before: Catalog) -> None:
    change = next(c for c in CHANGES if c.id == "function execute granted to anon")
    result = await _round_trip(copies, before, change.sql)
    grant = next(s for s in result.migration.statements if "TO anon" in s.sql)
    assert any(h.kind is HazardKind.SECURITY for h in grant.hazards)
