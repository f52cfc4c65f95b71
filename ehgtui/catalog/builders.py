"""Each bulk query's rows made into model objects, grouped by table oid, as they arrive.

The loader (`catalog/loader.py`) fetches and calls `build` on each query's rows; `assemble.py`
makes the tables and the catalog from what these return. The queries that return the most rows
(columns, constraints, indexes) are unpacked by position: their field names are checked once
per load against the tuples here, so that a reordered query fails loudly, not subtly.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Any

from ehgtui.catalog import schema_objects
from ehgtui.catalog.model import (
    Column,
    Constraint,
    ForeignKeyRef,
    Index,
    Policy,
    Trigger,
)

CONSTRAINT_KINDS = {
    "p": "PRIMARY KEY",
    "u": "UNIQUE",
    "c": "CHECK",
    "f": "FOREIGN KEY",
    "x": "EXCLUDE",
    "t": "TRIGGER",
    "n": "NOT NULL",
}
FK_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}
FK_MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}
POLICY_COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}
TRIGGER_ENABLED = {"O": "ENABLED", "D": "DISABLED", "R": "REPLICA", "A": "ALWAYS"}
IDENTITY = {"a": "ALWAYS", "d": "BY DEFAULT"}
GENERATED = {"s": "STORED", "v": "VIRTUAL"}
STORAGE = {"p": "PLAIN", "e": "EXTERNAL", "x": "EXTENDED", "m": "MAIN"}
TYPE_KINDS = {
    "b": "base",
    "c": "composite",
    "d": "domain",
    "e": "enum",
    "p": "pseudo",
    "r": "range",
    "m": "multirange",
}

_BY_NAME = attrgetter("name")
_BY_POSITION = attrgetter("position")


def _sort_each(grouped: dict[int, list[Any]], key: Any) -> None:
    """Put each table's objects in order (the queries send rows in no order: `queries.py`).

    Python's sort compares str by code point, which is the byte order of their UTF-8, as
    PostgreSQL's `name` type (collation "C") orders them in a UTF-8 database (Supabase's and
    the demo's); in another server encoding, names outside ASCII may sort differently.
    """
    for items in grouped.values():
        if len(items) > 1:
            items.sort(key=key)


_WHEN_CLAUSE = re.compile(r" FOR EACH (?:ROW|STATEMENT) WHEN \((?P<when>.*)\) EXECUTE ", re.DOTALL)


class CatalogError(RuntimeError):
    """A catalog query failed; the message is one line."""


class SchemaMoved(Exception):
    """A query saw a table or column that the relations query did not: DDL ran mid-load.

    Each bulk query reads the catalog in a transaction of its own, so a migration applied
    while they run can be half seen: an index on a table created after the relations query,
    a constraint on a column added since.
    """


def needs_column_names(name: str) -> bool:
    """Whether the rows of query `name` name their key columns from the relations query's."""
    return name in _KEYED


def build(name: str, rows: Any, keys: ColumnNames | None = None) -> Any:
    """Turn one query's rows into model objects grouped by table oid, when it has any (the
    relations query's rows become tables in `table_heads.py`).

    Args:
        name: The query's name in `queries.BULK_QUERIES` (or `server`).
        rows: Its rows.
        keys: Every loaded table's column names, for the queries that `needs_column_names`.
    """
    if name in _KEYED:
        assert keys is not None, f"the {name} rows are named from the relations query's"
        return _KEYED[name](rows, keys)
    if name == "columns":
        return _columns(rows)
    if name in _GROUPED:
        return _group(rows, _GROUPED[name])
    if name in _OBJECTS:
        return _OBJECTS[name](rows)
    return rows


ColumnNames = dict[int, list[str]]
"""Table oid to its column names by attnum - 1 (dropped columns hold a placeholder name)."""


def column_names(relations: Iterable[Any]) -> ColumnNames:
    """Every loaded relation's column names by position, from the relations query."""
    return {row["oid"]: row["attnames"] for row in relations}


@lru_cache(maxsize=4096)
def _attnums(text: str | None) -> tuple[int, ...]:
    """Attnums from the space-separated text the queries send (`1 3`, `0` for an expression).

    A few distinct texts (`1`, `2`, `1 2`, …) cover tens of thousands of keys: parsed once each.
    """
    return tuple(int(k) for k in text.split()) if text else ()


def _names(keys: str | None, names: list[str] | None) -> tuple[str, ...]:
    """Name the attnums in `keys` from a loaded table's column names (None: not loaded)."""
    attnums = _attnums(keys)
    if not attnums:
        return ()
    if names is None or max(attnums) > len(names):
        raise SchemaMoved
    return tuple([names[k - 1] for k in attnums])


CONSTRAINT_FIELDS = (
    "table_oid",
    "table_schema",
    "table_name",
    "name",
    "contype",
    "definition",
    "keys",
    "columns",
    "deferrable",
    "deferred",
    "validated",
    "is_local",
    "index_name",
    "ref_schema",
    "ref_table",
    "ref_oid",
    "ref_keys",
    "ref_columns",
    "on_update",
    "on_delete",
    "match_type",
    "is_loaded",
    "comment",
    "index_options",
)
"""The CONSTRAINTS query's result columns, in order: `_constraints` unpacks rows by position."""


def _constraints(
    rows: Sequence[Any], column_names: ColumnNames
) -> tuple[dict[int, list[Constraint]], dict[tuple[str, str], list[ForeignKeyRef]]]:
    """Constraints grouped by table oid, and the foreign keys pointing at each table.

    Rows are unpacked by position, as `_columns` does, for the same reason (three constraints
    per table): the names are checked against CONSTRAINT_FIELDS once per load.
    """
    constraints: dict[int, list[Constraint]] = defaultdict(list)
    referenced_by: dict[tuple[str, str], list[ForeignKeyRef]] = defaultdict(list)
    check_fields(rows, CONSTRAINT_FIELDS, "constraints")
    names_of = column_names.get
    for (
        table_oid,
        table_schema,
        table_name,
        name,
        contype,
        definition,
        keys,
        columns,
        deferrable,
        deferred,
        validated,
        is_local,
        index_name,
        ref_schema,
        ref_table,
        ref_oid,
        ref_keys,
        ref_columns,
        on_update,
        on_delete,
        match_type,
        is_loaded,
        comment,
        index_options,
    ) in rows:
        is_fk = contype == "f"
        # column names come from the server only for tables outside the loaded schemas
        if columns is None:
            columns = _names(keys, names_of(table_oid))
        if not is_fk:
            ref_columns = ()
        elif ref_columns is None:
            ref_columns = _names(ref_keys, names_of(ref_oid))
        # positional, in the model's field order (a test checks where each value lands)
        constraint = Constraint(
            name,
            CONSTRAINT_KINDS.get(contype, contype),
            definition,
            tuple(columns),
            deferrable,
            deferred,
            validated,
            is_local,
            index_name,
            ref_schema if is_fk else None,
            ref_table if is_fk else None,
            tuple(ref_columns),
            FK_ACTIONS.get(on_update) if is_fk else None,  # on_update
            FK_ACTIONS.get(on_delete) if is_fk else None,  # on_delete
            FK_MATCH.get(match_type) if is_fk else None,  # match
            comment,
            index_options,
        )
        if is_loaded:
            constraints[table_oid].append(constraint)
        if is_fk and is_local:
            assert ref_schema is not None and ref_table is not None
            referenced_by[(ref_schema, ref_table)].append(
                ForeignKeyRef(
                    schema=table_schema,
                    table=table_name,
                    constraint_name=name,
                    columns=constraint.columns,
                    ref_columns=constraint.ref_columns,
                    on_delete=constraint.on_delete or "NO ACTION",
                    on_update=constraint.on_update or "NO ACTION",
                )
            )
    # by name alone, as snapshots keep them and pg_dump writes them: one order from every
    # source, so that `diff --ddl` shows no constraint moving that did not move
    _sort_each(constraints, _BY_NAME)
    return constraints, referenced_by


def check_fields(rows: Sequence[Any], fields: tuple[str, ...], query: str) -> None:
    """Refuse rows whose columns are not `fields` in that order (a builder unpacks by position)."""
    if rows and tuple(rows[0].keys()) != fields:
        raise CatalogError(f"catalog query failed: the {query} query's fields changed")


def _group(rows: Iterable[Any], make: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row["table_oid"]].append(make(row))
    _sort_each(grouped, _BY_NAME)
    return grouped


COLUMN_FIELDS = (
    "table_oid",
    "name",
    "position",
    "data_type",
    "type_schema",
    "type_kind",
    "element_type",
    "enum_values",
    "not_null",
    "default_expr",
    "identity",
    "generated",
    "collation",
    "storage",
    "comment",
    "is_local",
    "not_null_name",
    "acl",
)
"""The COLUMNS query's result columns, in order: `_columns` unpacks its rows by position."""


def _columns(rows: Sequence[Any]) -> dict[int, list[Column]]:
    """Columns grouped by table oid.

    The columns query returns the most rows of all (nine per table on the demo), so its rows
    are unpacked by position instead of looked up by name nineteen times each (a third less
    time); the names are checked against COLUMN_FIELDS once, so that a reordered query fails
    loudly, not subtly.
    """
    grouped: dict[int, list[Column]] = defaultdict(list)
    check_fields(rows, COLUMN_FIELDS, "columns")
    intern = sys.intern
    for (
        table_oid,
        name,
        position,
        data_type,
        type_schema,
        type_kind,
        element_type,
        enum_values,
        not_null,
        default,
        identity,
        generated,
        collation,
        storage,
        comment,
        is_local,
        not_null_name,
        acl,
    ) in rows:
        generated_kind = GENERATED.get(generated) if generated else None  # mostly ""
        grouped[table_oid].append(
            # positional, in the model's field order (a test checks where each value lands):
            # five times faster to build than by keyword, and this runs once per column
            Column(
                name,
                position,
                # a handful of distinct values over thousands of columns: share one string each
                intern(data_type),
                intern(type_schema),
                TYPE_KINDS.get(type_kind, type_kind),
                element_type,
                tuple(enum_values) if enum_values else (),
                not_null,
                None if generated_kind else default,  # default
                IDENTITY.get(identity) if identity else None,  # identity
                default if generated_kind else None,  # generated
                generated_kind,
                collation,
                STORAGE.get(storage) if storage else None,  # storage, when not the type's
                comment,
                is_local,
                not_null_name,
                tuple(acl) if acl else (),  # acl
            )
        )
    _sort_each(grouped, _BY_POSITION)
    return grouped


INDEX_FIELDS = (
    "table_oid",
    "name",
    "definition",
    "keys",
    "key_count",
    "key_texts",
    "is_unique",
    "is_primary",
    "constraint_name",
    "predicate",
    "method",
    "size_bytes",
    "is_valid",
    "is_inherited",
    "is_replica_identity",
    "comment",
)
"""The INDEXES query's result columns, in order: `_indexes` unpacks rows by position."""


def _indexes(rows: Sequence[Any], column_names: ColumnNames) -> dict[int, list[Index]]:
    """Indexes grouped by table oid, rows unpacked by position (see `_constraints`)."""
    grouped: dict[int, list[Index]] = defaultdict(list)
    check_fields(rows, INDEX_FIELDS, "indexes")
    names_of = column_names.get
    for (
        table_oid,
        name,
        definition,
        keys,
        key_count,
        key_texts,
        is_unique,
        is_primary,
        constraint_name,
        predicate,
        method,
        size_bytes,
        is_valid,
        is_inherited,
        is_replica_identity,
        comment,
    ) in rows:
        attnums = _attnums(keys)[:key_count]  # INCLUDE columns follow the key ones
        names = names_of(table_oid)
        if names is None or (attnums and max(attnums) > len(names)):
            raise SchemaMoved
        grouped[table_oid].append(
            # positional, in the model's field order (a test checks where each value lands)
            Index(
                name,
                definition,
                # expression indexes only have key_texts: attnum 0 marks an expression
                tuple([names[k - 1] if k else key_texts[i] for i, k in enumerate(attnums)]),
                is_unique,
                is_primary,
                constraint_name,
                predicate,
                method,
                size_bytes,
                is_valid,
                is_inherited,
                is_replica_identity,
                comment,
            )
        )
    _sort_each(grouped, _BY_NAME)
    return grouped


def _policy(row: Any) -> Policy:
    return Policy(
        name=row["name"],
        command=POLICY_COMMANDS[row["polcmd"]],
        roles=tuple(row["roles"] or ()),
        permissive=row["permissive"],
        using=row["using_expr"],
        with_check=row["with_check"],
        comment=row["comment"],
    )


@lru_cache(maxsize=256)
def _trigger_type(tgtype: int) -> tuple[str, tuple[str, ...], str]:
    """Timing, events and level from pg_trigger.tgtype's bits (a few distinct values)."""
    if tgtype & 2:
        timing = "BEFORE"
    elif tgtype & 64:
        timing = "INSTEAD OF"
    else:
        timing = "AFTER"
    events = tuple(
        name
        for bit, name in ((4, "INSERT"), (16, "UPDATE"), (8, "DELETE"), (32, "TRUNCATE"))
        if tgtype & bit
    )
    return timing, events, "ROW" if tgtype & 1 else "STATEMENT"


def _trigger(row: Any) -> Trigger:
    timing, events, for_each = _trigger_type(row["tgtype"])
    raw_args: bytes = row["args"] or b""
    arguments = tuple(a.decode("utf-8", "replace") for a in raw_args.split(b"\x00")[: row["nargs"]])
    definition = row["definition"]
    when = _WHEN_CLAUSE.search(definition) if " WHEN (" in definition else None
    return Trigger(
        name=row["name"],
        timing=timing,
        events=events,
        update_columns=tuple(row["update_columns"] or ()),
        for_each=for_each,
        function=row["function"],
        arguments=arguments,
        when=when.group("when") if when else None,
        enabled=TRIGGER_ENABLED.get(row["enabled"], row["enabled"]),
        definition=definition,
        is_inherited=row["is_inherited"],
        comment=row["comment"],
    )


_KEYED: dict[str, Any] = {"indexes": _indexes, "constraints": _constraints}
"""Queries whose rows need the column names (by attnum) to become model objects."""

_GROUPED: dict[str, Any] = {
    "policies": _policy,
    "triggers": _trigger,
}
"""Queries whose rows become one model object each, grouped by table oid."""

_OBJECTS: dict[str, Any] = {
    "functions": schema_objects.functions,
    "types": schema_objects.types,
    "objects": schema_objects.database_objects,
    "uses": schema_objects.uses,
}
"""Queries of what is not a table: their rows become the catalog's own lists."""
