"""The catalog beyond tables: functions, types, sequences, extensions, publications, schemas,
default privileges, what uses each function and type, and the comments tables lacked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ehgtui.catalog.model import Catalog, ObjectUse
from ehgtui.catalog.serialize import catalog_from_data, to_data
from tests.ddl import roundtrip
from tests.pg import TestServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_objects.sql"
SCHEMAS = ("public", "auth", "extensions", "Odd Schema")

_LOADED: dict[str, Catalog] = {}


@pytest.fixture(scope="session")
def pg(pg_all: TestServer) -> TestServer:
    """The whole catalog is read here: on PostgreSQL 17 (the live server's) as well."""
    return pg_all


async def _catalog(pg: TestServer) -> Catalog:
    if pg.label not in _LOADED:
        database = pg.template("schema_objects", FIXTURE.read_text())
        _LOADED[pg.label] = await roundtrip.load(pg, database, SCHEMAS)
    return _LOADED[pg.label]


async def test_functions_with_flags_grants_and_users(pg: TestServer) -> None:
    catalog = await _catalog(pg)
    signatures = [f.signature for f in catalog.functions]
    # overloads apart, a range type's constructors and pg_trgm's functions left out
    assert [s for s in signatures if ".area(" in s] == [
        "public.area(side integer)",
        "public.area(width integer, height integer)",
    ]
    assert not any("floatrange(" in s or "floatmultirange(" in s for s in signatures)
    assert not any(f.schema == "extensions" for f in catalog.functions)
    by_name = {f.signature: f for f in catalog.functions}
    area = by_name["public.area(width integer, height integer)"]
    assert area.arguments == "width integer, height integer DEFAULT 1"
    assert area.comment == "Width times height."
    assert area.used_by == (ObjectUse("view", "public", "happy_tickets"),)
    assert by_name["public.area(side integer)"].strict
    assert by_name["public.area(side integer)"].parallel == "SAFE"
    assert by_name['public.Mixed Case("Some Arg" text)'].leakproof
    assert by_name["public.total(VARIADIC numbers numeric[])"].result == "numeric"
    assert by_name["public.ticket_table(how_many integer)"].result.startswith("TABLE(n integer")
    assert by_name["public.moods()"].result.startswith("SETOF ")
    procedure = by_name["public.reset_counter(IN start_at integer)"]
    assert procedure.kind == "procedure" and procedure.result is None
    assert "CREATE OR REPLACE PROCEDURE public.reset_counter" in procedure.definition
    aggregate = by_name["public.int_sum(integer)"]
    assert aggregate.kind == "aggregate"
    assert aggregate.definition == (
        "CREATE AGGREGATE public.int_sum(integer) (\n"
        "    SFUNC = public.int_add,\n    STYPE = integer,\n    INITCOND = '0'\n);"
    )
    staff = by_name["public.is_staff()"]
    assert staff.security_definer and staff.search_path == "public"
    assert staff.acl == ("postgres=X/postgres", "authenticated=X/postgres")
    assert staff.used_by == (ObjectUse("policy", "public", "tickets", "staff_read"),)
    unsafe = by_name["public.unsafe_helper()"]
    assert unsafe.security_definer and unsafe.search_path is None and unsafe.acl == ()
    assert by_name["public.touch()"].used_by == (
        ObjectUse("trigger", "public", "tickets", "tickets_touch"),
    )
    assert by_name["public.touch()"].config == ("work_mem=8MB",)
    assert by_name["public.next_ticket()"].used_by == (
        ObjectUse("default", "public", "tickets", "id"),
    )
    assert by_name["public.valid_zip(zip text)"].used_by == (
        ObjectUse("check", "public", "tickets", "tickets_zip_check"),
    )
    assert by_name["public.touch()"].definition.startswith(
        "CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\n"
    )


async def test_types_with_their_parts_and_users(pg: TestServer) -> None:
    catalog = await _catalog(pg)
    assert [(t.schema, t.name, t.kind) for t in catalog.types] == [
        ("Odd Schema", "Mood List", "domain"),
        ("public", "address", "composite"),
        ("public", "email", "domain"),
        ("public", "floatrange", "range"),
        ("public", "mood", "enum"),
        ("public", "positive_int", "domain"),
    ]
    mood = catalog.find_type("mood")
    assert mood is not None and mood.labels == ("sad", "ok", "happy", 'Very "happy"')
    assert mood.comment == "How it feels."
    assert ObjectUse("column", "public", "tickets", "feeling") in mood.used_by
    positive = catalog.find_type("public.positive_int")
    assert positive is not None
    assert (positive.base_type, positive.default, positive.not_null) == ("integer", "1", True)
    assert [c.name for c in positive.constraints] == ["positive_int_check", "positive_int_small"]
    email = catalog.find_type("email")
    assert email is not None and email.collation == 'pg_catalog."C"'
    assert [(c.name, c.validated) for c in email.constraints] == [
        ("email_check", True),
        ("email_not_blank", False),
    ]
    address = catalog.find_type("address")
    assert address is not None
    assert [(a.name, a.data_type, a.collation) for a in address.attributes] == [
        ("street", "text", None),
        ("city", "text", 'pg_catalog."C"'),
        ("zip", "character varying(10)", None),
    ]
    span = catalog.find_type("floatrange")
    assert span is not None
    assert (span.subtype, span.subtype_diff, span.multirange) == (
        "double precision",
        "float8mi",
        "public.floatmultirange",
    )


async def test_sequences_extensions_publications_schemas_defaults(pg: TestServer) -> None:
    catalog = await _catalog(pg)
    counter = catalog.find_sequence("counter_seq")
    assert counter is not None
    assert (counter.data_type, counter.increment, counter.min_value, counter.max_value) == (
        "integer",
        -2,
        -1000,
        10,
    )
    assert (counter.start, counter.cache, counter.cycle, counter.owned_by_table) == (
        4,
        5,
        True,
        None,
    )
    loose = catalog.find_sequence("loose_seq")
    assert loose is not None and loose.owned_by_table == "public.tickets"
    assert catalog.find_sequence("Odd Schema.Ticket Numbers") is not None

    (trgm,) = catalog.extensions
    assert (trgm.name, trgm.schema) == ("pg_trgm", "extensions")
    assert trgm.default_version and trgm.version

    pubs = {p.name: p for p in catalog.publications}
    realtime = pubs["supabase_realtime"]
    assert realtime.operations == ("insert", "update")
    assert [(t.name, t.columns, t.row_filter) for t in realtime.tables] == [
        ("events", (), None),
        ("tickets", ("id", "feeling", "note"), "((note IS NOT NULL) AND (id > 10))"),
    ]
    assert pubs["everything"].all_tables and pubs["everything"].comment == "All tables."
    assert pubs["odd_schema"].schemas == ("Odd Schema",) and pubs["odd_schema"].via_root
    assert catalog.publications_by_table["public.tickets"] == ("everything", "supabase_realtime")
    assert catalog.publications_by_table["Odd Schema.Odd Table"] == ("everything", "odd_schema")

    schemas = {s.name: s for s in catalog.schema_objects}
    assert schemas["Odd Schema"].comment == "A schema whose name needs quotes."
    assert "anon=U/postgres" in schemas["auth"].acl
    assert {(d.schema, d.object_type) for d in catalog.default_privileges} == {
        (None, "FUNCTIONS"),
        ("public", "TABLES"),
    }


async def test_comments_on_policies_indexes_triggers_and_partitioned_size(
    pg: TestServer,
) -> None:
    catalog = await _catalog(pg)
    tickets = catalog.table("tickets")
    assert tickets is not None
    assert {i.name: i.comment for i in tickets.indexes}["tickets_note_trgm"] == (
        "Fuzzy search on notes."
    )
    assert [t.comment for t in tickets.triggers] == ["Keeps updated_at current."]
    assert [p.comment for p in tickets.policies] == ["Staff read every ticket."]
    events = catalog.table("events")
    partition = catalog.table("events_2025")
    assert events is not None and partition is not None
    assert [t.name for t in catalog.partitions["public.events"]] == ["events_2025"]
    # relpages is -1 for a partitioned table: its size is its partitions'
    assert events.size_bytes >= partition.size_bytes > 0


async def test_every_new_object_survives_serialisation(pg: TestServer) -> None:
    catalog = await _catalog(pg)
    again = catalog_from_data(to_data(catalog))
    assert again.functions == catalog.functions
    assert again.types == catalog.types
    assert again.publications == catalog.publications
    assert again.extensions == catalog.extensions
    assert again.schema_objects == catalog.schema_objects
    assert again.default_privileges == catalog.default_privileges


@pytest.mark.parametrize("kind", ["functions", "types"])
async def test_users_are_sorted_and_unique(pg: TestServer, kind: str) -> None:
    catalog = await _catalog(pg)
    for item in getattr(catalog, kind):
        keys = [(u.kind, u.schema, u.relation, u.name or "") for u in item.used_by]
        assert keys == sorted(set(keys))
