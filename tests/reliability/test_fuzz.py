"""Fuzzing: awkward names and types through load, `describe --json`, DDL round trip and docs.

Hypothesis draws a table, its columns and their types (base types, arrays, enums with odd
labels, arrays of enums, domains with checks, arrays of domains), all with names made of
quotes, spaces, Unicode, reserved words or exactly 63 bytes. Each example is created on the
real server, loaded the way the app loads it, described by the CLI, turned into DDL that is
applied to a fresh database and loaded again (the two models must be equal), and rendered
as docs.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.catalog.domains import classify
from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog, Table
from ehgtui.catalog.serialize import to_data
from ehgtui.cli.main import cli
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.ddl import table_ddl
from ehgtui.docs.render import page_name, render_docs
from tests.pg import TestServer

NAME_MAX_BYTES = 63

RESERVED = ["select", "user", "table", "order", "group", "Default", "END", "check", "from"]
PIECES = ["é", "日本", "🙂", '"', " ", "a", "Z", "$", "0", "ß", "\\", "'", "-", "."]


def _exactly_63(parts: list[str]) -> str:
    text = "".join(parts).encode()[:NAME_MAX_BYTES].decode("utf-8", "ignore")
    return text + "x" * (NAME_MAX_BYTES - len(text.encode()))


names = st.one_of(
    st.sampled_from(RESERVED),
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Co", "Cn"), blacklist_characters="\x00"
        ),
        min_size=1,
        max_size=10,
    ),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map(_exactly_63),
).filter(lambda n: 0 < len(n.encode()) <= NAME_MAX_BYTES and n.strip() == n and n != "")
"""One identifier PostgreSQL stores as written (no truncation)."""

BASE_TYPES = [
    "integer",
    "text",
    "character varying(40)",
    "numeric(10,2)",
    "timestamp with time zone",
    "jsonb",
    "uuid",
    "bytea",
    "double precision",
    "boolean",
    "integer[]",
    "text[]",
]


def q(name: str) -> str:
    """Always-quoted identifier, independent of the quoting under test."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Example:
    """One drawn schema: an enum, a domain and a table using them."""

    table: str
    enum: str
    labels: tuple[str, ...]
    domain: str
    columns: tuple[tuple[str, str], ...]
    """(name, type SQL) pairs."""

    def prerequisites(self) -> str:
        labels = ", ".join(lit(label) for label in self.labels)
        return (
            f"CREATE TYPE public.{q(self.enum)} AS ENUM ({labels});\n"
            f"CREATE DOMAIN public.{q(self.domain)} AS text "
            f"CONSTRAINT {q(self.domain[:20] + '_chk')} CHECK (VALUE <> '');\n"
        )

    def table_sql(self) -> str:
        cols = ",\n    ".join(f"{q(name)} {type_sql}" for name, type_sql in self.columns)
        return f"CREATE TABLE public.{q(self.table)} (\n    {cols}\n);\n"


@st.composite
def examples(draw: st.DrawFn) -> Example:
    enum = draw(names)
    domain = draw(names.filter(lambda n: n != enum))
    labels = tuple(
        draw(
            st.lists(
                st.text(min_size=1, max_size=8).filter(lambda s: "\x00" not in s),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
    )
    kinds = [
        *BASE_TYPES,
        f"public.{q(enum)}",
        f"public.{q(enum)}[]",
        f"public.{q(domain)}",
        f"public.{q(domain)}[]",
    ]
    column_names = draw(st.lists(names, min_size=1, max_size=5, unique_by=str.casefold))
    columns = tuple((name, draw(st.sampled_from(kinds))) for name in column_names)
    table = draw(names.filter(lambda n: n not in (enum, domain)))
    return Example(table, enum, labels, domain, columns)


async def _load(server: TestServer, database: str) -> Catalog:
    pool = await create_pool(ConnectionTarget(server.dsn(database), "test"))
    try:
        return await load_catalog(pool, ("public",))
    finally:
        await pool.close()


def _only_table(catalog: Catalog, name: str) -> Table:
    found = [t for t in catalog.tables if t.name == name]
    assert len(found) == 1, [t.name for t in catalog.tables]
    return found[0]


def _comparable(table: Table) -> dict[str, object]:
    data = to_data(table)
    for volatile in ("size_bytes", "row_estimate", "oid"):
        data.pop(volatile, None)
    return data


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(example=examples())
def test_awkward_names_and_types_survive_every_path(pg18: TestServer, example: Example) -> None:
    source = pg18.create_database("fz", example.prerequisites() + example.table_sql())
    catalog = asyncio.run(_load(pg18, source))
    table = _only_table(catalog, example.table)

    # load: every column, in order, with the server's own type names (printed under the empty
    # search_path the loader uses, so schema-qualified as pg_dump prints them) and enum labels
    expected_types = pg18.psql(
        source,
        "SET search_path = ''; SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        f"WHERE a.attrelid = {lit('public.' + q(example.table))}::regclass "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
    ).splitlines()
    assert [c.name for c in table.columns] == [name for name, _ in example.columns]
    assert [c.data_type for c in table.columns] == expected_types
    for column, (_name, type_sql) in zip(table.columns, example.columns, strict=True):
        if q(example.enum) in type_sql:
            assert column.type_kind == "enum"
            assert set(column.enum_values) == set(example.labels)
        if q(example.domain) in type_sql:
            assert column.type_kind == "domain"

    # describe --json, as a script would call it (qualified, so dots in names are no trouble)
    result = CliRunner().invoke(
        cli,
        ["describe", f"public.{example.table}", "--json", "--dsn", pg18.dsn(source)],
        catch_exceptions=False,
    )
    if "." not in example.table:
        assert result.exit_code == 0, result.output
        described = json.loads(result.output)
        assert described["name"] == example.table
        assert [c["name"] for c in described["columns"]] == [n for n, _ in example.columns]

    # DDL round trip: the prerequisites plus ehgtui's DDL recreate an equal table
    ddl = table_ddl(table, catalog)
    copy = pg18.create_database("fzcopy", example.prerequisites() + ddl)
    reloaded = _only_table(asyncio.run(_load(pg18, copy)), example.table)
    assert _comparable(reloaded) == _comparable(table)

    # docs: the table gets its page, with a row for every column
    docs = render_docs(catalog, classify(catalog, DomainSettings()))
    page = docs[page_name(catalog, table)]
    assert page.count("\n|") >= len(example.columns)
