"""The catalog made from the bulk queries' built rows: the tables, then the catalog.

The loader fetches, `builders.py` turns each query's rows into model objects as they arrive;
this puts them together once all have: only what needs every query's rows is left to do here,
as this is the part of a load no query's wait can hide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from ehgtui.catalog import queries
from ehgtui.catalog.builders import CatalogError
from ehgtui.catalog.model import (
    Catalog,
    ForeignKeyRef,
    ServerInfo,
    Table,
)
from ehgtui.catalog.model import Sequence as SequenceModel
from ehgtui.catalog.schema_objects import with_uses


def _referencing_order(ref: ForeignKeyRef) -> tuple[str, str, str]:
    return (ref.schema, ref.table, ref.constraint_name)


def assemble(prepared: dict[str, Any], schemas: Sequence[str], loaded_at: float) -> Catalog:
    """The catalog from every query's built rows (`build`)."""
    server_row = prepared["server"][0]
    missing = server_row["missing_schemas"]
    if missing:  # else a typo reads as an empty schema: `0 tables`, exit status 0
        names = ", ".join(missing)
        raise CatalogError(f"no such schema in this database: {names}")
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

    no_items: tuple[Any, ...] = ()
    tables = []
    # heads: each table's fields before `columns`, in order (`table_heads.py`)
    for head, privileges in prepared["relations"]:
        oid, schema, name = head[0], head[1], head[2]
        pointing_here = referenced_by.get((schema, name))
        tail: tuple[Any, ...] = (  # the fields after the head, in the model's order
            tuple(columns.get(oid, no_items)),
            tuple(constraints.get(oid, no_items)),
            tuple(indexes.get(oid, no_items)),
            tuple(policies.get(oid, no_items)),
            tuple(triggers.get(oid, no_items)),
            privileges,
            tuple(sorted(pointing_here, key=_referencing_order)) if pointing_here else no_items,
        )
        tables.append(Table(*head, *tail))
    tables = _with_partition_sizes(tables)
    sequences = tuple(_sequence(row) for row in prepared["sequences"])
    functions, types = with_uses(prepared["functions"], prepared["types"], prepared["uses"], tables)
    objects = prepared["objects"]
    return Catalog(
        server=server,
        schemas=tuple(schemas),
        tables=tuple(tables),
        sequences=sequences,
        functions=functions,
        types=types,
        extensions=objects.extensions,
        publications=objects.publications,
        schema_objects=objects.schemas,
        default_privileges=objects.default_privileges,
        loaded_at=loaded_at,
        query_count=queries.QUERIES_PER_LOAD,
    )


def _with_partition_sizes(tables: list[Table]) -> list[Table]:
    """Partitioned tables sized as the sum of their partitions (they hold no data themselves,
    and pg_class says -1 pages for them), sub-partitioned ones included."""
    children: dict[str, list[Table]] = {}
    for table in tables:
        if table.partition_of:
            children.setdefault(table.partition_of, []).append(table)
    if not children:
        return tables
    sizes: dict[str, int] = {}

    def size(table: Table, seen: frozenset[str] = frozenset()) -> int:
        name = table.qualified_name
        if name not in sizes:
            below = children.get(name, []) if name not in seen else []
            own = table.size_bytes
            sizes[name] = own + sum(size(child, seen | {name}) for child in below)
        return sizes[name]

    return [
        msgspec.structs.replace(t, size_bytes=size(t)) if t.kind == "partitioned table" else t
        for t in tables
    ]


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
        comment=row.get("comment"),
    )
