"""Schema objects other than tables, by kind: how each is named, found and grouped.

A function, type, sequence, extension or publication is referred to by an `ObjectRef` (its
kind and its key in the catalog), so that the tree, the palette, the detail pane and the docs
speak of any object the same way. Tables keep their `schema.table` keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ehgtui.catalog.model import Catalog, DataType, Extension, Function, Publication, Sequence

SchemaObject = Function | DataType | Sequence | Extension | Publication
"""An object of a kind other than table."""

USES_NOT_RECORDED = (
    "Calls made from inside PL/pgSQL (or other procedural) bodies are not recorded by the "
    "server, so a function called only from another function's body lists no user here."
)
"""What every list of a function's users says with it: the list is the server's, no guess."""

OBJECT_KINDS: tuple[str, ...] = ("function", "type", "sequence", "extension", "publication")
"""The kinds, in the order the tree lists their groups."""


@dataclass(frozen=True, order=True)
class ObjectRef:
    """A schema object by kind and key: `function` + `public.area(side integer)`."""

    kind: str
    """One of OBJECT_KINDS."""
    key: str
    """Functions: `schema.name(identity arguments)`; types and sequences: `schema.name`;
    extensions and publications: their name."""


def object_key(obj: SchemaObject) -> str:
    """The key of an object in the catalog (see ObjectRef.key)."""
    if isinstance(obj, Function):
        return obj.signature
    if isinstance(obj, Extension | Publication):
        return obj.name
    return f"{obj.schema}.{obj.name}"


def object_kind(obj: SchemaObject) -> str:
    """The kind of an object, one of OBJECT_KINDS."""
    return _KIND_OF[type(obj)]


def ref_of(obj: SchemaObject) -> ObjectRef:
    """The reference to an object."""
    return ObjectRef(object_kind(obj), object_key(obj))


_KIND_OF: dict[type, str] = {
    Function: "function",
    DataType: "type",
    Sequence: "sequence",
    Extension: "extension",
    Publication: "publication",
}

_OF_KIND: dict[str, Callable[[Catalog], tuple[SchemaObject, ...]]] = {
    "function": lambda c: c.functions,
    "type": lambda c: c.types,
    "sequence": lambda c: c.sequences,
    "extension": lambda c: c.extensions,
    "publication": lambda c: c.publications,
}


def objects_of(catalog: Catalog, kind: str) -> tuple[SchemaObject, ...]:
    """Every object of one kind in the catalog, in the catalog's order."""
    return _OF_KIND[kind](catalog)


def all_objects(catalog: Catalog) -> tuple[SchemaObject, ...]:
    """Every object of every kind, kind by kind."""
    return tuple(obj for kind in OBJECT_KINDS for obj in objects_of(catalog, kind))


def object_by_ref(catalog: Catalog, ref: ObjectRef) -> SchemaObject | None:
    """The object a reference names, or None when this catalog has no such object."""
    index = _per_catalog(catalog, "objects", lambda: {ref_of(o): o for o in all_objects(catalog)})
    return index.get(ref)


T = TypeVar("T")

_MEMO: list[tuple[Catalog, dict[str, object]]] = []
"""Indexes built from the latest catalogs (compared by identity: hashing a catalog would
hash every record in it). A catalog is immutable, so an index never goes stale."""

_MEMO_SIZE = 3


def _per_catalog(catalog: Catalog, name: str, build: Callable[[], T]) -> T:
    memo = next((m for held, m in _MEMO if held is catalog), None)
    if memo is None:
        memo = {}
        _MEMO.insert(0, (catalog, memo))
        del _MEMO[_MEMO_SIZE:]
    if name not in memo:
        memo[name] = build()
    return memo[name]  # type: ignore[return-value]


def trigger_function(catalog: Catalog, qualified_name: str) -> Function | None:
    """The function a trigger calls (`Trigger.function`: `schema.name`, no arguments).

    A trigger function takes no declared arguments, so an overload with none is the one;
    failing that, the only function of that name.
    """
    found = catalog.functions_by_name.get(qualified_name, ())
    return next((f for f in found if not f.identity_arguments), found[0] if found else None)


def functions_of_policy(catalog: Catalog, schema: str, table: str, policy: str) -> list[Function]:
    """The functions a policy's expressions call, as the server records it (pg_depend)."""
    by_policy = _per_catalog(catalog, "policy functions", lambda: _policy_functions(catalog))
    return list(by_policy.get((schema, table, policy), ()))


def _policy_functions(catalog: Catalog) -> dict[tuple[str, str, str], tuple[Function, ...]]:
    grouped: dict[tuple[str, str, str], list[Function]] = {}
    for function in catalog.functions:
        for use in function.used_by:
            if use.kind == "policy" and use.name is not None:
                grouped.setdefault((use.schema, use.relation, use.name), []).append(function)
    return {k: tuple(v) for k, v in grouped.items()}


def object_title(obj: SchemaObject) -> str:
    """How an object is named to people: `public.area(side integer)`, `public.mood`, `pg_trgm`."""
    return object_key(obj)
