"""Each kind of change to functions, types, sequences, extensions and publications, applied to
a copy of the every-kind fixture on each test server, is reported exactly by `diff`.

For every case: clone the fixture, run the case's setup, load (and round-trip through the
snapshot format, as a committed snapshot would be), apply the change, load again, compare.
"""

from __future__ import annotations

from pathlib import Path

from ehgtui.catalog.model import Catalog
from ehgtui.diff.compare import diff_catalogs
from ehgtui.diff.model import CatalogDiff, FieldChange, SchemaObjectDiff
from ehgtui.diff.render import render_text
from ehgtui.diff.snapshot import dumps_snapshot, loads_snapshot
from tests.ddl import roundtrip
from tests.pg import TestServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_objects.sql"
SCHEMAS = ("public", "auth", "extensions", "Odd Schema")


async def _load(pg: TestServer, database: str) -> Catalog:
    return await roundtrip.load(pg, database, SCHEMAS)


async def _diff(pg: TestServer, change: str, setup: str = "") -> CatalogDiff:
    template = pg.template("schema_objects", FIXTURE.read_text())
    database = pg.create_database("objdiff", setup or None, template=template)
    before = loads_snapshot(dumps_snapshot(await _load(pg, database)), "before")
    pg.psql(database, change)
    return diff_catalogs(before, await _load(pg, database))


def _only(diff: CatalogDiff, tables: tuple[str, ...] = ()) -> SchemaObjectDiff:
    assert tuple(t.qualified_name for t in diff.tables) == tables
    assert len(diff.objects) == 1, diff.objects
    return diff.objects[0]


def _changed(
    diff: CatalogDiff, kind: str, name: str, tables: tuple[str, ...] = ()
) -> dict[str, FieldChange]:
    change = _only(diff, tables)
    assert (change.object_kind, change.name, change.kind) == (kind, name, "changed")
    return {f.field: f for f in change.fields}


async def test_unchanged_fixture_has_no_object_differences(pg: TestServer) -> None:
    diff = await _diff(pg, "SELECT 1")
    assert diff.objects == () and diff.is_empty


async def test_function_body(pg: TestServer) -> None:
    diff = await _diff(
        pg,
        "CREATE OR REPLACE FUNCTION public.area(side integer) RETURNS integer "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT side * side * 1 $$;",
    )
    fields = _changed(diff, "function", "public.area(side integer)")
    assert set(fields) == {"body"}
    assert "side * side * 1" in fields["body"].after
    assert "side * side * 1" not in fields["body"].before
    assert "  ~ function public.area(side integer) changed" in render_text(diff)


async def test_function_signature(pg: TestServer) -> None:
    """A new default is a change of `arguments`; new argument types are another function."""
    diff = await _diff(
        pg,
        "CREATE OR REPLACE FUNCTION public.area(width integer, height integer DEFAULT 2) "
        "RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT width * height $$;"
        "DROP FUNCTION public.total(numeric[]);"
        "CREATE FUNCTION public.total(VARIADIC numbers integer[]) RETURNS bigint "
        "LANGUAGE sql IMMUTABLE AS $$ SELECT sum(n) FROM unnest(numbers) n $$;",
    )
    assert diff.tables == ()
    by_name = {o.name: o for o in diff.objects}
    area = by_name["public.area(width integer, height integer)"]
    assert area.kind == "changed"
    arguments = {f.field: f for f in area.fields}["arguments"]
    assert (arguments.before, arguments.after) == (
        "width integer, height integer DEFAULT 1",
        "width integer, height integer DEFAULT 2",
    )
    assert by_name["public.total(VARIADIC numbers numeric[])"].kind == "removed"
    added = by_name["public.total(VARIADIC numbers integer[])"]
    assert added.kind == "added" and "RETURNS bigint" in (added.summary or "")
    assert len(diff.objects) == 3


async def test_function_flags(pg: TestServer) -> None:
    diff = await _diff(pg, "ALTER FUNCTION public.moods() SECURITY DEFINER STRICT;")
    fields = _changed(diff, "function", "public.moods()")
    assert {name: (f.before, f.after) for name, f in fields.items()} == {
        "security_definer": (False, True),
        "strict": (False, True),
    }


async def test_function_config(pg: TestServer) -> None:
    diff = await _diff(pg, "ALTER FUNCTION public.unsafe_helper() SET search_path = '';")
    fields = _changed(diff, "function", "public.unsafe_helper()")
    assert set(fields) == {"config"}
    assert fields["config"].after == ('search_path=""',)
    assert 'config: added [search_path=""]' in render_text(diff)


async def test_function_grants(pg: TestServer) -> None:
    diff = await _diff(pg, "GRANT EXECUTE ON FUNCTION public.is_staff() TO anon;")
    fields = _changed(diff, "function", "public.is_staff()")
    assert set(fields) == {"acl"}
    assert [a for a in fields["acl"].after if a not in fields["acl"].before] == ["anon=X/postgres"]


async def test_enum_label_added(pg: TestServer) -> None:
    """The columns of the type see the new label too (Column.enum_values)."""
    diff = await _diff(pg, "ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'ok';")
    fields = _changed(diff, "type", "public.mood", tables=("public.tickets",))
    (column,) = diff.tables[0].objects
    assert (column.object_type, column.name) == ("column", "feeling")
    assert set(fields) == {"labels"}
    assert fields["labels"].after == ("sad", "meh", "ok", "happy", 'Very "happy"')
    assert "labels: added [meh]" in render_text(diff)


async def test_enum_labels_reordered(pg: TestServer) -> None:
    diff = await _diff(
        pg,
        "DROP TYPE public.level; CREATE TYPE public.level AS ENUM ('high', 'low');",
        setup="CREATE TYPE public.level AS ENUM ('low', 'high');",
    )
    fields = _changed(diff, "type", "public.level")
    assert (fields["labels"].before, fields["labels"].after) == (("low", "high"), ("high", "low"))
    assert "labels: reordered [low, high] -> [high, low]" in render_text(diff)


async def test_domain_constraint_added(pg: TestServer) -> None:
    diff = await _diff(
        pg, "ALTER DOMAIN public.positive_int ADD CONSTRAINT below_1000 CHECK (VALUE < 1000);"
    )
    fields = _changed(diff, "type", "public.positive_int")
    assert set(fields) == {"constraints"}
    new = set(fields["constraints"].after) - set(fields["constraints"].before)
    assert new == {"below_1000: CHECK ((VALUE < 1000))"}


async def test_sequence_parameters(pg: TestServer) -> None:
    diff = await _diff(pg, "ALTER SEQUENCE public.counter_seq INCREMENT BY 5 CACHE 7 NO CYCLE;")
    fields = _changed(diff, "sequence", "public.counter_seq")
    assert {name: f.after for name, f in fields.items()} == {
        "increment": 5,
        "cache": 7,
        "cycle": False,
    }


async def test_extension_version(pg: TestServer) -> None:
    diff = await _diff(
        pg,
        "ALTER EXTENSION citext UPDATE TO '1.5';",
        setup="CREATE EXTENSION citext WITH SCHEMA extensions VERSION '1.4';",
    )
    fields = _changed(diff, "extension", "citext")
    assert {name: (f.before, f.after) for name, f in fields.items()} == {"version": ("1.4", "1.5")}
    assert "version: 1.4 -> 1.5" in render_text(diff)


async def test_publication_membership(pg: TestServer) -> None:
    diff = await _diff(
        pg,
        "ALTER PUBLICATION supabase_realtime ADD TABLE public.notes;",
        setup="CREATE TABLE public.notes (id integer PRIMARY KEY);",
    )
    fields = _changed(diff, "publication", "supabase_realtime")
    assert set(fields) == {"tables"}
    added = [t for t in fields["tables"].after if t not in fields["tables"].before]
    assert added == ["public.notes"]
    text = render_text(diff)
    assert "  ~ publication supabase_realtime changed" in text
    assert "tables: added [public.notes]" in text
    assert text.rstrip().endswith("1 other object differs: 1 changed")


async def test_revoke_from_public_reads_as_public_losing_execute(pg: TestServer) -> None:
    """An empty ACL is the default one (PUBLIC and the owner execute): the owner-only ACL
    `REVOKE ALL ... FROM PUBLIC` leaves is PUBLIC's EXECUTE gone, not the owner's granted."""
    diff = await _diff(pg, "REVOKE ALL ON FUNCTION public.moods() FROM PUBLIC;")
    fields = _changed(diff, "function", "public.moods()")
    assert (fields["acl"].before, fields["acl"].after) == (
        ("=X/postgres", "postgres=X/postgres"),
        ("postgres=X/postgres",),
    )
    text = render_text(diff)
    assert "acl: removed [=X/postgres]" in text and "added" not in text


async def test_an_explicit_acl_equal_to_the_default_is_no_difference(pg: TestServer) -> None:
    """The same privileges spelled out (a table's owner-only ACL after `REVOKE ALL FROM
    PUBLIC`, a function's after a grant to PUBLIC) are what the default ACL grants."""
    diff = await _diff(
        pg,
        "REVOKE ALL ON TABLE public.plain FROM PUBLIC;"
        " GRANT EXECUTE ON FUNCTION public.moods() TO PUBLIC;"
        " GRANT USAGE ON TYPE public.mood TO PUBLIC;",
        setup="CREATE TABLE public.plain (id integer);",
    )
    assert diff.is_empty, (diff.tables, diff.objects)
