"""`CREATE TABLE` itself, and the column fixes that must follow it.

Partitions are written as pg_dump writes them: a plain `CREATE TABLE` holding every column
and CHECK constraint (ATTACH PARTITION insists on them), attached later. That keeps a
partition's own column order and names, which `CREATE TABLE ... PARTITION OF` would not.
Inheritance children list only their local columns; what they inherit but changed (a default,
NOT NULL) is set afterwards with `ALTER TABLE ONLY`, again as pg_dump does.
"""

from __future__ import annotations

import re

from ehgtui.catalog.model import Catalog, Column, Constraint, Sequence, Table
from ehgtui.ddl.names import default_object_name
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal
from ehgtui.ddl.sequences import identity_clause

_SIMPLE_OPTION_VALUE = re.compile(r"[A-Za-z0-9_.\-]+")


def relation_name(name: str, catalog: Catalog) -> str:
    """Quote a `schema.table` key of the model, splitting it the way the catalog does."""
    found = catalog.table(name)
    if found is not None:
        return qualified(found.schema, found.name)
    schema, _, rest = name.partition(".")
    return qualified(schema, rest) if rest else quote_ident(name)


def storage_options(options: tuple[str, ...]) -> str:
    """reloptions as `WITH (...)` items: `name=value`, the value quoted only when needed."""
    items = []
    for option in options:
        key, _, value = option.partition("=")
        if not _SIMPLE_OPTION_VALUE.fullmatch(value):
            value = quote_literal(value)
        items.append(f"{key}={value}")
    return ", ".join(items)


def parent_columns(table: Table, catalog: Catalog) -> dict[str, Column]:
    """The columns of `table`'s parents by name (first parent wins, as PostgreSQL merges)."""
    found: dict[str, Column] = {}
    parents = (table.partition_of,) if table.partition_of else table.inherits
    for parent_name in parents:
        parent = catalog.table(parent_name) if parent_name else None
        for column in parent.columns if parent else ():
            found.setdefault(column.name, column)
    return found


def _not_null(table: Table, column: Column) -> str:
    """`NOT NULL`, named only when PostgreSQL 18 would not have chosen that name itself."""
    if not column.not_null:
        return ""
    name = column.not_null_name
    if name and name != default_object_name(table.name, column.name, "not_null"):
        return f" CONSTRAINT {quote_ident(name)} NOT NULL"
    return " NOT NULL"


def column_line(
    table: Table, column: Column, sequence: Sequence | None, parent: Column | None
) -> str:
    """One column of `CREATE TABLE`: type, collation, default or generation, NOT NULL."""
    line = f"{quote_ident(column.name)} {column.data_type}"
    if column.collation:
        line += f" COLLATE {column.collation}"
    if column.generated is not None:
        line += f" GENERATED ALWAYS AS ({column.generated}) {column.generated_kind or 'STORED'}"
    elif column.identity and not (table.partition_of and parent and parent.identity):
        # A partition gets its parent's identity when attached (PostgreSQL 17+); saying it
        # again would be refused.
        line += " " + identity_clause(column, sequence, table)
    elif column.default is not None:
        line += f" DEFAULT {column.default}"
    return line + _not_null(table, column)


def printed_columns(table: Table) -> list[Column]:
    """The columns `CREATE TABLE` lists: all for partitions, only local ones for inheritors."""
    if table.inherits and not table.partition_of:
        return [c for c in table.columns if c.is_local]
    return list(table.columns)


def inline_checks(table: Table) -> list[Constraint]:
    """CHECK constraints written inside `CREATE TABLE`.

    Unvalidated ones are added afterwards (CREATE TABLE would validate them), inherited ones
    come with INHERITS, except on partitions, where ATTACH PARTITION requires them up front.
    """
    return [
        c
        for c in table.constraints
        if c.kind == "CHECK" and c.validated and (c.is_local or table.partition_of)
    ]


def create_table(
    table: Table, catalog: Catalog, options: DdlOptions, sequences: dict[str, Sequence]
) -> str:
    """The `CREATE TABLE` statement, with INHERITS, PARTITION BY and WITH (...)."""
    parents = parent_columns(table, catalog)
    items = [
        column_line(table, c, sequences.get(c.name), parents.get(c.name))
        for c in printed_columns(table)
    ]
    items += [f"CONSTRAINT {quote_ident(c.name)} {c.definition}" for c in inline_checks(table)]
    unlogged = "UNLOGGED " if table.persistence == "unlogged" else ""
    if_not_exists = "IF NOT EXISTS " if options.if_not_exists else ""
    head = f"CREATE {unlogged}TABLE {if_not_exists}{qualified(table.schema, table.name)} ("
    body = "".join(f"\n    {item}," for item in items).rstrip(",")
    text = f"{head}{body}\n)"
    if table.inherits and not table.partition_of:
        text += "\nINHERITS (" + ", ".join(relation_name(p, catalog) for p in table.inherits) + ")"
    if table.partition_key:
        text += f"\nPARTITION BY {table.partition_key}"
    if table.options:
        text += f"\nWITH ({storage_options(table.options)})"
    return text + ";"


def column_fixes(table: Table, catalog: Catalog) -> list[str]:
    """Statements that finish columns: SET STORAGE, and changes to inherited columns."""
    name = qualified(table.schema, table.name)
    statements = []
    parents = parent_columns(table, catalog)
    inheritor = bool(table.inherits) and not table.partition_of
    for column in table.columns:
        col = quote_ident(column.name)
        parent = parents.get(column.name)
        if inheritor and not column.is_local and parent is not None:
            if column.default != parent.default and column.generated is None:
                change = f"SET DEFAULT {column.default}" if column.default else "DROP DEFAULT"
                statements.append(f"ALTER TABLE ONLY {name} ALTER COLUMN {col} {change};")
            if column.not_null and not parent.not_null:
                named = _not_null(table, column)
                if named.startswith(" CONSTRAINT"):
                    constraint = quote_ident(column.not_null_name or "")
                    statements.append(
                        f"ALTER TABLE ONLY {name} ADD CONSTRAINT {constraint} NOT NULL {col};"
                    )
                else:
                    statements.append(f"ALTER TABLE ONLY {name} ALTER COLUMN {col} SET NOT NULL;")
        if column.storage:
            statements.append(
                f"ALTER TABLE ONLY {name} ALTER COLUMN {col} SET STORAGE {column.storage};"
            )
    return statements


def unvalidated_checks(table: Table) -> list[str]:
    """CHECK constraints added NOT VALID: only `ALTER TABLE` can leave them unvalidated."""
    name = qualified(table.schema, table.name)
    return [
        f"ALTER TABLE {name}\n    ADD CONSTRAINT {quote_ident(c.name)} {c.definition};"
        for c in table.constraints
        if c.kind == "CHECK" and not c.validated and c.is_local
    ]
