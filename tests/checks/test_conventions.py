"""The conventions check on hand-written tables: each required element removed in turn."""

from __future__ import annotations

import pytest

from ehgtui.checks.conventions import check_conventions
from ehgtui.checks.findings import Finding
from tests.checks.supabase_sql import STANDINS_SQL, conventional_table, load
from tests.pg import TestServer

TOUCH_SQL = """
CREATE FUNCTION touch_row() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN RETURN NEW; END $$;
"""


def _trigger(table: str, name: str, spec: str, function: str) -> str:
    return f"CREATE TRIGGER {name} {spec} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();"


FIXTURE_SQL = "\n".join(
    [
        STANDINS_SQL,
        TOUCH_SQL,
        conventional_table("good"),
        # touch_row() is recognised on named_by_trigger through its trigger's name, and then
        # on touch_elsewhere, whose trigger name says nothing
        conventional_table("named_by_trigger", trigger=False),
        _trigger("named_by_trigger", "set_updated_at", "BEFORE UPDATE", "touch_row"),
        conventional_table("touch_elsewhere", trigger=False),
        _trigger("touch_elsewhere", "trg_touch", "BEFORE UPDATE", "touch_row"),
        conventional_table("audit_only", trigger=False),
        _trigger("audit_only", "trg_audit", "BEFORE UPDATE", "audit_row"),
        conventional_table("after_trigger", trigger=False),
        _trigger("after_trigger", "set_updated_at", "AFTER UPDATE", "fn_set_updated_at"),
        conventional_table("insert_trigger", trigger=False),
        _trigger("insert_trigger", "set_updated_at", "BEFORE INSERT", "fn_set_updated_at"),
        conventional_table("disabled_trigger"),
        "ALTER TABLE disabled_trigger DISABLE TRIGGER set_updated_at;",
        conventional_table("no_trigger", trigger=False),
        "CREATE TABLE no_pk (id uuid DEFAULT gen_random_uuid(),"
        " created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now());"
        "ALTER TABLE no_pk ENABLE ROW LEVEL SECURITY;"
        "CREATE POLICY p ON no_pk FOR SELECT TO authenticated USING (true);"
        "CREATE INDEX ON no_pk(created_at);"
        "CREATE TRIGGER set_updated_at BEFORE UPDATE ON no_pk"
        " FOR EACH ROW EXECUTE FUNCTION fn_set_updated_at();",
        conventional_table("serial_pk"),
        "ALTER TABLE serial_pk DROP CONSTRAINT serial_pk_pkey;"
        " ALTER TABLE serial_pk ADD COLUMN n serial PRIMARY KEY;",
        conventional_table("pk_no_default"),
        "ALTER TABLE pk_no_default ALTER COLUMN id DROP DEFAULT;",
        conventional_table("bad_timestamps"),
        "ALTER TABLE bad_timestamps ALTER COLUMN created_at TYPE timestamp;"
        " ALTER TABLE bad_timestamps ALTER COLUMN updated_at DROP DEFAULT;",
        conventional_table("utc_default"),
        "ALTER TABLE utc_default ALTER COLUMN created_at"
        " SET DEFAULT timezone('utc', now());"
        " ALTER TABLE utc_default ALTER COLUMN updated_at SET DEFAULT CURRENT_TIMESTAMP;",
        "CREATE TABLE no_timestamps (id uuid PRIMARY KEY DEFAULT gen_random_uuid());"
        "ALTER TABLE no_timestamps ENABLE ROW LEVEL SECURITY;"
        "CREATE POLICY p ON no_timestamps FOR SELECT TO authenticated USING (true);",
        conventional_table("rls_off", rls=False),
        conventional_table("no_policies", policies=""),
        conventional_table("no_created_index", created_at_index=False),
        conventional_table("created_second", created_at_index=False, extra_columns="n int,"),
        "CREATE INDEX ON created_second(n, created_at);",
        conventional_table("fk_bare", extra_columns="good_id uuid REFERENCES good(id),"),
        conventional_table(
            "fk_covered",
            extra_columns="good_id uuid REFERENCES good(id), a int, b int,"
            " FOREIGN KEY (a, b) REFERENCES pair(a, b),",
        ).replace(
            "CREATE TABLE fk_covered",
            "CREATE TABLE pair (a int, b int, PRIMARY KEY (a, b)); CREATE TABLE fk_covered",
        ),
        "CREATE INDEX ON fk_covered(good_id, created_at); CREATE INDEX ON fk_covered(b, a, id);",
        "ALTER TABLE pair ENABLE ROW LEVEL SECURITY;",
        conventional_table("fk_second", extra_columns="good_id uuid REFERENCES good(id),"),
        "CREATE INDEX ON fk_second(created_at, good_id);",
        conventional_table("dup_index"),
        "CREATE INDEX dup_a ON dup_index(created_at);",
        conventional_table("not_dup", extra_columns="n int,"),
        "CREATE UNIQUE INDEX nd_u ON not_dup(n); CREATE INDEX nd_i ON not_dup(n);"
        " CREATE INDEX nd_p ON not_dup(n) WHERE n > 0; CREATE INDEX nd_h ON not_dup USING hash(n);",
        "CREATE VIEW some_view AS SELECT 1 AS x;",
    ]
)

EXPECTED: dict[str, set[str]] = {
    "good": set(),
    "named_by_trigger": set(),
    "touch_elsewhere": set(),
    "audit_only": {"missing_updated_at_trigger"},
    "after_trigger": {"missing_updated_at_trigger"},
    "insert_trigger": {"missing_updated_at_trigger"},
    "disabled_trigger": {"missing_updated_at_trigger"},
    "no_trigger": {"missing_updated_at_trigger"},
    "no_pk": {"no_primary_key"},
    "serial_pk": {"non_uuid_primary_key"},
    "pk_no_default": {"primary_key_without_default"},
    "bad_timestamps": {"timestamp_type", "timestamp_default"},
    "utc_default": set(),
    "no_timestamps": {"missing_timestamp"},
    "rls_off": {"rls_not_enabled"},
    "no_policies": {"no_policy"},
    "no_created_index": {"missing_created_at_index"},
    "created_second": {"missing_created_at_index"},
    "fk_bare": {"unindexed_foreign_keys"},
    "pair": {"non_uuid_primary_key", "missing_timestamp", "no_policy"},
    "fk_covered": set(),
    "fk_second": {"unindexed_foreign_keys"},
    "dup_index": {"duplicate_index"},
    "not_dup": set(),
}
"""Per fixture table, the codes the conventions check must report (and nothing else)."""


@pytest.fixture(scope="module")
async def findings(pg: TestServer) -> list[Finding]:
    catalog = await load(pg, pg.create_database("conv", FIXTURE_SQL))
    return check_conventions(catalog)


def _by_table(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {name: [] for name in EXPECTED}
    for finding in findings:
        grouped[finding.table.removeprefix("public.")].append(finding)
    return grouped


async def test_each_table_gets_exactly_its_codes(findings: list[Finding]) -> None:
    got = {table: {f.code for f in fs} for table, fs in _by_table(findings).items()}
    assert got == EXPECTED
    assert {f.check for f in findings} == {"conventions"}


async def test_messages_and_levels(findings: list[Finding]) -> None:
    by_table = _by_table(findings)
    assert [f.message for f in by_table["no_timestamps"]] == [
        "no created_at column",
        "no updated_at column",
    ]
    assert sorted(f.message for f in by_table["bad_timestamps"]) == [
        "created_at is timestamp without time zone, not timestamptz",
        "updated_at defaults to none, not now()",
    ]
    assert by_table["serial_pk"][0].message == (
        "primary key (n integer) is not a single uuid column"
    )
    dup = by_table["dup_index"][0]
    assert (dup.level, dup.source) == ("warning", "splinter:0009_duplicate_index")
    assert dup.message == "indexes dup_a, idx_dup_index_created have the same definition: keep one"
    fk = by_table["fk_bare"][0]
    assert (fk.level, fk.source) == ("info", "splinter:0001_unindexed_foreign_keys")
    assert "fk_bare_good_id_fkey (good_id) -> public.good" in fk.message
    assert by_table["rls_off"][0].level == "error"
    levels = {f.code: f.level for f in findings}
    assert {c for c, lvl in levels.items() if lvl == "error"} == {"rls_not_enabled"}
