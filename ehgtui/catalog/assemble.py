"""The bulk catalog queries' rows made into the model: one builder per query, then the catalog.

The loader (`catalog/loader.py`) fetches; this turns each query's rows into model objects as
they arrive, and assembles the tables once all have.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ehgtui.catalog import queries
from ehgtui.catalog.acl import parse_acl
from ehgtui.catalog.model import (
    TABLE_KINDS,
    Catalog,
    Column,
    Constraint,
    ForeignKeyRef,
    Index,
    Policy,
    ServerInfo,
    Table,
    Trigger,
)
from ehgtui.catalog.model import Sequence as SequenceModel

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
PERSISTENCE = {"p": "permanent", "u": "unlogged", "t": "temporary"}
REPLICA_IDENTITY = {"d": "DEFAULT", "n": "NOTHING", "f": "FULL", "i": "INDEX"}
TYPE_KINDS = {
    "b": "base",
    "c": "composite",
    "d": "domain",
    "e": "enum",
    "p": "pseudo",
    "r": "range",
    "m": "multirange",
}

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
    """Turn one query's rows into model objects grouped by table oid, when it has any.

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
    return rows


ColumnNames = dict[int, list[str]]
"""Table oid to its column names by attnum - 1 (dropped columns hold a placeholder name)."""


def column_names(relations: Iterable[Any]) -> ColumnNames:
    """Every loaded relation's column names by position, from the relations query."""
    return {row["oid"]: row["attnames"] for row in relations}


def _attnums(text: str | None) -> list[int]:
    """Attnums from the space-separated text the queries send (`1 3`, `0` for an expression)."""
    return [int(k) for k in text.split()] if text else []


def _names(keys: str | None, names: list[str] | None) -> tuple[str, ...]:
    """Name the attnums in `keys` from a loaded table's column names (None: not loaded)."""
    attnums = _attnums(keys)
    if not attnums:
        return ()
    if names is None or max(attnums) > len(names):
        raise SchemaMoved
    return tuple(names[k - 1] for k in attnums)


def _constraints(
    rows: Iterable[Any], column_names: ColumnNames
) -> tuple[dict[int, list[Constraint]], dict[tuple[str, str], list[ForeignKeyRef]]]:
    constraints: dict[int, list[Constraint]] = defaultdict(list)
    referenced_by: dict[tuple[str, str], list[ForeignKeyRef]] = defaultdict(list)
    for row in rows:
        constraint = _constraint(row, column_names)
        if row["is_loaded"]:
            constraints[row["table_oid"]].append(constraint)
        if constraint.kind == "FOREIGN KEY" and constraint.is_local:
            assert constraint.ref_schema is not None and constraint.ref_table is not None
            referenced_by[(constraint.ref_schema, constraint.ref_table)].append(
                ForeignKeyRef(
                    schema=row["table_schema"],
                    table=row["table_name"],
                    constraint_name=constraint.name,
                    columns=constraint.columns,
                    ref_columns=constraint.ref_columns,
                    on_delete=constraint.on_delete or "NO ACTION",
                    on_update=constraint.on_update or "NO ACTION",
                )
            )
    return constraints, referenced_by


def assemble(prepared: dict[str, Any], schemas: Sequence[str], loaded_at: float) -> Catalog:
    """The catalog from every query's built rows (`build`), the relations' raw."""
    raw = prepared
    server_row = raw["server"][0]
    server = ServerInfo(
        version=server_row["version"],
        version_num=server_row["version_num"],
        database=server_row["database"],
        current_user=server_row["current_user"],
        read_only=server_row["read_only"],
    )
    columns = prepared["columns"]
    indexes = prepared["indexes"]
    policies = prepared["policies"]
    triggers = prepared["triggers"]
    constraints, referenced_by = prepared["constraints"]

    tables = []
    for row in raw["relations"]:
        oid = row["oid"]
        parents = tuple(row["parents"] or ())
        is_partition = bool(row["is_partition"])
        tables.append(
            Table(
                oid=oid,
                schema=row["schema"],
                name=row["name"],
                kind=TABLE_KINDS[row["relkind"]],
                owner=row["owner"],
                comment=row["comment"],
                rls_enabled=row["rls_enabled"],
                rls_forced=row["rls_forced"],
                row_estimate=row["row_estimate"],
                size_bytes=row["size_bytes"],
                persistence=PERSISTENCE.get(row["persistence"], row["persistence"]),
                replica_identity=REPLICA_IDENTITY.get(
                    row["replica_identity"], row["replica_identity"]
                ),
                options=tuple(row["options"] or ()),
                partition_key=row["partition_key"],
                partition_of=parents[0] if is_partition and parents else None,
                partition_bound=row["partition_bound"],
                inherits=() if is_partition else parents,
                view_definition=row["view_definition"],
                columns=tuple(columns.get(oid, ())),
                constraints=tuple(constraints.get(oid, ())),
                indexes=tuple(indexes.get(oid, ())),
                policies=tuple(policies.get(oid, ())),
                triggers=tuple(triggers.get(oid, ())),
                privileges=parse_acl(row["acl"]),
                referenced_by=tuple(
                    sorted(
                        referenced_by.get((row["schema"], row["name"]), ()),
                        key=lambda r: (r.schema, r.table, r.constraint_name),
                    )
                ),
            )
        )
    sequences = tuple(_sequence(row) for row in raw["sequences"])
    return Catalog(
        server=server,
        schemas=tuple(schemas),
        tables=tuple(tables),
        sequences=sequences,
        loaded_at=loaded_at,
        query_count=queries.QUERIES_PER_LOAD,
    )


def _group(rows: Iterable[Any], make: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row["table_oid"]].append(make(row))
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
    "type_storage",
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
    if not rows:
        return grouped
    if tuple(rows[0].keys()) != COLUMN_FIELDS:
        raise CatalogError("catalog query failed: the columns query's fields changed")
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
        type_storage,
        comment,
        is_local,
        not_null_name,
        acl,
    ) in rows:
        generated_kind = GENERATED.get(generated or "")
        grouped[table_oid].append(
            Column(
                name=name,
                position=position,
                # a handful of distinct values over thousands of columns: share one string each
                data_type=intern(data_type),
                type_schema=intern(type_schema),
                type_kind=TYPE_KINDS.get(type_kind, type_kind),
                element_type=element_type,
                enum_values=tuple(enum_values) if enum_values else (),
                not_null=not_null,
                default=None if generated_kind else default,
                identity=IDENTITY.get(identity or ""),
                generated=default if generated_kind else None,
                generated_kind=generated_kind,
                collation=collation,
                storage=STORAGE.get(storage) if storage != type_storage else None,
                comment=comment,
                is_local=is_local,
                not_null_name=not_null_name,
                acl=tuple(acl) if acl else (),
            )
        )
    return grouped


def _constraint(row: Any, column_names: ColumnNames) -> Constraint:
    is_fk = row["contype"] == "f"
    columns = row["columns"]  # named by the server only for tables outside the loaded schemas
    if columns is None:
        columns = _names(row["keys"], column_names.get(row["table_oid"]))
    ref_columns: Sequence[str] = ()
    if is_fk:
        ref_columns = row["ref_columns"]
        if ref_columns is None:
            ref_columns = _names(row["ref_keys"], column_names.get(row["ref_oid"]))
    return Constraint(
        name=row["name"],
        kind=CONSTRAINT_KINDS.get(row["contype"], row["contype"]),
        definition=row["definition"],
        columns=tuple(columns),
        deferrable=row["deferrable"],
        deferred=row["deferred"],
        validated=row["validated"],
        is_local=row["is_local"],
        index_name=row["index_name"],
        ref_schema=row["ref_schema"] if is_fk else None,
        ref_table=row["ref_table"] if is_fk else None,
        ref_columns=tuple(ref_columns),
        on_update=FK_ACTIONS.get(row["on_update"]) if is_fk else None,
        on_delete=FK_ACTIONS.get(row["on_delete"]) if is_fk else None,
        match=FK_MATCH.get(row["match_type"]) if is_fk else None,
        comment=row["comment"],
    )


def _index(row: Any, column_names: ColumnNames) -> Index:
    keys = _attnums(row["keys"])[: row["key_count"]]  # INCLUDE columns follow the key ones
    texts = row["key_texts"]  # expression indexes only: attnum 0 marks an expression
    names = column_names.get(row["table_oid"])
    if names is None or (keys and max(keys) > len(names)):
        raise SchemaMoved
    return Index(
        name=row["name"],
        definition=row["definition"],
        columns=tuple(names[k - 1] if k else texts[i] for i, k in enumerate(keys)),
        is_unique=row["is_unique"],
        is_primary=row["is_primary"],
        constraint_name=row["constraint_name"],
        predicate=row["predicate"],
        method=row["method"],
        size_bytes=row["size_bytes"],
        is_valid=row["is_valid"],
        is_inherited=row["is_inherited"],
        is_replica_identity=row["is_replica_identity"],
    )


def _policy(row: Any) -> Policy:
    return Policy(
        name=row["name"],
        command=POLICY_COMMANDS[row["polcmd"]],
        roles=tuple(row["roles"] or ()),
        permissive=row["permissive"],
        using=row["using_expr"],
        with_check=row["with_check"],
    )


def _trigger(row: Any) -> Trigger:
    tgtype = row["tgtype"]
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
    raw_args: bytes = row["args"] or b""
    arguments = tuple(a.decode("utf-8", "replace") for a in raw_args.split(b"\x00")[: row["nargs"]])
    when = _WHEN_CLAUSE.search(row["definition"])
    return Trigger(
        name=row["name"],
        timing=timing,
        events=events,
        update_columns=tuple(row["update_columns"] or ()),
        for_each="ROW" if tgtype & 1 else "STATEMENT",
        function=row["function"],
        arguments=arguments,
        when=when.group("when") if when else None,
        enabled=TRIGGER_ENABLED.get(row["enabled"], row["enabled"]),
        definition=row["definition"],
        is_inherited=row["is_inherited"],
    )


def _sequence(row: Any) -> SequenceModel:
    return SequenceModel(
        schema=row["schema"],
        name=row["name"],
        data_type=row["data_type"],
        start=row["start"],
        increment=row["increment"],
        min_value=row["min_value"],
        max_value=row["max_value"],
        cache=row["cache"],
        cycle=row["cycle"],
        owner=row["owner"],
        owned_by_table=row["owned_by_table"],
        owned_by_column=row["owned_by_column"],
        is_identity=row["is_identity"],
        unlogged=row.get("unlogged", False),
        acl=tuple(row.get("acl") or ()),
    )


def _indexes(rows: Iterable[Any], column_names: ColumnNames) -> dict[int, list[Index]]:
    return _group(rows, lambda row: _index(row, column_names))


_KEYED: dict[str, Any] = {"indexes": _indexes, "constraints": _constraints}
"""Queries whose rows need the column names (by attnum) to become model objects."""

_GROUPED: dict[str, Any] = {
    "policies": _policy,
    "triggers": _trigger,
}
"""Queries whose rows become one model object each, grouped by table oid."""
