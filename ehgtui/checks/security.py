"""`ehgtui check security`: splinter's lints of views, functions, extensions and column types.

Rules (code = splinter's lint name, its level; see `splinter.SPLINTER_LINTS`):
- `security_definer_view` error (0010): a view without `security_invoker` that anon or
  authenticated may SELECT: it reads its tables with its owner's rights, past their RLS.
- `auth_users_exposed` error (0002): a view or materialized view of an API schema reading
  `auth.users` that anon or authenticated may SELECT (unless a security-invoker view over an
  `auth.users` with RLS). The catalog has no view dependencies, so "reads auth.users" means
  its definition names `auth.users`.
- `materialized_view_in_api` warning (0016): a materialized view anon or authenticated may
  SELECT (materialized views have no RLS).
- `foreign_table_in_api` warning (0017): a foreign table of an API schema anon or
  authenticated may SELECT (foreign tables have no RLS).
- `unsupported_reg_types` warning (0018): a column of a reg* type pg_upgrade refuses.
- `fkey_to_auth_unique` error (0021): a foreign key to a table of `auth` through a unique key
  other than its primary key. When the auth table is not loaded, its primary key is taken to
  be `id`, as in every table of Supabase Auth that others reference.
- `function_search_path_mutable` warning (0011): a function that does not set `search_path`.
- `anon_security_definer_function_executable` / `authenticated_...` warning (0028/0029): a
  SECURITY DEFINER function anon (authenticated) may EXECUTE, so call over `/rest/v1/rpc`.
- `extension_in_public` warning (0014), `extension_versions_outdated` warning (0022).

Schemas Supabase manages are skipped, as splinter skips them (`SUPABASE_SCHEMAS`).
"""

from __future__ import annotations

import re

from ehgtui.catalog.model import Catalog, Function, Table
from ehgtui.checks.findings import SUPABASE_SCHEMAS, Finding, sort_findings
from ehgtui.checks.scope import API_ROLES
from ehgtui.checks.splinter import API_SCHEMAS, splinter_finding

CHECK = "security"
"""The `check` field of every finding this module returns."""

UNSUPPORTED_REG_TYPES = frozenset(
    {
        "regcollation",
        "regconfig",
        "regdictionary",
        "regnamespace",
        "regoper",
        "regoperator",
        "regproc",
        "regprocedure",
    }
)
"""reg* types whose values are OIDs pg_upgrade cannot carry over (splinter 0018's list)."""

_INVOKER_ON = frozenset(f"security_invoker={v}" for v in ("1", "true", "yes", "on"))
_AUTH_USERS = re.compile(r'\bauth\.(users|"users")(?![\w"])')


def check_security(catalog: Catalog) -> list[Finding]:
    """Every finding of this module's lints for the catalog, worst first."""
    findings: list[Finding] = []
    auth_users = catalog.table("auth.users")
    auth_users_rls = auth_users.rls_enabled if auth_users is not None else True
    for table in catalog.tables:
        if table.schema not in SUPABASE_SCHEMAS:
            findings += _relation_findings(table, auth_users_rls)
            findings += _auth_unique_keys(catalog, table)
    for function in catalog.functions:
        if function.schema not in SUPABASE_SCHEMAS:
            findings += _function_findings(function)
    for extension in catalog.extensions:
        if extension.schema == "public" and extension.name != "plpgsql":
            findings.append(
                splinter_finding(
                    CHECK,
                    "extension_in_public",
                    "extension",
                    extension.name,
                    f"extension {extension.name} is installed in schema public: "
                    "move it to another schema (extensions)",
                )
            )
        default = extension.default_version
        if default is not None and extension.version != default:
            findings.append(
                splinter_finding(
                    CHECK,
                    "extension_versions_outdated",
                    "extension",
                    extension.name,
                    f"extension {extension.name} is at version {extension.version}, "
                    f"{default} is available (ALTER EXTENSION {extension.name} UPDATE)",
                )
            )
    return sort_findings(findings)


def api_selectable(table: Table) -> bool:
    """True when anon or authenticated may SELECT from the relation (directly or as PUBLIC)."""
    return any(
        p.privilege == "SELECT" and p.grantee in (*API_ROLES, "PUBLIC") for p in table.privileges
    )


def is_security_invoker(table: Table) -> bool:
    """True for a view created or altered `WITH (security_invoker = ...)` on."""
    return any(option.lower() in _INVOKER_ON for option in table.options)


def _relation_findings(table: Table, auth_users_rls: bool) -> list[Finding]:
    found: list[Finding] = []
    key = table.qualified_name

    def add(lint: str, message: str) -> None:
        found.append(splinter_finding(CHECK, lint, "table", key, message))

    for column in table.columns:
        if column.data_type in UNSUPPORTED_REG_TYPES:
            add(
                "unsupported_reg_types",
                f"column {column.name} has type {column.data_type}, which pg_upgrade "
                "cannot carry over",
            )
    if not table.is_view and table.kind != "foreign table":
        return found
    if not api_selectable(table):
        return found
    invoker = is_security_invoker(table)
    if table.kind == "view" and not invoker:
        add(
            "security_definer_view",
            "view without security_invoker that anon or authenticated may SELECT: it reads "
            "its tables with its owner's rights, past their RLS",
        )
    if table.kind == "materialized view":
        add(
            "materialized_view_in_api",
            "materialized view that anon or authenticated may SELECT (it has no RLS)",
        )
    in_api = table.schema in API_SCHEMAS
    if table.kind == "foreign table" and in_api:
        add(
            "foreign_table_in_api",
            "foreign table that anon or authenticated may SELECT over the API (it has no RLS)",
        )
    reads_auth_users = bool(_AUTH_USERS.search(table.view_definition or ""))
    if in_api and reads_auth_users:
        exposed = table.kind == "materialized view" or not invoker or not auth_users_rls
        if exposed:
            add(
                "auth_users_exposed",
                "reads auth.users and anon or authenticated may SELECT it: user data is "
                "exposed over the API",
            )
    return found


def _auth_unique_keys(catalog: Catalog, table: Table) -> list[Finding]:
    found = []
    for fk in table.foreign_keys:
        if fk.ref_schema != "auth" or fk.ref_table is None:
            continue
        target = catalog.table(f"auth.{fk.ref_table}")
        pk = target.primary_key if target is not None else None
        primary = set(pk.columns) if pk is not None else {"id"}
        if set(fk.ref_columns) != primary:
            found.append(
                splinter_finding(
                    CHECK,
                    "fkey_to_auth_unique",
                    "table",
                    table.qualified_name,
                    f"foreign key {fk.name} references auth.{fk.ref_table}"
                    f"({', '.join(fk.ref_columns)}), a unique key Supabase may change: "
                    "reference its primary key",
                )
            )
    return found


def can_execute(function: Function, role: str) -> bool:
    """True when `role` may EXECUTE the function: it owns it, or an aclitem grants EXECUTE
    (`X`) to it or to PUBLIC, or there is no ACL (PUBLIC may by default). Role membership
    is not followed: Supabase's API roles are members of no role."""
    if role == function.owner or not function.acl:
        return True
    for item in function.acl:
        grantee, _, rest = item.partition("=")
        privileges = rest.split("/", 1)[0]
        if "X" in privileges and grantee.strip('"') in ("", role):
            return True
    return False


def _function_findings(function: Function) -> list[Finding]:
    found: list[Finding] = []
    key = function.signature
    if function.search_path is None:
        found.append(
            splinter_finding(
                CHECK,
                "function_search_path_mutable",
                "function",
                key,
                f"function {key} does not set search_path: it runs with its caller's "
                "(SET search_path = '' and qualify names)",
            )
        )
    if function.security_definer:
        for role, lint in (
            ("anon", "anon_security_definer_function_executable"),
            ("authenticated", "authenticated_security_definer_function_executable"),
        ):
            if can_execute(function, role):
                found.append(
                    splinter_finding(
                        CHECK,
                        lint,
                        "function",
                        key,
                        f"SECURITY DEFINER function {key} is executable by {role}: it runs "
                        f"with its owner's rights, past RLS, for any caller of "
                        f"/rest/v1/rpc/{function.name}",
                    )
                )
    return found
