"""Each kind of schema change applied to a copy of the demo database is reported exactly.

For every case: load the demo copy, round-trip it through the snapshot format (as a committed
snapshot would be), apply one change with psql, load again, and compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.diff.compare import diff_catalogs
from ehgtui.diff.model import CatalogDiff, FieldChange, ObjectChange, TableDiff
from ehgtui.diff.snapshot import dumps_snapshot, loads_snapshot
from tests.pg import TestServer


async def _load(pg: TestServer, database: str) -> Catalog:
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        return await load_catalog(pool, ("public",))
    finally:
        await pool.close()


@dataclass
class Changed:
    """A demo copy after one change, with the diff from its snapshot to it."""

    before: Catalog
    after: Catalog
    diff: CatalogDiff


@pytest.fixture(scope="module")
async def demo_snapshot(pg18: TestServer) -> Catalog:
    """The demo schema as read back from a snapshot: every demo copy is a clone of the same
    template database, OIDs included, so one snapshot serves as "before" for all of them."""
    return loads_snapshot(dumps_snapshot(await _load(pg18, pg18.demo_database())), "before")


async def _apply(pg18: TestServer, before: Catalog, sql: str) -> Changed:
    database = pg18.demo_database()
    pg18.psql(database, sql)
    after = await _load(pg18, database)
    return Changed(before, after, diff_catalogs(before, after))


def _only_table(diff: CatalogDiff) -> TableDiff:
    assert len(diff.tables) == 1, [t.qualified_name for t in diff.tables]
    return diff.tables[0]


def _only_object(diff: CatalogDiff, table: str = "public.ventures") -> ObjectChange:
    changed = _only_table(diff)
    assert (changed.qualified_name, changed.kind, changed.fields) == (table, "changed", ())
    assert len(changed.objects) == 1, changed.objects
    return changed.objects[0]


async def test_demo_equals_its_own_snapshot_even_after_data_changes(pg18: TestServer) -> None:
    database = pg18.demo_database()
    first = await _load(pg18, database)
    snapshot_text = dumps_snapshot(first)
    pg18.psql(
        database,
        "INSERT INTO organizations (name, slug) SELECT 'org ' || g, 'org-' || g"
        " FROM generate_series(1, 200) g; ANALYZE;",
    )
    second = await _load(pg18, database)
    assert second.table("organizations").row_estimate != first.table("organizations").row_estimate  # type: ignore[union-attr]
    assert dumps_snapshot(second) == snapshot_text  # deterministic, volatile fields dropped
    result = diff_catalogs(loads_snapshot(snapshot_text), second)
    assert result.is_empty and result.tables == ()
    assert result.counts() == {"added": 0, "removed": 0, "changed": 0, "renamed": 0}


# --- columns -------------------------------------------------------------------------------


async def test_added_column(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "ALTER TABLE ventures ADD COLUMN risk_level text NOT NULL DEFAULT 'low'",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "column", "risk_level", "added", summary="text NOT NULL DEFAULT 'low'::text"
    )


async def test_dropped_column(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(pg18, demo_snapshot, "ALTER TABLE ventures DROP COLUMN industry")
    assert _only_object(changed.diff) == ObjectChange(
        "column", "industry", "removed", summary="text"
    )


async def test_column_type(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "ALTER TABLE ventures ALTER COLUMN target_market TYPE varchar(200)"
    )
    assert _only_object(changed.diff) == ObjectChange(
        "column",
        "target_market",
        "changed",
        (FieldChange("data_type", "text", "character varying(200)"),),
    )


async def test_column_default(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "ALTER TABLE ventures ALTER COLUMN status SET DEFAULT 'paused'"
    )
    assert _only_object(changed.diff) == ObjectChange(
        "column", "status", "changed", (FieldChange("default", "'active'::text", "'paused'::text"),)
    )


async def test_column_nullability(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "ALTER TABLE ventures ALTER COLUMN slug DROP NOT NULL"
    )
    assert _only_object(changed.diff) == ObjectChange(
        "column", "slug", "changed", (FieldChange("not_null", True, False),)
    )


async def test_not_null_constraint_name(pg18: TestServer, demo_snapshot: Catalog) -> None:
    """PostgreSQL 18 names NOT NULL constraints: a name alone differing is a difference."""
    changed = await _apply(
        pg18,
        demo_snapshot,
        "ALTER TABLE ventures RENAME CONSTRAINT ventures_slug_not_null TO slug_required",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "column",
        "slug",
        "changed",
        (FieldChange("not_null_name", "ventures_slug_not_null", "slug_required"),),
    )


async def test_column_identity(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "ALTER TABLE github_webhook_deliveries ALTER COLUMN id SET GENERATED ALWAYS",
    )
    assert _only_object(changed.diff, "public.github_webhook_deliveries") == ObjectChange(
        "column", "id", "changed", (FieldChange("identity", "BY DEFAULT", "ALWAYS"),)
    )


async def test_column_generation_expression(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "ALTER TABLE strategic_directives_v2 ALTER COLUMN search_vector"
        " SET EXPRESSION AS (to_tsvector('simple'::regconfig, id::text))",
    )
    change = _only_object(changed.diff, "public.strategic_directives_v2")
    assert (change.object_type, change.name, change.kind) == ("column", "search_vector", "changed")
    [field] = change.fields
    assert field.field == "generated"
    assert field.after == "to_tsvector('simple'::regconfig, (id)::text)"


async def test_added_generated_column(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "ALTER TABLE ventures ADD COLUMN name_upper text GENERATED ALWAYS AS (upper(name)) STORED",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "column", "name_upper", "added", summary="text GENERATED ALWAYS AS (upper(name)) STORED"
    )


async def test_column_comment(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(pg18, demo_snapshot, "COMMENT ON COLUMN ventures.industry IS 'Sector'")
    assert _only_object(changed.diff) == ObjectChange(
        "column", "industry", "changed", (FieldChange("comment", None, "Sector"),)
    )


async def test_renamed_column(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "ALTER TABLE ventures RENAME COLUMN industry TO sector"
    )
    assert _only_object(changed.diff) == ObjectChange(
        "column", "sector", "renamed", old_name="industry"
    )


# --- constraints and indexes ---------------------------------------------------------------


async def test_added_constraint(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "ALTER TABLE ventures ADD CONSTRAINT ventures_name_len"
        " CHECK (length(name) < 500) NOT VALID",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "constraint", "ventures_name_len", "added", summary="CHECK ((length(name) < 500)) NOT VALID"
    )


async def test_dropped_constraint(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "ALTER TABLE ventures DROP CONSTRAINT ventures_status_check"
    )
    change = _only_object(changed.diff)
    assert (change.object_type, change.name, change.kind) == (
        "constraint",
        "ventures_status_check",
        "removed",
    )
    assert change.summary is not None and change.summary.startswith("CHECK ((status = ANY")


async def test_changed_constraint(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "ALTER TABLE ventures DROP CONSTRAINT ventures_stage_number_check;"
        "ALTER TABLE ventures ADD CONSTRAINT ventures_stage_number_check"
        " CHECK (current_stage_number BETWEEN 1 AND 50)",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "constraint",
        "ventures_stage_number_check",
        "changed",
        (
            FieldChange(
                "definition",
                "CHECK (((current_stage_number >= 1) AND (current_stage_number <= 40)))",
                "CHECK (((current_stage_number >= 1) AND (current_stage_number <= 50)))",
            ),
        ),
    )


async def test_added_index(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "CREATE INDEX idx_ventures_industry ON ventures (industry)"
    )
    assert _only_object(changed.diff) == ObjectChange(
        "index",
        "idx_ventures_industry",
        "added",
        summary="CREATE INDEX idx_ventures_industry ON public.ventures USING btree (industry)",
    )


async def test_dropped_index(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(pg18, demo_snapshot, "DROP INDEX idx_ventures_status")
    assert _only_object(changed.diff) == ObjectChange(
        "index",
        "idx_ventures_status",
        "removed",
        summary="CREATE INDEX idx_ventures_status ON public.ventures USING btree (status)",
    )


# --- policies, triggers, RLS, comments -----------------------------------------------------


async def test_added_policy(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "CREATE POLICY anon_read_demo ON ventures FOR SELECT TO anon USING (is_demo)",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "policy", "anon_read_demo", "added", summary="PERMISSIVE SELECT TO anon USING (is_demo)"
    )


async def test_dropped_policy(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(pg18, demo_snapshot, "DROP POLICY service_role_all ON ventures")
    assert _only_object(changed.diff) == ObjectChange(
        "policy",
        "service_role_all",
        "removed",
        summary="PERMISSIVE ALL TO service_role USING (true) WITH CHECK (true)",
    )


async def test_policy_expression(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "ALTER POLICY service_role_all ON ventures USING (is_demo)"
    )
    assert _only_object(changed.diff) == ObjectChange(
        "policy", "service_role_all", "changed", (FieldChange("using", "true", "is_demo"),)
    )


async def test_policy_roles(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "ALTER POLICY service_role_all ON ventures TO service_role, authenticated",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "policy",
        "service_role_all",
        "changed",
        (FieldChange("roles", ("service_role",), ("service_role", "authenticated")),),
    )


async def test_policy_command_and_restrictive(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "DROP POLICY service_role_all ON ventures;"
        "CREATE POLICY service_role_all ON ventures AS RESTRICTIVE FOR UPDATE TO service_role"
        " USING (true) WITH CHECK (true)",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "policy",
        "service_role_all",
        "changed",
        (FieldChange("command", "ALL", "UPDATE"), FieldChange("permissive", True, False)),
    )


async def test_added_trigger(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "CREATE TRIGGER ventures_touch_insert BEFORE INSERT ON ventures"
        " FOR EACH ROW EXECUTE FUNCTION trigger_set_updated_at()",
    )
    assert _only_object(changed.diff) == ObjectChange(
        "trigger",
        "ventures_touch_insert",
        "added",
        summary="CREATE TRIGGER ventures_touch_insert BEFORE INSERT ON public.ventures"
        " FOR EACH ROW EXECUTE FUNCTION public.trigger_set_updated_at() [ENABLED]",
    )


async def test_disabled_trigger(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "ALTER TABLE ventures DISABLE TRIGGER trigger_ventures_updated_at"
    )
    assert _only_object(changed.diff) == ObjectChange(
        "trigger",
        "trigger_ventures_updated_at",
        "changed",
        (FieldChange("enabled", "ENABLED", "DISABLED"),),
    )


async def test_dropped_trigger(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "DROP TRIGGER trigger_ventures_updated_at ON ventures"
    )
    change = _only_object(changed.diff)
    assert (change.object_type, change.name, change.kind) == (
        "trigger",
        "trigger_ventures_updated_at",
        "removed",
    )


@pytest.mark.parametrize(
    ("sql", "field"),
    [
        (
            "ALTER TABLE ventures DISABLE ROW LEVEL SECURITY",
            FieldChange("rls_enabled", True, False),
        ),
        ("ALTER TABLE ventures FORCE ROW LEVEL SECURITY", FieldChange("rls_forced", False, True)),
        (
            "COMMENT ON TABLE ventures IS 'The portfolio'",
            FieldChange(
                "comment",
                "The venture portfolio: one row per venture in the 40-stage workflow.",
                "The portfolio",
            ),
        ),
    ],
    ids=["rls_disabled", "rls_forced", "table_comment"],
)
async def test_table_level_change(
    pg18: TestServer, demo_snapshot: Catalog, sql: str, field: FieldChange
) -> None:
    changed = await _apply(pg18, demo_snapshot, sql)
    table = _only_table(changed.diff)
    assert (table.qualified_name, table.kind, table.objects) == ("public.ventures", "changed", ())
    assert table.fields == (field,)
    assert table.domain == "Ventures"


# --- whole tables --------------------------------------------------------------------------


async def test_added_table_with_domain(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(
        pg18, demo_snapshot, "CREATE TABLE venture_forecasts (id uuid PRIMARY KEY, note text)"
    )
    assert _only_table(changed.diff) == TableDiff(
        "public", "venture_forecasts", "added", "table", "Ventures"
    )
    assert changed.diff.by_domain() == {"Ventures": changed.diff.tables}


async def test_dropped_table(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(pg18, demo_snapshot, "DROP TABLE eva_retries")
    assert _only_table(changed.diff) == TableDiff(
        "public", "eva_retries", "removed", "table", "eva_*"
    )


async def test_renamed_table_keeps_its_oid(pg18: TestServer, demo_snapshot: Catalog) -> None:
    changed = await _apply(pg18, demo_snapshot, "ALTER TABLE eva_retries RENAME TO eva_retry_log")
    table = _only_table(changed.diff)
    assert (table.qualified_name, table.kind, table.old_name) == (
        "public.eva_retry_log",
        "renamed",
        "public.eva_retries",
    )
    # its indexes and triggers name the table, but a rename alone changes none of them
    assert table.fields == () and table.objects == ()
    assert changed.diff.table("public.eva_retries") is table


async def test_dropped_and_recreated_under_a_new_name_is_not_a_rename(
    pg18: TestServer, demo_snapshot: Catalog
) -> None:
    changed = await _apply(
        pg18,
        demo_snapshot,
        "DROP TABLE eva_retries; CREATE TABLE eva_retry_log (id uuid PRIMARY KEY)",
    )
    assert [(t.qualified_name, t.kind) for t in changed.diff.tables] == [
        ("public.eva_retries", "removed"),
        ("public.eva_retry_log", "added"),
    ]
