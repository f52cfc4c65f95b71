"""`ehgtui check conventions`: the database README's required elements, table by table.

The README's template for a new table asks for: a uuid primary key with a default,
`created_at` and `updated_at` timestamptz defaulting to now(), RLS enabled, at least one
policy, an index on created_at, and a BEFORE UPDATE FOR EACH ROW trigger keeping updated_at
current. On top of it: tables without a primary key, foreign keys without a covering index
and duplicate indexes (splinter's 0004, 0001 and 0009).

Codes and levels: `rls_not_enabled` error (the README says all tables must have RLS);
`unindexed_foreign_keys` info (as splinter); every other code warning.
"""

from __future__ import annotations

from ehgtui.catalog.model import Catalog, Column, Table
from ehgtui.catalog.triggers import maintains_updated_at, updated_at_functions
from ehgtui.checks.findings import Finding, Level, sort_findings
from ehgtui.checks.indexes import covering_index, duplicate_index_groups
from ehgtui.checks.scope import checked_tables

CHECK = "conventions"
"""The `check` field of every finding this module returns."""

TIMESTAMP_TYPE = "timestamp with time zone"
TIMESTAMP_COLUMNS = ("created_at", "updated_at")
NOW_DEFAULTS = ("now()", "current_timestamp", "transaction_timestamp()", "statement_timestamp()")
"""Default expressions (lower-cased, as PostgreSQL prints them) that mean "the current time"."""


def check_conventions(catalog: Catalog) -> list[Finding]:
    """Every conventions finding for the catalog's tables, worst first."""
    functions = updated_at_functions(catalog)
    findings: list[Finding] = []
    for table in checked_tables(catalog):
        findings += _primary_key(table)
        findings += _timestamps(table)
        findings += _security(table)
        findings += _created_at_index(table)
        findings += _updated_at_trigger(table, functions)
        findings += _foreign_key_indexes(table)
        findings += _duplicate_indexes(table)
    return sort_findings(findings)


def _finding(
    table: Table, level: Level, code: str, message: str, lint: str | None = None
) -> Finding:
    source = f"splinter:{lint}" if lint else None
    return Finding(CHECK, level, table.qualified_name, code, message, source)


def _primary_key(table: Table) -> list[Finding]:
    pk = table.primary_key
    if pk is None:
        return [
            _finding(table, "warning", "no_primary_key", "no primary key", "0004_no_primary_key")
        ]
    column = table.column(pk.columns[0]) if len(pk.columns) == 1 else None
    if column is None or column.data_type != "uuid":
        shown = ", ".join(
            f"{name} {c.data_type if (c := table.column(name)) else '?'}" for name in pk.columns
        )
        return [
            _finding(
                table,
                "warning",
                "non_uuid_primary_key",
                f"primary key ({shown}) is not a single uuid column",
            )
        ]
    if column.default is None:
        return [
            _finding(
                table,
                "warning",
                "primary_key_without_default",
                f"uuid primary key {column.name} has no default (e.g. gen_random_uuid())",
            )
        ]
    return []


def _is_now(column: Column) -> bool:
    default = (column.default or "").lower()
    return any(form in default for form in NOW_DEFAULTS)


def _timestamps(table: Table) -> list[Finding]:
    found: list[Finding] = []
    for name in TIMESTAMP_COLUMNS:
        column = table.column(name)
        if column is None:
            found.append(_finding(table, "warning", "missing_timestamp", f"no {name} column"))
            continue
        if column.data_type != TIMESTAMP_TYPE:
            found.append(
                _finding(
                    table,
                    "warning",
                    "timestamp_type",
                    f"{name} is {column.data_type}, not timestamptz",
                )
            )
        if not _is_now(column):
            shown = column.default or "none"
            found.append(
                _finding(
                    table,
                    "warning",
                    "timestamp_default",
                    f"{name} defaults to {shown}, not now()",
                )
            )
    return found


def _security(table: Table) -> list[Finding]:
    if not table.rls_enabled:
        return [_finding(table, "error", "rls_not_enabled", "row level security is not enabled")]
    if not table.policies:
        return [_finding(table, "warning", "no_policy", "RLS is enabled but there is no policy")]
    return []


def _created_at_index(table: Table) -> list[Finding]:
    if table.column("created_at") is None or covering_index(table, ["created_at"]) is not None:
        return []
    return [
        _finding(
            table,
            "warning",
            "missing_created_at_index",
            "no index whose first column is created_at",
        )
    ]


def _updated_at_trigger(table: Table, functions: frozenset[str]) -> list[Finding]:
    if table.column("updated_at") is None:
        return []
    maintained = any(
        t.enabled != "DISABLED" and maintains_updated_at(t, functions) for t in table.triggers
    )
    if maintained:
        return []
    return [
        _finding(
            table,
            "warning",
            "missing_updated_at_trigger",
            "no enabled BEFORE UPDATE FOR EACH ROW trigger maintains updated_at",
        )
    ]


def _foreign_key_indexes(table: Table) -> list[Finding]:
    return [
        _finding(
            table,
            "info",
            "unindexed_foreign_keys",
            f"foreign key {fk.name} ({', '.join(fk.columns)}) -> {fk.ref_schema}.{fk.ref_table} "
            "has no index whose leading columns are its columns",
            "0001_unindexed_foreign_keys",
        )
        for fk in table.foreign_keys
        if fk.is_local and covering_index(table, fk.columns) is None
    ]


def _duplicate_indexes(table: Table) -> list[Finding]:
    return [
        _finding(
            table,
            "warning",
            "duplicate_index",
            f"indexes {', '.join(names)} have the same definition: keep one",
            "0009_duplicate_index",
        )
        for names in duplicate_index_groups(table)
    ]
