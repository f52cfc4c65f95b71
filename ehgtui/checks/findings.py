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

CHECKED_KINDS = frozenset({"table", "partitioned table"})
"""Relation kinds the checks look at: views have no RLS, indexes or triggers of their own."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a check found on one table."""

    check: str
    """The check that found it: `rls` or `conventions`."""
    level: Level
    table: str
    """`schema.name` of the table, unquoted."""
    code: str
    """Stable identifier of the rule, e.g. `rls_disabled_in_public`: scripts match on it."""
    message: str
    """One line saying what is wrong, naming the policy, index or column concerned."""
    source: str | None = None
    """Where the rule comes from: `splinter:<lint>` for Supabase's advisor, else None."""


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a stable order: worst level first, then table, code and message."""
    return sorted(findings, key=lambda f: (LEVELS.index(f.level), f.table, f.code, f.message))


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is at error level (the CLI then exits with status 1)."""
    return any(f.level == "error" for f in findings)
