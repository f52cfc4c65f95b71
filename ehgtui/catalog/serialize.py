"""The catalog as plain JSON-able data, and back: for `--json` and snapshots.

The cache writes and reads the same shape, through msgspec (`catalog/cache.py`)."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from ehgtui.catalog.model import (
    Catalog,
    Column,
    Constraint,
    DataType,
    DefaultPrivilege,
    Extension,
    ForeignKeyRef,
    Function,
    Index,
    Policy,
    Privilege,
    Publication,
    Schema,
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


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    """The public field names of a model class (looked up once: this runs per object)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if issubclass(cls, msgspec.Struct):
            names = cls.__struct_fields__
        else:  # Catalog, a dataclass for its cached index
            names = tuple(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))
        _FIELD_NAMES[cls] = names
    return names


def to_data(value: Any) -> Any:
    """Turn a model object (or a tuple of them) into dicts, lists and scalars."""
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, msgspec.Struct) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    ):
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
    table: Table = _build(Table, {**data, **parts})
    return table


def catalog_from_data(data: dict[str, Any]) -> Catalog:
    """Rebuild a Catalog from `to_data(catalog)`; raises KeyError/TypeError when malformed."""
    return Catalog(
        server=_build(ServerInfo, data["server"]),
        schemas=tuple(data["schemas"]),
        tables=tuple(table_from_data(t) for t in data["tables"]),
        sequences=tuple(_build(Sequence, s) for s in data.get("sequences", ())),
        functions=_convert(data, "functions", Function),
        types=_convert(data, "types", DataType),
        extensions=_convert(data, "extensions", Extension),
        publications=_convert(data, "publications", Publication),
        schema_objects=_convert(data, "schema_objects", Schema),
        default_privileges=_convert(data, "default_privileges", DefaultPrivilege),
        loaded_at=data.get("loaded_at", 0.0),
        query_count=data.get("query_count", 0),
        # a document without the key was written before the texts were qualified
        names_qualified=data.get("names_qualified", False),
    )


def _convert(data: dict[str, Any], name: str, cls: type[Any]) -> tuple[Any, ...]:
    """The list `name` of `data` as model objects, nested records included (msgspec checks
    every field's type); raises TypeError when it is malformed."""
    try:
        return tuple(msgspec.convert(data.get(name, ()), tuple[cls, ...]))  # type: ignore[valid-type]
    except msgspec.ValidationError as exc:
        raise TypeError(f"{name}: {exc}") from None
