"""Foreign keys as graph edges: one edge per constraint, never merged.

Both the neighbourhood and the ERD exports walk the same edges, so they are built here once
from the catalog's two views of a foreign key (`Table.foreign_keys` on the referencing side,
`Table.referenced_by` on the referenced side).
"""

from __future__ import annotations

from dataclasses import dataclass

from ehgtui.catalog.model import Catalog, Table

DEFAULT_ACTION = "NO ACTION"
"""PostgreSQL's default FK action: left out of labels because it says nothing."""


@dataclass(frozen=True, slots=True)
class Edge:
    """One foreign key: `source` (the referencing table) points at `target`."""

    constraint_name: str
    source: str
    """`schema.table` of the referencing table."""
    target: str
    """`schema.table` of the referenced table."""
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]
    on_delete: str = DEFAULT_ACTION
    on_update: str = DEFAULT_ACTION

    @property
    def key(self) -> tuple[str, str]:
        """Constraint names are unique per table, so this identifies the edge."""
        return (self.source, self.constraint_name)

    @property
    def is_self_reference(self) -> bool:
        return self.source == self.target

    @property
    def column_label(self) -> str:
        """`sd_id → id`; composite keys list their columns in order."""
        return f"{', '.join(self.columns)} → {', '.join(self.ref_columns)}"

    @property
    def actions(self) -> tuple[str, ...]:
        """Only the non-default actions, e.g. `("ON DELETE CASCADE",)`."""
        found = []
        if self.on_delete and self.on_delete != DEFAULT_ACTION:
            found.append(f"ON DELETE {self.on_delete}")
        if self.on_update and self.on_update != DEFAULT_ACTION:
            found.append(f"ON UPDATE {self.on_update}")
        return tuple(found)

    @property
    def label(self) -> str:
        """The column label followed by the non-default actions."""
        return " ".join((self.column_label, *self.actions))

    def other_end(self, name: str) -> str:
        """The table at the other end from `name` (itself for a self-reference)."""
        return self.target if self.source == name else self.source


def outgoing_edges(table: Table) -> list[Edge]:
    """The foreign keys `table` declares, in constraint order.

    A partition's FKs cloned from its parent are left out, as the loader leaves them out of
    `referenced_by`: both directions then agree, and the parent carries the edge.
    """
    return [
        Edge(
            constraint_name=fk.name,
            source=table.qualified_name,
            target=f"{fk.ref_schema}.{fk.ref_table}",
            columns=fk.columns,
            ref_columns=fk.ref_columns,
            on_delete=fk.on_delete or DEFAULT_ACTION,
            on_update=fk.on_update or DEFAULT_ACTION,
        )
        for fk in table.foreign_keys
        if fk.is_local
    ]


def incoming_edges(table: Table) -> list[Edge]:
    """The foreign keys of other tables (and of itself) that point at `table`."""
    return [
        Edge(
            constraint_name=ref.constraint_name,
            source=f"{ref.schema}.{ref.table}",
            target=table.qualified_name,
            columns=ref.columns,
            ref_columns=ref.ref_columns,
            on_delete=ref.on_delete or DEFAULT_ACTION,
            on_update=ref.on_update or DEFAULT_ACTION,
        )
        for ref in table.referenced_by
    ]


def incident_edges(catalog: Catalog, name: str) -> list[Edge]:
    """Every edge touching `name`, each once (a self-reference shows up on both sides).

    A table that is not loaded (e.g. in a schema not asked for) has no edges of its own here;
    the edges pointing at it are still found from the tables that hold them.
    """
    table = catalog.table(name)
    if table is None:
        return []
    unique: dict[tuple[str, str], Edge] = {}
    for edge in outgoing_edges(table) + incoming_edges(table):
        unique.setdefault(edge.key, edge)
    return sorted(unique.values(), key=lambda e: (e.source, e.target, e.constraint_name))
