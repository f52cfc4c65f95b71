"""On the demo schema, the checks find exactly the planted defects: no more, no fewer."""

from __future__ import annotations

import pytest

from ehgtui.checks.conventions import check_conventions
from ehgtui.checks.findings import Finding
from ehgtui.checks.rls import check_rls
from ehgtui.checks.security import check_security
from ehgtui.demo.schema import OBJECT_DEFECT_KINDS, PLANTED_DEFECTS, PLANTED_OBJECT_DEFECTS
from tests.checks.supabase_sql import load
from tests.pg import TestServer

CODE_TO_DEFECT_KIND: dict[str, str] = {
    "rls_disabled_in_public": "rls_disabled",
    "rls_not_enabled": "rls_disabled",
    "policy_exists_rls_disabled": "policies_but_rls_disabled",
    "rls_enabled_no_policy": "rls_enabled_no_policy",
    "no_policy": "rls_enabled_no_policy",
    "no_service_role_policy": "no_service_role_policy",
    "multiple_permissive_policies": "multiple_permissive",
    "rls_policy_always_true": "write_policy_true",
    "auth_rls_initplan": "auth_call_per_row",
    "unindexed_foreign_keys": "fk_without_index",
    "no_primary_key": "no_primary_key",
    "duplicate_index": "duplicate_index",
    "missing_created_at_index": "missing_created_at_index",
    "missing_updated_at_trigger": "missing_updated_at_trigger",
    "non_uuid_primary_key": "non_uuid_pk",
    "rls_references_user_metadata": "rls_references_user_metadata",
    "unsupported_reg_types": "unsupported_reg_types",
    "fkey_to_auth_unique": "fkey_to_auth_unique",
}
"""Each finding code and the demo defect kind (`DEFECT_KINDS`) it detects.

Codes absent here (`primary_key_without_default`, `missing_timestamp`, `timestamp_type`,
`timestamp_default`) have no planted defect: the demo must give none of them.
"""


@pytest.fixture(scope="module")
async def demo_findings(pg: TestServer) -> list[Finding]:
    catalog = await load(pg, pg.demo_database())
    return check_rls(catalog) + check_conventions(catalog) + check_security(catalog)


def _table_findings(findings: list[Finding]) -> list[Finding]:
    """Findings of the table defect kinds (`PLANTED_DEFECTS`); the rest are object defects."""
    return [f for f in findings if f.code not in OBJECT_DEFECT_KINDS]


async def test_findings_equal_the_planted_defects(demo_findings: list[Finding]) -> None:
    table_findings = _table_findings(demo_findings)
    unmapped = [f for f in table_findings if f.code not in CODE_TO_DEFECT_KIND]
    assert unmapped == []
    assert {f.object_kind for f in table_findings} == {"table"}
    found = {(f.table, CODE_TO_DEFECT_KIND[f.code]) for f in table_findings}
    planted = {(f"public.{d.table}", d.kind) for d in PLANTED_DEFECTS}
    assert found - planted == set(), "flagged but not planted"
    assert planted - found == set(), "planted but not flagged"


async def test_new_lints_find_exactly_the_planted_object_defects(
    demo_findings: list[Finding],
) -> None:
    """Splinter's lints of views, functions and extensions: each planted defect, no other."""
    found = {
        (f.object_kind, f.table, f.code) for f in demo_findings if f.code in OBJECT_DEFECT_KINDS
    }
    planted = {(d.object_kind, d.name, d.kind) for d in PLANTED_OBJECT_DEFECTS}
    assert found - planted == set(), "flagged but not planted"
    assert planted - found == set(), "planted but not flagged"
    sources = {f.code: f.source for f in demo_findings if f.check == "security"}
    assert sources["function_search_path_mutable"] == "splinter:0011_function_search_path_mutable"
    assert sources["extension_in_public"] == "splinter:0014_extension_in_public"
    levels = {f.code: f.level for f in demo_findings}
    assert levels["security_definer_view"] == "error"
    assert levels["anon_security_definer_function_executable"] == "warning"
    assert levels["rls_references_user_metadata"] == "error"
    assert all(f.categories == ("SECURITY",) for f in demo_findings if f.check == "security")


async def test_each_check_finds_its_share(demo_findings: list[Finding]) -> None:
    rls_kinds = {
        "rls_disabled",
        "policies_but_rls_disabled",
        "rls_enabled_no_policy",
        "no_service_role_policy",
        "multiple_permissive",
        "write_policy_true",
        "auth_call_per_row",
        "rls_references_user_metadata",
    }
    rls_found = {(f.table, CODE_TO_DEFECT_KIND[f.code]) for f in demo_findings if f.check == "rls"}
    planted_rls = {(f"public.{d.table}", d.kind) for d in PLANTED_DEFECTS if d.kind in rls_kinds}
    assert rls_found == planted_rls
    errors = {(f.table, f.code) for f in demo_findings if f.level == "error"}
    assert ("public.uat_feedback_items", "rls_policy_always_true") in errors
    assert ("public.temp_import_rows", "rls_disabled_in_public") in errors
