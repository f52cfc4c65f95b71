"""The RLS matrix agrees with the server's own answers: privileges, policies, visible rows."""

from __future__ import annotations

import asyncpg
import pytest

from ehgtui.catalog.model import Catalog, Policy, Privilege, Table
from ehgtui.checks.policy_expr import is_constant_true
from ehgtui.demo.schema_rows import USER_A_EMAIL, USER_A_ID
from ehgtui.rows.access import (
    COMMANDS,
    RLS_DISABLED_NOTE,
    RoleFacts,
    access_matrix,
    analyse_cell,
    format_count,
)
from ehgtui.rows.settings import RowSettings

PATTERN_TABLES = [
    "organizations",
    "product_requirements_v2",
    "ventures",
    "retrospectives",
    "compliance_policies",
]

SETTINGS = RowSettings()


@pytest.mark.parametrize("name", PATTERN_TABLES)
async def test_privilege_and_policy_cells_match_the_server(
    pool: asyncpg.Pool, catalog: Catalog, name: str
) -> None:
    table = catalog.table(name)
    assert table is not None
    matrix = await access_matrix(pool, table, SETTINGS, user=USER_A_EMAIL)
    roles = [row.role for row in matrix.rows]
    assert roles[:3] == ["anon", "authenticated", "service_role"] and "postgres" in roles
    async with pool.acquire() as conn:
        for row in matrix.rows:
            for command in COMMANDS:
                cell = row.cell(command)
                expected_privilege = await conn.fetchval(
                    "SELECT has_table_privilege($1, $2, $3)", row.role, f"public.{name}", command
                )
                assert cell.has_privilege == expected_privilege, (row.role, command)
                policies = await conn.fetch(
                    "SELECT policyname::text, permissive FROM pg_policies"
                    " WHERE schemaname = 'public' AND tablename = $1"
                    " AND cmd IN ($2, 'ALL') AND roles && ARRAY[$3, 'public']::name[]",
                    name,
                    command,
                    row.role,
                )
                permissive = sorted(p[0] for p in policies if p[1] == "PERMISSIVE")
                restrictive = sorted(p[0] for p in policies if p[1] == "RESTRICTIVE")
                assert sorted(cell.permissive) == permissive, (row.role, command)
                assert sorted(cell.restrictive) == restrictive, (row.role, command)


async def test_visible_row_counts_are_counted_under_each_role(
    pool: asyncpg.Pool, catalog: Catalog
) -> None:
    table = catalog.table("product_requirements_v2")
    assert table is not None
    matrix = await access_matrix(pool, table, SETTINGS, user=USER_A_EMAIL)
    async with pool.acquire() as conn:
        total = await conn.fetchval("SELECT count(*) FROM public.product_requirements_v2")
        owned_by_a = await conn.fetchval(
            "SELECT count(*) FROM public.product_requirements_v2 WHERE created_by = $1::uuid",
            USER_A_ID,
        )
    assert owned_by_a == 3
    select = {row.role: row.cell("SELECT") for row in matrix.rows}
    assert select["anon"].visible_rows == 0
    assert select["anon"].verdict == "no rows (no permissive policy)"
    assert select["authenticated"].visible_rows == owned_by_a
    assert matrix.row("authenticated").seen_as == (
        f"authenticated as user {USER_A_EMAIL} ({USER_A_ID})"
    )
    assert select["service_role"].visible_rows == total
    assert select["postgres"].visible_rows == total
    assert select["postgres"].verdict == "all rows (bypasses RLS: superuser)"
    assert matrix.row("postgres").is_connection_role
    assert all(row.cell(c).visible_rows is None for row in matrix.rows for c in COMMANDS[1:])


async def test_admin_only_table_is_invisible_to_a_non_admin(
    pool: asyncpg.Pool, catalog: Catalog
) -> None:
    table = catalog.table("compliance_policies")
    assert table is not None
    matrix = await access_matrix(pool, table, SETTINGS, user=USER_A_EMAIL)
    assert matrix.row("authenticated").cell("SELECT").visible_rows == 0
    assert matrix.row("anon").cell("SELECT").visible_rows == 0


async def test_table_without_rls_says_so_plainly(pool: asyncpg.Pool, catalog: Catalog) -> None:
    table = next(t for t in catalog.tables if t.kind == "table" and not t.rls_enabled)
    matrix = await access_matrix(pool, table, SETTINGS)
    assert matrix.note == RLS_DISABLED_NOTE
    for row in matrix.rows:
        for cell in row.cells:
            if cell.has_privilege:
                assert cell.verdict == "all rows (RLS disabled)" and cell.bypasses_rls


async def test_counts_are_capped_and_can_be_switched_off(
    pool: asyncpg.Pool, catalog: Catalog
) -> None:
    table = catalog.table("agent_artifacts")
    assert table is not None
    capped = await access_matrix(pool, table, RowSettings(count_cap=5))
    cell = capped.row("postgres").cell("SELECT")
    assert cell.visible_rows == 6 and format_count(cell.visible_rows, capped.count_cap) == "5+"
    assert format_count(10_001, 10_000) == "10,000+" and format_count(42, 10_000) == "42"
    off = await access_matrix(pool, table, RowSettings(enabled=False))
    assert not off.counted
    assert all(row.cell("SELECT").visible_rows is None for row in off.rows)
    assert off.row("anon").cell("SELECT").has_privilege


def _policy_table(*policies: Policy) -> Table:
    return Table(
        oid=1, schema="public", name="notes", kind="table", owner="postgres", comment=None,
        rls_enabled=True, rls_forced=False, row_estimate=0, size_bytes=0,
        persistence="permanent", replica_identity="DEFAULT", options=(), partition_key=None,
        partition_of=None, partition_bound=None, inherits=(), view_definition=None,
        policies=policies,
        privileges=tuple(Privilege("authenticated", c, False, "postgres") for c in COMMANDS),
    )  # fmt: skip


@pytest.mark.parametrize("expression", ["true", "(true)", "((true))", "1 = 1", " TRUE "])
def test_a_constant_true_policy_opens_every_row_as_check_rls_says(expression: str) -> None:
    """The matrix and `check rls` share one idea of "always true" (is_constant_true)."""
    assert is_constant_true(expression)
    table = _policy_table(Policy("open", "ALL", ("public",), True, expression, None))
    facts = RoleFacts("authenticated", exists=True)
    for command in COMMANDS:
        cell = analyse_cell(table, facts, command)
        assert (cell.permissive, cell.verdict) == (
            ("open",),
            "all rows (a policy allows every row)",
        )


def test_policies_reach_a_role_through_its_memberships_and_their_commands_only() -> None:
    table = _policy_table(
        Policy("members_read", "SELECT", ("staff",), True, "owner_id = auth.uid()", None),
        Policy("all_public", "ALL", ("public",), False, "not archived", None),
    )
    staff_member = RoleFacts("authenticated", exists=True, member_of=("staff",))
    outsider = RoleFacts("authenticated", exists=True)
    read = analyse_cell(table, staff_member, "SELECT")
    assert (read.permissive, read.restrictive) == (("members_read",), ("all_public",))
    assert read.verdict == "rows the policies allow"
    assert analyse_cell(table, staff_member, "UPDATE").permissive == ()
    assert analyse_cell(table, outsider, "SELECT").permissive == ()
    assert analyse_cell(table, outsider, "DELETE").restrictive == ("all_public",)
