"""Columns as a migration writes them: added, dropped, renamed, and altered in place (type
with USING, default, NOT NULL, identity, generated expression, collation, storage, comment).
"""

from __future__ import annotations

from typing import Any

from ehgtui.catalog.model import Column, Table
from ehgtui.ddl.create_table import column_line, parent_columns
from ehgtui.ddl.names import default_object_name
from ehgtui.ddl.quote import quote_ident, quote_literal
from ehgtui.ddl.sequences import create_sequence, owned_by
from ehgtui.diff.model import ObjectChange, TableDiff
from ehgtui.migrate.context import Context, name_of
from ehgtui.migrate.plan import Hazard, HazardKind, Phase
from ehgtui.migrate.types import classify_type_change

SET_EXPRESSION_SINCE = 170000
"""server_version_num from which `ALTER COLUMN ... SET EXPRESSION` exists."""

NAMED_NOT_NULL_SINCE = 180000
"""server_version_num from which NOT NULL is a named constraint (`ADD CONSTRAINT n NOT NULL c`)."""

_VOLATILE_DEFAULTS = (
    "nextval(",
    "random(",
    "gen_random_uuid(",
    "uuid_generate_",
    "clock_timestamp(",
)
"""Defaults PostgreSQL cannot store once for every existing row: adding them rewrites."""


def part_target(table: Table, name: str) -> str:
    return f"{table.qualified_name}.{name}"


# ---------------------------------------------------------------- columns


def find_column(table: Table, name: str) -> Column | None:
    return table.column(name)


def _owned_sequence(ctx: Context, table: Table, column: Column) -> Any:
    for seq in ctx.b.sequences_by_table.get(table.qualified_name, ()):
        if seq.owned_by_column == column.name:
            return seq
    return None


def _new_serial_sequence(ctx: Context, table: Table, column: Column) -> None:
    """A serial column brings its sequence: create it unless A has it already."""
    seq = _owned_sequence(ctx, table, column)
    if seq is None or seq.is_identity or "nextval(" not in (column.default or ""):
        return
    if any((s.schema, s.name) == (seq.schema, seq.name) for s in ctx.a.sequences):
        return
    ctx.add(Phase.COLUMNS, create_sequence(seq, ctx.ddl_options))
    ctx.add(Phase.KEYS, owned_by(seq, table))


def create_column(ctx: Context, table: Table, column: Column) -> None:
    if not column.is_local:
        return  # comes from a parent, which gets the column itself
    _new_serial_sequence(ctx, table, column)
    identity = _owned_sequence(ctx, table, column) if column.identity else None
    parent = parent_columns(table, ctx.b).get(column.name)
    line = column_line(table, column, identity, parent)
    hazards = []
    target = part_target(table, column.name)
    volatile = any(v in (column.default or "") for v in _VOLATILE_DEFAULTS)
    if column.generated is not None and column.generated_kind != "VIRTUAL":
        hazards.append(Hazard(HazardKind.REWRITE, "a stored generated column rewrites the table"))
    elif column.identity or volatile:
        hazards.append(Hazard(HazardKind.REWRITE, "a volatile default rewrites the table"))
    if column.not_null and column.default is None and not column.identity and not column.generated:
        hazards.append(
            Hazard(HazardKind.MAY_FAIL, "NOT NULL without a default fails if the table has rows")
        )
    ctx.add(
        Phase.COLUMNS, f"ALTER TABLE {name_of(table)} ADD COLUMN {line};", *hazards, target=target
    )
    if column.storage:
        col = quote_ident(column.name)
        ctx.add(
            Phase.COLUMNS,
            f"ALTER TABLE {name_of(table)} ALTER COLUMN {col} SET STORAGE {column.storage};",
        )
    if column.comment is not None:
        _column_comment(ctx, table, column.name, column.comment)


def drop_column(ctx: Context, table: Table, column: Column) -> None:
    if not column.is_local:
        return
    ctx.add(
        Phase.DROP_COLUMNS,
        f"ALTER TABLE {name_of(table)} DROP COLUMN {quote_ident(column.name)};",
        Hazard(HazardKind.DATA_LOSS, f"drops column {column.name} and every value in it"),
        target=part_target(table, column.name),
    )


def _column_comment(ctx: Context, table: Table, column: str, comment: str | None) -> None:
    text = "NULL" if comment is None else quote_literal(comment)
    target = f"{name_of(table)}.{quote_ident(column)}"
    ctx.add(Phase.COMMENTS, f"COMMENT ON COLUMN {target} IS {text};")


def _type_change(ctx: Context, table: Table, old: Column, new: Column) -> None:
    col = quote_ident(new.name)
    alter = f"ALTER TABLE {name_of(table)} ALTER COLUMN {col}"
    kind = classify_type_change(old.data_type, new.data_type)
    hazards = []
    if not kind.widening:
        hazards.append(
            Hazard(
                HazardKind.DATA_LOSS,
                f"{old.data_type} to {new.data_type} is not a widening: values may be cut,"
                " rounded or refused",
            )
        )
        hazards.append(
            Hazard(HazardKind.MAY_FAIL, f"fails on values that do not cast to {new.data_type}")
        )
    if kind.rewrite:
        hazards.append(
            Hazard(HazardKind.REWRITE, "rewrites the table and its indexes under an exclusive lock")
        )
    if old.default is not None and new.identity is None:
        ctx.add(Phase.COLUMNS, f"{alter} DROP DEFAULT;")  # the old default may not cast
    collate = f" COLLATE {new.collation}" if new.collation else ""
    using = "" if kind.widening else f" USING {col}::{new.data_type}"
    ctx.add(
        Phase.COLUMNS,
        f"{alter} TYPE {new.data_type}{collate}{using};",
        *hazards,
        target=part_target(table, new.name),
    )
    if new.default is not None and new.identity is None and new.generated is None:
        ctx.add(Phase.COLUMNS, f"{alter} SET DEFAULT {new.default};")


def _not_null_change(ctx: Context, table: Table, new: Column) -> None:
    alter = f"ALTER TABLE {name_of(table)} ALTER COLUMN {quote_ident(new.name)}"
    if not new.not_null:
        ctx.add(Phase.COLUMNS, f"{alter} DROP NOT NULL;")
        return
    sql = f"{alter} SET NOT NULL;"
    if _named_not_null(ctx, table, new):
        # SET NOT NULL would name the constraint after the table and column as they are now,
        # and B's constraint has another name (made before a rename, or named by hand)
        sql = (
            f"ALTER TABLE {name_of(table)} ADD CONSTRAINT {quote_ident(new.not_null_name or '')}"
            f" NOT NULL {quote_ident(new.name)};"
        )
    check = quote_ident(f"{table.name}_{new.name}_not_null_check")
    route = (
        f"on a large table, first ADD CONSTRAINT {check} CHECK ({quote_ident(new.name)}"
        f" IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT {check} (no exclusive lock),"
        " then SET NOT NULL (it uses the check) and DROP the check"
    )
    ctx.add(
        Phase.COLUMNS,
        sql,
        Hazard(HazardKind.MAY_FAIL, "fails if any row holds NULL"),
        Hazard(HazardKind.REWRITE, f"scans the whole table under an exclusive lock; {route}"),
        target=part_target(table, new.name),
    )


def _named_not_null(ctx: Context, table: Table, column: Column) -> bool:
    """B names the column's NOT NULL constraint otherwise than PostgreSQL would on A."""
    return (
        ctx.a.server.version_num >= NAMED_NOT_NULL_SINCE
        and column.not_null_name is not None
        and column.not_null_name != default_object_name(table.name, column.name, "not_null")
    )


def rename_not_null_constraints(
    ctx: Context, old_table: Table, table: Table, change: TableDiff | None
) -> None:
    """Give each NOT NULL constraint that A and B both have B's name (PostgreSQL 18).

    The diff compares these names only when both sides have them (18 only), and renaming a
    table or a column keeps its constraint's name: a constraint made before a rename on B, or
    renamed by hand, has a name A would not get by replaying the diff. `change` is None for a table
    the diff does not name (the names may still differ).
    """
    if ctx.a.server.version_num < NAMED_NOT_NULL_SINCE:
        return
    parts = change.objects if change is not None else ()
    old_names = {p.name: p.old_name for p in parts if p.object_type == "column" and p.old_name}
    for new in table.columns:
        old = old_table.column(old_names.get(new.name, new.name))
        if (
            old is None
            or not (old.not_null and new.not_null and old.is_local and new.is_local)
            or old.not_null_name is None
            or new.not_null_name is None
            or old.not_null_name == new.not_null_name
        ):
            continue
        ctx.add(
            Phase.RENAME,
            f"ALTER TABLE {name_of(table)} RENAME CONSTRAINT {quote_ident(old.not_null_name)}"
            f" TO {quote_ident(new.not_null_name)};",
        )


def _identity_change(ctx: Context, table: Table, old: Column, new: Column) -> None:
    alter = f"ALTER TABLE {name_of(table)} ALTER COLUMN {quote_ident(new.name)}"
    if new.identity is None:
        ctx.add(Phase.COLUMNS, f"{alter} DROP IDENTITY;")
    elif old.identity is None:
        if old.default is not None:
            ctx.add(Phase.COLUMNS, f"{alter} DROP DEFAULT;")
        ctx.add(Phase.COLUMNS, f"{alter} ADD GENERATED {new.identity} AS IDENTITY;")
    else:
        ctx.add(Phase.COLUMNS, f"{alter} SET GENERATED {new.identity};")


def alter_column(
    ctx: Context, old_table: Table, table: Table, old: Column, new: Column, change: ObjectChange
) -> bool:
    fields = {f.field for f in change.fields}
    if fields & {"generated_kind", "is_local"}:
        return False
    alter = f"ALTER TABLE {name_of(table)} ALTER COLUMN {quote_ident(new.name)}"
    if "generated" in fields:
        if old.generated is None:
            return False  # a column cannot become generated in place
        if new.generated is None:
            if old.generated_kind == "VIRTUAL":
                return False
            ctx.add(Phase.COLUMNS, f"{alter} DROP EXPRESSION;")
        elif ctx.a.server.version_num >= SET_EXPRESSION_SINCE:
            ctx.add(
                Phase.COLUMNS,
                f"{alter} SET EXPRESSION AS ({new.generated});",
                Hazard(HazardKind.REWRITE, "recomputes every row under an exclusive lock"),
                target=part_target(table, new.name),
            )
        else:
            return False
    if "not_null" in fields and new.not_null:
        _not_null_change(ctx, table, new)  # an identity column must be NOT NULL first
    if "identity" in fields:
        _identity_change(ctx, table, old, new)
    if "data_type" in fields or "collation" in fields:
        _type_change(ctx, table, old, new)
    elif "default" in fields and "identity" not in fields:
        if new.default is None:
            ctx.add(Phase.COLUMNS, f"{alter} DROP DEFAULT;")
        else:
            ctx.add(Phase.COLUMNS, f"{alter} SET DEFAULT {new.default};")
    elif "default" in fields and new.default is not None:
        ctx.add(Phase.COLUMNS, f"{alter} SET DEFAULT {new.default};")
    if "not_null" in fields and not new.not_null:
        _not_null_change(ctx, table, new)  # after DROP IDENTITY, which needs NOT NULL
    if "storage" in fields:
        ctx.add(Phase.COLUMNS, f"{alter} SET STORAGE {new.storage or 'EXTENDED'};")
    if "comment" in fields:
        _column_comment(ctx, table, new.name, new.comment)
    return True  # `enum_values` follow the type's labels (see datatypes.py)


def rename_column(ctx: Context, table: Table, old_name: str, new_name: str) -> None:
    ctx.add(
        Phase.RENAME,
        f"ALTER TABLE {name_of(table)} RENAME COLUMN {quote_ident(old_name)}"
        f" TO {quote_ident(new_name)};",
    )


# ---------------------------------------------------------------- constraints
