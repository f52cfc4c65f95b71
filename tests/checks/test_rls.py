"""The RLS check on hand-written tables, one rule at a time (positive and negative cases)."""

from __future__ import annotations

import pytest

from ehgtui.checks.findings import Finding
from ehgtui.checks.rls import check_rls
from tests.checks.supabase_sql import STANDINS_SQL, conventional_table, load
from tests.pg import TestServer

SERVICE = "CREATE POLICY svc ON {t} FOR ALL TO service_role USING (true) WITH CHECK (true);"


def _table(name: str, *policies: str, rls: bool = True, grant: bool = True) -> str:
    body = "\n".join(p.format(t=name) for p in policies)
    return conventional_table(name, rls=rls, policies=body, grant=grant)


FIXTURE_SQL = "\n".join(
    [
        STANDINS_SQL,
        conventional_table("clean_readme"),
        _table("exposed_off", rls=False),
        _table("hidden_off", rls=False, grant=False),
        _table(
            "policies_off",
            SERVICE,
            "CREATE POLICY r ON {t} FOR SELECT TO authenticated USING (true);",
            rls=False,
        ),
        _table("policies_off_hidden", SERVICE, rls=False, grant=False),
        _table("no_policy"),
        _table("no_service", "CREATE POLICY r ON {t} FOR SELECT TO authenticated USING (true);"),
        _table(
            "service_via_public",
            "CREATE POLICY r ON {t} FOR SELECT TO public USING ((select auth.role()) = 'x');",
        ),
        _table(
            "dup_select",
            SERVICE,
            "CREATE POLICY a ON {t} FOR SELECT TO authenticated USING (true);",
            "CREATE POLICY b ON {t} FOR SELECT TO authenticated USING (id IS NOT NULL);",
        ),
        _table(
            "dup_public_all",
            SERVICE,
            "CREATE POLICY mine ON {t} FOR ALL TO public USING (id = (select auth.uid()));",
            "CREATE POLICY anon_upd ON {t} FOR UPDATE TO anon USING (id IS NULL);",
        ),
        _table(
            "not_dup",
            SERVICE,
            "CREATE POLICY svc2 ON {t} FOR SELECT TO service_role USING (true);",
            "CREATE POLICY r ON {t} FOR SELECT TO authenticated USING (true);",
            "CREATE POLICY strict ON {t} AS RESTRICTIVE FOR SELECT TO authenticated"
            " USING (id IS NOT NULL);",
            "CREATE POLICY anon_r ON {t} FOR SELECT TO anon USING (true);",
            "CREATE POLICY auth_ins ON {t} FOR INSERT TO authenticated"
            " WITH CHECK (id = (select auth.uid()));",
        ),
        _table(
            "true_insert",
            SERVICE,
            "CREATE POLICY submit ON {t} FOR INSERT TO anon, authenticated WITH CHECK (true);",
        ),
        _table(
            "true_all_public",
            SERVICE,
            "CREATE POLICY open ON {t} FOR ALL TO public USING (true);",
        ),
        _table(
            "true_but_safe",
            SERVICE,
            "CREATE POLICY ro ON {t} FOR SELECT TO anon USING (true);",
            "CREATE POLICY strict ON {t} AS RESTRICTIVE FOR UPDATE TO authenticated USING (true);",
            "CREATE POLICY upd ON {t} FOR UPDATE TO authenticated"
            " USING (id = (select auth.uid())) WITH CHECK (id IS NOT NULL);",
        ),
        _table(
            "initplan_uid",
            SERVICE,
            "CREATE POLICY own ON {t} FOR UPDATE TO authenticated"
            " USING (auth.uid() = id) WITH CHECK (auth.uid() = id);",
        ),
        _table(
            "initplan_setting",
            SERVICE,
            "CREATE POLICY claims ON {t} FOR SELECT TO authenticated"
            " USING (current_setting('request.jwt.claims', true) IS NOT NULL);",
        ),
        _table(
            "initplan_wrapped",
            SERVICE,
            "CREATE POLICY own ON {t} FOR SELECT TO authenticated"
            " USING (id = (select auth.uid()) AND id IN"
            " (SELECT x.id FROM clean_readme x WHERE x.id = auth.uid())"
            " AND 'auth.uid()' <> (select current_setting('x', true)));",
        ),
    ]
)

EXPECTED: dict[str, set[str]] = {
    "clean_readme": set(),
    "exposed_off": {"rls_disabled_in_public"},
    "hidden_off": set(),
    "policies_off": {"rls_disabled_in_public", "policy_exists_rls_disabled"},
    "policies_off_hidden": {"policy_exists_rls_disabled"},
    "no_policy": {"rls_enabled_no_policy"},
    "no_service": {"no_service_role_policy"},
    "service_via_public": set(),
    "dup_select": {"multiple_permissive_policies"},
    "dup_public_all": {"multiple_permissive_policies"},
    "not_dup": set(),
    "true_insert": {"rls_policy_always_true"},
    "true_all_public": {"rls_policy_always_true"},
    "true_but_safe": set(),
    "initplan_uid": {"auth_rls_initplan"},
    "initplan_setting": {"auth_rls_initplan"},
    "initplan_wrapped": set(),
}
"""Per fixture table, the codes the RLS check must report (and nothing else)."""


@pytest.fixture(scope="module")
async def findings(pg: TestServer) -> list[Finding]:
    catalog = await load(pg, pg.create_database("rls", FIXTURE_SQL))
    return check_rls(catalog)


def _by_table(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {name: [] for name in EXPECTED}
    for finding in findings:
        grouped[finding.table.removeprefix("public.")].append(finding)
    return grouped


async def test_each_table_gets_exactly_its_codes(findings: list[Finding]) -> None:
    got = {table: {f.code for f in fs} for table, fs in _by_table(findings).items()}
    assert got == EXPECTED
    assert {f.check for f in findings} == {"rls"}


async def test_levels_and_splinter_sources(findings: list[Finding]) -> None:
    levels = {(f.code, f.level, f.source) for f in findings}
    assert levels == {
        ("rls_disabled_in_public", "error", "splinter:0013_rls_disabled_in_public"),
        ("policy_exists_rls_disabled", "error", "splinter:0007_policy_exists_rls_disabled"),
        ("rls_enabled_no_policy", "info", "splinter:0008_rls_enabled_no_policy"),
        ("no_service_role_policy", "warning", None),
        ("multiple_permissive_policies", "warning", "splinter:0006_multiple_permissive_policies"),
        ("rls_policy_always_true", "error", "splinter:0024_rls_policy_always_true"),
        ("auth_rls_initplan", "warning", "splinter:0003_auth_rls_initplan"),
    }
    assert [f.level for f in findings] == sorted(
        (f.level for f in findings), key=("error", "warning", "info").index
    )


async def test_messages_name_roles_commands_and_calls(findings: list[Finding]) -> None:
    by_table = _by_table(findings)
    dup = by_table["dup_public_all"]
    # public expands to anon and authenticated; FOR ALL to the four commands: only anon
    # UPDATE has two permissive policies
    assert [f.message for f in dup] == [
        "2 permissive policies for role anon on UPDATE: anon_upd, mine "
        "(each one runs for every row)"
    ]
    open_all = [f for f in by_table["true_all_public"] if f.code == "rls_policy_always_true"]
    assert open_all[0].message == (
        "policy 'open' lets anon, authenticated ALL any row: USING is true"
    )
    uid = by_table["initplan_uid"][0].message
    assert "auth.uid()" in uid and "(select auth.uid())" in uid
    assert "current_setting()" in by_table["initplan_setting"][0].message
    exposed = by_table["exposed_off"][0].message
    assert "INSERT, SELECT" in exposed
