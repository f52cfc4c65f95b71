"""A small in-memory catalog for the pad's completion tests: no server needed to complete."""

from __future__ import annotations

from dataclasses import dataclass

from ehgtui.catalog.model import Catalog, Column, ServerInfo, Table


def column(name: str, data_type: str = "text", enum: tuple[str, ...] = ()) -> Column:
    return Column(
        name=name,
        position=0,
        data_type=data_type,
        type_schema="public" if enum else "pg_catalog",
        type_kind="e" if enum else "b",
        element_type=None,
        enum_values=enum,
        not_null=False,
        default=None,
        identity=None,
        generated=None,
        generated_kind=None,
        collation=None,
        storage=None,
        comment=None,
    )


def table(schema: str, name: str, *columns: Column, kind: str = "table") -> Table:
    return Table(
        oid=0,
        schema=schema,
        name=name,
        kind=kind,
        owner="postgres",
        comment=None,
        rls_enabled=False,
        rls_forced=False,
        row_estimate=0,
        size_bytes=0,
        persistence="p",
        replica_identity="d",
        options=(),
        partition_key=None,
        partition_of=None,
        partition_bound=None,
        inherits=(),
        view_definition=None,
        columns=columns,
    )


@dataclass(frozen=True)
class FakeFunction:
    """What completion reads of a catalog function."""

    schema: str
    name: str
    arguments: str
    result: str | None


def catalog(*tables: Table, schemas: tuple[str, ...] = ("public",)) -> Catalog:
    server = ServerInfo("18.1", 180001, "db", "postgres", False)
    return Catalog(server=server, schemas=schemas, tables=tables)
