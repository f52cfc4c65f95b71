"""What an ERD export draws: full tables, stub tables and the FKs between them.

Both exporters (`mermaid.py`, `dot.py`) take a `Diagram`, so the selection rules (a table's
neighbourhood, or a domain plus its direct neighbours) live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ehgtui.catalog.domains import DomainMap
from ehgtui.catalog.model import Catalog, Table
from ehgtui.relations.edges import Edge, incident_edges
from ehgtui.relations.neighbourhood import neighbourhood


class UnknownDomainError(LookupError):
    """The domain asked for is not in the domain map."""


@dataclass(frozen=True)
class Diagram:
    """Tables drawn with their columns, stubs drawn by name only, and every FK, unmerged."""

    tables: tuple[Table, ...]
    stubs: tuple[str, ...]
    """`schema.table` of tables outside the selection (or not loaded), drawn as a name."""
    edges: tuple[Edge, ...]
    primary_schema: str = "public"
    """Names in this schema are written without it."""

    def display_name(self, name: str) -> str:
        schema, _, table = name.partition(".")
        return table if schema == self.primary_schema else name


@dataclass(frozen=True, slots=True)
class Cardinality:
    """What an FK's columns allow on the referencing side."""

    nullable: bool
    """Some FK column may be NULL: a row need not have a parent."""
    unique: bool
    """The FK columns are a primary key or unique: at most one child per parent."""


def cardinality(table: Table | None, edge: Edge) -> Cardinality:
    """Read nullability and uniqueness of the FK's columns from the referencing table.

    Unique means some primary key, unique constraint or full (non-partial) unique index
    covers exactly the FK's columns. An unknown table gives the loosest answer.
    """
    if table is None:
        return Cardinality(nullable=True, unique=False)
    nullable = any((col := table.column(name)) is None or not col.not_null for name in edge.columns)
    wanted = set(edge.columns)
    unique = any(
        c.kind in ("PRIMARY KEY", "UNIQUE") and set(c.columns) == wanted for c in table.constraints
    ) or any(
        i.is_unique and i.predicate is None and set(i.columns) == wanted for i in table.indexes
    )
    return Cardinality(nullable=nullable, unique=unique)


def _build(catalog: Catalog, full: Iterable[str], edges: Iterable[Edge]) -> Diagram:
    full_names = list(dict.fromkeys(full))
    tables = tuple(t for n in full_names if (t := catalog.table(n)) is not None)
    drawn = {t.qualified_name for t in tables}
    unique_edges = {e.key: e for e in edges}
    stubs = sorted({n for e in unique_edges.values() for n in (e.source, e.target)} - drawn)
    ordered = sorted(unique_edges.values(), key=lambda e: (e.source, e.target, e.constraint_name))
    primary = catalog.schemas[0] if catalog.schemas else "public"
    return Diagram(tables, tuple(stubs), tuple(ordered), primary)


def diagram_for_tables(
    catalog: Catalog, names: Iterable[str], depth: int = 1, domains: DomainMap | None = None
) -> Diagram:
    """The union of each named table's neighbourhood: every table in it drawn in full.

    Raises:
        UnknownTableError: a name is not in the catalog.
    """
    full: list[str] = []
    edges: list[Edge] = []
    for name in names:
        nb = neighbourhood(catalog, name, depth, domains=domains)
        full += [n.name for n in nb.nodes if n.loaded]
        edges += nb.edges
    return _build(catalog, full, edges)


def diagram_for_domain(catalog: Catalog, domain: str, domains: DomainMap) -> Diagram:
    """A domain's tables in full, plus their direct neighbours outside it as stubs.

    Raises:
        UnknownDomainError: no domain has that name.
    """
    found = domains.get(domain)
    if found is None:
        known = ", ".join(d.name for d in domains.domains)
        raise UnknownDomainError(f"no domain named {domain!r} (known: {known})")
    full = [t.qualified_name for t in found.tables]
    edges = [e for name in full for e in incident_edges(catalog, name)]
    return _build(catalog, full, edges)


def merge(catalog: Catalog, diagrams: Iterable[Diagram]) -> Diagram:
    """One diagram drawing everything the given ones draw; a table full in any is full."""
    parts = list(diagrams)
    full = [t.qualified_name for d in parts for t in d.tables]
    return _build(catalog, full, [e for d in parts for e in d.edges])
