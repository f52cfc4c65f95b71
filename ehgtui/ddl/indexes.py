"""Indexes that are not behind a constraint, and the replica identity that may name one."""

from __future__ import annotations

from ehgtui.catalog.model import Index, Table
from ehgtui.ddl.comments import index_comment
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.quote import qualified, quote_ident


def index_definition(table: Table, index: Index, options: DdlOptions) -> str:
    """`pg_get_indexdef()`, adjusted: no `ON ONLY` on a valid partitioned index, so that it
    recurses into (or adopts the indexes of) partitions already attached; IF NOT EXISTS."""
    definition = index.definition
    if table.kind == "partitioned table" and index.is_valid:
        definition = definition.replace(" ON ONLY ", " ON ", 1)
    if options.if_not_exists:
        for head in ("CREATE UNIQUE INDEX ", "CREATE INDEX "):
            if definition.startswith(head):
                definition = head + "IF NOT EXISTS " + definition[len(head) :]
                break
    return definition + ";"


def index_statements(table: Table, options: DdlOptions) -> list[str]:
    """`CREATE INDEX` (and its comment) for every index that no constraint creates.

    Invalid indexes (a failed `CREATE INDEX CONCURRENTLY`) are skipped, as pg_dump skips them,
    except on partitioned tables, where invalid means "not attached everywhere yet".
    A partition's copies of its parent's indexes are kept, so they keep their names.
    """
    statements = []
    for index in table.indexes:
        if index.constraint_name is None and (index.is_valid or table.kind == "partitioned table"):
            statements.append(index_definition(table, index, options))
            statements += index_comment(table, index)
    return statements


def replica_identity(table: Table) -> list[str]:
    """`REPLICA IDENTITY` when it is not the default (the primary key)."""
    name = qualified(table.schema, table.name)
    identity = table.replica_identity
    if identity in ("FULL", "NOTHING"):
        return [f"ALTER TABLE ONLY {name} REPLICA IDENTITY {identity};"]
    if identity == "INDEX":
        index = next((i for i in table.indexes if i.is_replica_identity), None)
        if index is not None:
            using = quote_ident(index.name)
            return [f"ALTER TABLE ONLY {name} REPLICA IDENTITY USING INDEX {using};"]
    return []
