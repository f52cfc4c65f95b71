"""The catalog made from the bulk queries' built rows: the tables, then the catalog.

The loader fetches, `builders.py` turns each query's rows into model objects as they arrive;
this puts them together with the relations query's rows once all have.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ehgtui.catalog import queries
from ehgtui.catalog.acl import parse_acl
from ehgtui.catalog.builders import check_fields
from ehgtui.catalog.model import (
    TABLE_KINDS,
    Catalog,
    ForeignKeyRef,
    ServerInfo,
    Table,
)
from ehgtui.catalog.model import Sequence as SequenceModel

PERSISTENCE = {"p": "permanent", "u": "unlogged", "t": "temporary"}
REPLICA_IDENTITY = {"d": "DEFAULT", "n": "NOTHING", "f": "FULL", "i": "INDEX"}


RELATION_FIELDS = (
    "oid",
    "schema",
    "name",
    "relkind",
    "owner",
    "comment",
    "rls_enabled",
    "rls_forced",
    "row_estimate",
    "size_bytes",
    "persistence",
    "replica_identity",
    "options",
    "partition_key",
    "partition_bound",
    "parents",
    "is_partition",
    "view_definition",
    "acl",
    "attnames",
)
"""The RELATIONS query's result columns, in order: `assemble` unpacks rows by position."""


def _referencing_order(ref: ForeignKeyRef) -> tuple[str, str, str]:
    return (ref.schema, ref.table, ref.constraint_name)


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

    relations = raw["relations"]
    check_fields(relations, RELATION_FIELDS, "relations")
    no_items: tuple[Any, ...] = ()
    tables = []
    for (
        oid,
        schema,
        name,
        relkind,
        owner,
        comment,
        rls_enabled,
        rls_forced,
        row_estimate,
        size_bytes,
        persistence,
        replica_identity,
        options,
        partition_key,
        partition_bound,
        parents,
        is_partition,
        view_definition,
        acl,
        _attnames,
    ) in relations:
        parents = tuple(parents) if parents else no_items
        pointing_here = referenced_by.get((schema, name))
        tables.append(
            Table(
                oid=oid,
                schema=schema,
                name=name,
                kind=TABLE_KINDS[relkind],
                owner=owner,
                comment=comment,
                rls_enabled=rls_enabled,
                rls_forced=rls_forced,
                row_estimate=row_estimate,
                size_bytes=size_bytes,
                persistence=PERSISTENCE.get(persistence, persistence),
                replica_identity=REPLICA_IDENTITY.get(replica_identity, replica_identity),
                options=tuple(options) if options else no_items,
                partition_key=partition_key,
                partition_of=parents[0] if is_partition and parents else None,
                partition_bound=partition_bound,
                inherits=no_items if is_partition else parents,
                view_definition=view_definition,
                columns=tuple(columns.get(oid, no_items)),
                constraints=tuple(constraints.get(oid, no_items)),
                indexes=tuple(indexes.get(oid, no_items)),
                policies=tuple(policies.get(oid, no_items)),
                triggers=tuple(triggers.get(oid, no_items)),
                privileges=parse_acl(acl),
                referenced_by=tuple(sorted(pointing_here, key=_referencing_order))
                if pointing_here
                else no_items,
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
