"""Each table's fingerprint changes after every change to what `describe T` shows of it, and
stays put after changes elsewhere (PG18 and PG15).

What `describe` shows is taken from the loader itself: a table's JSON (`describe --json`'s:
the table and the sequences it owns), statistics aside. For every statement below, any table
whose JSON changed (or that appeared, went or was renamed) must no longer be vouched for, and
every table whose JSON did not change must still be, unless the relation names moved (which
changes the domains `describe` prints).
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.catalog.serialize import to_data
from ehgtui.catalog.table_fingerprint import TableFingerprints, fetch_table_fingerprints
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from tests.cache.test_fingerprint import BASE_SQL, DATA_ONLY_CHANGES, SCHEMA_CHANGES
from tests.pg import TestServer

MORE_CHANGES = {
    "rename_referencing_table": "ALTER TABLE child RENAME TO kids",
    "rename_referenced_column": "ALTER TABLE parent RENAME COLUMN id TO parent_id",
    "rename_referencing_column": "ALTER TABLE child RENAME COLUMN parent_id TO mother_id",
    "rename_trigger_function": "ALTER FUNCTION touch() RENAME TO touched",
    "rename_identity_sequence": "ALTER SEQUENCE child_id_seq RENAME TO child_ids",
    "rename_enum_label": "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'",
    "rename_enum_type": "ALTER TYPE mood RENAME TO feeling",
    "foreign_key_to_parent_elsewhere": "CREATE TABLE other.refs (p int REFERENCES public.parent)",
    "default_from_a_sequence": "CREATE SEQUENCE parent_seq;"
    " ALTER TABLE parent ALTER COLUMN id SET DEFAULT nextval('parent_seq');"
    " ALTER SEQUENCE parent_seq RENAME TO parent_sequence",
    "view_column_renamed_below": "ALTER TABLE child RENAME COLUMN note TO memo",
}
"""Changes that alter what describe shows of a table through another object's name."""

CHANGES = SCHEMA_CHANGES | MORE_CHANGES


@pytest.fixture
def database(pg: TestServer) -> str:
    return pg.create_database("tfp", template=pg.template("fingerprint_base", BASE_SQL))


def _shown(catalog: Catalog) -> dict[str, Any]:
    """What describe --json shows of each table, statistics aside."""
    shown = {}
    for table in catalog.tables:
        data = to_data(table)
        data.pop("row_estimate")
        data.pop("size_bytes")
        data["sequences"] = to_data(catalog.sequences_by_table.get(table.qualified_name, ()))
        shown[table.qualified_name] = data
    return shown


async def _state(pg: TestServer, database: str) -> tuple[dict[str, Any], TableFingerprints]:
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        fingerprints = await fetch_table_fingerprints(pool, ["public"])
        return _shown(await load_catalog(pool, ["public"])), fingerprints
    finally:
        await pool.close()


@pytest.mark.parametrize("sql", CHANGES.values(), ids=CHANGES.keys())
async def test_a_change_to_what_describe_shows_changes_the_tables_fingerprint(
    pg: TestServer, database: str, sql: str
) -> None:
    shown, before = await _state(pg, database)
    pg.psql(database, sql, single_transaction=False)
    shown_after, after = await _state(pg, database)
    changed = {
        name
        for name in shown.keys() | shown_after.keys()
        if shown.get(name) != shown_after.get(name)
    }
    assert changed, "the statement changes what describe shows of some table"
    for name in shown.keys() | shown_after.keys():
        lookup = [name, name.split(".", 1)[1]]
        if name in changed:
            assert not after.vouches_for(before, lookup), name
        elif before.names == after.names:
            assert after.vouches_for(before, lookup), f"{name} reloads needlessly"


@pytest.mark.parametrize("sql", DATA_ONLY_CHANGES.values(), ids=DATA_ONLY_CHANGES.keys())
async def test_data_statistics_and_other_schemas_leave_every_table_warm(
    pg: TestServer, database: str, sql: str
) -> None:
    shown, before = await _state(pg, database)
    pg.psql(database, sql, single_transaction=False)
    _shown_after, after = await _state(pg, database)
    for name in shown:
        assert after.vouches_for(before, [name]), name


async def test_a_lookups_value_equals_the_one_saved_for_every_table(
    pg: TestServer, database: str
) -> None:
    """The cache stores the all-tables query's values; a lookup asks for some tables only:
    both must give the same value for a table."""
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        every = await fetch_table_fingerprints(pool, ["public", "other"])
        names = [name for _schema, name, _value in every.tables]
        assert {"parent", "child", "child_view", "elsewhere"} <= set(names)
        for name in names:
            one = await fetch_table_fingerprints(pool, ["public", "other"], [name])
            assert one.names == every.names
            assert one.matching([name]) == every.matching([name]) != {}
        both = await fetch_table_fingerprints(pool, ["public", "other"], ["parent", "child"])
        assert both.matching(["parent", "child"]) == every.matching(["parent", "child"])
        missing = await fetch_table_fingerprints(pool, ["public"], ["no_such_table"])
        assert missing.tables == () and missing.names != every.names
    finally:
        await pool.close()


async def test_renaming_a_policys_role_or_the_owner_changes_the_fingerprint(
    pg: TestServer, database: str
) -> None:
    """Roles are the cluster's: made and dropped here under names of their own."""
    role = f"tfp_{secrets.token_hex(4)}"
    pg.psql(database, f"CREATE ROLE {role}; ALTER POLICY child_read ON child TO {role}")
    pg.psql(database, f"ALTER TABLE parent OWNER TO {role}")
    try:
        _shown, before = await _state(pg, database)
        pg.psql(database, f"ALTER ROLE {role} RENAME TO {role}_x")
        _shown, after = await _state(pg, database)
        assert not after.vouches_for(before, ["child"])
        assert not after.vouches_for(before, ["parent"])
        assert after.vouches_for(before, ["child_view"])
    finally:
        pg.psql(database, f"DROP OWNED BY {role}_x CASCADE; DROP ROLE {role}_x", check=False)
