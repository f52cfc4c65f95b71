"""The catalog as plain JSON-able data, and back: for `--json`, snapshots and the cache."""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

from ehgtui.catalog.model import (
    Catalog,
    Column,
    Constraint,
    ForeignKeyRef,
    Index,
    Policy,
    Privilege,
    Sequence,
    ServerInfo,
    Table,
    Trigger,
)

_TABLE_PARTS: dict[str, type[Any]] = {
    "columns": Column,
    "constraints": Constraint,
    "indexes": Index,
    "policies": Policy,
    "triggers": Trigger,
    "privileges": Privilege,
    "referenced_by": ForeignKeyRef,
}


@cache
def _field_names(cls: type[Any]) -> tuple[str, ...]:
    """The public field names of a model class (looked up once: this runs per object)."""
    return tuple(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))


def to_data(value: Any) -> Any:
    """Turn a model object (or a tuple of them) into dicts, lists and scalars."""
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_data(getattr(value, name)) for name in _field_names(type(value))}
    return value


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    kwargs = {}
    for name in _field_names(cls):
        if name in data:
            value = data[name]
            kwargs[name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


def table_from_data(data: dict[str, Any]) -> Table:
    """Rebuild a Table from `to_data(table)`."""
    parts = {
        name: tuple(_build(cls, item) for item in data.get(name, ()))
        for name, cls in _TABLE_PARTS.items()
    }
    scalars = {k: v for k, v in data.items() if k not in _TABLE_PARTS}
    table: Table = _build(Table, scalars)
    return dataclasses.replace(table, **parts)


def catalog_from_data(data: dict[str, Any]) -> Catalog:
    """Rebuild a Catalog from `to_data(catalog)`; raises KeyError/TypeError when malformed."""
    return Catalog(
        server=_build(ServerInfo, data["server"]),
        schemas=tuple(data["schemas"]),
        tables=tuple(table_from_data(t) for t in data["tables"]),
        sequences=tuple(_build(Sequence, s) for s in data.get("sequences", ())),
        loaded_at=data.get("loaded_at", 0.0),
        query_count=data.get("query_count", 0),
    )


# -- the cache's compact layout: the same fields, stored as rows -----------------------------
#
# The cache is read on every start, before the first screen, so it is stored the fast way:
# each model object as a JSON array of its field values, with each class's field names
# written once in a header. A 900-table catalog is a third the size of `to_data`'s and is
# rebuilt without a dict per object; a header that no longer matches the model (another
# ehgtui version) makes the reader refuse the file.

_ROW_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (ServerInfo, Table, Sequence, Column, Constraint, Index, Policy, Trigger)
}
_ROW_CLASSES.update({cls.__name__: cls for cls in (Privilege, ForeignKeyRef)})


@cache
def _row_layout(cls: type[Any]) -> tuple[tuple[int, ...], tuple[tuple[int, type[Any]], ...]]:
    """Indexes of a class's tuple fields, and of its fields holding tuples of model objects."""
    tuples: list[int] = []
    parts: list[tuple[int, type[Any]]] = []
    for index, f in enumerate(f for f in dataclasses.fields(cls) if not f.name.startswith("_")):
        if f.name in _TABLE_PARTS and cls is Table:
            parts.append((index, _TABLE_PARTS[f.name]))
        elif str(f.type).startswith("tuple["):
            tuples.append(index)
    return tuple(tuples), tuple(parts)


def _to_row(value: Any) -> list[Any]:
    row = [getattr(value, name) for name in _field_names(type(value))]
    for index, _ in _row_layout(type(value))[1]:
        row[index] = [_to_row(part) for part in row[index]]
    return row


def _from_row(cls: type[Any], row: list[Any]) -> Any:
    tuples, parts = _row_layout(cls)
    for index in tuples:
        row[index] = tuple(row[index])
    for index, part_cls in parts:
        row[index] = tuple(_from_row(part_cls, part) for part in row[index])
    return cls(*row)


def to_rows(catalog: Catalog) -> dict[str, Any]:
    """The catalog in the cache's compact layout (field names once, objects as arrays)."""
    return {
        "fields": {name: list(_field_names(cls)) for name, cls in _ROW_CLASSES.items()},
        "server": _to_row(catalog.server),
        "schemas": list(catalog.schemas),
        "tables": [_to_row(table) for table in catalog.tables],
        "sequences": [_to_row(sequence) for sequence in catalog.sequences],
        "loaded_at": catalog.loaded_at,
        "query_count": catalog.query_count,
    }


def catalog_from_rows(data: dict[str, Any]) -> Catalog:
    """Rebuild a Catalog from `to_rows(catalog)`.

    Raises:
        ValueError: the field header is not this version's model.
        KeyError, TypeError, IndexError: the data is malformed.
    """
    fields = data["fields"]
    for name, cls in _ROW_CLASSES.items():
        if fields.get(name) != list(_field_names(cls)):
            raise ValueError(f"{name} fields differ from this version's")
    return Catalog(
        server=_from_row(ServerInfo, data["server"]),
        schemas=tuple(data["schemas"]),
        tables=tuple(_from_row(Table, row) for row in data["tables"]),
        sequences=tuple(_from_row(Sequence, row) for row in data["sequences"]),
        loaded_at=data["loaded_at"],
        query_count=data["query_count"],
    )
