"""Which tables the checks look at, and how policy roles and commands expand."""

from __future__ import annotations

from collections.abc import Iterator

from ehgtui.catalog.model import Catalog, Policy, Table
from ehgtui.checks.findings import CHECKED_KINDS, SUPABASE_SCHEMAS

API_ROLES = ("anon", "authenticated")
"""The roles PostgREST runs requests as: what `public` in a policy means for the API."""

API_GRANTEES = frozenset({*API_ROLES, "PUBLIC"})
"""Grantees through which the API roles reach a table."""

BYPASS_RLS_ROLES = frozenset({"service_role"})
"""Supabase roles with BYPASSRLS: policies never filter what they see."""

COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE")
"""What a FOR ALL policy applies to."""

WRITE_COMMANDS = frozenset({"INSERT", "UPDATE", "DELETE", "ALL"})


def checked_tables(catalog: Catalog) -> Iterator[Table]:
    """Tables (not views) outside the schemas Supabase manages."""
    for table in catalog.tables:
        if table.kind in CHECKED_KINDS and table.schema not in SUPABASE_SCHEMAS:
            yield table


def is_api_exposed(table: Table) -> bool:
    """True for a table of `public` on which anon or authenticated holds some privilege."""
    return table.schema == "public" and any(p.grantee in API_GRANTEES for p in table.privileges)


def policy_roles(policy: Policy) -> tuple[str, ...]:
    """The policy's roles with `public` expanded to the API roles."""
    roles: list[str] = []
    for role in policy.roles:
        for expanded in API_ROLES if role == "public" else (role,):
            if expanded not in roles:
                roles.append(expanded)
    return tuple(roles)


def policy_commands(policy: Policy) -> tuple[str, ...]:
    """The commands a policy applies to: FOR ALL means all four."""
    return COMMANDS if policy.command == "ALL" else (policy.command,)


def applies_to(policy: Policy, role: str) -> bool:
    """True when the policy names the role or `public` (which every role is a member of)."""
    return role in policy.roles or "public" in policy.roles
