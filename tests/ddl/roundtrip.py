"""Round-trip helpers: load a catalog, copy a database's prerequisites, compare pg_dumps.

"Prerequisites" are everything `pg_dump --schema-only` holds except the relations of the
loaded schemas (roles exist cluster-wide already): schemas, types, functions, and tables of
other schemas such as `auth.users`. A few of them (a function returning a table's row type)
need a table first, so they are applied tolerantly before the DDL and once more after it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import resolve_target
from tests.pg import TestServer

TOLERANT = "\\set ON_ERROR_STOP 0\n\\set ON_ERROR_ROLLBACK on\n"
"""psql settings that skip a failing statement and go on (they precede pg_dump's \\restrict)."""

_DROPPED_PREFIXES = ("--", "SET ", "\\", "SELECT pg_catalog.set_config")
"""pg_dump lines that say nothing about the schema: comments, settings, \\restrict keys."""


async def load(
    server: TestServer, database: str, schemas: tuple[str, ...] = ("public",)
) -> Catalog:
    """Load the catalog of `database` the way the app does: DSN, pool, bulk loader."""
    pool = await create_pool(resolve_target(server.dsn(database)))
    try:
        return await load_catalog(pool, schemas)
    finally:
        await pool.close()


def pattern(schema: str, name: str | None = None) -> str:
    """A pg_dump `--table` pattern matching exactly one relation (or, without name, a schema)."""

    def quoted(part: str) -> str:
        return '"' + part.replace('"', '""') + '"'

    return f"{quoted(schema)}.{quoted(name) if name is not None else '*'}"


def normalise(dump: str) -> str:
    """A pg_dump without comments, SET lines, \\restrict keys and blank lines.

    One thing is sorted: each run of consecutive GRANT lines. pg_dump prints an ACL in the
    order its items were granted, which is not part of its meaning and not in the catalog
    (the loader sorts grants by grantee).
    """
    kept = [line for line in dump.splitlines() if line.strip()]
    kept = [line for line in kept if not line.startswith(_DROPPED_PREFIXES)]
    result: list[str] = []
    grants: list[str] = []
    for line in [*kept, ""]:
        if line.startswith("GRANT "):
            grants.append(line)
            continue
        result += sorted(grants)
        grants = []
        result.append(line)
    return "\n".join(result[:-1])


def dump(server: TestServer, database: str, *tables: tuple[str, str]) -> str:
    """`pg_dump --schema-only` of the whole database or of the given relations, normalised."""
    args = [f"--table={pattern(schema, name)}" for schema, name in tables]
    return normalise(server.pg_dump_schema(database, *args, *(["--strict-names"] if args else [])))


def prerequisites(server: TestServer, database: str, excluded: Iterable[str]) -> str:
    """`database`'s schema without the relations matching the `excluded` pg_dump patterns,
    as SQL that runs on `server`."""
    text = server.pg_dump_schema(database, *(f"--exclude-table={p}" for p in excluded))
    if server.major < 17:  # pg_dump 18 sets a parameter older servers do not know
        text = "\n".join(line for line in text.splitlines() if "transaction_timeout" not in line)
    return text


def schema_relations(schemas: Iterable[str]) -> list[str]:
    """Patterns excluding every relation (and sequence) of the schemas."""
    return [pattern(schema) for schema in schemas]


def catalog_relations(catalog: Catalog) -> list[str]:
    """Patterns excluding the catalog's relations and owned sequences, but not standalone
    sequences: `table_ddl` leaves those to the prerequisites."""
    names = [(t.schema, t.name) for t in catalog.tables]
    names += [(s.schema, s.name) for s in catalog.sequences if s.owned_by_table or s.is_identity]
    return [pattern(schema, name) for schema, name in names]


def apply_prerequisites(server: TestServer, database: str, sql: str) -> None:
    """Apply prerequisites, skipping the statements that cannot run yet (see module doc)."""
    server.psql(database, TOLERANT + sql, check=False)


def diff(expected: str, actual: str, label: str) -> str:
    """A unified diff, for assertion messages."""
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), f"source {label}", f"copy {label}", lineterm=""
    )
    return "\n".join(lines)


_ENTRY_START = re.compile(r"^--\n-- (?:Name|Data for Name): ", re.M)
"""Where pg_dump starts a TOC entry: each holds one object's statements."""


def statements(dump: str) -> list[str]:
    """A pg_dump as its TOC entries (one object's statements each), each normalised as
    `normalise` does, sorted: a multiset to compare, blind to the order pg_dump breaks ties in
    (object OIDs), which says nothing about the schema."""
    # each entry starts with the rest of its header line ("name; Type: ...; Owner: ...")
    entries = (normalise(entry.partition("\n")[2]) for entry in _ENTRY_START.split(dump))
    return sorted(entry for entry in entries if entry)


def statement_diff(expected: list[str], actual: list[str], label: str) -> str:
    """What one multiset of statements has that the other lacks, for assertion messages."""
    missing = Counter(expected) - Counter(actual)
    extra = Counter(actual) - Counter(expected)
    lines = [f"{label}: {sum(missing.values())} missing from the copy, {sum(extra.values())} extra"]
    lines += [f"- {entry}" for entry in missing.elements()]
    lines += [f"+ {entry}" for entry in extra.elements()]
    return "\n".join(lines)
