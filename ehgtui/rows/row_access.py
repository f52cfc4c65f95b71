"""Why a viewer may or may not read or write one row: privilege, RLS bypass, each policy's
result on the row, and the branch of a failing policy that failed.

Everything runs in one read-only transaction. First, as the connection's role: the row itself
(by its key), the table's policies, privileges and defaults from the catalog. Then, switched to
the viewer ("view as": the role and the user's JWT claims, `roles.enter_view`), each policy's
USING or WITH CHECK expression is evaluated on that row, or on the proposed row of an INSERT
or UPDATE, as an expression over `jsonb_populate_record(NULL::table, row)`: the row is never
read through the table as the viewer (RLS would hide it), and nothing is inserted or updated
to "try" a write. Subqueries inside a policy run as the viewer, as they would for the real
statement. The rollback ends it all.

The rules are PostgreSQL's: a command passes RLS when at least one permissive policy for it
that applies to the role passes and every such restrictive policy passes; UPDATE and DELETE
also need the row to pass the SELECT policies, because they find it with a WHERE clause (as
PostgREST's requests do); an UPDATE's new row must pass its policies' WITH CHECK (their USING
where they have none), as an INSERT's row must.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from ehgtui.catalog.model import Table
from ehgtui.db.pool import AnyConnection
from ehgtui.db.read_only_session import read_only
from ehgtui.ddl.quote import qualified, quote_ident
from ehgtui.rows import roles
from ehgtui.rows.errors import QueryError, first_line, query_error
from ehgtui.rows.policy_eval import Check, Evaluator, check_expression
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.row_key import (
    RowKeyError,
    RowNotFoundError,
    first_keys_sql,
    key_columns,
    key_text,
)
from ehgtui.rows.session import require_enabled, set_statement_timeout
from ehgtui.rows.settings import RowSettings

COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE")
_POLCMD = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}


@dataclass(frozen=True)
class PolicyResult:
    """A policy that applies to the viewer and the requirement it is checked for."""

    name: str
    permissive: bool
    command: str
    """The policy's own command: ALL, SELECT, INSERT, UPDATE or DELETE."""
    requirement: str
    """What it is checked for: `SELECT`, `UPDATE`, …, or `SELECT (to find the row)`."""
    check: Check

    @property
    def passed(self) -> bool:
        return self.check.result is True


@dataclass(frozen=True)
class CommandAccess:
    """The answer for one command."""

    command: str
    verdict: str
    """`allow` or `deny`."""
    reason: str
    privilege: bool
    bypass: str | None
    """Why RLS does not apply (`RLS disabled`, `superuser`, `BYPASSRLS`, `table owner`)."""
    policies: tuple[PolicyResult, ...] = ()
    proposed: dict[str, Any] | None = None
    """The row INSERT or UPDATE would write, as JSON values."""


@dataclass(frozen=True)
class RowAccess:
    """The whole explanation for one row and one viewer."""

    table: str
    key: dict[str, str]
    viewer: str
    role: str
    claims: dict[str, Any] | None
    row: dict[str, Any] | None
    """The existing row (as the connection's role sees it); None for an INSERT-only question
    without a key."""
    commands: tuple[CommandAccess, ...]
    notes: tuple[str, ...] = field(default=())


# --- reading as the connection's role ------------------------------------------------------

_FACTS = """\
SELECT r.rolsuper AS is_superuser, r.rolbypassrls AS bypass_rls,
       pg_has_role(r.oid, c.relowner, 'USAGE') AS is_owner,
       c.relrowsecurity AS rls_enabled, c.relforcerowsecurity AS rls_forced,
       has_table_privilege(r.oid, c.oid, 'SELECT') AS can_select,
       has_table_privilege(r.oid, c.oid, 'INSERT') AS can_insert,
       has_table_privilege(r.oid, c.oid, 'UPDATE') AS can_update,
       has_table_privilege(r.oid, c.oid, 'DELETE') AS can_delete
  FROM pg_catalog.pg_class c, pg_catalog.pg_roles r
 WHERE c.oid = $1::regclass AND r.rolname = $2"""

_POLICIES = """\
SELECT p.polname::text AS name, p.polpermissive AS permissive, p.polcmd::text AS command,
       pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr
  FROM pg_catalog.pg_policy p, pg_catalog.pg_roles me
 WHERE p.polrelid = $1::regclass AND me.rolname = $2
   AND (0::oid = ANY (p.polroles)
        OR EXISTS (SELECT 1 FROM unnest(p.polroles) AS pr(oid)
                    WHERE pg_has_role(me.oid, pr.oid, 'USAGE')))
 ORDER BY p.polname"""
"""The policies that apply to the role (PUBLIC, the role, or a role whose rights it has)."""

_DEFAULTS = """\
SELECT a.attname::text AS name, pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       a.attidentity::text AS identity, a.attgenerated::text AS generated
  FROM pg_catalog.pg_attribute a
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum"""


@dataclass(frozen=True)
class _Policy:
    name: str
    permissive: bool
    command: str
    using: str | None
    check: str | None

    def covers(self, command: str) -> bool:
        return self.command in ("ALL", command)


async def _existing_row(
    conn: AnyConnection, table: Table, key: Mapping[str, str]
) -> dict[str, Any] | None:
    matches = " AND ".join(f"t.{quote_ident(c)} = k.{quote_ident(c)}" for c in key)
    sql = (
        f"SELECT to_jsonb(t)::text FROM {qualified(table.schema, table.name)} AS t, "
        f"jsonb_populate_record(NULL::{qualified(table.schema, table.name)}, $1::jsonb) AS k "
        f"WHERE {matches} LIMIT 2"
    )
    records = await conn.fetch(sql, json.dumps(dict(key)))
    if len(records) > 1:
        raise RowKeyError(f"the key {key_text(key)} matches more than one row: give the whole key")
    return json.loads(records[0][0]) if records else None


@dataclass(frozen=True)
class _Requirement:
    """Policies of one command checked on one row with one clause."""

    label: str
    command: str
    clause: str
    row: str


def _requirements(command: str) -> tuple[_Requirement, ...]:
    if command == "SELECT":
        return (_Requirement("SELECT", "SELECT", "USING", "existing"),)
    if command == "INSERT":
        return (_Requirement("INSERT", "INSERT", "WITH CHECK", "proposed"),)
    find = _Requirement("SELECT (to find the row)", "SELECT", "USING", "existing")
    if command == "UPDATE":
        return (
            _Requirement("UPDATE", "UPDATE", "USING", "existing"),
            find,
            _Requirement("UPDATE (the new row)", "UPDATE", "WITH CHECK", "proposed"),
        )
    return (_Requirement("DELETE", "DELETE", "USING", "existing"), find)


def _expression(policy: _Policy, clause: str) -> str | None:
    """The expression a policy contributes to a clause: WITH CHECK falls back to USING."""
    if clause == "WITH CHECK":
        return policy.check or policy.using
    return policy.using


def _verdict(requirement: _Requirement, results: Sequence[PolicyResult]) -> str | None:
    """Why the requirement fails, or None when it passes."""
    permissive = [r for r in results if r.permissive]
    restrictive = [r for r in results if not r.permissive]
    what = f"{requirement.label} on the {requirement.row} row"
    if not permissive:
        return f"{what}: no permissive policy applies to the role"
    if not any(r.passed for r in permissive):
        names = ", ".join(r.name for r in permissive)
        return f"{what}: no permissive policy passes ({names})"
    if failed := [r.name for r in restrictive if not r.passed]:
        return f"{what}: restrictive policy {', '.join(failed)} does not pass"
    return None


@dataclass
class _Facts:
    is_superuser: bool
    bypass_rls: bool
    is_owner: bool
    rls_enabled: bool
    rls_forced: bool
    privileges: dict[str, bool]

    def bypass(self) -> str | None:
        if not self.rls_enabled:
            return "RLS disabled"
        if self.is_superuser:
            return "superuser"
        if self.bypass_rls:
            return "BYPASSRLS"
        if self.is_owner and not self.rls_forced:
            return "table owner"
        return None


async def _proposed_insert(
    conn: AnyConnection,
    evaluator: Evaluator,
    table: Table,
    values: Mapping[str, str | None],
    notes: list[str],
) -> dict[str, Any]:
    """The row an INSERT of `values` would write: the values, and the columns' defaults
    evaluated as the viewer (except sequence draws and identity, which would write)."""
    proposed: dict[str, Any] = {}
    for record in await conn.fetch(_DEFAULTS, qualified(table.schema, table.name)):
        name, default = record["name"], record["default_expr"]
        if name in values:
            continue
        if record["identity"] or record["generated"] or (default and "nextval(" in default):
            proposed[name] = None
            notes.append(f"{name}: filled by the server on insert; NULL here (nothing drawn)")
        elif default:
            [value] = await evaluator.values({}, [f"to_jsonb({default})"])
            if isinstance(value, Exception):
                notes.append(f"{name}: its default failed ({first_line(value)}); NULL here")
                proposed[name] = None
            else:
                proposed[name] = None if value is None else json.loads(value)
        else:
            proposed[name] = None
    proposed.update(values)
    return proposed


async def explain_row(
    pool: asyncpg.Pool,
    table: Table,
    view_as: ViewAs,
    settings: RowSettings,
    key: Mapping[str, str] | None,
    commands: Sequence[str] = COMMANDS,
    assignments: Mapping[str, str | None] | None = None,
) -> RowAccess:
    """Explain each of `commands` on the row `key` names, for `view_as`.

    `key` may be None only for INSERT alone. `assignments` change the existing row for UPDATE,
    and make the new row (with the columns' defaults) for INSERT.

    Raises:
        RowsDisabledError, RoleError, RowKeyError, RowNotFoundError, QueryError (one line each).
    """
    require_enabled(settings)
    assignments = dict(assignments or {})
    commands = [c.upper() for c in commands]
    if key is None and any(c != "INSERT" for c in commands):
        raise RowKeyError("give the row (--row KEY) for SELECT, UPDATE and DELETE")
    relation = qualified(table.schema, table.name)
    notes: list[str] = []
    try:
        async with read_only(pool) as conn:
            await set_statement_timeout(conn, settings)
            # as the connection's role: the row, and what the catalog says
            row = await _existing_row(conn, table, key) if key is not None else None
            if key is not None and row is None:
                who = await conn.fetchval("SELECT current_user::text")
                raise RowNotFoundError(
                    f"no row of {table.qualified_name} has {key_text(key)} (as {who} sees it)"
                )
            role = view_as.effective_role or str(await conn.fetchval("SELECT current_user"))
            facts_record = await conn.fetchrow(_FACTS, relation, role)
            if facts_record is None:
                raise QueryError(f"role {role!r} does not exist")
            facts = _Facts(
                is_superuser=facts_record["is_superuser"],
                bypass_rls=facts_record["bypass_rls"],
                is_owner=facts_record["is_owner"],
                rls_enabled=facts_record["rls_enabled"],
                rls_forced=facts_record["rls_forced"],
                privileges={c: facts_record[f"can_{c.lower()}"] for c in COMMANDS},
            )
            policies = [
                _Policy(
                    r["name"],
                    r["permissive"],
                    _POLCMD.get(r["command"], r["command"]),
                    r["using_expr"],
                    r["check_expr"],
                )
                for r in await conn.fetch(_POLICIES, relation, role)
            ]
            # as the viewer: every expression on the rows
            viewer = await roles.enter_view(conn, view_as)
            evaluator = Evaluator(conn, table)
            answers = []
            for command in commands:
                proposed: dict[str, Any] | None = None
                if command == "INSERT":
                    proposed = await _proposed_insert(conn, evaluator, table, assignments, notes)
                elif command == "UPDATE" and row is not None:
                    proposed = {**row, **assignments}
                answers.append(await _command(evaluator, command, facts, policies, row, proposed))
    except asyncpg.PostgresError as exc:
        raise query_error(exc, settings.statement_timeout) from None
    return RowAccess(
        table=table.qualified_name,
        key=dict(key or {}),
        viewer=viewer.label,
        role=viewer.role,
        claims=viewer.claims,
        row=row,
        commands=tuple(answers),
        notes=tuple(dict.fromkeys(notes)),
    )


async def _command(
    evaluator: Evaluator,
    command: str,
    facts: _Facts,
    policies: Sequence[_Policy],
    row: Mapping[str, Any] | None,
    proposed: Mapping[str, Any] | None,
) -> CommandAccess:
    privilege = facts.privileges[command]
    bypass = facts.bypass()
    if not privilege:
        return CommandAccess(
            command, "deny", f"no {command} privilege on the table", privilege, bypass
        )
    if bypass is not None:
        return CommandAccess(
            command, "allow", f"RLS does not apply ({bypass})", privilege, bypass, (), None
        )
    results: list[PolicyResult] = []
    failures: list[str] = []
    for requirement in _requirements(command):
        subject = row if requirement.row == "existing" else proposed
        assert subject is not None
        checked: list[PolicyResult] = []
        for policy in policies:
            expression = _expression(policy, requirement.clause)
            if not policy.covers(requirement.command) or expression is None:
                continue
            check = await check_expression(
                evaluator, subject, requirement.clause, requirement.row, expression
            )
            checked.append(
                PolicyResult(
                    policy.name, policy.permissive, policy.command, requirement.label, check
                )
            )
        results.extend(checked)
        if (failure := _verdict(requirement, checked)) is not None:
            failures.append(failure)
    verdict = "deny" if failures else "allow"
    reason = "; ".join(failures) if failures else "the policies allow it"
    return CommandAccess(
        command,
        verdict,
        reason,
        privilege,
        None,
        tuple(results),
        dict(proposed) if proposed is not None and command in ("INSERT", "UPDATE") else None,
    )


async def sample_key(
    pool: asyncpg.Pool, table: Table, settings: RowSettings
) -> dict[str, str] | None:
    """The key of the table's first row in key order, as the connection's role sees it: the
    row the Access tab explains for a role. None when the table is empty (to that role).

    Raises:
        RowsDisabledError, RowKeyError (no primary key), QueryError (one line each).
    """
    require_enabled(settings)
    columns = key_columns(table)
    sql = first_keys_sql(table, 1)
    try:
        async with read_only(pool) as conn:
            await set_statement_timeout(conn, settings)
            found = await conn.fetchval(sql)
    except asyncpg.PostgresError as exc:
        raise query_error(exc, settings.statement_timeout) from None
    return None if found is None else dict(zip(columns, found, strict=True))
