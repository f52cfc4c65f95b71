"""The synthetic, deterministic EHG_Engineer-like schema of `ehgtui --demo` and the tests.

`demo_schema_sql()` returns one SQL script that builds the whole demo database in an empty
database of a fresh cluster (PostgreSQL 15 to 18 with their contrib extensions, a few
seconds to apply with `psql -v ON_ERROR_STOP=1 -1 -f`). It holds 966 tables in `public`
(the live count, with about the live schema's 13,300 columns and 3,900 indexes) with the live
prefix mix and the live shape of the tables no domain name claims (`schema_other_names`),
the README's key tables (except the five the live database lacks), the five RLS patterns,
Supabase stand-ins (roles, `auth`, `storage`, migration history), the deliberate defects of
`PLANTED_DEFECTS`, each on a few named tables only, and the functions, types, sequences,
extensions and publication of `schema_objects`, with the defects of `PLANTED_OBJECT_DEFECTS`
on a few named views, functions and extensions.

Pure Python: no I/O, no third-party imports. The pieces live in the `schema_*` modules.
"""

from __future__ import annotations

import re
from functools import cache

from ehgtui.demo.schema_data import SEED_SQL
from ehgtui.demo.schema_defects import (
    DEFECT_KINDS,
    OBJECT_DEFECT_KINDS,
    PLANTED_DEFECTS,
    PLANTED_OBJECT_DEFECTS,
    PlantedDefect,
    PlantedObjectDefect,
    apply_defects,
)
from ehgtui.demo.schema_key_tables import KEY_TABLE_NAMES, KEY_TABLE_NAMES_MISSING, key_tables
from ehgtui.demo.schema_model import TableSpec, render_all
from ehgtui.demo.schema_names import generated_table_names
from ehgtui.demo.schema_objects import (
    EXTENSIONS_SQL,
    HELPERS_SQL,
    after_grants_sql,
    apply_typed_columns,
    rpc_tables,
    rpcs_sql,
    types_sql,
)
from ehgtui.demo.schema_other_names import other_shaped_names
from ehgtui.demo.schema_rows import ROWS_SQL
from ehgtui.demo.schema_supabase import (
    AUTH_SQL,
    ENUMS_SQL,
    GRANTS_SQL,
    ROLES_SQL,
    TRIGGER_FUNCTIONS_SQL,
    migrations_sql,
    storage_tables,
)
from ehgtui.demo.schema_tables import generated_tables
from ehgtui.demo.schema_views import (
    FUNCTIONS_SQL,
    KEY_VIEWS_SQL,
    MATVIEWS_SQL,
    generated_views_sql,
)

__all__ = [
    "DEFECT_KINDS",
    "OBJECT_DEFECT_KINDS",
    "DEMO_SCHEMA_VERSION",
    "KEY_TABLES_MISSING",
    "KEY_TABLES_PRESENT",
    "PLANTED_DEFECTS",
    "PLANTED_OBJECT_DEFECTS",
    "PlantedDefect",
    "PlantedObjectDefect",
    "demo_schema_sql",
    "demo_tables",
]

DEMO_SCHEMA_VERSION = "5"
"""Cache key of the demo database: bump it whenever `demo_schema_sql()` changes."""

KEY_TABLES_PRESENT: tuple[str, ...] = KEY_TABLE_NAMES
"""The README's key tables that the demo (like the live database) has."""

KEY_TABLES_MISSING: tuple[str, ...] = KEY_TABLE_NAMES_MISSING
"""The README's key tables that the demo (like the live database) deliberately lacks."""


def _reserved() -> tuple[set[str], set[str]]:
    """The hand-written tables' names and the names never generated."""
    return {t.name for t in key_tables()}, set(KEY_TABLES_MISSING)


@cache
def _public_tables() -> tuple[TableSpec, ...]:
    keys = key_tables()
    specs = {t.name: t for t in keys + generated_tables(keys)}
    apply_defects(specs)
    apply_typed_columns(specs)
    return tuple(specs.values())


def demo_tables() -> tuple[TableSpec, ...]:
    """The specs of every table of schema public, defects planted (for tests and tools)."""
    return _public_tables()


@cache
def demo_schema_sql() -> str:
    """Return the SQL script that builds the demo database (the same text on every call).

    It contains no BEGIN/COMMIT: run it as one transaction (`psql -1`, or one simple-query
    `execute`). Roles are created only when missing, since they are cluster-wide.
    """
    public = list(_public_tables())
    added = {name for name, _ in other_shaped_names(generated_table_names(*_reserved()))}
    # views and RPCs over version 4's tables only, so that adding tables moved none of them
    generated = [t for t in public if t.name not in KEY_TABLES_PRESENT and t.name not in added]
    views = generated_views_sql(generated)
    sections = [
        "-- ehgtui demo schema, version " + DEMO_SCHEMA_VERSION,
        ROLES_SQL,
        AUTH_SQL,
        EXTENSIONS_SQL,
        ENUMS_SQL,
        types_sql(),
        TRIGGER_FUNCTIONS_SQL,
        render_all(public + storage_tables()),
        FUNCTIONS_SQL,
        KEY_VIEWS_SQL,
        views,
        SEED_SQL,
        ROWS_SQL,
        MATVIEWS_SQL,
        HELPERS_SQL,
        rpcs_sql(rpc_tables(generated)),
        migrations_sql(),
        GRANTS_SQL,
        after_grants_sql(
            re.findall(r"(?m)^CREATE VIEW public\.(\w+)", KEY_VIEWS_SQL + "\n" + views)
        ),
    ]
    return "\n\n".join(sections) + "\n"
