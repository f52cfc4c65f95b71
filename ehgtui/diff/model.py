"""What a schema diff says: plain, frozen, JSON-able data, grouped by table and by domain."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed", "renamed"]
"""How an object differs between side A and side B (read as "from A to B")."""

CHANGE_KINDS: tuple[ChangeKind, ...] = ("added", "removed", "changed", "renamed")
"""Every change kind, in the order summaries list them."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One attribute that differs, e.g. a column's `data_type` or a table's `rls_enabled`."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class ObjectChange:
    """A column, constraint, index, policy, trigger or grant of a table that differs."""

    object_type: str
    """`column`, `constraint`, `index`, `policy`, `trigger` or `grant`."""
    name: str
    """The name on side B (on side A for a removed object)."""
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()
    """For `changed` and `renamed`: the attributes that differ."""
    old_name: str | None = None
    """For `renamed`: the name on side A."""
    summary: str | None = None
    """For `added` and `removed`: a one-line description (column type, definition...)."""


@dataclass(frozen=True, slots=True)
class TableDiff:
    """Everything that differs about one relation."""

    schema: str
    name: str
    """The name on side B (on side A for a removed table)."""
    kind: ChangeKind
    table_kind: str
    """`table`, `view`, ... (see `ehgtui.catalog.model.TABLE_KINDS`)."""
    domain: str
    """The domain the table falls in (side B's classification; side A's when removed)."""
    old_name: str | None = None
    """For `renamed`: `schema.name` on side A."""
    fields: tuple[FieldChange, ...] = ()
    """Table-level attributes that differ: comment, RLS enabled/forced, owner, options..."""
    objects: tuple[ObjectChange, ...] = ()

    @property
    def qualified_name(self) -> str:
        """`schema.name` on side B (side A for a removed table)."""
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class SchemaObjectDiff:
    """A function, type, sequence, extension, publication or schema that differs."""

    object_kind: str
    """`function`, `type`, `sequence`, `extension`, `publication` or `schema`."""
    name: str
    """Its key in the catalog: `schema.name(identity arguments)` for a function (so a new
    signature is a removal plus an addition), `schema.name` for types and sequences, the name
    for extensions, publications and schemas."""
    kind: ChangeKind
    """`added`, `removed` or `changed` (objects other than tables are never renamed)."""
    fields: tuple[FieldChange, ...] = ()
    """For `changed`: the attributes that differ."""
    summary: str | None = None
    """For `added` and `removed`: a one-line description."""


@dataclass(frozen=True)
class CatalogDiff:
    """The differences between two catalogs; empty when they describe the same schema."""

    tables: tuple[TableDiff, ...]
    """Sorted by qualified name."""
    domain_order: tuple[str, ...] = ()
    """Domain names in tree order, so that `by_domain` lists them as the tree does."""
    schemas_a: tuple[str, ...] = ()
    schemas_b: tuple[str, ...] = ()
    objects: tuple[SchemaObjectDiff, ...] = ()
    """The other kinds' differences, by kind (in `compare.OBJECT_KINDS` order), then name."""

    @property
    def is_empty(self) -> bool:
        """True when both sides describe the same schema (what exit status 0 means)."""
        return not self.tables and not self.objects

    def object_counts(self) -> dict[str, int]:
        """How many other objects were added, removed and changed."""
        return {kind: sum(1 for o in self.objects if o.kind == kind) for kind in CHANGE_KINDS}

    def counts(self) -> dict[str, int]:
        """How many tables were added, removed, changed and renamed."""
        return {kind: sum(1 for t in self.tables if t.kind == kind) for kind in CHANGE_KINDS}

    def by_domain(self) -> dict[str, tuple[TableDiff, ...]]:
        """Table diffs grouped by domain, domains in tree order, empty domains left out."""
        grouped: dict[str, list[TableDiff]] = {}
        for table in self.tables:
            grouped.setdefault(table.domain, []).append(table)
        order = [d for d in self.domain_order if d in grouped]
        order += sorted(d for d in grouped if d not in order)
        return {d: tuple(grouped[d]) for d in order}

    def table(self, qualified_name: str) -> TableDiff | None:
        """The diff of one table by `schema.name` (either side's name for a rename)."""
        return next(
            (t for t in self.tables if qualified_name in (t.qualified_name, t.old_name)),
            None,
        )


def diff_to_data(diff: CatalogDiff) -> dict[str, Any]:
    """The diff as plain JSON-able data (what `ehgtui diff --json` prints)."""
    return {
        "equal": diff.is_empty,
        "schemas_a": list(diff.schemas_a),
        "schemas_b": list(diff.schemas_b),
        "counts": diff.counts(),
        "tables": [
            dataclasses.asdict(t) | {"qualified_name": t.qualified_name} for t in diff.tables
        ],
        "by_domain": {d: [t.qualified_name for t in ts] for d, ts in diff.by_domain().items()},
        "object_counts": diff.object_counts(),
        "objects": [dataclasses.asdict(o) for o in diff.objects],
    }
