"""The objects that are not relations, one handler per kind: how each is created, dropped and
altered (functions, types, sequences, extensions, publications, schemas).

`KIND_HANDLERS` is the table `write_objects` dispatches on, keyed by
`SchemaObjectDiff.object_kind`, as `objects.OBJECT_HANDLERS` is for the parts of a table. A
handler's `alter` returns False when the change cannot be made in place: the object is then
dropped (`Phase.DROP_OBJECTS`, after what uses it made way: `users.make_way`) and created
again. An object B does not have is dropped in `Phase.REMOVE_OBJECTS`, once nothing that stays
uses it; new ones are created in `Phase.CREATE_OBJECTS`, kind by kind in `KIND_HANDLERS`'
order (schemas first: the others live in them) and, within a kind, by dependency.
"""

from __future__ import annotations

from typing import Any

from ehgtui.catalog.model import Catalog
from ehgtui.diff.model import CatalogDiff, SchemaObjectDiff
from ehgtui.migrate.context import Context
from ehgtui.migrate.datatypes import TYPE_HANDLER
from ehgtui.migrate.functions import FUNCTION_HANDLER
from ehgtui.migrate.kind_handler import KindHandler
from ehgtui.migrate.other_kinds import (
    EXTENSION_HANDLER,
    PUBLICATION_HANDLER,
    SCHEMA_HANDLER,
    SEQUENCE_HANDLER,
)
from ehgtui.migrate.plan import Phase
from ehgtui.migrate.users import make_way

KIND_HANDLERS: dict[str, KindHandler] = {
    "schema": SCHEMA_HANDLER,
    "extension": EXTENSION_HANDLER,
    "type": TYPE_HANDLER,
    "sequence": SEQUENCE_HANDLER,
    "function": FUNCTION_HANDLER,
    "publication": PUBLICATION_HANDLER,
}
"""Every kind `diff` compares besides tables, in the order new ones are created (each may use
the kinds before it: a function takes a type, a type lives in a schema) and the reverse of
the order old ones are removed in."""


def _ordered(handler: KindHandler, catalog: Catalog, changes: list[SchemaObjectDiff]) -> list[Any]:
    objects = [handler.find(catalog, c.name) for c in changes]
    objects = [o for o in objects if o is not None]
    return handler.order(catalog, objects) if handler.order is not None else objects


def write_objects(ctx: Context, diff: CatalogDiff) -> None:
    """Every statement for the objects of `diff` that are not relations."""
    for table in diff.tables:
        if table.old_name:  # publications follow renamed tables by these names
            ctx.renamed_tables[table.old_name] = table.qualified_name
    by_kind: dict[str, list[SchemaObjectDiff]] = {}
    for change in diff.objects:
        by_kind.setdefault(change.object_kind, []).append(change)
    for kind, changes in by_kind.items():
        handler = KIND_HANDLERS.get(kind)
        if handler is None:
            ctx.note(f"{kind} {', '.join(c.name for c in changes)} not written (unknown kind)")
        elif handler.pair is not None:
            by_kind[kind] = handler.pair(ctx, changes)
    for kind, handler in KIND_HANDLERS.items():
        changes = by_kind.get(kind, [])
        for obj in _ordered(handler, ctx.b, [c for c in changes if c.kind == "added"]):
            handler.create(ctx, obj)
        for change in changes:
            if change.kind == "changed":
                _alter(ctx, handler, change)
    for kind, handler in reversed(KIND_HANDLERS.items()):
        removed = [c for c in by_kind.get(kind, []) if c.kind == "removed"]
        for obj in reversed(_ordered(handler, ctx.a, removed)):
            handler.drop(ctx, obj, Phase.REMOVE_OBJECTS)


def _alter(ctx: Context, handler: KindHandler, change: SchemaObjectDiff) -> None:
    old_key = next((str(f.before) for f in change.fields if f.field == "key"), change.name)
    before, after = handler.find(ctx.a, old_key), handler.find(ctx.b, change.name)
    if before is None or after is None:
        return
    if handler.alter(ctx, before, after, change):
        return
    make_way(ctx, f"{change.object_kind} {change.name}", handler.users(before))
    handler.drop(ctx, before, Phase.DROP_OBJECTS)
    handler.create(ctx, after)
