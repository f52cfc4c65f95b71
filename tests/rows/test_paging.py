"""Keyset paging on primary keys (simple and composite), OFFSET without one, quoting, whole
values and single-cell fetches, on a small hand-made database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog, Table
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.rows.errors import QueryError
from ehgtui.rows.query import KEYSET, OFFSET, RowRequest, fetch_page, fetch_value
from ehgtui.rows.settings import RowSettings
from tests.pg import TestServer

SQL = r'''
CREATE TABLE numbers (id integer PRIMARY KEY, label text);
INSERT INTO numbers SELECT g, 'n' || g FROM generate_series(1, 25) g;
CREATE TABLE pairs (a integer, b text, note text, PRIMARY KEY (a, b));
INSERT INTO pairs SELECT g / 3, chr(97 + g % 3), 'p' || g FROM generate_series(0, 7) g;
CREATE TABLE loose (x integer, y text);
INSERT INTO loose SELECT g, 'y' || g FROM generate_series(1, 7) g;
CREATE TABLE "Mixed Case" ("select" integer PRIMARY KEY, "Odd ""Name""" text, big text);
INSERT INTO "Mixed Case" VALUES (1, 'one', repeat('x', 100000)), (2, 'two', NULL);
CREATE VIEW loose_view AS SELECT x, y FROM loose;
CREATE TABLE keywords (
    "left" integer, "between" text, "user" text, "a$b" text, "Weird""Col" text,
    PRIMARY KEY ("left", "between")
);
INSERT INTO keywords SELECT g, 'b' || g, 'u' || g, 'd' || g, 'w' || g FROM generate_series(1, 5) g;
'''

SETTINGS = RowSettings()


@pytest.fixture(scope="module")
async def small(pg: TestServer) -> AsyncIterator[tuple[asyncpg.Pool, Catalog]]:
    database = pg.create_database("rows_paging", SQL)
    opened = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    yield opened, await load_catalog(opened, ("public",))
    await opened.close()


def table(catalog: Catalog, name: str) -> Table:
    found = catalog.table(name)
    assert found is not None
    return found


async def test_keyset_pages_forward_and_back(small: tuple[asyncpg.Pool, Catalog]) -> None:
    pool, catalog = small
    numbers = table(catalog, "numbers")
    first_request = RowRequest(limit=10)
    first = await fetch_page(pool, numbers, first_request, SETTINGS)
    assert first.paging == KEYSET and first.order_by == ("id",)
    assert [r[0] for r in first.rows] == [str(i) for i in range(1, 11)]  # numeric, not text, order
    assert first.has_next and not first.has_previous
    second_request = first.next_request(first_request)
    assert second_request is not None
    second = await fetch_page(pool, numbers, second_request, SETTINGS)
    assert [r[0] for r in second.rows] == [str(i) for i in range(11, 21)]
    third_request = second.next_request(second_request)
    assert third_request is not None
    third = await fetch_page(pool, numbers, third_request, SETTINGS)
    assert [r[0] for r in third.rows] == [str(i) for i in range(21, 26)]
    assert not third.has_next and third.next_request(third_request) is None
    back_request = third.previous_request(third_request)
    assert back_request is not None
    back = await fetch_page(pool, numbers, back_request, SETTINGS)
    assert [r[0] for r in back.rows] == [str(i) for i in range(11, 21)]
    assert back.has_previous and back.has_next
    start_request = back.previous_request(back_request)
    assert start_request is not None
    start = await fetch_page(pool, numbers, start_request, SETTINGS)
    assert start.rows == first.rows and not start.has_previous


async def test_keyset_on_a_composite_key_with_a_condition(
    small: tuple[asyncpg.Pool, Catalog],
) -> None:
    pool, catalog = small
    pairs = table(catalog, "pairs")
    request = RowRequest(limit=3, where="note <> 'p4'")
    seen: list[tuple[str | None, ...]] = []
    next_request: RowRequest | None = request
    while next_request is not None:
        page = await fetch_page(pool, pairs, next_request, SETTINGS)
        seen += [r[:2] for r in page.rows]
        next_request = page.next_request(next_request)
    expected = sorted((str(g // 3), chr(97 + g % 3)) for g in range(8) if g != 4)
    assert seen == [(a, b) for a, b in sorted(expected, key=lambda p: (int(p[0]), p[1]))]


async def test_offset_paging_without_a_primary_key(small: tuple[asyncpg.Pool, Catalog]) -> None:
    pool, catalog = small
    loose = table(catalog, "loose")
    request = RowRequest(limit=3)
    page = await fetch_page(pool, loose, request, SETTINGS)
    assert page.paging == OFFSET and page.order_by == ("ctid",)
    following = page.next_request(request)
    assert following is not None and following.offset == 3
    second = await fetch_page(pool, loose, following, SETTINGS)
    assert [r[0] for r in second.rows] == ["4", "5", "6"] and second.has_previous
    assert await fetch_value(pool, loose, second.keys[0], "y", SETTINGS) == "y4"
    view = await fetch_page(pool, table(catalog, "loose_view"), RowRequest(), SETTINGS)
    assert view.paging == OFFSET and view.order_by == () and len(view.rows) == 7
    assert view.keys == (None,) * 7


async def test_quoted_identifiers_and_whole_long_values(
    small: tuple[asyncpg.Pool, Catalog],
) -> None:
    pool, catalog = small
    mixed = table(catalog, "Mixed Case")
    page = await fetch_page(pool, mixed, RowRequest(where='"select" >= 1'), SETTINGS)
    assert page.column_names == ("select", 'Odd "Name"', "big")
    assert page.rows[0][:2] == ("1", "one") and page.rows[1] == ("2", "two", None)
    assert page.rows[0][2] == "x" * 100000
    assert await fetch_value(pool, mixed, page.keys[0], "big", SETTINGS) == "x" * 100000
    with pytest.raises(QueryError, match="no column 'nope'"):
        await fetch_value(pool, mixed, page.keys[0], "nope", SETTINGS)


async def test_a_bad_condition_is_the_servers_message_in_one_line(
    small: tuple[asyncpg.Pool, Catalog],
) -> None:
    pool, catalog = small
    with pytest.raises(QueryError) as failure:
        await fetch_page(pool, table(catalog, "numbers"), RowRequest(where="nope = 1"), SETTINGS)
    assert str(failure.value) == 'column "nope" does not exist'


async def test_keyword_and_odd_column_names_through_every_row_statement(
    small: tuple[asyncpg.Pool, Catalog],
) -> None:
    """`left` and `between` are keywords quote_ident() quotes though they are not reserved."""
    pool, catalog = small
    keywords = table(catalog, "keywords")
    request = RowRequest(limit=2, where="\"user\" <> 'u3'")
    first = await fetch_page(pool, keywords, request, SETTINGS)
    assert first.paging == KEYSET and first.order_by == ("left", "between")
    assert first.column_names == ("left", "between", "user", "a$b", 'Weird"Col')
    assert first.rows == (("1", "b1", "u1", "d1", "w1"), ("2", "b2", "u2", "d2", "w2"))
    following = first.next_request(request)
    assert following is not None
    second = await fetch_page(pool, keywords, following, SETTINGS)
    assert [r[0] for r in second.rows] == ["4", "5"] and not second.has_next
    back = second.previous_request(following)
    assert back is not None
    assert (await fetch_page(pool, keywords, back, SETTINGS)).rows == first.rows
    key = second.keys[0]
    assert await fetch_value(pool, keywords, key, 'Weird"Col', SETTINGS) == "w4"
    assert await fetch_value(pool, keywords, key, "a$b", SETTINGS) == "d4"
    assert await fetch_value(pool, keywords, key, "left", SETTINGS) == "4"
