"""Which relations a relation needs first, and an order that honours it.

The model holds no dependency graph (pg_depend is not loaded), so we rebuild the part DDL
needs: parents (partitioning and inheritance), foreign-key targets, and relations named in
view definitions and policy expressions. Names in SQL text are found by tokenising it, which
may over-report (a column named like a table) but never misses a reference written out;
an over-reported edge only changes the order, and cycles are broken, never fatal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

from ehgtui.catalog.model import Catalog, Table


class Named(Protocol):
    """Anything with a `schema.name` key: a table, a type."""

    @property
    def qualified_name(self) -> str: ...


N = TypeVar("N", bound=Named)

_NAME_CHAIN = re.compile(
    r"""(?P<chain>(?:"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)
        (?:\s*\.\s*(?:"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*))*)
      |'(?:[^']|'')*'""",
    re.VERBOSE,
)
"""Dotted identifier chains (quoted or not); string literals are matched only to be skipped."""

_PART = re.compile(r'"(?:[^"]|"")*"|[^\s."]+')


def _unquote(part: str) -> str:
    """An identifier as PostgreSQL stores it: quoted ones verbatim, bare ones lower-cased."""
    if part.startswith('"'):
        return part[1:-1].replace('""', '"')
    return part.lower()


def referenced_names(sql: str) -> set[tuple[str, ...]]:
    """Every identifier chain in `sql` (e.g. `("public", "projects")`), outside literals."""
    found: set[tuple[str, ...]] = set()
    for match in _NAME_CHAIN.finditer(sql):
        chain = match.group("chain")
        if chain:
            found.add(tuple(_unquote(p) for p in _PART.findall(chain)))
    return found


def relations_named_in(sql: str, catalog: Catalog) -> set[str]:
    """Qualified names of the catalog's relations that `sql` mentions.

    A bare name counts when it belongs to one of the loaded schemas, because that is how
    `pg_get_viewdef()` and `pg_get_expr()` print names visible on the search path.
    """
    found: set[str] = set()
    for chain in referenced_names(sql):
        for i in range(len(chain)):
            if i + 1 < len(chain) and catalog.table(f"{chain[i]}.{chain[i + 1]}") is not None:
                found.add(f"{chain[i]}.{chain[i + 1]}")
            relation = catalog.table(chain[i])
            if relation is not None:
                found.add(relation.qualified_name)
    return found


def parent_names(table: Table) -> tuple[str, ...]:
    """Qualified names of the tables this one is a partition of or inherits from."""
    return ((table.partition_of,) if table.partition_of else ()) + table.inherits


def direct_dependencies(table: Table, catalog: Catalog) -> set[str]:
    """Relations that must exist before `table`'s complete DDL applies (itself excluded)."""
    needed = set(parent_names(table))
    for constraint in table.foreign_keys:
        if constraint.is_local and constraint.ref_schema and constraint.ref_table:
            needed.add(f"{constraint.ref_schema}.{constraint.ref_table}")
    texts = [table.view_definition or ""]
    for policy in table.policies:
        texts.extend(t for t in (policy.using, policy.with_check) if t)
    for text in texts:
        needed |= relations_named_in(text, catalog)
    needed.discard(table.qualified_name)
    return {name for name in needed if catalog.table(name) is not None}


def topological(tables: Iterable[N], edges: dict[str, set[str]]) -> list[N]:
    """Order `tables` so each comes after the ones it depends on (edges: name -> needs).

    Stable: ties keep the input order. A cycle is broken at its earliest member, so the result
    always holds every table once.
    """
    pending = list(tables)
    names = {t.qualified_name for t in pending}
    done: set[str] = set()
    ordered: list[N] = []
    while pending:
        ready = (
            i
            for i, table in enumerate(pending)
            if edges.get(table.qualified_name, set()) & names <= done | {table.qualified_name}
        )
        table = pending.pop(next(ready, 0))  # none ready: a cycle, so take the earliest
        ordered.append(table)
        done.add(table.qualified_name)
    return ordered


def dependencies(table: Table, catalog: Catalog) -> list[Table]:
    """Every relation `table` needs, transitively, in an order they can be created in.

    For "copy this table with what it needs": the DDL of these, then of `table`, applies to a
    database that has the non-relation prerequisites (roles, types, functions).
    """
    needed: dict[str, Table] = {}
    stack = [table]
    while stack:
        for name in sorted(direct_dependencies(stack.pop(), catalog)):
            found = catalog.table(name)
            if found is not None and name not in needed and name != table.qualified_name:
                needed[name] = found
                stack.append(found)
    edges = {name: direct_dependencies(t, catalog) for name, t in needed.items()}
    by_catalog_order = [t for t in catalog.tables if t.qualified_name in needed]
    return topological(by_catalog_order, edges)
