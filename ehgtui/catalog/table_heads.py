"""The relations query's rows made into each table's own fields, as soon as they arrive.

A table also holds the other queries' objects (columns, constraints, ...), which `assemble.py`
adds once every query is in; what only the relations query gives is made here, mid-load, so
that the part of a load left after the last query (which no query's wait can hide) is short.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from ehgtui.catalog.acl import parse_acl
from ehgtui.catalog.builders import check_fields
from ehgtui.catalog.model import TABLE_KINDS

PERSISTENCE = {"p": "permanent", "u": "unlogged", "t": "temporary"}
REPLICA_IDENTITY = {"d": "DEFAULT", "n": "NOTHING", "f": "FULL", "i": "INDEX"}

RELATION_FIELDS = (
    "oid",
    "schema",
    "name",
    "relkind",
    "owner",
    "comment",
    "rls_enabled",
    "rls_forced",
    "row_estimate",
    "size_bytes",
    "persistence",
    "replica_identity",
    "options",
    "partition_key",
    "partition_bound",
    "parents",
    "is_partition",
    "view_definition",
    "acl",
    "attnames",
)
"""The RELATIONS query's result columns, in order: `table_heads` unpacks rows by position."""

TableHead = tuple[tuple[Any, ...], Any]
"""A table's fields up to `view_definition`, in the model's order, and its privileges."""

_BY_SCHEMA_AND_NAME = itemgetter(1, 2)
"""The catalog lists its tables by schema, then name (RELATION_FIELDS positions)."""


def table_heads(relations: Sequence[Any]) -> list[TableHead]:
    """Every field of each table that the relations query alone gives, sorted by schema and
    name: made as soon as those rows arrive, so that `assemble`, which waits for every query,
    only has to add the other queries' objects.
    """
    check_fields(relations, RELATION_FIELDS, "relations")
    no_items: tuple[Any, ...] = ()
    heads = []
    for (
        oid,
        schema,
        name,
        relkind,
        owner,
        comment,
        rls_enabled,
        rls_forced,
        row_estimate,
        size_bytes,
        persistence,
        replica_identity,
        options,
        partition_key,
        partition_bound,
        parents,
        is_partition,
        view_definition,
        acl,
        _attnames,
    ) in sorted(relations, key=_BY_SCHEMA_AND_NAME):
        parents = tuple(parents) if parents else no_items
        # positional, in the model's field order (a test checks where each value lands)
        head = (
            oid,
            schema,
            name,
            TABLE_KINDS[relkind],
            owner,
            comment,
            rls_enabled,
            rls_forced,
            row_estimate,
            size_bytes,
            PERSISTENCE.get(persistence, persistence),
            REPLICA_IDENTITY.get(replica_identity, replica_identity),
            tuple(options) if options else no_items,
            partition_key,
            parents[0] if is_partition and parents else None,  # partition_of
            partition_bound,
            no_items if is_partition else parents,  # inherits
            view_definition,
        )
        heads.append((head, parse_acl(acl)))
    return heads
