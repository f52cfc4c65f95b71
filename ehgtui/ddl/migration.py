"""The "new migration from this table" template, holding the README's five required elements.

The database README asks every new table for (1) `CREATE TABLE IF NOT EXISTS` with a UUID
primary key and `created_at`/`updated_at`, (2) row-level security enabled, (3) policies,
(4) an index on `created_at` and (5) the `updated_at` trigger. The template copies the
model table's other columns (types, defaults, NOT NULL, single-column foreign keys) and
uses the trigger function and trigger name this database already uses most, because the
live database has several (`update_updated_at_column`, `set_updated_at`, ...) and the README's
`fn_set_updated_at` is not always there. Every statement can be re-run.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from ehgtui.catalog.model import Catalog, Column, Table, Trigger
from ehgtui.catalog.triggers import is_row_before_update, updated_at_functions
from ehgtui.ddl.create_table import relation_name
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal
from ehgtui.migrations.files import migration_file_name

RLS_PATTERNS: dict[str, str] = {
    "authenticated_read_service_write": "Authenticated read, service_role write",
    "user_owned": "User-owned rows (auth.uid() = created_by)",
    "org_scoped": "Organization-scoped through user_organizations",
    "public_read_authenticated_write": "Public read, authenticated write",
    "admin_only": "Admin only, through user_roles",
}
"""The policy patterns a template can use: the README's three, then the two others in use."""

DEFAULT_PATTERN = "authenticated_read_service_write"
"""README pattern 1, the most common one."""

FALLBACK_FUNCTION = "public.fn_set_updated_at"
"""The README's trigger function, created by the template when no table uses one yet."""

FALLBACK_TRIGGER_NAME = "set_updated_at"
"""The README's trigger name, used when the database has no `updated_at` trigger."""

REQUIRED_COLUMNS = ("id", "created_at", "updated_at")
"""Columns the template writes itself, in place of the model table's."""

_TABLE_PLACEHOLDER = "\x00table\x00"
"""Stands for the table's name inside a trigger-name pattern."""


class MigrationError(ValueError):
    """The template cannot be made as asked (unknown pattern, missing table, name taken)."""


@dataclass(frozen=True, slots=True)
class UpdatedAtTrigger:
    """How this database keeps `updated_at` current: the function and the trigger's name."""

    function: str
    """Quoted, schema-qualified function name, e.g. `public.update_updated_at_column`."""
    name_pattern: str
    """The trigger name, with `_TABLE_PLACEHOLDER` where the table's name goes."""
    exists: bool
    """False when no table uses such a trigger, so the template must create the function."""

    def trigger_name(self, table: str) -> str:
        """The trigger name for `table`."""
        return self.name_pattern.replace(_TABLE_PLACEHOLDER, table)


def _is_updated_at_trigger(table: Table, trigger: Trigger, functions: frozenset[str]) -> bool:
    """A BEFORE UPDATE row trigger without arguments, calling an updated_at function (see
    `catalog.triggers`), on a table that has `updated_at` (the template calls it without any)."""
    return (
        is_row_before_update(trigger)
        and trigger.function in functions
        and not trigger.arguments
        and not trigger.is_inherited
        and table.column("updated_at") is not None
    )


def _function_name(function: str) -> str:
    """Quote the model's `schema.name` of a function."""
    schema, _, name = function.partition(".")
    return qualified(schema, name) if name else quote_ident(function)


def _name_pattern(trigger_name: str, table_name: str) -> str:
    """The trigger's name with its table's name (as a whole `_`-separated word) made a
    placeholder, so `update_ventures_updated_at` and `update_agents_updated_at` count as one."""
    if len(table_name) < 3:  # too short to tell from a word of the name itself
        return trigger_name
    word = re.compile(rf"(?<![^_]){re.escape(table_name)}(?![^_])")
    return word.sub(lambda _: _TABLE_PLACEHOLDER, trigger_name, count=1)


def updated_at_trigger(catalog: Catalog) -> UpdatedAtTrigger:
    """Find the `updated_at` trigger function (and trigger name) the most tables use.

    Only functions that `catalog.triggers.updated_at_functions` recognises count, so another
    BEFORE UPDATE trigger (a status check, an audit) is never chosen. Ties go to the
    alphabetically first function; the README's `fn_set_updated_at` and `set_updated_at` are
    the fallback when there is none at all.
    """
    known = updated_at_functions(catalog)
    functions: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for table in catalog.tables:
        for trigger in table.triggers:
            if _is_updated_at_trigger(table, trigger, known):
                functions[trigger.function] += 1
                names[_name_pattern(trigger.name, table.name)] += 1
    if not functions:
        return UpdatedAtTrigger(FALLBACK_FUNCTION, FALLBACK_TRIGGER_NAME, exists=False)
    function = min(functions, key=lambda f: (-functions[f], f))
    name = min(names, key=lambda n: (-names[n], n))
    return UpdatedAtTrigger(_function_name(function), name, exists=True)


def _slug(text: str) -> str:
    """Lower-case words joined by `_`, for the file name."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "table"


def _split_name(name: str, default_schema: str) -> tuple[str, str]:
    """`schema.table` or a bare table name (in the model table's schema)."""
    schema, dot, table = name.strip().partition(".")
    if not dot:
        return default_schema, schema
    return schema, table


def _column_line(column: Column, like: Table, new_table: str) -> str:
    """A copied column: type, collation, default or generation, NOT NULL, single-column FK.

    Serial and identity columns lose their sequence (it belongs to the model table) and so
    their NOT NULL; a foreign key to the model table's (UUID) `id` points at the new table.
    """
    line = f"{quote_ident(column.name)} {column.data_type}"
    if column.collation:
        line += f" COLLATE {column.collation}"
    numbered = column.identity is not None or "nextval(" in (column.default or "")
    if column.generated is not None:
        kind = column.generated_kind or "STORED"
        line += f" GENERATED ALWAYS AS ({column.generated}) {kind}"
    elif column.default is not None and not numbered:
        line += f" DEFAULT {column.default}"
    if column.not_null and not numbered:
        line += " NOT NULL"
    for fk in like.foreign_keys:
        if fk.columns != (column.name,) or not fk.ref_table or not fk.ref_schema:
            continue
        if (fk.ref_schema, fk.ref_table) == (like.schema, like.name):
            like_id = like.column("id")
            if fk.ref_columns != ("id",) or like_id is None or like_id.data_type != "uuid":
                continue  # the new table's key is a UUID id: only a UUID reference still fits
            target = new_table
        else:
            target = qualified(fk.ref_schema, fk.ref_table)
        ref_columns = ", ".join(quote_ident(c) for c in fk.ref_columns)
        line += f" REFERENCES {target} ({ref_columns})"
        if fk.on_delete and fk.on_delete != "NO ACTION":
            line += f" ON DELETE {fk.on_delete}"
        if fk.on_update and fk.on_update != "NO ACTION":
            line += f" ON UPDATE {fk.on_update}"
        break
    return line


def _need_table(catalog: Catalog, name: str, columns: tuple[str, ...], pattern: str) -> str:
    """The quoted name of a table a pattern's policies query, or MigrationError."""
    table = catalog.table(name)
    missing = [c for c in columns if table is None or table.column(c) is None]
    if table is None or missing:
        what = f"table {name}" if table is None else f"column(s) {', '.join(missing)} of {name}"
        raise MigrationError(f"pattern {pattern!r} needs {what}, which this database lacks")
    return relation_name(table.qualified_name, catalog)


def _policies(pattern: str, catalog: Catalog) -> list[tuple[str, list[str]]]:
    """(policy name, its clauses after `ON table`) for each policy of a pattern."""
    if pattern == "authenticated_read_service_write":
        return [
            ("authenticated_read", ["FOR SELECT", "TO authenticated", "USING (true)"]),
            ("service_write", ["FOR ALL", "TO service_role", "USING (true)"]),
        ]
    if pattern == "public_read_authenticated_write":
        return [
            ("public_read", ["FOR SELECT", "TO PUBLIC", "USING (true)"]),
            (
                "authenticated_write",
                ["FOR ALL", "TO authenticated", "USING (true)", "WITH CHECK (true)"],
            ),
        ]
    if pattern == "user_owned":
        condition = "(auth.uid() = created_by)"
    elif pattern == "org_scoped":
        orgs = _need_table(catalog, "user_organizations", ("org_id", "user_id"), pattern)
        condition = f"(organization_id IN (SELECT org_id FROM {orgs} WHERE user_id = auth.uid()))"
    elif pattern == "admin_only":
        roles = _need_table(catalog, "user_roles", ("user_id", "role"), pattern)
        condition = (
            f"(EXISTS (SELECT 1 FROM {roles} ur"
            " WHERE ur.user_id = (SELECT auth.uid()) AND ur.role = 'admin'))"
        )
    else:
        known = ", ".join(RLS_PATTERNS)
        raise MigrationError(f"unknown RLS pattern {pattern!r}; choose one of: {known}")
    clauses = ["FOR ALL", "TO authenticated", f"USING {condition}", f"WITH CHECK {condition}"]
    return [(pattern, clauses)]


def _fallback_function(function: str) -> str:
    """Create the README's trigger function unless it exists (it is not in the catalog)."""
    return (
        "DO $migration$\nBEGIN\n"
        f"    IF to_regprocedure({quote_literal(function + '()')}) IS NULL THEN\n"
        f"        CREATE FUNCTION {function}() RETURNS trigger\n"
        "            LANGUAGE plpgsql\n"
        "            AS $fn$ BEGIN NEW.updated_at = NOW(); RETURN NEW; END $fn$;\n"
        "    END IF;\nEND\n$migration$;"
    )


def new_migration(
    name: str,
    like: Table,
    catalog: Catalog,
    pattern: str = DEFAULT_PATTERN,
    now: datetime | None = None,
) -> tuple[str, str]:
    """A migration creating table `name` modelled on `like`: (file name, SQL).

    Args:
        name: The new table, `table` (in `like`'s schema) or `schema.table`.
        like: The table whose other columns the new one copies.
        catalog: The loaded catalog: it tells which names are taken, which tables the
            policies need, and which `updated_at` trigger function the database uses.
        pattern: One of `RLS_PATTERNS`.
        now: The moment in the file name (`YYYYMMDDHHMMSS_create_<table>.sql`, UTC, as the
            Supabase CLI names them); default now.

    Returns:
        The file name (as `database/migrations/` expects it) and the SQL.

    Raises:
        MigrationError: unknown pattern, a table the pattern needs is missing, or the
            table already exists.
    """
    schema, table_name = _split_name(name, like.schema)
    if not table_name:
        raise MigrationError("the new table needs a name")
    if catalog.table(f"{schema}.{table_name}") is not None:
        raise MigrationError(f"table {schema}.{table_name} already exists")
    policies = _policies(pattern, catalog)
    table = qualified(schema, table_name)
    moment = now or datetime.now(UTC)
    file_name = migration_file_name(f"create_{_slug(table_name)}", moment)

    columns = ["id UUID PRIMARY KEY DEFAULT gen_random_uuid()"]
    copied = [c for c in like.columns if c.name not in REQUIRED_COLUMNS]
    columns += [_column_line(c, like, table) for c in copied]
    if pattern == "user_owned" and like.column("created_by") is None:
        columns.append("created_by UUID DEFAULT auth.uid()")
    if pattern == "org_scoped" and like.column("organization_id") is None:
        columns.append("organization_id UUID")
    columns += ["created_at TIMESTAMPTZ DEFAULT NOW()", "updated_at TIMESTAMPTZ DEFAULT NOW()"]

    trigger = updated_at_trigger(catalog)
    trigger_name = quote_ident(trigger.trigger_name(table_name))
    index_name = quote_ident(f"idx_{table_name}_created")
    parts = [
        f"-- Migration: create {table}, modelled on {qualified(like.schema, like.name)}.\n"
        f"-- RLS pattern: {RLS_PATTERNS[pattern]}. Generated by ehgtui on {moment:%Y-%m-%d}.\n"
        "-- Copied: columns and single-column foreign keys; add what else the table needs.",
        "-- 1. Create table\n"
        f"CREATE TABLE IF NOT EXISTS {table} (\n    " + ",\n    ".join(columns) + "\n);",
    ]
    comments = [
        f"COMMENT ON COLUMN {table}.{quote_ident(c.name)} IS {quote_literal(c.comment)};"
        for c in copied
        if c.comment is not None
    ]
    if comments:
        parts.append("\n".join(comments))
    parts.append(f"-- 2. Enable RLS\nALTER TABLE {table} ENABLE ROW LEVEL SECURITY;")
    statements = []
    for policy_name, clauses in policies:
        quoted = quote_ident(policy_name)
        statements.append(f"DROP POLICY IF EXISTS {quoted} ON {table};")
        statements.append(f"CREATE POLICY {quoted} ON {table}\n    " + "\n    ".join(clauses) + ";")
    parts.append("-- 3. Add RLS policies\n" + "\n".join(statements))
    parts.append(
        f"-- 4. Add indexes\nCREATE INDEX IF NOT EXISTS {index_name} ON {table} (created_at);"
    )
    step5 = ["-- 5. Add trigger for updated_at"]
    if not trigger.exists:
        step5.append(_fallback_function(trigger.function))
    step5.append(f"DROP TRIGGER IF EXISTS {trigger_name} ON {table};")
    step5.append(
        f"CREATE TRIGGER {trigger_name}\n    BEFORE UPDATE ON {table}\n"
        f"    FOR EACH ROW EXECUTE FUNCTION {trigger.function}();"
    )
    parts.append("\n".join(step5))
    return file_name, "\n\n".join(parts) + "\n"
