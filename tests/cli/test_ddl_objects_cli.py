"""`ehgtui ddl NAME` for every object kind that is not a relation, as a user runs it, against
the every-kind fixture: the text (exact where pg_dump fixes it), overload resolution, errors,
and that a function's DDL re-creates it exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_foundation_cli import run_cli
from tests.pg import TestServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_objects.sql"


@pytest.fixture(scope="module")
def fixture_dsn(pg18: TestServer) -> str:
    return pg18.dsn(pg18.create_database("ddl_objects", FIXTURE.read_text()))


def _ddl(dsn: str, *args: str) -> str:
    result = run_cli("ddl", *args, "--dsn", dsn, "--schema", "public", "--schema", "Odd Schema")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_function_by_argument_types_with_owner_comment_and_grants(fixture_dsn: str) -> None:
    text = _ddl(fixture_dsn, "area(int, int)", "--owner")
    assert text == (
        "CREATE OR REPLACE FUNCTION public.area(width integer, height integer DEFAULT 1)\n"
        " RETURNS integer\n"
        " LANGUAGE sql\n"
        " IMMUTABLE PARALLEL SAFE\n"
        "AS $function$ SELECT width * height $function$;\n\n"
        "ALTER FUNCTION public.area(width integer, height integer) OWNER TO postgres;\n\n"
        "COMMENT ON FUNCTION public.area(width integer, height integer) IS "
        "'Width times height.';\n"
    )
    assert _ddl(fixture_dsn, "public.area(side integer)").startswith(
        "CREATE OR REPLACE FUNCTION public.area(side integer)\n"
    )
    granted = _ddl(fixture_dsn, "is_staff", "--grants")
    assert granted.endswith(
        "REVOKE ALL ON FUNCTION public.is_staff() FROM PUBLIC;\n\n"
        "GRANT ALL ON FUNCTION public.is_staff() TO authenticated;\n"
    )
    assert " SET search_path TO 'public'\n" in granted


def test_overloaded_bare_name_is_one_line_listing_the_overloads(fixture_dsn: str) -> None:
    result = run_cli("ddl", "area", "--dsn", fixture_dsn)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "public.area(side integer)" in result.stderr
    assert "public.area(width integer, height integer)" in result.stderr
    missing = run_cli("ddl", "area(text)", "--dsn", fixture_dsn)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "area(text)" in missing.stderr


def test_procedure_aggregate_and_quoted_function(fixture_dsn: str) -> None:
    assert _ddl(fixture_dsn, "int_sum", "--owner") == (
        "CREATE AGGREGATE public.int_sum(integer) (\n"
        "    SFUNC = public.int_add,\n"
        "    STYPE = integer,\n"
        "    INITCOND = '0'\n"
        ");\n\n"
        "ALTER AGGREGATE public.int_sum(integer) OWNER TO postgres;\n\n"
        "COMMENT ON AGGREGATE public.int_sum(integer) IS 'A hand-made sum.';\n"
    )
    procedure = _ddl(fixture_dsn, "reset_counter(integer)", "--owner")
    assert procedure.startswith(
        "CREATE OR REPLACE PROCEDURE public.reset_counter(IN start_at integer DEFAULT 1)\n"
    )
    assert "ALTER PROCEDURE public.reset_counter(IN start_at integer) OWNER TO postgres;" in (
        procedure
    )
    quoted = _ddl(fixture_dsn, '"Odd Schema"."Odd Function"')
    assert quoted.startswith(  # argument types qualified, as pg_dump prints them
        'CREATE OR REPLACE FUNCTION "Odd Schema"."Odd Function"(a public.mood,'
        " b public.positive_int)\n RETURNS public.address\n"
    )


def test_types(fixture_dsn: str) -> None:
    assert _ddl(fixture_dsn, "mood") == (
        "CREATE TYPE public.mood AS ENUM (\n"
        "    'sad',\n    'ok',\n    'happy',\n    'Very \"happy\"'\n);\n\n"
        "COMMENT ON TYPE public.mood IS 'How it feels.';\n"
    )
    assert _ddl(fixture_dsn, "positive_int") == (
        "CREATE DOMAIN public.positive_int AS integer NOT NULL DEFAULT 1\n"
        "\tCONSTRAINT positive_int_check CHECK ((VALUE > 0))\n"
        "\tCONSTRAINT positive_int_small CHECK ((VALUE < 1000000));\n"
    )
    assert _ddl(fixture_dsn, "email", "--owner") == (
        'CREATE DOMAIN public.email AS text COLLATE pg_catalog."C"\n'
        "\tCONSTRAINT email_check CHECK ((VALUE ~ '@'::text));\n\n"
        "ALTER DOMAIN public.email\n"
        "    ADD CONSTRAINT email_not_blank CHECK ((VALUE <> ''::text)) NOT VALID;\n\n"
        "ALTER DOMAIN public.email OWNER TO postgres;\n\n"
        "COMMENT ON DOMAIN public.email IS 'An e-mail address.';\n"
    )
    assert _ddl(fixture_dsn, "address") == (
        "CREATE TYPE public.address AS (\n"
        '\tstreet text,\n\tcity text COLLATE pg_catalog."C",\n\tzip character varying(10)\n);\n'
    )
    assert _ddl(fixture_dsn, "floatrange") == (
        "CREATE TYPE public.floatrange AS RANGE (\n"
        "    subtype = double precision,\n"
        "    multirange_type_name = public.floatmultirange,\n"
        "    subtype_diff = float8mi\n);\n"
    )


def test_table_with_commented_sequences_and_keys_with_storage(fixture_dsn: str) -> None:
    """The comments of a table's serial and identity sequences, and its keys' storage
    parameters, where and as pg_dump writes them."""
    text = _ddl(fixture_dsn, "labels")
    assert (
        'ALTER SEQUENCE public.labels_position_seq OWNED BY public.labels."position";\n\n'
        "COMMENT ON SEQUENCE public.labels_id_seq IS 'Numbers the labels.';\n\n"
        "COMMENT ON SEQUENCE public.labels_position_seq IS 'Orders the labels.';\n"
    ) in text
    assert text.endswith(
        "ALTER TABLE ONLY public.labels\n"
        "    ADD CONSTRAINT labels_name_key UNIQUE (name)"
        " WITH (fillfactor='80', deduplicate_items=off);\n\n"
        "ALTER TABLE ONLY public.labels\n"
        "    ADD CONSTRAINT labels_pkey PRIMARY KEY (id) WITH (fillfactor='90');\n\n"
        "ALTER TABLE ONLY public.labels\n"
        '    ADD CONSTRAINT labels_position_key UNIQUE ("position") INCLUDE (name)'
        " WITH (fillfactor='70') DEFERRABLE INITIALLY DEFERRED;\n"
    )


def test_sequences_extension_and_publication(fixture_dsn: str) -> None:
    assert _ddl(fixture_dsn, "counter_seq", "--owner") == (
        "CREATE SEQUENCE public.counter_seq\n"
        "    AS integer\n    START WITH 4\n    INCREMENT BY -2\n    MINVALUE -1000\n"
        "    MAXVALUE 10\n    CACHE 5\n    CYCLE;\n\n"
        "ALTER SEQUENCE public.counter_seq OWNER TO postgres;\n\n"
        "COMMENT ON SEQUENCE public.counter_seq IS 'Counts down, then around.';\n"
    )
    assert _ddl(fixture_dsn, "loose_seq").endswith(
        "\n\nALTER SEQUENCE public.loose_seq OWNED BY public.tickets.loose_number;\n\n"
        "COMMENT ON SEQUENCE public.loose_seq IS 'Owned by tickets.loose_number.';\n"
    )
    assert _ddl(fixture_dsn, '"Odd Schema"."Ticket Numbers"').endswith(
        "    CACHE 1;\n\n"
        'COMMENT ON SEQUENCE "Odd Schema"."Ticket Numbers" IS \'Ticket numbers, from 1000.\';\n'
    )
    assert _ddl(fixture_dsn, "pg_trgm") == (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;\n\n"
        "COMMENT ON EXTENSION pg_trgm IS "
        "'text similarity measurement and index searching based on trigrams';\n"
    )
    assert _ddl(fixture_dsn, "supabase_realtime") == (
        "CREATE PUBLICATION supabase_realtime WITH (publish = 'insert, update');\n\n"
        "ALTER PUBLICATION supabase_realtime ADD TABLE ONLY public.events;\n\n"
        "ALTER PUBLICATION supabase_realtime ADD TABLE ONLY public.tickets (id, feeling, note)"
        " WHERE (((note IS NOT NULL) AND (id > 10)));\n"
    )
    assert _ddl(fixture_dsn, "odd_schema") == (
        "CREATE PUBLICATION odd_schema WITH (publish = 'insert, update, delete, truncate', "
        "publish_via_partition_root = true);\n\n"
        'ALTER PUBLICATION odd_schema ADD TABLES IN SCHEMA "Odd Schema";\n'
    )


def test_table_comments_on_index_trigger_and_policy(fixture_dsn: str) -> None:
    text = _ddl(fixture_dsn, "tickets")
    assert "COMMENT ON INDEX public.tickets_note_trgm IS 'Fuzzy search on notes.';" in text
    assert "COMMENT ON TRIGGER tickets_touch ON public.tickets IS 'Keeps updated_at current.';" in (
        text
    )
    assert "COMMENT ON POLICY staff_read ON public.tickets IS 'Staff read every ticket.';" in text


def test_function_ddl_recreates_it_exactly(pg18: TestServer) -> None:
    """The DDL of a function, applied after dropping it, gives back the same definition,
    comment and grants."""
    database = pg18.create_database("ddl_recreate", FIXTURE.read_text())
    pg18.psql(database, "COMMENT ON FUNCTION public.is_staff() IS 'Staff''s check.'")
    query = (
        "SELECT pg_get_functiondef(p.oid) || coalesce(obj_description(p.oid, 'pg_proc'), '')"
        " || coalesce(p.proacl::text, '') FROM pg_proc p WHERE p.proname = 'is_staff'"
    )
    before = pg18.psql(database, query)
    text = _ddl(pg18.dsn(database), "is_staff", "--owner", "--grants")
    assert "COMMENT ON FUNCTION public.is_staff() IS 'Staff''s check.';" in text
    pg18.psql(database, f"DROP FUNCTION public.is_staff() CASCADE;\n{text}")
    assert pg18.psql(database, query) == before
