"""Supabase's splinter lints that ehgtui implements over the catalog: ids, names, levels.

Each lint is checked as splinter checks it, from the catalog alone (no query of its own), so
`ehgtui check` needs neither Supabase's CLI nor the lint views. Levels map splinter's
`ERROR`/`WARN`/`INFO` to `error`/`warning`/`info`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ehgtui.checks.findings import Finding, Level


@dataclass(frozen=True, slots=True)
class SplinterLint:
    """One splinter lint: its numbered id, name, level and categories."""

    number: str
    name: str
    level: Level
    categories: tuple[str, ...] = ("SECURITY",)

    @property
    def source(self) -> str:
        """`splinter:0011_function_search_path_mutable`: what `Finding.source` holds."""
        return f"splinter:{self.number}_{self.name}"


_LINTS = (
    SplinterLint("0002", "auth_users_exposed", "error"),
    SplinterLint("0010", "security_definer_view", "error"),
    SplinterLint("0011", "function_search_path_mutable", "warning"),
    SplinterLint("0014", "extension_in_public", "warning"),
    SplinterLint("0015", "rls_references_user_metadata", "error"),
    SplinterLint("0016", "materialized_view_in_api", "warning"),
    SplinterLint("0017", "foreign_table_in_api", "warning"),
    SplinterLint("0018", "unsupported_reg_types", "warning"),
    SplinterLint("0021", "fkey_to_auth_unique", "error"),
    SplinterLint("0022", "extension_versions_outdated", "warning"),
    SplinterLint("0028", "anon_security_definer_function_executable", "warning"),
    SplinterLint("0029", "authenticated_security_definer_function_executable", "warning"),
)

SPLINTER_LINTS: dict[str, SplinterLint] = {lint.name: lint for lint in _LINTS}
"""The splinter lints of this module, by name (the findings' code)."""

API_SCHEMAS = ("public",)
"""The schemas PostgREST serves (`pgrst.db_schemas`, Supabase's default): an object there
that anon or authenticated may use is reachable over the API."""


def splinter_finding(
    check: str, lint_name: str, object_kind: str, key: str, message: str
) -> Finding:
    """A finding of lint `lint_name` on the object `key` of kind `object_kind`."""
    lint = SPLINTER_LINTS[lint_name]
    return Finding(
        check,
        lint.level,
        key,
        lint.name,
        message,
        lint.source,
        object_kind=object_kind,
        categories=lint.categories,
    )
