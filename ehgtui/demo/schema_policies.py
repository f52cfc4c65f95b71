"""The RLS patterns the demo tables use: the README's three plus the two seen live.

Every function returns a clean set of policies: a `service_role` policy, calls to the auth
functions wrapped as `(select auth.uid())` (evaluated once per statement, not once per row),
no write policy for anon/authenticated/public whose USING or WITH CHECK is plain `true`, and
no two permissive policies that apply to the same role (anon or authenticated, which `public`
includes) for the same command (`ALL` counts as every command).
"""

from __future__ import annotations

from enum import Enum

from ehgtui.demo.schema_model import Policy

UID = "(select auth.uid())"
ROLE = "(select auth.role())"
JWT = "(select auth.jwt())"

ORG_MEMBER = (
    "organization_id IN (SELECT user_organizations.org_id FROM public.user_organizations "
    f"WHERE user_organizations.user_id = {UID})"
)
IS_ADMIN = (
    f"EXISTS (SELECT 1 FROM public.user_roles ur WHERE ur.user_id = {UID} AND ur.role = 'admin')"
)


class RlsPattern(Enum):
    """Which of the five RLS patterns a table follows."""

    AUTHENTICATED_READ = "authenticated read, service_role write"
    USER_OWNED = "user-owned rows"
    ORG_SCOPED = "organization-scoped"
    PUBLIC_READ = "public read, authenticated write"
    ADMIN_ONLY = "admin only through user_roles"


def service_role_policy(variant: int = 0) -> Policy:
    """The `FOR ALL TO service_role USING (true) WITH CHECK (true)` policy, under a few names."""
    names = ("service_role_all", "Service role full access", "service_write", "service_role_manage")
    return Policy(names[variant % len(names)], "ALL", ("service_role",), "true", "true")


def pattern_policies(pattern: RlsPattern, variant: int) -> tuple[Policy, ...]:
    """Return the policies (service_role's included) of `pattern`; `variant` varies the wording.

    USER_OWNED and PUBLIC_READ need a `created_by uuid` column, ORG_SCOPED an
    `organization_id uuid` column.
    """
    service = service_role_policy(variant)
    if pattern is RlsPattern.AUTHENTICATED_READ:
        reads = (
            Policy("Authenticated users can view", "SELECT", ("authenticated",), "true"),
            Policy("authenticated_read", "SELECT", ("authenticated",), "true"),
            Policy(
                "Allow read for authenticated", "SELECT", ("public",), f"{ROLE} = 'authenticated'"
            ),
            Policy(
                "authenticated_select_jwt",
                "SELECT",
                ("authenticated",),
                f"({JWT} ->> 'aud') = 'authenticated'",
            ),
            Policy("anon_and_authenticated_read", "SELECT", ("anon", "authenticated"), "true"),
        )
        return (service, reads[variant % len(reads)])
    if pattern is RlsPattern.USER_OWNED:
        owned = f"created_by = {UID}"
        names = ("user_owned", "Users manage own rows", "owner_full_access")
        return (service, Policy(names[variant % 3], "ALL", ("authenticated",), owned, owned))
    if pattern is RlsPattern.ORG_SCOPED:
        names = ("org_scoped", "Organization members can access", "org_members_all")
        return (
            service,
            Policy(names[variant % 3], "ALL", ("authenticated",), ORG_MEMBER, ORG_MEMBER),
        )
    if pattern is RlsPattern.PUBLIC_READ:
        read = Policy(
            ("Public read access", "public_read", "Anyone can view")[variant % 3],
            "SELECT",
            ("public",) if variant % 2 == 0 else ("anon", "authenticated"),
            "true",
        )
        insert = Policy(
            "Authenticated users can insert",
            "INSERT",
            ("authenticated",),
            check=f"created_by = {UID}",
        )
        update = Policy(
            "Authors can update",
            "UPDATE",
            ("authenticated",),
            f"created_by = {UID}",
            f"created_by = {UID}",
        )
        return (service, read, insert, update) if variant % 3 == 0 else (service, read, insert)
    admin = (
        IS_ADMIN
        if variant % 4
        else f"(({JWT} -> 'app_metadata') ->> 'role') = 'admin' OR {IS_ADMIN}"
    )
    names = ("admin_only", "Admins manage", "admin_full_access")
    return (service, Policy(names[variant % 3], "ALL", ("authenticated",), admin, admin))


def pattern_columns(pattern: RlsPattern) -> tuple[str, ...]:
    """The column names a pattern's policies refer to."""
    if pattern in (RlsPattern.USER_OWNED, RlsPattern.PUBLIC_READ):
        return ("created_by",)
    if pattern is RlsPattern.ORG_SCOPED:
        return ("organization_id",)
    return ()
