"""`ehgtui check rls`: row-level security lints, named and levelled as Supabase's splinter.

Rules (code, level, splinter lint when there is one):
- `rls_disabled_in_public` error (0013): RLS off on a table the API roles can reach.
- `policy_exists_rls_disabled` error (0007): policies exist, but RLS is off so none applies.
- `rls_enabled_no_policy` info (0008): RLS on and no policy: only bypassing roles see rows.
- `no_service_role_policy` warning: RLS on, policies exist, none for service_role or public.
- `multiple_permissive_policies` warning (0006): two permissive policies for one role and
  command (`public` counts as anon and authenticated, FOR ALL as every command;
  service_role bypasses RLS and is left out).
- `rls_policy_always_true` error (0024, a warning there): a permissive write policy for
  anon, authenticated or public whose USING or WITH CHECK is `true`. Error here because it
  lets any API caller write any row, which the README's patterns never intend.
- `auth_rls_initplan` warning (0003): auth.*() or current_setting() evaluated per row.
- `rls_references_user_metadata` error (0015): a policy reads `user_metadata` from
  auth.jwt() or the request.jwt.claims setting: end users can edit it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ehgtui.catalog.model import Catalog, Table
from ehgtui.checks.findings import Finding, Level, sort_findings
from ehgtui.checks.policy_expr import is_constant_true, per_row_calls
from ehgtui.checks.scope import (
    API_GRANTEES,
    BYPASS_RLS_ROLES,
    WRITE_COMMANDS,
    applies_to,
    checked_tables,
    is_api_exposed,
    policy_commands,
    policy_roles,
)
from ehgtui.checks.splinter import splinter_finding

CHECK = "rls"
"""The `check` field of every finding this module returns."""

_USER_METADATA = re.compile(
    r"(auth\.jwt\(\)|current_setting\(.*request\.jwt\.claims.*\)).*user_metadata", re.S
)
"""Splinter 0015's patterns (`auth.jwt()%user_metadata%`, and through the setting)."""


def check_rls(catalog: Catalog) -> list[Finding]:
    """Every RLS finding for the catalog's tables, worst first."""
    findings: list[Finding] = []
    for table in checked_tables(catalog):
        findings += _rls_state(table)
        findings += _multiple_permissive(table)
        findings += _policy_expressions(table)
    return sort_findings(findings)


def _finding(table: Table, level: Level, code: str, message: str, lint: str | None) -> Finding:
    source = f"splinter:{lint}" if lint else None
    return Finding(CHECK, level, table.qualified_name, code, message, source)


def _rls_state(table: Table) -> list[Finding]:
    found: list[Finding] = []
    names = ", ".join(p.name for p in table.policies)
    if not table.rls_enabled:
        if is_api_exposed(table):
            grants = sorted({p.privilege for p in table.privileges if p.grantee in API_GRANTEES})
            found.append(
                _finding(
                    table,
                    "error",
                    "rls_disabled_in_public",
                    f"RLS is disabled, yet anon/authenticated hold {', '.join(grants)}: "
                    "every row is open through the API",
                    "0013_rls_disabled_in_public",
                )
            )
        if table.policies:
            found.append(
                _finding(
                    table,
                    "error",
                    "policy_exists_rls_disabled",
                    f"{len(table.policies)} policies ({names}) exist but RLS is disabled, "
                    "so none of them applies",
                    "0007_policy_exists_rls_disabled",
                )
            )
        return found
    if not table.policies:
        return [
            _finding(
                table,
                "info",
                "rls_enabled_no_policy",
                "RLS is enabled but there is no policy: only roles that bypass RLS see rows",
                "0008_rls_enabled_no_policy",
            )
        ]
    if not any(applies_to(p, role) for p in table.policies for role in BYPASS_RLS_ROLES):
        found.append(
            _finding(
                table,
                "warning",
                "no_service_role_policy",
                f"no policy for service_role (policies: {names})",
                None,
            )
        )
    return found


def _multiple_permissive(table: Table) -> list[Finding]:
    by_role_command: dict[tuple[str, str], list[str]] = defaultdict(list)
    for policy in table.policies:
        if not policy.permissive:
            continue
        for role in policy_roles(policy):
            if role in BYPASS_RLS_ROLES:
                continue
            for command in policy_commands(policy):
                by_role_command[(role, command)].append(policy.name)
    return [
        _finding(
            table,
            "warning",
            "multiple_permissive_policies",
            f"{len(names)} permissive policies for role {role} on {command}: "
            f"{', '.join(sorted(names))} (each one runs for every row)",
            "0006_multiple_permissive_policies",
        )
        for (role, command), names in sorted(by_role_command.items())
        if len(names) > 1
    ]


def _policy_expressions(table: Table) -> list[Finding]:
    found: list[Finding] = []
    for policy in table.policies:
        api_roles = [r for r in policy_roles(policy) if r not in BYPASS_RLS_ROLES]
        open_clauses = [
            clause
            for clause, expr in (("USING", policy.using), ("WITH CHECK", policy.with_check))
            if is_constant_true(expr)
        ]
        if policy.permissive and policy.command in WRITE_COMMANDS and api_roles and open_clauses:
            found.append(
                _finding(
                    table,
                    "error",
                    "rls_policy_always_true",
                    f"policy {policy.name!r} lets {', '.join(api_roles)} {policy.command} "
                    f"any row: {' and '.join(open_clauses)} "
                    f"{'are' if len(open_clauses) > 1 else 'is'} true",
                    "0024_rls_policy_always_true",
                )
            )
        if any(_USER_METADATA.search(e or "") for e in (policy.using, policy.with_check)):
            found.append(
                splinter_finding(
                    CHECK,
                    "rls_references_user_metadata",
                    "table",
                    table.qualified_name,
                    f"policy {policy.name!r} reads user_metadata from the JWT, which end "
                    "users can edit: use app_metadata or a table",
                )
            )
        calls = per_row_calls(policy.using) + per_row_calls(policy.with_check)
        if calls:
            unique = list(dict.fromkeys(calls))
            wrapped = ", ".join(f"(select {c})" for c in unique)
            found.append(
                _finding(
                    table,
                    "warning",
                    "auth_rls_initplan",
                    f"policy {policy.name!r} calls {', '.join(unique)} once per row; "
                    f"write {wrapped} to evaluate it once per statement",
                    "0003_auth_rls_initplan",
                )
            )
    return found
