"""The RLS access matrix: per role and command, privilege, RLS bypass, policies, visible rows.

Privileges and policies come from the catalog; role attributes (superuser, BYPASSRLS,
ownership, memberships) from ONE query on pg_roles for all the roles at once. Only SELECT is
ever executed, as a capped count under each role in its own read-only transaction; INSERT,
UPDATE and DELETE are analysed from the catalog alone: nothing here ever writes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import asyncpg

from ehgtui.catalog.model import Policy, Table
from ehgtui.checks.policy_expr import is_constant_true
from ehgtui.checks.scope import COMMANDS, applies_to, policy_commands
from ehgtui.db.read_only_session import read_only
from ehgtui.rows.errors import RowsError
from ehgtui.rows.query import count_rows
from ehgtui.rows.roles import ANON, AUTHENTICATED, SERVICE_ROLE, ViewAs
from ehgtui.rows.settings import RowSettings

RLS_DISABLED_NOTE = "RLS is disabled: every role with the privilege sees every row"

_ROLES_QUERY = """\
SELECT current_user::text AS connection_role,
       r.rolname::text AS name,
       r.rolsuper AS is_superuser,
       r.rolbypassrls AS bypass_rls,
       pg_has_role(r.oid, o.oid, 'USAGE') AS is_owner,
       ARRAY(SELECT g FROM unnest($3::text[]) AS g
              WHERE g <> r.rolname
                AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles b
                             WHERE b.rolname = g AND pg_has_role(r.oid, b.oid, 'USAGE')))
         AS member_of
  FROM pg_catalog.pg_roles r
  LEFT JOIN pg_catalog.pg_roles o ON o.rolname = $2
 WHERE r.rolname = ANY($1::text[]) OR r.rolname = current_user"""
"""Attributes of every matrix role; `member_of` only among the names that matter (grantees,
policy roles), as privileges and policies reach a role through the roles it inherits from."""


@dataclass(frozen=True)
class RoleFacts:
    """What decides a role's access, besides grants and policies."""

    name: str
    exists: bool
    is_superuser: bool = False
    bypass_rls: bool = False
    is_owner: bool = False
    member_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessCell:
    """One role and one command."""

    command: str
    has_privilege: bool
    bypasses_rls: bool
    permissive: tuple[str, ...]
    """Names of the permissive policies that apply (rows pass if any of them allows)."""
    restrictive: tuple[str, ...]
    """Names of the restrictive policies that apply (rows pass only if all of them allow)."""
    verdict: str
    """The cell in words: `no privilege`, `all rows`, `no rows (no permissive policy)`, ..."""
    visible_rows: int | None = None
    """SELECT only: rows the role actually sees (capped; see `AccessMatrix.count_cap`)."""
    count_error: str | None = None
    """SELECT only: why the count is missing (one line), when it is."""


@dataclass(frozen=True)
class AccessRow:
    """One role across the four commands."""

    role: str
    facts: RoleFacts
    is_connection_role: bool
    cells: tuple[AccessCell, ...]
    seen_as: str | None = None
    """Whose eyes the count used (e.g. a user's email for authenticated)."""

    def cell(self, command: str) -> AccessCell:
        return next(c for c in self.cells if c.command == command)


@dataclass(frozen=True)
class AccessMatrix:
    """Who can do what to one table's rows."""

    table: str
    owner: str
    rls_enabled: bool
    rls_forced: bool
    rows: tuple[AccessRow, ...]
    count_cap: int
    counted: bool
    """False when row access is off, so no cell has a count."""
    note: str | None
    """`RLS_DISABLED_NOTE` for a table without RLS."""

    def row(self, role: str) -> AccessRow:
        return next(r for r in self.rows if r.role == role)


def format_count(count: int | None, cap: int) -> str:
    """`1,234`, or `10,000+` past the cap, or `?` without a count."""
    if count is None:
        return "?"
    return f"{cap:,}+" if count > cap else f"{count:,}"


def matrix_roles(table: Table, connection_role: str) -> tuple[str, ...]:
    """anon, authenticated, service_role, the connection's role, then every policy role."""
    names = [ANON, AUTHENTICATED, SERVICE_ROLE, connection_role]
    names += [r for p in table.policies for r in p.roles if r != "public"]
    return tuple(dict.fromkeys(names))


def has_privilege(table: Table, facts: RoleFacts, privilege: str) -> bool:
    """Whether the role holds `privilege` on the table: superuser, grant, PUBLIC or owner."""
    if facts.is_superuser:
        return True
    if not table.privileges:  # no ACL at all: the owner's default privileges only
        return facts.is_owner
    grantees = {facts.name, "PUBLIC", *facts.member_of}
    return any(p.grantee in grantees and p.privilege == privilege for p in table.privileges)


def _applies(policy: Policy, command: str, facts: RoleFacts) -> bool:
    """The policy covers the command and names the role, `public`, or a role it inherits."""
    if command not in policy_commands(policy):
        return False
    return any(applies_to(policy, role) for role in (facts.name, *facts.member_of))


def bypass_reason(table: Table, facts: RoleFacts) -> str | None:
    """Why RLS does not filter this role's rows, or None when it does."""
    if facts.is_superuser:
        return "superuser"
    if facts.bypass_rls:
        return "BYPASSRLS"
    if facts.is_owner and not table.rls_forced:
        return "table owner"
    return None


def _opens_everything(policy: Policy, command: str) -> bool:
    expression = policy.with_check or policy.using if command == "INSERT" else policy.using
    return is_constant_true(expression)


def analyse_cell(table: Table, facts: RoleFacts, command: str) -> AccessCell:
    """A cell from the catalog alone (no count): privilege, bypass, policies, verdict."""
    privileged = has_privilege(table, facts, command)
    applying = [p for p in table.policies if _applies(p, command, facts)]
    permissive = tuple(p.name for p in applying if p.permissive)
    restrictive = tuple(p.name for p in applying if not p.permissive)
    bypass = bypass_reason(table, facts)
    if not facts.exists:
        verdict = "role does not exist"
    elif not privileged:
        verdict = "no privilege"
    elif not table.rls_enabled:
        verdict = "all rows (RLS disabled)"
    elif bypass is not None:
        verdict = f"all rows (bypasses RLS: {bypass})"
    elif not permissive:
        verdict = "no rows (no permissive policy)"
    elif not restrictive and any(_opens_everything(p, command) for p in applying if p.permissive):
        verdict = "all rows (a policy allows every row)"
    else:
        verdict = "rows the policies allow"
    return AccessCell(
        command=command,
        has_privilege=privileged,
        bypasses_rls=bypass is not None or not table.rls_enabled,
        permissive=permissive,
        restrictive=restrictive,
        verdict=verdict,
    )


async def role_facts(
    pool: asyncpg.Pool, table: Table
) -> tuple[str, tuple[str, ...], dict[str, RoleFacts]]:
    """The connection's role, the matrix's roles and each one's facts, in one round trip."""
    wanted = matrix_roles(table, ANON)
    relevant = sorted(
        {p.grantee for p in table.privileges} | {r for p in table.policies for r in p.roles}
    )
    async with read_only(pool) as conn:
        records = await conn.fetch(_ROLES_QUERY, list(wanted), table.owner, relevant)
    found = {
        r["name"]: RoleFacts(
            name=r["name"],
            exists=True,
            is_superuser=r["is_superuser"],
            bypass_rls=r["bypass_rls"],
            is_owner=bool(r["is_owner"]),
            # pg_has_role is true of every role for a superuser, who bypasses RLS anyway
            member_of=() if r["is_superuser"] else tuple(r["member_of"]),
        )
        for r in records
    }
    current = records[0]["connection_role"]
    names = matrix_roles(table, current)
    return current, names, {n: found.get(n, RoleFacts(name=n, exists=False)) for n in names}


def _view_for(role: str, connection_role: str, user: str | None) -> ViewAs:
    if role == connection_role:
        return ViewAs()
    if role == AUTHENTICATED:
        return ViewAs(AUTHENTICATED, user)
    return ViewAs(role)


async def _count(
    pool: asyncpg.Pool, table: Table, view_as: ViewAs, settings: RowSettings
) -> tuple[int | None, str | None, str | None]:
    try:
        count, viewer = await count_rows(pool, table, view_as, settings)
    except RowsError as exc:
        return None, str(exc), None
    return count, None, viewer.label


async def access_matrix(
    pool: asyncpg.Pool, table: Table, settings: RowSettings, user: str | None = None
) -> AccessMatrix:
    """Build the matrix for `table`; `user` (uuid or email) is who `authenticated` counts as.

    Counts run concurrently, one read-only transaction per role; a role that cannot be
    assumed or read gets `count_error` instead of a count. With row access off, no counts.
    """
    current, names, facts = await role_facts(pool, table)
    counted = settings.enabled
    counts: list[tuple[int | None, str | None, str | None]] = [(None, None, None)] * len(names)
    if counted:
        counts = list(
            await asyncio.gather(
                *(
                    _count(pool, table, _view_for(n, current, user), settings)
                    if facts[n].exists
                    else _nothing()
                    for n in names
                )
            )
        )
    rows = []
    for name, (count, error, seen_as) in zip(names, counts, strict=True):
        cells = [analyse_cell(table, facts[name], command) for command in COMMANDS]
        if counted and facts[name].exists:
            cells[0] = _with_count(cells[0], count, error)
        rows.append(
            AccessRow(
                role=name,
                facts=facts[name],
                is_connection_role=name == current,
                cells=tuple(cells),
                seen_as=seen_as,
            )
        )
    return AccessMatrix(
        table=table.qualified_name,
        owner=table.owner,
        rls_enabled=table.rls_enabled,
        rls_forced=table.rls_forced,
        rows=tuple(rows),
        count_cap=settings.count_cap,
        counted=counted,
        note=None if table.rls_enabled else RLS_DISABLED_NOTE,
    )


async def _nothing() -> tuple[int | None, str | None, str | None]:
    return None, "role does not exist", None


def _with_count(cell: AccessCell, count: int | None, error: str | None) -> AccessCell:
    return replace(cell, visible_rows=count, count_error=error)
