"""Finding an object by the name a user types: overloads told apart by input argument types,
with aliases, OUT arguments, quoted names and schema prefixes (no server needed)."""

from __future__ import annotations

import pytest

from ehgtui.catalog.lookup import AmbiguousFunction, ObjectNotFound, find_object, schema_of
from ehgtui.catalog.model import Catalog, Function, ServerInfo

SERVER = ServerInfo("18.1", 180001, "db", "postgres", False)


def _function(name: str, identity: str, schema: str = "public", kind: str = "function") -> Function:
    return Function(
        oid=hash((schema, name, identity)) & 0xFFFF,
        schema=schema,
        name=name,
        kind=kind,
        identity_arguments=identity,
        arguments=identity,
        result="integer",
        language="sql",
        volatility="VOLATILE",
        strict=False,
        security_definer=False,
        leakproof=False,
        parallel="UNSAFE",
        config=(),
        owner="postgres",
        acl=(),
        comment=None,
        definition="",
    )


CATALOG = Catalog(
    server=SERVER,
    schemas=("public", "Odd Schema"),
    tables=(),
    functions=(
        _function("f", "a integer"),
        _function("f", "a character varying, b timestamp with time zone"),
        _function("f", "double precision"),
        _function("f", 'VARIADIC "Odd Arg" text[]'),
        _function("f", "mood, OUT total bigint"),
        _function("only", "x integer"),
        _function("Odd Function", "a integer", schema="Odd Schema"),
        _function("pct", "double precision ORDER BY value anyelement", kind="aggregate"),
    ),
)


@pytest.mark.parametrize(
    ("typed", "identity"),
    [
        ("f(int)", "a integer"),
        ("f(INT4)", "a integer"),
        ("public.f(integer)", "a integer"),
        ("f(varchar, timestamptz)", "a character varying, b timestamp with time zone"),
        ("f( character varying ,timestamp with time zone )", "a character varying, b timestamp "),
        ("f(float8)", "double precision"),
        ("f(double precision)", "double precision"),
        ("f(text[])", 'VARIADIC "Odd Arg" text[]'),
        ("f(public.mood)", "mood, OUT total bigint"),
        ("f(mood)", "mood, OUT total bigint"),
        ("only", "x integer"),
        ('"Odd Schema"."Odd Function"', "a integer"),
        ('"Odd Function"(int)', "a integer"),
        ("pct(double precision, anyelement)", "double precision ORDER BY value anyelement"),
    ],
)
def test_function_found_by_what_a_user_types(typed: str, identity: str) -> None:
    found = find_object(CATALOG, typed)
    assert isinstance(found, Function)
    assert found.identity_arguments.startswith(identity)


def test_overloaded_name_and_unknown_signature() -> None:
    with pytest.raises(AmbiguousFunction, match=r"'f' is overloaded: public\.f\(a integer\), "):
        find_object(CATALOG, "f")
    with pytest.raises(ObjectNotFound, match=r"named 'f\(bigint\)'"):
        find_object(CATALOG, "f(bigint)")
    with pytest.raises(ObjectNotFound, match="named 'nothing' in schema"):
        find_object(CATALOG, "nothing")


def test_schema_of_a_typed_name() -> None:
    assert schema_of("auth.uid()") == "auth"
    assert schema_of('"Odd Schema"."Odd Function"(a.b)') == "Odd Schema"
    assert schema_of("area(public.mood)") is None
    assert schema_of("tickets") is None
