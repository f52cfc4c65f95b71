"""The migration from catalog A to catalog B: `write_migration`.

`KIND_WRITERS` is the one table a kind of object plugs into: each entry writes every
statement for its part of the diff into the context, giving each statement its phase (see
`plan.Phase`); the migration then runs them phase by phase. Relations (with their columns,
constraints, indexes, policies, triggers and grants: `objects.OBJECT_HANDLERS`) are one;
functions, types, sequences, extensions, publications and schemas (`kinds.KIND_HANDLERS`)
the other.
"""

from __future__ import annotations

from collections.abc import Callable

from ehgtui.catalog.model import Catalog
from ehgtui.diff.model import CatalogDiff
from ehgtui.migrate.context import Context, MigrationOptions
from ehgtui.migrate.datatypes import hoist_new_labels
from ehgtui.migrate.kinds import write_objects
from ehgtui.migrate.plan import Migration
from ehgtui.migrate.relations import write_relations
from ehgtui.migrate.renames import apply_renames, rename_hints

KindWriter = Callable[[Context, CatalogDiff], None]

KIND_WRITERS: dict[str, KindWriter] = {
    "object": write_objects,
    "relation": write_relations,
}
"""Every kind of object the migration writes, in the order they are written (the phases,
not this order, decide the order statements run in). The objects other than relations
(`kinds.KIND_HANDLERS`) come first: a function or type made again tells which triggers,
policies and views must make way, which the relations' writer then does."""


def write_migration(
    diff: CatalogDiff, a: Catalog, b: Catalog, options: MigrationOptions | None = None
) -> Migration:
    """The statements that turn the database `a` describes into what `b` describes.

    Raises:
        RenameError: a `--rename` pair names nothing the diff removes and adds.
    """
    options = options or MigrationOptions()
    diff = apply_renames(diff, a, b, options.renames)
    ctx = Context(a, b, options)
    for writer in KIND_WRITERS.values():
        writer(ctx, diff)
    for hint in rename_hints(diff):
        ctx.note(hint)
    hoist_new_labels(ctx.out)
    return ctx.out
