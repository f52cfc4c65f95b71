"""Who may do what: row-level security, policies, the owner and grants."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ehgtui.catalog.acl import parse_aclitem
from ehgtui.catalog.model import Catalog, Column, Policy, Sequence, Table
from ehgtui.ddl.quote import qualified, quote_ident

TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
"""Privileges a table can have before PostgreSQL 17."""

SEQUENCE_PRIVILEGES = frozenset({"USAGE", "SELECT", "UPDATE"})
"""Every privilege a sequence can have: what its owner holds by default."""

PRIVILEGE_ORDER = (*TABLE_PRIVILEGES, "MAINTAIN", "USAGE", "CREATE", "EXECUTE")
"""The order privileges are listed in within one GRANT."""

Grants = dict[tuple[str, bool], set[str]]
"""Privileges by (grantee, with grant option)."""

MAINTAIN_SINCE = 170000
"""server_version_num from which tables also have the MAINTAIN privilege."""

OBJECT_KEYWORDS = {
    "view": "VIEW",
    "materialized view": "MATERIALIZED VIEW",
    "foreign table": "FOREIGN TABLE",
}
"""The word `ALTER`/`COMMENT ON` use for each relation kind; anything else is a TABLE."""


def object_keyword(table: Table) -> str:
    """`TABLE`, `VIEW`, `MATERIALIZED VIEW` or `FOREIGN TABLE`, for ALTER and COMMENT ON."""
    return OBJECT_KEYWORDS.get(table.kind, "TABLE")


def role_name(role: str) -> str:
    """A role as written in TO/FROM lists: `public` is the keyword, everything else a name."""
    return "PUBLIC" if role in ("public", "PUBLIC") else quote_ident(role)


def row_security(table: Table) -> list[str]:
    """`ENABLE` and `FORCE ROW LEVEL SECURITY`, each only when set."""
    name = qualified(table.schema, table.name)
    statements = []
    if table.rls_enabled:
        statements.append(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;")
    if table.rls_forced:
        statements.append(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;")
    return statements


def create_policy(table: Table, policy: Policy) -> str:
    """`CREATE POLICY`, spelling out every clause that differs from the defaults' meaning."""
    lines = [f"CREATE POLICY {quote_ident(policy.name)} ON {qualified(table.schema, table.name)}"]
    if not policy.permissive:
        lines.append("AS RESTRICTIVE")
    lines.append(f"FOR {policy.command}")
    lines.append("TO " + ", ".join(role_name(r) for r in policy.roles or ("public",)))
    if policy.using is not None:
        lines.append(f"USING ({policy.using})")
    if policy.with_check is not None:
        lines.append(f"WITH CHECK ({policy.with_check})")
    return "\n    ".join(lines) + ";"


def owner_statement(table: Table) -> str:
    """`ALTER TABLE|VIEW|... OWNER TO`: owned sequences follow the table by themselves."""
    name = qualified(table.schema, table.name)
    return f"ALTER {object_keyword(table)} {name} OWNER TO {quote_ident(table.owner)};"


def all_privileges(catalog: Catalog) -> frozenset[str]:
    """Every privilege a table can have on the catalog's server (what `ALL` means there)."""
    extra = ("MAINTAIN",) if catalog.server.version_num >= MAINTAIN_SINCE else ()
    return frozenset(TABLE_PRIVILEGES + extra)


def grant_statements(table: Table, catalog: Catalog, *, with_owner: bool) -> list[str]:
    """`GRANT`s reproducing the table's ACL (see `acl_statements`)."""
    granted: Grants = defaultdict(set)
    for privilege in table.privileges:
        granted[(privilege.grantee, privilege.grantable)].add(privilege.privilege)
    name = f"TABLE {qualified(table.schema, table.name)}"
    everything = all_privileges(catalog)
    return acl_statements(name, granted, table.owner, everything, with_owner=with_owner)


def sequence_grant_statements(seq: Sequence, *, with_owner: bool) -> list[str]:
    """`GRANT`s reproducing a sequence's ACL (Supabase grants USAGE on serials' sequences)."""
    granted: Grants = defaultdict(set)
    for acl in filter(None, map(parse_aclitem, seq.acl)):
        for privilege, grantable in acl.privileges:
            granted[(acl.grantee, grantable)].add(privilege)
    name = f"SEQUENCE {qualified(seq.schema, seq.name)}"
    return acl_statements(name, granted, seq.owner, SEQUENCE_PRIVILEGES, with_owner=with_owner)


def acl_statements(
    target: str, granted: Grants, owner: str, everything: frozenset[str], *, with_owner: bool
) -> list[str]:
    """`GRANT`s (and `REVOKE`s) turning the default ACL into `granted`.

    No ACL at all means the defaults, so nothing is printed. The owner's own privileges are
    implied unless revoked; they are only spelled out (`REVOKE ALL` then `GRANT`) when
    `with_owner`, because without the owner statement the owner is whoever applies the DDL.
    """
    if not granted:
        return []
    granted = defaultdict(set, granted)
    statements = []
    owner_has = granted.pop((owner, False), set()) | granted.pop((owner, True), set())
    if with_owner and owner_has != everything:
        statements.append(f"REVOKE ALL ON {target} FROM {role_name(owner)};")
        if owner_has:
            statements.append(_grant(target, owner, owner_has, everything, grantable=False))
    for (grantee, grantable), privileges in granted.items():
        statements.append(_grant(target, grantee, privileges, everything, grantable=grantable))
    return statements


def column_grant_statements(table: Table) -> list[str]:
    """`GRANT priv (column) ON TABLE ...` for column-level grants, column by column."""
    name = qualified(table.schema, table.name)
    statements = []
    for column in table.columns:
        statements += _column_grants(name, column)
    return statements


def _column_grants(name: str, column: Column) -> list[str]:
    """One GRANT per grantee and grant option, listing each privilege with the column."""
    by_grantee: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for acl in filter(None, map(parse_aclitem, column.acl)):
        for privilege, grantable in acl.privileges:
            by_grantee[(acl.grantee, grantable)].append(privilege)
    col = quote_ident(column.name)
    statements = []
    for (grantee, grantable), privileges in by_grantee.items():
        what = ", ".join(f"{p} ({col})" for p in privileges)
        option = " WITH GRANT OPTION" if grantable else ""
        statements.append(f"GRANT {what} ON TABLE {name} TO {role_name(grantee)}{option};")
    return statements


def _grant(
    target: str, grantee: str, privileges: set[str], everything: frozenset[str], *, grantable: bool
) -> str:
    """One `GRANT`: `ALL` when it is everything, else the privileges in PostgreSQL's order."""
    listed = ",".join(p for p in PRIVILEGE_ORDER if p in privileges)
    what = "ALL" if privileges == everything else listed
    option = " WITH GRANT OPTION" if grantable else ""
    return f"GRANT {what} ON {target} TO {role_name(grantee)}{option};"


def _items_by_grantee(acl: Iterable[str]) -> dict[str, frozenset[tuple[str, bool]]]:
    """An ACL's privileges (with their grant option) by grantee."""
    by_grantee: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    for item in filter(None, map(parse_aclitem, acl)):
        by_grantee[item.grantee].update(item.privileges)
    return {grantee: frozenset(held) for grantee, held in by_grantee.items()}


def acl_change_statements(
    target: str,
    acl: Iterable[str],
    base: Iterable[str],
    everything: frozenset[str],
    *,
    skip: str | None = None,
    prefix: str = "",
) -> list[str]:
    """`REVOKE ALL` and `GRANT`s turning the `base` ACL (what the object gets by default) into
    `acl`, grantee by grantee, as pg_dump's buildACLCommands does: a grantee whose privileges
    changed loses them all, then gets what it holds. `target` is e.g. `FUNCTION public.f()`;
    `prefix` goes before each statement (`ALTER DEFAULT PRIVILEGES FOR ROLE r `); `skip` is a
    grantee left alone (the owner, when no OWNER TO is printed: then it is whoever applies).
    """
    held, default = _items_by_grantee(acl), _items_by_grantee(base)
    statements = []
    for grantee, privileges in default.items():
        if grantee != skip and held.get(grantee) != privileges:
            statements.append(f"{prefix}REVOKE ALL ON {target} FROM {role_name(grantee)};")
    for grantee, privileges in held.items():
        if grantee == skip or default.get(grantee) == privileges:
            continue
        for grantable in (False, True):
            chosen = {p for p, option in privileges if option == grantable}
            if chosen:
                grant = _grant(target, grantee, chosen, everything, grantable=grantable)
                statements.append(prefix + grant)
    return statements
