"""Identifier quoting agrees with the server's own `quote_ident()` and keyword list."""

from __future__ import annotations

import pytest

from ehgtui.ddl import quote_ident
from ehgtui.ddl.quote import QUOTED_KEYWORDS, needs_quoting, qualified, quote_literal
from tests.pg import TestServer

SAMPLES = [
    "projects",
    "_private",
    "sd_phase_handoffs",
    "order",
    "user",
    "select",
    "Order",
    "camelCase",
    "with space",
    'say "hi"',
    "café",
    "1st",
    "a$b",
    "x1",
    "name",  # an UNRESERVED keyword: stays bare
    "text",
    "int",  # a COL_NAME keyword: quoted
    "left",  # a TYPE_FUNC_NAME keyword: quoted
    "json_table",
    "x" * 63,
    "日本",
]


def _server_list(pg: TestServer, sql: str) -> list[str]:
    return pg.psql("postgres", sql).splitlines()


def test_keyword_list_is_postgresql_18s(pg18: TestServer) -> None:
    """Every keyword PostgreSQL 18 quotes, and nothing else, is in our list."""
    server = set(_server_list(pg18, "SELECT word FROM pg_get_keywords() WHERE catcode <> 'U'"))
    assert len(server) == 164
    assert QUOTED_KEYWORDS == server


def test_older_servers_reserve_no_word_we_miss(pg: TestServer) -> None:
    server = set(_server_list(pg, "SELECT word FROM pg_get_keywords() WHERE catcode <> 'U'"))
    assert server <= QUOTED_KEYWORDS


def test_quote_ident_matches_the_server(pg: TestServer) -> None:
    """Same as the server's quote_ident(), but for words only newer servers reserve
    (`json_table` is a keyword from PostgreSQL 17): we quote those everywhere."""
    literals = ", ".join(quote_literal(s) for s in SAMPLES)
    server = _server_list(
        pg,
        f"SELECT quote_ident(s) FROM unnest(ARRAY[{literals}]) WITH ORDINALITY u(s, n) ORDER BY n",
    )
    newer = QUOTED_KEYWORDS - set(
        _server_list(pg, "SELECT word FROM pg_get_keywords() WHERE catcode <> 'U'")
    )
    expected = [
        f'"{s}"' if s in newer else quoted for s, quoted in zip(SAMPLES, server, strict=True)
    ]
    assert [quote_ident(s) for s in SAMPLES] == expected
    assert ("json_table" in newer) == (pg.major < 17)


def test_quote_ident_examples() -> None:
    assert quote_ident("projects") == "projects"
    assert quote_ident("order") == '"order"'
    assert quote_ident('say "hi"') == '"say ""hi"""'
    assert quote_ident("Order") == '"Order"'
    assert not needs_quoting("name") and needs_quoting("int")
    assert qualified("public", "Weird Table") == 'public."Weird Table"'


@pytest.mark.parametrize(
    ("text", "literal"),
    [("plain", "'plain'"), ("it's", "'it''s'"), ("back\\slash", "E'back\\\\slash'")],
)
def test_quote_literal(text: str, literal: str) -> None:
    assert quote_literal(text) == literal
