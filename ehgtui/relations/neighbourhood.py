"""The foreign-key neighbourhood of one table: rings of tables around it and the edges between.

The model is what the Relations tab and `ehgtui erd` agree on; `picture.py` draws it. Ring 1
is split in two sides: the tables the selected table references, and the tables that
reference it. A large fan-in is grouped by domain so that the picture stays small; the
grouping never hides a table from the model, it only says how to show it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ehgtui.catalog.domains import OTHER, DomainMap, classify
from ehgtui.catalog.model import Catalog
from ehgtui.relations.edges import Edge, incident_edges

SELECTED = "selected"
REFERENCES = "references"
"""Side of the tables the selected table points at (including mutual references)."""
REFERENCED_BY = "referenced_by"
"""Side of the tables that point at the selected table and are not pointed at by it."""
SECOND_RING = "second_ring"

GROUP_THRESHOLD = 12
"""More referencing tables than this and the referencing side is grouped by domain."""


class UnknownTableError(LookupError):
    """The table asked for is not in the catalog."""


@dataclass(frozen=True, slots=True)
class KeyColumn:
    """A column of the selected table that takes part in a key: its PK or one of its FKs."""

    name: str
    data_type: str
    not_null: bool
    primary_key: bool
    references: tuple[str, ...]
    """`table.column` of each column this one references (one per FK it belongs to)."""


@dataclass(frozen=True, slots=True)
class Node:
    """One table of the neighbourhood."""

    name: str
    """`schema.table`: the key used by edges and groups."""
    ring: int
    """0 for the selected table, then 1, 2 outwards."""
    side: str
    """`selected`, `references`, `referenced_by` or `second_ring`."""
    domain: str
    loaded: bool = True
    """False for a table outside the loaded schemas: known only from an FK pointing at it."""
    via: tuple[str, ...] = ()
    """For ring 2: the ring-1 tables it is connected to."""

    @property
    def table(self) -> str:
        """The bare table name."""
        return self.name.partition(".")[2] or self.name


@dataclass(frozen=True, slots=True)
class Group:
    """The referencing tables of one domain, shown as one box unless expanded."""

    domain: str
    members: tuple[str, ...]
    """`schema.table` of each member, sorted."""
    edge_count: int
    """How many FKs the members hold towards the selected table (>= len(members))."""
    expanded: bool = False

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def label(self) -> str:
        """`Strategic Directives (23)`."""
        return f"{self.domain} ({self.count})"


@dataclass(frozen=True)
class Neighbourhood:
    """The selected table, its rings of neighbours, every FK among them, and the grouping."""

    selected: Node
    key_columns: tuple[KeyColumn, ...]
    nodes: tuple[Node, ...]
    """Every table, the selected one first, then ring by ring, each ring sorted by name."""
    edges: tuple[Edge, ...]
    """Every FK touching a table of an inner ring, both ends in the neighbourhood."""
    depth: int
    groups: tuple[Group, ...] = ()
    """The referencing side by domain when it is larger than the threshold; else empty."""
    _by_name: dict[str, Node] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({n.name: n for n in self.nodes})

    def node(self, name: str) -> Node | None:
        return self._by_name.get(name)

    def side(self, side: str) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.side == side)

    @property
    def references(self) -> tuple[Node, ...]:
        return self.side(REFERENCES)

    @property
    def referenced_by(self) -> tuple[Node, ...]:
        return self.side(REFERENCED_BY)

    @property
    def second_ring(self) -> tuple[Node, ...]:
        return self.side(SECOND_RING)

    @property
    def is_grouped(self) -> bool:
        return bool(self.groups)

    @property
    def self_references(self) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.source == e.target == self.selected.name)

    def edges_between(self, a: str, b: str) -> tuple[Edge, ...]:
        """The FKs between two tables, in either direction, each separately."""
        return tuple(e for e in self.edges if {e.source, e.target} == {a, b})

    def hidden(self) -> frozenset[str]:
        """Tables inside collapsed groups: in the model, but drawn as their group's box."""
        return frozenset(m for g in self.groups if not g.expanded for m in g.members)


def _key_columns(catalog: Catalog, name: str) -> tuple[KeyColumn, ...]:
    table = catalog.table(name)
    if table is None:
        return ()
    pk = set(table.primary_key.columns) if table.primary_key else set()
    refs: dict[str, list[str]] = {}
    for fk in table.foreign_keys:
        for col, ref_col in zip(fk.columns, fk.ref_columns, strict=False):
            refs.setdefault(col, []).append(f"{fk.ref_table}.{ref_col}")
    return tuple(
        KeyColumn(c.name, c.data_type, c.not_null, c.name in pk, tuple(refs.get(c.name, ())))
        for c in table.columns
        if c.name in pk or c.name in refs
    )


def _rings(catalog: Catalog, start: str, depth: int) -> dict[str, int]:
    """Breadth-first over FKs in both directions: table -> ring, in discovery order."""
    rings = {start: 0}
    frontier = [start]
    for ring in range(1, depth + 1):
        found: set[str] = set()
        for name in frontier:
            for edge in incident_edges(catalog, name):
                other = edge.other_end(name)
                if other not in rings:
                    found.add(other)
        for other in sorted(found):
            rings[other] = ring
        frontier = sorted(found)
    return rings


def _edges(catalog: Catalog, rings: dict[str, int], depth: int) -> tuple[Edge, ...]:
    unique: dict[tuple[str, str], Edge] = {}
    for name, ring in rings.items():
        if ring >= depth:
            continue
        for edge in incident_edges(catalog, name):
            if edge.source in rings and edge.target in rings:
                unique.setdefault(edge.key, edge)
    return tuple(unique.values())


def _groups(
    nodes: Iterable[Node], edges: Iterable[Edge], selected: str, expanded: frozenset[str]
) -> tuple[Group, ...]:
    by_domain: dict[str, list[str]] = {}
    for node in nodes:
        by_domain.setdefault(node.domain, []).append(node.name)
    fk_count: dict[str, int] = {}
    for edge in edges:
        if edge.target == selected and edge.source != selected:
            fk_count[edge.source] = fk_count.get(edge.source, 0) + 1
    groups = [
        Group(
            domain,
            tuple(sorted(members)),
            sum(fk_count.get(m, 0) for m in members),
            domain in expanded,
        )
        for domain, members in by_domain.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.count, g.domain)))


def neighbourhood(
    catalog: Catalog,
    table: str,
    depth: int = 1,
    group_threshold: int = GROUP_THRESHOLD,
    domains: DomainMap | None = None,
    expanded_groups: Iterable[str] = (),
) -> Neighbourhood:
    """Build the FK neighbourhood of `table` (`schema.name` or a bare name) to `depth` rings.

    Args:
        catalog: the loaded catalog.
        table: the selected table.
        depth: 1 for direct neighbours; 2 adds their neighbours not already present.
        group_threshold: group the referencing side by domain above this many tables.
        domains: the domain map to group by; classified from the catalog when None.
        expanded_groups: domain names whose groups are drawn table by table.

    Raises:
        UnknownTableError: the table is not in the catalog.
        ValueError: depth is not 1 or 2 (beyond two hops the picture says nothing).
    """
    found = catalog.table(table)
    if found is None:
        schemas = ", ".join(catalog.schemas)
        raise UnknownTableError(f"no table named {table!r} in schema(s) {schemas}")
    if depth not in (1, 2):
        raise ValueError(f"depth must be 1 or 2, not {depth}")
    domains = domains or classify(catalog)
    selected = found.qualified_name
    rings = _rings(catalog, selected, depth)
    edges = _edges(catalog, rings, depth)
    referenced = {e.target for e in edges if e.source == selected}
    ring_one = {n for n, r in rings.items() if r == 1}
    adjacent: dict[str, set[str]] = {}
    for edge in edges:
        adjacent.setdefault(edge.source, set()).add(edge.target)
        adjacent.setdefault(edge.target, set()).add(edge.source)

    def make(name: str, ring: int) -> Node:
        if ring == 0:
            side = SELECTED
        elif ring == 1:
            side = REFERENCES if name in referenced else REFERENCED_BY
        else:
            side = SECOND_RING
        via = tuple(sorted(adjacent.get(name, set()) & ring_one)) if ring == 2 else ()
        loaded = catalog.table(name) is not None
        return Node(name, ring, side, domains.by_table.get(name, OTHER), loaded, via)

    nodes = tuple(make(name, ring) for name, ring in rings.items())
    referencing = [n for n in nodes if n.side == REFERENCED_BY]
    groups: tuple[Group, ...] = ()
    if len(referencing) > group_threshold:
        groups = _groups(referencing, edges, selected, frozenset(expanded_groups))
    return Neighbourhood(
        selected=nodes[0],
        key_columns=_key_columns(catalog, selected),
        nodes=nodes,
        edges=edges,
        depth=depth,
        groups=groups,
    )
