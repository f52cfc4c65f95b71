"""The whole-schema round trip: `ehgtui ddl --all` applied to an empty database holding only
the cluster's roles rebuilds the source, as `pg_dump --schema-only` sees it (owners, grants,
comments, publications and default privileges included), on every server (PostgreSQL 17 too).

Sources: the demo, and `tests/fixtures/schema_objects.sql`, which has every object kind.
The dumps are compared as multisets of normalised statements (`roundtrip.statements`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.test_foundation_cli import run_cli
from tests.ddl import roundtrip
from tests.pg import TestServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_objects.sql"


@dataclass(frozen=True)
class RoundTrip:
    """A source database, the `ddl --all` text rendered from it, and the copy it made."""

    source: str
    ddl: str
    copy: str


def _round_trip(pg: TestServer, source: str) -> RoundTrip:
    result = run_cli("ddl", "--all", "--owner", "--grants", "--dsn", pg.dsn(source), timeout=300)
    assert result.returncode == 0, result.stderr
    copy = pg.create_database("ddl_all_copy")  # from template1: nothing but what initdb made
    pg.psql(copy, result.stdout)
    return RoundTrip(source, result.stdout, copy)


_DONE: dict[tuple[str, str], RoundTrip] = {}


def _cached(pg: TestServer, name: str) -> RoundTrip:
    """One round trip per server and source for the whole module (they take seconds)."""
    key = (pg.label, name)
    if key not in _DONE:
        if name == "demo":
            source = pg.demo_database()
        else:
            source = pg.create_database("schema_objects", FIXTURE.read_text())
        _DONE[key] = _round_trip(pg, source)
    return _DONE[key]


@pytest.mark.parametrize("name", ["schema_objects", "demo"])
def test_ddl_all_rebuilds_the_whole_schema(pg_all: TestServer, name: str) -> None:
    trip = _cached(pg_all, name)
    expected = roundtrip.statements(pg_all.pg_dump_schema(trip.source))
    actual = roundtrip.statements(pg_all.pg_dump_schema(trip.copy))
    assert len(expected) > 30
    assert expected == actual, roundtrip.statement_diff(expected, actual, name)


def test_ddl_all_orders_the_kinds_as_pg_dump_does(pg_all: TestServer) -> None:
    text = _cached(pg_all, "schema_objects").ddl
    # as pg_dump: bodies unchecked, and an empty search_path, so every name must be qualified
    assert text.startswith(
        "SET check_function_bodies = false;\n\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
    )
    firsts = [
        'CREATE SCHEMA "Odd Schema";',
        "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;",
        "CREATE TYPE public.mood AS ENUM (",
        "CREATE OR REPLACE FUNCTION public.area(side integer)",
        "CREATE AGGREGATE public.int_sum(integer) (",
        "CREATE TABLE public.tickets (",
        "CREATE VIEW public.happy_tickets AS",
        "CREATE POLICY staff_read ON public.tickets",
        "CREATE PUBLICATION supabase_realtime WITH (publish = 'insert, update');",
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE ALL ON FUNCTIONS FROM PUBLIC;",
    ]
    positions = [text.index(first) for first in firsts]
    assert positions == sorted(positions)
    # a domain over an enum comes after the enum, whatever their names' order
    assert text.index("CREATE TYPE public.mood") < text.index('CREATE DOMAIN "Odd Schema"')


LATE_OBJECTS = """
CREATE TABLE public.items (id integer PRIMARY KEY, label text);
CREATE FUNCTION public.a_first_item() RETURNS public.items
    LANGUAGE sql STABLE AS $$ SELECT * FROM public.items ORDER BY id LIMIT 1 $$;
CREATE FUNCTION public.a_count_items() RETURNS bigint
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT count(*) FROM public.items;
    END;
CREATE TYPE public.nothing_yet AS ENUM ();
REVOKE ALL ON TYPE public.nothing_yet FROM PUBLIC;
CREATE VIEW public.item_summary AS
    SELECT public.a_count_items() AS n, (public.a_first_item()).label;
CREATE DOMAIN public.small_label AS text CHECK (public.a_is_short(VALUE));
CREATE FUNCTION public.a_is_short(t text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT length(t) < 10 $$;
"""
"""Objects that need what pg_dump's kind order puts after them: a function returning a table's
row type, one with a SQL-standard body that queries a table (both used by a view), a domain
whose check calls a function (with grants); and an enum without labels, no longer PUBLIC's."""


def test_ddl_all_moves_what_needs_a_later_kind(pg18: TestServer) -> None:
    # the domain is made before its function exists, so the source is built in two steps
    early, late = LATE_OBJECTS.split("CREATE DOMAIN")
    source = pg18.create_database("late_objects", early)
    domain, function = ("CREATE DOMAIN" + late).split(";\nCREATE FUNCTION")
    grant = "GRANT USAGE ON DOMAIN public.small_label TO pg_read_all_data"
    pg18.psql(source, f"CREATE FUNCTION{function}\n{domain};\n{grant};")
    trip = _round_trip(pg18, source)
    expected = roundtrip.statements(pg18.pg_dump_schema(trip.source))
    actual = roundtrip.statements(pg18.pg_dump_schema(trip.copy))
    assert expected == actual, roundtrip.statement_diff(expected, actual, "late objects")
    text = trip.ddl
    assert text.index("CREATE TABLE public.items") < text.index("FUNCTION public.a_first_item")
    assert text.index("CREATE TABLE public.items") < text.index("FUNCTION public.a_count_items")
    assert text.index("FUNCTION public.a_is_short") < text.index("CREATE DOMAIN public.small")
    assert "GRANT ALL ON TYPE public.small_label TO pg_read_all_data;" in text
    assert "CREATE TYPE public.nothing_yet AS ENUM (\n);" in text
