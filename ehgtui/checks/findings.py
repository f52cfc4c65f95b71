"""The record every check returns, and the few helpers the CLI and the TUI share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]
"""How bad a finding is; only `error` makes `ehgtui check` exit with status 1."""

LEVELS: tuple[Level, ...] = ("error", "warning", "info")
"""Levels from the worst down: the order findings are reported in."""

SUPABASE_SCHEMAS = frozenset(
    {
        "auth",
        "cron",
        "extensions",
        "graphql",
        "graphql_public",
        "information_schema",
        "net",
        "pgbouncer",
        "pgsodium",
        "pgsodium_masks",
        "pgtle",
        "pg_catalog",
        "realtime",
        "storage",
        "supabase_functions",
        "supabase_migrations",
        "vault",
    }
)
"""Schemas Supabase manages: their tables are not ours to fix, so checks skip them (as splinter)."""

OBJECT_KINDS = ("table", "function", "extension")
"""The kinds of object a finding may name (`Finding.object_kind`)."""

CHECKED_KINDS = frozenset({"table", "partitioned table"})
"""Relation kinds the checks look at: views have no RLS, indexes or triggers of their own."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a check found on one object: a table most often, else a function, ..."""

    check: str
    """The check that found it: `rls`, `conventions` or `security`."""
    level: Level
    table: str
    """The object's key, unquoted, as the catalog finds it (see `object_kind`): `schema.name`
    of a table or view, the signature `schema.name(identity arguments)` of a function
    (`Function.signature`), the name of an extension. (Named `table` since the first
    checks were about tables only.)"""
    code: str
    """Stable identifier of the rule, e.g. `rls_disabled_in_public`: scripts match on it."""
    message: str
    """One line saying what is wrong, naming the policy, index or column concerned."""
    source: str | None = None
    """Where the rule comes from: `splinter:<lint>` for Supabase's advisor, else None."""
    object_kind: str = "table"
    """What `table` names, one of `OBJECT_KINDS`: `table` (any relation of
    `Catalog.tables`: table, view, materialized view, foreign table), `function` (in
    `Catalog.functions`, by signature) or `extension` (in `Catalog.extensions`, by name).
    This pair is what a user interface opens for the finding."""
    categories: tuple[str, ...] = ()
    """Splinter's categories of the lint (`SECURITY`, `PERFORMANCE`); empty for our own."""

    @property
    def object_name(self) -> str:
        """The object's key (the same as `table`): read with `object_kind`."""
        return self.table


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a stable order: worst level first, then table, code and message."""
    return sorted(findings, key=lambda f: (LEVELS.index(f.level), f.table, f.code, f.message))


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is at error level (the CLI then exits with status 1)."""
    return any(f.level == "error" for f in findings)
